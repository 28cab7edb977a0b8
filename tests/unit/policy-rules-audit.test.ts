import { Cloudtrail, type CloudtrailConfig } from "@cdktf/provider-aws/lib/cloudtrail";
import { ConfigConfigurationRecorder } from "@cdktf/provider-aws/lib/config-configuration-recorder";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { auditRules } from "../../modules/policy/rules/audit";
import { type Build, expectFinding, findingsOf, findRule, KEY_ARN } from "./policy-fixtures";

const TRAIL: CloudtrailConfig = {
  name: "ecg-audit",
  s3BucketName: "ecg-test-audit",
  kmsKeyId: KEY_ARN,
  enableLogFileValidation: true,
  isMultiRegionTrail: true,
};
const trail =
  (overrides: Partial<CloudtrailConfig> = {}): Build =>
  (stack) =>
    new Cloudtrail(stack, "trail", { ...TRAIL, ...overrides });
const recorder =
  (allSupported: boolean): Build =>
  (stack) =>
    new ConfigConfigurationRecorder(stack, "recorder", {
      name: "default",
      roleArn: "arn:aws:iam::123456789012:role/config",
      recordingGroup: { allSupported },
    });

const cases: [string, Build, Build, string][] = [
  ["CKV_AWS_35", trail(), trail({ kmsKeyId: undefined }), "no kms_key_id"],
  ["CKV_AWS_36", trail(), trail({ enableLogFileValidation: false }), "enable_log_file_validation is off"],
  ["CKV_AWS_67", trail(), trail({ isMultiRegionTrail: false }), "is_multi_region_trail is off"],
  [
    "ECG_GUARDDUTY_ENABLED",
    (stack) => new GuarddutyDetector(stack, "d", {}),
    (stack) => new GuarddutyDetector(stack, "d", { enable: false }),
    "enable is false",
  ],
  ["ECG_CONFIG_RECORDS_ALL", recorder(true), recorder(false), "recording_group.all_supported is not true"],
];

describe("policy rules: the account baseline", () => {
  it.each(cases)("[#17] %s: a compliant fixture passes, a breaking one fails", (id, pass, fail, found) => {
    const rule = findRule(auditRules, id, "auditRules");
    expect(findingsOf(rule, pass)).toEqual([]);
    expectFinding(rule, findingsOf(rule, fail), found, "error");
  });

  it("covers every rule of the pack's audit rules", () => {
    expect(cases.map(([id]) => id).sort()).toEqual(auditRules.flatMap((r) => r.ids).sort());
  });
});
