import { Testing } from "cdktf";
import { EncryptionKey, type EncryptionKeyProps } from "../../modules/kms";
import { resourcesOf, synthJson, TEST_ACCOUNT } from "../helpers";

const props: EncryptionKeyProps = { alias: "test/logs", description: "test key", account: TEST_ACCOUNT };
const synthKey = (overrides: Partial<EncryptionKeyProps> = {}) =>
  synthJson(Testing.synthScope((scope) => new EncryptionKey(scope, "key", { ...props, ...overrides })));

describe("EncryptionKey module", () => {
  it("[SEC-4] rotates yearly, waits 30 days before deletion and has an alias", () => {
    const synthesized = synthKey();
    const [[, key]] = resourcesOf(synthesized, "aws_kms_key");
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30, description: "test key" });
    expect(resourcesOf(synthesized, "aws_kms_alias")[0][1].name).toBe("alias/test/logs");
  });

  it("grants CloudWatch Logs only when asked, scoped to this account's log groups", () => {
    const statements = (s: ReturnType<typeof synthKey>) => (Object.values(s.data!.aws_iam_policy_document)[0] as any).statement;
    expect(statements(synthKey()).map((s: any) => s.sid)).toEqual(["AccountAdministersKeyThroughIam"]);
    const logs = statements(synthKey({ allowCloudWatchLogs: true }))[1];
    expect(logs.principals).toEqual([{ type: "Service", identifiers: ["logs.ap-northeast-2.amazonaws.com"] }]);
    expect(logs.condition).toEqual([
      {
        test: "ArnLike",
        variable: "kms:EncryptionContext:aws:logs:arn",
        values: ["arn:aws:logs:ap-northeast-2:123456789012:log-group:*"],
      },
    ]);
  });

  it("[MON-2] grants service publishers (CloudWatch alarms to an encrypted SNS topic) Decrypt and GenerateDataKey*, only for this account", () => {
    const statements = (s: ReturnType<typeof synthKey>) => (Object.values(s.data!.aws_iam_policy_document)[0] as any).statement;
    const all = statements(
      synthKey({ allowCloudWatchLogs: true, allowServicePublishers: ["cloudwatch.amazonaws.com", "cloudwatch.amazonaws.com"] }),
    );
    // Added after the existing statements, which stay as they were.
    expect(all.map((s: any) => s.sid)).toEqual([
      "AccountAdministersKeyThroughIam",
      "CloudWatchLogsEncryptsThisAccountsLogGroups",
      "ServicesPublishEncryptedMessagesForThisAccount",
    ]);
    expect(all[2]).toEqual({
      sid: "ServicesPublishEncryptedMessagesForThisAccount",
      principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
      actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
      resources: ["*"],
      condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] }],
    });
    expect(statements(synthKey({ allowServicePublishers: [] })).map((s: any) => s.sid)).toEqual(["AccountAdministersKeyThroughIam"]);
  });

  it.each<[Partial<EncryptionKeyProps>, string]>([
    [
      { allowServicePublishers: ["arn:aws:iam::123456789012:root"] },
      'EncryptionKey "key": allowServicePublishers "arn:aws:iam::123456789012:root" must be service principals (<service>.amazonaws.com)',
    ],
    [
      { allowServicePublishers: ["cloudwatch.amazonaws.com", "*"] },
      'EncryptionKey "key": allowServicePublishers "*" must be service principals (<service>.amazonaws.com)',
    ],
    [{ deletionWindowInDays: 3 }, 'EncryptionKey "key": deletionWindowInDays 3 must be a whole number from 7 to 30'],
    [{ alias: "aws/mine" }, 'EncryptionKey "key": alias "aws/mine" may hold only letters, digits, / _ - and must not start with aws/'],
  ])("refuses %p", (overrides, message) => {
    expect(() => synthKey(overrides)).toThrow(message);
  });
});
