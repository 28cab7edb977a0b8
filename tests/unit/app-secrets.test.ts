import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { TerraformOutput, TerraformStack, Testing } from "cdktf";
import { appSecretName, RotatedSecrets, type RotatedSecretsProps, SECRET_FIELD } from "../../modules/app-secrets";
import { zipFolder } from "../../modules/common/zip";
import { errorOf, only, resourcesOf, statementsOf, type SynthesizedStack, synthJson, TEST_ACCOUNT } from "../helpers";

const SECRETS_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/secrets";
const LOGS_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/logs";
const CODE = join(__dirname, "../../lambda/secret-rotation");
const KEYS = ["jwt-signing-key", "api-key"];

const props: RotatedSecretsProps = {
  name: "ecg-test",
  account: TEST_ACCOUNT,
  secrets: { "jwt-signing-key": "Signs the API's JWTs", "api-key": "Key of the render API" },
  kmsKeyArn: SECRETS_KEY,
  logsKmsKeyArn: LOGS_KEY,
  rotationCodePath: CODE,
};

// Testing.synthScope handles the TerraformAsset: it computes the asset's
// path (assets/<id>/<hash>/archive.zip) without writing the archive.
const synth = (overrides: Partial<RotatedSecretsProps> = {}, withOutputs = false) =>
  synthJson(
    Testing.synthScope((scope) => {
      const secrets = new RotatedSecrets(scope, "secrets", { ...props, ...overrides });
      if (withOutputs) {
        for (const [key, arn] of Object.entries(secrets.secretArns)) new TerraformOutput(scope, key, { value: arn });
      }
    }),
  );

describe("RotatedSecrets module", () => {
  const stack = synth({}, true);
  const secrets = resourcesOf(stack, "aws_secretsmanager_secret");
  /** Logical id of the secret of a short name. */
  const secretId = (key: string, s: SynthesizedStack = stack) => {
    const found = resourcesOf(s, "aws_secretsmanager_secret").filter(([, r]) => r.name === `ecg-test/app/${key}`);
    expect(found).toHaveLength(1);
    return found[0][0];
  };
  const [functionId, fn] = only(stack, "aws_lambda_function");
  const [logGroupId, logGroup] = only(stack, "aws_cloudwatch_log_group");

  it("[SEC-2] creates one secret per entry, named <name>/app/<key>, encrypted with the given KMS key", () => {
    expect(secrets.map(([, s]) => s.name).sort()).toEqual(["ecg-test/app/api-key", "ecg-test/app/jwt-signing-key"]);
    for (const [, secret] of secrets) expect(secret.kms_key_id).toBe(SECRETS_KEY);
    expect(stack.resource.aws_secretsmanager_secret[secretId("jwt-signing-key")].description).toBe("Signs the API's JWTs");
  });

  it("[SEC-2] exposes each secret's ARN under its short name", () => {
    for (const key of KEYS) expect(stack.output![key].value).toBe(`\${aws_secretsmanager_secret.${secretId(key)}.arn}`);
  });

  it(`[SEC-2] fills every secret first with JSON {"${SECRET_FIELD}": <value>} from an ephemeral aws_secretsmanager_random_password of its own, 64 characters without punctuation`, () => {
    expect(SECRET_FIELD).toBe("value");
    expect(resourcesOf(stack, "random_password")).toHaveLength(0);
    const passwords = (stack as any).ephemeral.aws_secretsmanager_random_password;
    expect(Object.keys(passwords)).toHaveLength(KEYS.length);
    for (const password of Object.values(passwords)) {
      expect(password).toEqual({ password_length: 64, exclude_punctuation: true, include_space: false });
    }
    const versions = resourcesOf(stack, "aws_secretsmanager_secret_version");
    expect(versions).toHaveLength(KEYS.length);
    const used = new Set<string>();
    for (const key of KEYS) {
      const mine = versions.filter(([, v]) => v.secret_id === `\${aws_secretsmanager_secret.${secretId(key)}.id}`);
      expect(mine).toHaveLength(1);
      const match = /^\$\{jsonencode\(\{"value" = ephemeral\.aws_secretsmanager_random_password\.([^.]+)\.random_password\}\)\}$/.exec(
        mine[0][1].secret_string_wo,
      );
      expect(match).not.toBeNull();
      expect(passwords[match![1]]).toBeDefined();
      used.add(match![1]);
    }
    // No two secrets start from the same value.
    expect(used.size).toBe(KEYS.length);
  });

  it('[SEC-2] [Terraform aws_secretsmanager_secret_version, "secret_string_wo": a write-only argument is never stored in the plan or state] writes the first value write-only, once: no secret_string, version 1, rotation owns the stages', () => {
    for (const [, version] of resourcesOf(stack, "aws_secretsmanager_secret_version")) {
      expect(version.secret_string).toBeUndefined();
      expect(version.secret_string_wo_version).toBe(1);
      expect(version.lifecycle).toEqual({ ignore_changes: ["version_stages"] });
    }
  });

  it('[SEC-2] [AWS Lambda Developer Guide, "Lambda runtimes": Node.js 20 is deprecated (2026-04-30), Node.js 22 is supported] runs the rotation function on nodejs22.x from the zipped code folder, re-deployed when the archive changes', () => {
    expect(fn).toMatchObject({ function_name: "ecg-test-secret-rotation", runtime: "nodejs22.x", handler: "index.handler" });
    expect(fn.filename).toMatch(/^assets\/.+\/[0-9a-f]{16}\.zip$/);
    // The base64 SHA-256 of the zip, computed at synth: Lambda re-deploys exactly when the code changes.
    expect(fn.source_code_hash).toBe(createHash("sha256").update(zipFolder(CODE)).digest("base64"));
  });

  it("[SEC-2] zips deterministically: a readable archive of the folder, the same bytes every time", () => {
    const zip = zipFolder(CODE);
    expect(zipFolder(CODE).equals(zip)).toBe(true);
    // Local file header, then the entry's name; the end-of-directory record counts one entry.
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.subarray(30, 30 + "index.js".length).toString()).toBe("index.js");
    const end = zip.subarray(zip.length - 22);
    expect([end.readUInt32LE(0), end.readUInt16LE(10)]).toEqual([0x06054b50, 1]);
    const compressedSize = zip.readUInt32LE(18);
    expect(inflateRawSync(zip.subarray(30 + 8, 30 + 8 + compressedSize)).equals(readFileSync(join(CODE, "index.js")))).toBe(true);
  });

  it("[SEC-2] zips the folder it is given: other code gets another archive, the same code the same one", () => {
    const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), "rotation-code-")));
    try {
      copyFileSync(join(CODE, "index.js"), join(dirs[0], "index.js"));
      copyFileSync(join(CODE, "index.js"), join(dirs[1], "index.js"));
      writeFileSync(join(dirs[2], "index.js"), "exports.handler = async () => {};\n");
      const [a, b, c] = dirs.map((dir) => only(synth({ rotationCodePath: dir }), "aws_lambda_function")[1].filename);
      expect(a).toBe(b);
      expect(a).toBe(fn.filename);
      expect(c).not.toBe(a);
    } finally {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });

  it("[SEC-2] configures the function through SECRET_FIELD, PASSWORD_LENGTH and EXCLUDE_PUNCTUATION, with X-Ray tracing", () => {
    expect(fn.environment).toEqual({ variables: { SECRET_FIELD: "value", PASSWORD_LENGTH: "64", EXCLUDE_PUNCTUATION: "true" } });
    expect(fn.tracing_config).toEqual({ mode: "Active" });
  });

  it("[SEC-2] logs JSON into a pre-created, KMS-encrypted log group with a retention", () => {
    expect(logGroup).toEqual(
      expect.objectContaining({ name: "/aws/lambda/ecg-test-secret-rotation", kms_key_id: LOGS_KEY, retention_in_days: 365 }),
    );
    expect(fn.logging_config).toEqual({ log_format: "JSON", log_group: `\${aws_cloudwatch_log_group.${logGroupId}.name}` });
    // Created before the function, so Lambda never creates an unencrypted group of that name.
    expect(fn.depends_on).toEqual([`aws_cloudwatch_log_group.${logGroupId}`]);
  });

  it("[SEC-2] runs the function as a role only Lambda may assume", () => {
    const [roleId, role] = only(stack, "aws_iam_role");
    expect(fn.role).toBe(`\${aws_iam_role.${roleId}.arn}`);
    expect(statementsOf(stack, role.assume_role_policy)).toEqual([
      { actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] },
    ]);
  });

  it("[SEC-2] lets the role rotate exactly these secrets, generate values, use the secrets key through Secrets Manager and write its own logs", () => {
    const [roleId] = only(stack, "aws_iam_role");
    const [, rolePolicy] = only(stack, "aws_iam_role_policy");
    expect(rolePolicy.role).toBe(`\${aws_iam_role.${roleId}.id}`);
    const statements = statementsOf(stack, rolePolicy.policy);
    const bySid = (sid: string) => statements.find((s) => s.sid === sid);
    expect(statements.every((s) => (s.effect ?? "Allow") === "Allow")).toBe(true);

    const rotate = bySid("RotateTheseSecrets");
    expect(rotate.actions).toEqual([
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetSecretValue",
      "secretsmanager:PutSecretValue",
      "secretsmanager:UpdateSecretVersionStage",
    ]);
    expect([...rotate.resources].sort()).toEqual(KEYS.map((key) => `\${aws_secretsmanager_secret.${secretId(key)}.arn}`).sort());

    expect(bySid("GenerateValues")).toMatchObject({ actions: ["secretsmanager:GetRandomPassword"], resources: ["*"] });
    // Only the resource-less APIs (GetRandomPassword, X-Ray writes) are granted on "*".
    const onEverything = statements.filter((s) => s.resources.includes("*")).flatMap((s) => s.actions);
    expect(onEverything.sort()).toEqual(["secretsmanager:GetRandomPassword", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]);

    expect(bySid("UseTheSecretsKey")).toEqual({
      sid: "UseTheSecretsKey",
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      resources: [SECRETS_KEY],
      condition: [{ test: "StringEquals", variable: "kms:ViaService", values: ["secretsmanager.ap-northeast-2.amazonaws.com"] }],
    });
    expect(bySid("WriteOwnLogs")).toMatchObject({
      actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
      resources: [`\${aws_cloudwatch_log_group.${logGroupId}.arn}:log-stream:*`],
    });
    // The secrets key is the only KMS key it may use, and only for the listed actions.
    const kmsActions = statements.flatMap((s) => s.actions).filter((a: string) => a.startsWith("kms:"));
    expect(kmsActions).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
  });

  it("[SEC-2] lets only Secrets Manager, for each secret of this account, invoke the function: one permission per secret", () => {
    const permissions = resourcesOf(stack, "aws_lambda_permission");
    expect(permissions).toHaveLength(KEYS.length);
    for (const key of KEYS) {
      const mine = permissions.filter(([, p]) => p.source_arn === `\${aws_secretsmanager_secret.${secretId(key)}.arn}`);
      expect(mine).toHaveLength(1);
      expect(mine[0][1]).toEqual(
        expect.objectContaining({
          action: "lambda:InvokeFunction",
          function_name: `\${aws_lambda_function.${functionId}.function_name}`,
          principal: "secretsmanager.amazonaws.com",
          source_account: "123456789012",
        }),
      );
    }
    expect(new Set(permissions.map(([, p]) => p.statement_id)).size).toBe(KEYS.length);
  });

  it("[SEC-2] [Secrets Manager API Reference, RotateSecret: testSecret runs on the current value even without RotateImmediately] rotates every secret with the function every 30 days by default, not immediately, once its permission and its first value exist", () => {
    const rotations = resourcesOf(stack, "aws_secretsmanager_secret_rotation");
    expect(rotations).toHaveLength(KEYS.length);
    const permissions = resourcesOf(stack, "aws_lambda_permission");
    for (const key of KEYS) {
      const id = secretId(key);
      const mine = rotations.filter(([, r]) => r.secret_id === `\${aws_secretsmanager_secret.${id}.id}`);
      expect(mine).toHaveLength(1);
      const [, rotation] = mine[0];
      expect(rotation).toMatchObject({
        rotation_lambda_arn: `\${aws_lambda_function.${functionId}.arn}`,
        rotation_rules: { automatically_after_days: 30 },
        rotate_immediately: false,
      });
      const [permissionId] = permissions.find(([, p]) => p.source_arn === `\${aws_secretsmanager_secret.${id}.arn}`)!;
      const [versionId] = resourcesOf(stack, "aws_secretsmanager_secret_version").find(
        ([, v]) => v.secret_id === `\${aws_secretsmanager_secret.${id}.id}`,
      )!;
      expect(rotation.depends_on).toEqual([`aws_lambda_permission.${permissionId}`, `aws_secretsmanager_secret_version.${versionId}`]);
    }
  });

  it("[SEC-2] takes a custom rotation period, value length and log retention", () => {
    const custom = synth({ rotationDays: 7, valueLength: 128, logRetentionDays: 90 });
    for (const [, rotation] of resourcesOf(custom, "aws_secretsmanager_secret_rotation"))
      expect(rotation.rotation_rules).toEqual({ automatically_after_days: 7 });
    for (const [, password] of resourcesOf(custom, "random_password")) expect(password.length).toBe(128);
    expect(only(custom, "aws_lambda_function")[1].environment.variables.PASSWORD_LENGTH).toBe("128");
    expect(only(custom, "aws_cloudwatch_log_group")[1].retention_in_days).toBe(90);
  });

  it("[ENV-4] tags its resources with Component=secrets", () => {
    for (const [, secret] of secrets) expect(secret.tags).toEqual({ Component: "secrets" });
    for (const type of ["aws_lambda_function", "aws_iam_role", "aws_cloudwatch_log_group"])
      expect(only(stack, type)[1].tags).toEqual({ Component: "secrets" });
  });

  it("accepts the limits of its validation (1- and 41-character names, 64-character keys, 1 and 90 days, lengths 32 and 4096)", () => {
    expect(() => synth({ name: "a" })).not.toThrow();
    expect(() => synth({ name: `a${"b".repeat(40)}` })).not.toThrow();
    expect(() => synth({ secrets: { [`k${"0".repeat(63)}`]: "long key" } })).not.toThrow();
    expect(() => synth({ rotationDays: 1 })).not.toThrow();
    expect(() => synth({ rotationDays: 90 })).not.toThrow();
    expect(() => synth({ valueLength: 32 })).not.toThrow();
    expect(() => synth({ valueLength: 4096 })).not.toThrow();
  });

  const NAME = "must be 1-41 lower-case letters, digits or hyphens, starting with a letter";
  const KEY = "must be 1-64 lower-case letters, digits or hyphens, starting with a letter";
  it.each<[Partial<RotatedSecretsProps>, string]>([
    [{ name: "" }, `name: "" ${NAME}`],
    [{ name: "Ecg-test" }, `name: "Ecg-test" ${NAME}`],
    [{ name: "1ecg" }, `name: "1ecg" ${NAME}`],
    [{ name: "ecg_test" }, `name: "ecg_test" ${NAME}`],
    [{ name: "a".repeat(42) }, `name: "${"a".repeat(42)}" ${NAME}`],
    [{ secrets: {} }, "secrets: name at least one secret"],
    [{ secrets: { "JWT-key": "x" } }, `secrets: "JWT-key" ${KEY}`],
    [{ secrets: { "1key": "x" } }, `secrets: "1key" ${KEY}`],
    [{ secrets: { jwt_key: "x" } }, `secrets: "jwt_key" ${KEY}`],
    [{ secrets: { "a/b": "x" } }, `secrets: "a/b" ${KEY}`],
    [{ secrets: { ["k".repeat(65)]: "x" } }, `secrets: "${"k".repeat(65)}" ${KEY}`],
    [{ rotationDays: 0 }, "rotationDays: 0 must be 1-90"],
    [{ rotationDays: 91 }, "rotationDays: 91 must be 1-90"],
    [{ rotationDays: 1.5 }, "rotationDays: 1.5 must be 1-90"],
    [{ valueLength: 31 }, "valueLength: 31 must be 32-4096 (the rotation function's range)"],
    [{ valueLength: 4097 }, "valueLength: 4097 must be 32-4096 (the rotation function's range)"],
    [{ valueLength: 64.5 }, "valueLength: 64.5 must be 32-4096 (the rotation function's range)"],
    [{ logRetentionDays: 10 }, "logRetentionDays: 10 is not a CloudWatch Logs retention value"],
    [{ recoveryWindowDays: 3 }, "recoveryWindowDays: 3 must be 0 or 7-30"],
    [{ recoveryWindowDays: 31 }, "recoveryWindowDays: 31 must be 0 or 7-30"],
  ])("refuses %j", (overrides, problem) => {
    const message = errorOf(() => synth(overrides));
    expect(message).toMatch(/^RotatedSecrets "secrets" is misconfigured:\n/);
    expect(message.split("\n").some((line) => line.startsWith(`  - ${problem}`))).toBe(true);
  });

  it("[SEC-2] keeps a deleted secret restorable for 7 days by default, and deletes at once with 0", () => {
    const windows = (x: SynthesizedStack) =>
      resourcesOf(x, "aws_secretsmanager_secret").map(([, secret]) => secret.recovery_window_in_days);
    expect(windows(stack)).toEqual([7, 7]);
    expect(windows(synth({ recoveryWindowDays: 0 }))).toEqual([0, 0]);
  });

  it("reports every problem of its props at once", () => {
    const message = errorOf(() =>
      synth({ name: "Bad", secrets: { Jwt: "x", "ok-key": "y" }, rotationDays: 91, valueLength: 16, logRetentionDays: 10 }),
    );
    expect(message).toMatch(/^RotatedSecrets "secrets" is misconfigured:\n/);
    const problems = message.split("\n").filter((line) => line.startsWith("  - "));
    expect(problems).toHaveLength(5);
    expect(problems.slice(0, 4)).toEqual([
      `  - name: "Bad" ${NAME}`,
      `  - secrets: "Jwt" ${KEY}`,
      "  - rotationDays: 91 must be 1-90",
      "  - valueLength: 16 must be 32-4096 (the rotation function's range)",
    ]);
    expect(problems[4]).toContain("logRetentionDays: 10 is not a CloudWatch Logs retention value");
  });
});

describe("RotatedSecrets module with replicas in other regions", () => {
  const TOKYO_KEY = "arn:aws:kms:ap-northeast-1:123456789012:key/secrets-replica";
  const OREGON_KEY = "arn:aws:kms:us-west-2:123456789012:key/secrets-replica";
  const tokyo = { region: "ap-northeast-1", kmsKeyArn: TOKYO_KEY };
  const oregon = { region: "us-west-2", kmsKeyArn: OREGON_KEY };
  const stack = synth({ replicas: [tokyo] });
  const secrets = resourcesOf(stack, "aws_secretsmanager_secret");
  /** Constructs only: validation runs in the constructor, no synth is needed to see its message. */
  const refusal = (overrides: Partial<RotatedSecretsProps>) =>
    errorOf(() => new RotatedSecrets(new TerraformStack(Testing.app(), "test"), "secrets", { ...props, ...overrides }));

  it("[SEC-2] names every secret <name>/app/<key> through appSecretName (the name a standby looks its replica up by)", () => {
    expect(appSecretName("ecg-prod", "jwt-signing-key")).toBe("ecg-prod/app/jwt-signing-key");
    expect(secrets.map(([, s]) => s.name).sort()).toEqual(KEYS.map((key) => appSecretName("ecg-test", key)).sort());
  });

  it("[DR-1] keeps a replica of every secret in the given region, encrypted with that region's key", () => {
    expect(secrets).toHaveLength(KEYS.length);
    for (const [, secret] of secrets) {
      expect(secret.replica).toEqual([{ region: "ap-northeast-1", kms_key_id: TOKYO_KEY }]);
      // The primary copy stays under the primary region's key.
      expect(secret.kms_key_id).toBe(SECRETS_KEY);
    }
  });

  it("[DR-1] replicates to every given region, in the given order", () => {
    for (const [, secret] of resourcesOf(synth({ replicas: [tokyo, oregon] }), "aws_secretsmanager_secret")) {
      expect(secret.replica).toEqual([
        { region: "ap-northeast-1", kms_key_id: TOKYO_KEY },
        { region: "us-west-2", kms_key_id: OREGON_KEY },
      ]);
    }
  });

  it("[DR-1] keeps no replica without the prop", () => {
    const plain = resourcesOf(synth(), "aws_secretsmanager_secret");
    expect(plain).toHaveLength(KEYS.length);
    for (const [, secret] of plain) expect(secret.replica).toBeUndefined();
  });

  it("[SEC-2] rotates only the primary: the rotation function's grants and key stay in the secrets' own region", () => {
    const [, rolePolicy] = only(stack, "aws_iam_role_policy");
    const statements = statementsOf(stack, rolePolicy.policy);
    expect(statements.find((s) => s.sid === "UseTheSecretsKey")).toMatchObject({
      resources: [SECRETS_KEY],
      condition: [{ test: "StringEquals", variable: "kms:ViaService", values: ["secretsmanager.ap-northeast-2.amazonaws.com"] }],
    });
    expect(resourcesOf(stack, "aws_secretsmanager_secret_rotation")).toHaveLength(KEYS.length);
  });

  it.each<[string, Partial<RotatedSecretsProps>, string[]]>([
    ["a bad region name", { replicas: [{ region: "tokyo", kmsKeyArn: TOKYO_KEY }] }, ['replicas[0].region: "tokyo" is not a region name']],
    [
      "an upper-case region name",
      { replicas: [{ region: "AP-NORTHEAST-1", kmsKeyArn: TOKYO_KEY }] },
      ['replicas[0].region: "AP-NORTHEAST-1" is not a region name'],
    ],
    [
      "an AZ instead of a region",
      { replicas: [{ region: "ap-northeast-1a", kmsKeyArn: TOKYO_KEY }] },
      ['replicas[0].region: "ap-northeast-1a" is not a region name'],
    ],
    [
      "a replica in the secrets' own region",
      { replicas: [{ region: TEST_ACCOUNT.region, kmsKeyArn: SECRETS_KEY }] },
      ['replicas[0].region: "ap-northeast-2" is the secrets\' own region; a replica must be in another one'],
    ],
    ["a duplicated region", { replicas: [tokyo, oregon, { ...tokyo }] }, ['replicas[2].region: "ap-northeast-1" is listed twice']],
    [
      "a missing kmsKeyArn",
      { replicas: [{ region: "ap-northeast-1", kmsKeyArn: "" }] },
      ["replicas[0].kmsKeyArn: is required (a key of the replica's region)"],
    ],
    [
      "several problems in several replicas",
      {
        replicas: [
          { region: "ap-northeast-2", kmsKeyArn: "" },
          { region: "eu", kmsKeyArn: TOKYO_KEY },
        ],
      },
      [
        'replicas[0].region: "ap-northeast-2" is the secrets\' own region; a replica must be in another one',
        "replicas[0].kmsKeyArn: is required (a key of the replica's region)",
        'replicas[1].region: "eu" is not a region name',
      ],
    ],
  ])("[DR-1] refuses %s", (_, overrides, problems) => {
    expect(refusal(overrides)).toBe(`RotatedSecrets "secrets" is misconfigured:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  });

  it("[DR-1] accepts distinct regions other than its own, and an empty list (no replica)", () => {
    expect(
      () =>
        new RotatedSecrets(new TerraformStack(Testing.app(), "test"), "secrets", {
          ...props,
          replicas: [tokyo, oregon, { region: "us-gov-west-1", kmsKeyArn: "k" }],
        }),
    ).not.toThrow();
    const none = resourcesOf(synth({ replicas: [] }), "aws_secretsmanager_secret");
    for (const [, secret] of none) expect(secret.replica ?? []).toEqual([]);
  });
});
