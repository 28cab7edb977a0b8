import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { serviceTrustPolicy } from "../../modules/common/trust";
import { iamRules, WITHOUT_SOURCE_KEYS } from "../../modules/policy/rules/iam";
import { TEST_ACCOUNT } from "../helpers";
import { type Build, expectFinding, findingsOf, findRule, trustDocument, trustLiteral } from "./policy-fixtures";

const rule = findRule(iamRules, "ECG_SERVICE_TRUST_SOURCE", "iamRules");
const guarded: Build = (stack) => {
  const trust = serviceTrustPolicy(
    stack,
    "trust",
    "codedeploy.amazonaws.com",
    TEST_ACCOUNT,
    "arn:aws:codedeploy:*:123456789012:deploymentgroup:x/*",
  );
  new IamRole(stack, "role", { name: "ecg-test", assumeRolePolicy: trust.json });
};
const literal = (condition?: Record<string, Record<string, string>>) =>
  trustLiteral(
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "monitoring.rds.amazonaws.com" }, Condition: condition },
      ],
    }),
  );

describe("policy rule ECG_SERVICE_TRUST_SOURCE (confused deputy)", () => {
  it.each<[string, Build, string | undefined]>([
    ["a service trust with aws:SourceAccount and aws:SourceArn (serviceTrustPolicy) passes", guarded, undefined],
    [
      "a service trust without source keys fails",
      trustDocument({ type: "Service", identifiers: ["codedeploy.amazonaws.com"] }),
      "codedeploy.amazonaws.com may assume the role for any account (confused deputy)",
    ],
    ["a literal trust with aws:SourceAccount passes", literal({ StringEquals: { "aws:SourceAccount": "123456789012" } }), undefined],
    [
      "a literal trust whose only source key is negated fails",
      literal({ StringNotEquals: { "aws:SourceAccount": "999999999999" } }),
      "monitoring.rds.amazonaws.com may assume the role",
    ],
    [
      "an IfExists source key does not limit and fails",
      literal({ ArnLikeIfExists: { "aws:SourceArn": "arn:aws:rds:*:123456789012:db:*" } }),
      "monitoring.rds.amazonaws.com may assume the role",
    ],
    [
      "a service AWS documents no source keys for (EC2 instance profiles) passes",
      trustDocument({ type: "Service", identifiers: ["ec2.amazonaws.com"] }),
      undefined,
    ],
    [
      "an account principal is not this rule's (CKV_AWS_60, ECG_IAM_TRUST_NAMED)",
      trustDocument({ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }),
      undefined,
    ],
  ])("[SEC-1] %s", (_, build, found) => {
    const findings = findingsOf(rule, build);
    if (found) expectFinding(rule, findings, found, "error");
    else expect(findings).toEqual([]);
  });

  it("[SEC-1] lists, with a reason, only services AWS documents no source keys for", () => {
    expect(Object.keys(WITHOUT_SOURCE_KEYS).sort()).toEqual([
      "cloudtrail.amazonaws.com",
      "codepipeline.amazonaws.com",
      "ec2.amazonaws.com",
      "ecr.amazonaws.com",
      "lambda.amazonaws.com",
    ]);
    for (const reason of Object.values(WITHOUT_SOURCE_KEYS)) expect(reason.length).toBeGreaterThan(30);
  });
});
