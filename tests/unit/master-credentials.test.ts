import { Testing } from "cdktf";
import { LAMBDA_NODE_RUNTIME } from "../../modules/common/lambda-runtime";
import { MASTER_PASSWORD_LENGTH, masterSecretName, PostgresDatabase, type PostgresProps } from "../../modules/postgres";
import { KEY, LOGS_KEY, POSTGRES_PROPS } from "./postgres-fixtures";
import { only, resourcesOf, statementsOf, type SynthesizedStack, synthJson } from "../helpers";

const TOKYO_KEY = "arn:aws:kms:ap-northeast-1:123456789012:key/data";

const props: PostgresProps = { ...POSTGRES_PROPS, sameRegionReplicas: 1 };

const synth = (overrides: Partial<PostgresProps> = {}): SynthesizedStack =>
  synthJson(Testing.synthScope((scope) => new PostgresDatabase(scope, "db", { ...props, ...overrides })));

describe("MasterCredentials (the primary's master password, PostgresDatabase)", () => {
  const stack = synth();
  const ephemeral = (stack as any).ephemeral.aws_secretsmanager_random_password;
  const [passwordName] = Object.keys(ephemeral);
  const passwordRef = `ephemeral.aws_secretsmanager_random_password.${passwordName}.random_password`;
  const [primaryId] = resourcesOf(stack, "aws_db_instance").find(([, db]) => db.identifier === "ecg-test")!;
  const [secretId, secret] = only(stack, "aws_secretsmanager_secret");
  const [, version] = only(stack, "aws_secretsmanager_secret_version");
  const [functionId, fn] = only(stack, "aws_lambda_function");
  const rotationRole = resourcesOf(stack, "aws_iam_role").find(([, r]) => r.name === "ecg-test-rds-rotation")!;

  it("[Secrets Manager API Reference, RotateSecret: without RotateImmediately, Secrets Manager still runs the function's testSecret step on the current value] schedules the rotation only after the first version exists", () => {
    const [versionId] = only(stack, "aws_secretsmanager_secret_version");
    const [, rotation] = only(stack, "aws_secretsmanager_secret_rotation");
    expect(rotation.rotate_immediately).toBe(false);
    expect(rotation.depends_on).toContain(`aws_secretsmanager_secret_version.${versionId}`);
  });

  it('[SEC-2] [Secrets Manager API Reference, GetRandomPassword; RDS API Reference, CreateDBInstance MasterUserPassword: 8-128 printable characters, no / " @ or space] draws the first password from an ephemeral aws_secretsmanager_random_password of letters and digits only', () => {
    expect(Object.keys(ephemeral)).toEqual(["db_master"]);
    expect(ephemeral.db_master).toEqual({ password_length: MASTER_PASSWORD_LENGTH, exclude_punctuation: true, include_space: false });
    expect(MASTER_PASSWORD_LENGTH).toBeGreaterThanOrEqual(8);
    expect(MASTER_PASSWORD_LENGTH).toBeLessThanOrEqual(128);
  });

  it('[SEC-2] [Terraform aws_secretsmanager_secret_version, "secret_string_wo": a write-only argument is never stored in the plan or state] stores the credentials write-only: no secret_string, a version of 1, the rotation-template JSON with the ephemeral password', () => {
    expect(version.secret_string).toBeUndefined();
    expect(version.secret_binary).toBeUndefined();
    expect(version.secret_id).toBe(`\${aws_secretsmanager_secret.${secretId}.id}`);
    expect(version.secret_string_wo_version).toBe(1);
    const value: string = version.secret_string_wo;
    expect(value.startsWith("${jsonencode({")).toBe(true);
    for (const field of [
      '"engine" = "postgres"',
      `"host" = aws_db_instance.${primaryId}.address`,
      `"port" = aws_db_instance.${primaryId}.port`,
      '"dbname" = "ecg"',
      '"username" = "ecg_admin"',
      `"password" = ${passwordRef}`,
      '"dbInstanceIdentifier" = "ecg-test"',
    ]) {
      expect(value).toContain(field);
    }
    // Rotation moves AWSCURRENT to its own versions: Terraform leaves the stages alone.
    expect(version.lifecycle).toEqual({ ignore_changes: ["version_stages"] });
  });

  it("[SEC-2] [SEC-4] names the secret <identifier>/db/master, encrypts it with the database key, and keeps it 7 days after deletion by default", () => {
    expect(masterSecretName("ecg-test")).toBe("ecg-test/db/master");
    expect(secret).toMatchObject({ name: "ecg-test/db/master", kms_key_id: KEY, recovery_window_in_days: 7 });
    expect(secret.replica).toBeUndefined();
    expect(only(synth({ secretRecoveryWindowDays: 0 }), "aws_secretsmanager_secret")[1].recovery_window_in_days).toBe(0);
  });

  it("[DR-1] copies the secret to the given regions, each under a key of its region", () => {
    const [, replicated] = only(
      synth({ secretReplicas: [{ region: "ap-northeast-1", kmsKeyArn: TOKYO_KEY }] }),
      "aws_secretsmanager_secret",
    );
    expect(replicated.replica).toEqual([{ region: "ap-northeast-1", kms_key_id: TOKYO_KEY }]);
  });

  it(`[SEC-2] [AWS Lambda Developer Guide, "Lambda runtimes": Node.js 20 is deprecated (2026-04-30), Node.js 22 is supported] runs the rotation function on ${LAMBDA_NODE_RUNTIME} in mode rds-master`, () => {
    expect(LAMBDA_NODE_RUNTIME).toBe("nodejs22.x");
    expect(fn).toMatchObject({
      function_name: "ecg-test-rds-rotation",
      runtime: "nodejs22.x",
      handler: "index.handler",
      timeout: 300,
      role: `\${aws_iam_role.${rotationRole[0]}.arn}`,
      tracing_config: { mode: "Active" },
    });
    // The function's config must pass its own loadConfig for rds-master: field "password", <= 128 characters, no punctuation.
    expect(fn.environment.variables).toEqual({
      ROTATION_TARGET: "rds-master",
      PASSWORD_LENGTH: String(MASTER_PASSWORD_LENGTH),
      EXCLUDE_PUNCTUATION: "true",
    });
    const [, logs] = resourcesOf(stack, "aws_cloudwatch_log_group").find(([, g]) => g.name === "/aws/lambda/ecg-test-rds-rotation")!;
    expect(logs).toMatchObject({ kms_key_id: LOGS_KEY, retention_in_days: 365 });
  });

  it("[SEC-2] rotates the secret every 30 days by default without rotating at creation (the first password is already random)", () => {
    const [, rotation] = only(stack, "aws_secretsmanager_secret_rotation");
    const [permissionId, permission] = only(stack, "aws_lambda_permission");
    expect(rotation).toEqual({
      secret_id: `\${aws_secretsmanager_secret.${secretId}.id}`,
      rotation_lambda_arn: `\${aws_lambda_function.${functionId}.arn}`,
      rotation_rules: { automatically_after_days: 30 },
      rotate_immediately: false,
      depends_on: [
        `aws_lambda_permission.${permissionId}`,
        `aws_secretsmanager_secret_version.${only(stack, "aws_secretsmanager_secret_version")[0]}`,
      ],
    });
    expect(permission).toMatchObject({
      action: "lambda:InvokeFunction",
      principal: "secretsmanager.amazonaws.com",
      source_arn: `\${aws_secretsmanager_secret.${secretId}.arn}`,
      source_account: "123456789012",
    });
    expect(only(synth({ passwordRotationDays: 7 }), "aws_secretsmanager_secret_rotation")[1].rotation_rules).toEqual({
      automatically_after_days: 7,
    });
  });

  it("[SEC-1] [RDS API Reference, ModifyDBInstance MasterUserPassword] lets the rotation function modify and describe the primary only, and read and write this secret only", () => {
    const [, policy] = only(stack, "aws_iam_role_policy");
    expect(policy.role).toBe(`\${aws_iam_role.${rotationRole[0]}.id}`);
    const statements = statementsOf(stack, policy.policy);
    const rds = statements.filter((s: any) => s.actions.some((a: string) => a.startsWith("rds:")));
    expect(rds).toEqual([
      {
        sid: "SetTheMasterPassword",
        actions: ["rds:ModifyDBInstance", "rds:DescribeDBInstances"],
        resources: ["arn:aws:rds:ap-northeast-2:123456789012:db:ecg-test"],
      },
    ]);
    // Not the replicas: a replica's password is its source's.
    expect(JSON.stringify(statements)).not.toContain("ecg-test-replica");
    const secrets = statements.find((s: any) => s.sid === "RotateTheseSecrets");
    expect(secrets.resources).toEqual([`\${aws_secretsmanager_secret.${secretId}.arn}`]);
    const key = statements.find((s: any) => s.sid === "UseTheSecretsKey");
    expect(key).toMatchObject({ actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [KEY] });
    expect(key.condition).toEqual([
      { test: "StringEquals", variable: "kms:ViaService", values: ["secretsmanager.ap-northeast-2.amazonaws.com"] },
    ]);
  });

  it("[SEC-1] names the instance ARN in the account's partition and region", () => {
    const gov = synth({ account: { accountId: "210987654321", region: "us-gov-west-1", partition: "aws-us-gov" } });
    const statements = statementsOf(gov, only(gov, "aws_iam_role_policy")[1].policy);
    expect(statements.find((s: any) => s.sid === "SetTheMasterPassword").resources).toEqual([
      "arn:aws-us-gov:rds:us-gov-west-1:210987654321:db:ecg-test",
    ]);
  });
});
