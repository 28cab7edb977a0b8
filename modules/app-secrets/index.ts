import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { ComponentTags } from "../common/component-tags";
import { ephemeralResource } from "../common/ephemeral";
import { logRetentionProblem, secretRecoveryProblem } from "../common/limits";
import { refuseProps } from "../common/props";
import { type SecretReplica, secretReplicaProblems, secretReplicas } from "./replicas";
import { RotationFunction } from "./rotation-function";
export { RotationFunction } from "./rotation-function";

/** The JSON field of every rotated secret (the rotation function's SECRET_FIELD). */
export const SECRET_FIELD = "value";

/** Name of a secret (also of its replicas in other regions, where a standby looks it up). */
export const appSecretName = (prefix: string, key: string) => `${prefix}/app/${key}`;

export interface RotatedSecretsProps {
  /** Prefix of the secret and function names, e.g. `ecg-prod`. */
  readonly name: string;
  readonly account: AwsAccount;
  /** Secrets by short name (e.g. `jwt-signing-key`), with what they are for. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Encrypts the secrets (CKV_AWS_149). */
  readonly kmsKeyArn: string;
  /** Folder of the rotation function's code (lambda/secret-rotation), zipped at synth (deterministically). */
  readonly rotationCodePath: string;
  /** Days between rotations (SEC-2). @default 30 */
  readonly rotationDays?: number;
  /** Length of the generated values. @default 64 */
  readonly valueLength?: number;
  /** KMS key of the function's log group. */
  readonly logsKmsKeyArn: string;
  /** @default 365 */
  readonly logRetentionDays?: number;
  /** Days a deleted secret can be restored; 0 deletes at once, so a torn-down environment can be rebuilt with the same names. @default 7 */
  readonly recoveryWindowDays?: number;
  /**
   * Regions Secrets Manager keeps a read-only copy of every secret in, each
   * encrypted with a key of its region. Rotation writes the primary; the
   * copies follow within minutes, so a standby there reads current values
   * while this region is down (DR-1).
   * @default - no replicas
   */
  readonly replicas?: readonly SecretReplica[];
}

/**
 * Application secrets (SEC-2): JWT signing keys, API keys. Each is a JSON
 * secret `{"value": ...}` encrypted with a customer key, first filled from
 * Secrets Manager's GetRandomPassword through an ephemeral resource and a
 * write-only `secret_string_wo` (the value is never in the plan or the state),
 * then rotated every 30 days by the project's own rotation function
 * (lambda/secret-rotation), which Secrets Manager alone may invoke. Terraform
 * never writes the value again (`secret_string_wo_version` stays 1).
 */
export class RotatedSecrets extends Construct {
  /** Secret ARNs by short name. */
  readonly secretArns: Readonly<Record<string, string>>;
  readonly rotationFunction: LambdaFunction;
  readonly rotation: RotationFunction;

  constructor(scope: Construct, id: string, props: RotatedSecretsProps) {
    super(scope, id);
    validate(id, props);
    const { name, account } = props;
    const length = props.valueLength ?? 64;

    const secrets = Object.entries(props.secrets).map(([key, description]) => {
      const secret = new SecretsmanagerSecret(this, `secret-${key}`, {
        name: appSecretName(name, key),
        description,
        kmsKeyId: props.kmsKeyArn,
        recoveryWindowInDays: props.recoveryWindowDays ?? 7,
        replica: secretReplicas(props.replicas),
      });
      const initial = ephemeralResource(
        new Construct(this, `secret-${key}-initial`),
        "aws_secretsmanager_random_password",
        // The rotation function's settings (EXCLUDE_PUNCTUATION): the first value looks like every later one.
        { password_length: length, exclude_punctuation: true, include_space: false },
        "random_password",
      );
      const initialValue = new SecretsmanagerSecretVersion(this, `secret-${key}-initial-version`, {
        secretId: secret.id,
        secretStringWo: Fn.jsonencode({ [SECRET_FIELD]: initial }),
        secretStringWoVersion: 1,
        // Rotation moves AWSCURRENT to its own versions.
        lifecycle: { ignoreChanges: ["version_stages"] },
      });
      return { key, id: secret.id, arn: secret.arn, initialValue };
    });
    this.secretArns = Object.fromEntries(secrets.map((secret) => [secret.key, secret.arn]));

    this.rotation = new RotationFunction(this, "rotation", {
      functionName: `${name}-secret-rotation`,
      description: "Secrets Manager rotation of the application secrets (lambda/secret-rotation)",
      account,
      codePath: props.rotationCodePath,
      secrets,
      kmsKeyArn: props.kmsKeyArn,
      logsKmsKeyArn: props.logsKmsKeyArn,
      logRetentionDays: props.logRetentionDays ?? 365,
      environment: { SECRET_FIELD, PASSWORD_LENGTH: String(length), EXCLUDE_PUNCTUATION: "true" },
    });
    this.rotationFunction = this.rotation.function;
    for (const secret of secrets) {
      // The first value is random and known only to Secrets Manager: the first rotation can wait for the schedule.
      this.rotation.schedule(this, `secret-${secret.key}-rotation`, secret, {
        days: props.rotationDays ?? 30,
        rotateImmediately: false,
        initialValue: secret.initialValue,
      });
    }
    ComponentTags.apply(this, "secrets");
  }
}

function validate(id: string, props: RotatedSecretsProps): void {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(props.name ?? ""))
    problems.push(`name: "${props.name ?? ""}" must be 1-41 lower-case letters, digits or hyphens, starting with a letter`);
  const keys = Object.keys(props.secrets ?? {});
  if (keys.length === 0) problems.push("secrets: name at least one secret");
  for (const key of keys) {
    if (!/^[a-z][a-z0-9-]{0,63}$/.test(key))
      problems.push(`secrets: "${key}" must be 1-64 lower-case letters, digits or hyphens, starting with a letter`);
  }
  const days = props.rotationDays ?? 30;
  // CKV_AWS_304: at most 90 days; Secrets Manager: at least 1.
  if (!(Number.isInteger(days) && days >= 1 && days <= 90)) problems.push(`rotationDays: ${days} must be 1-90`);
  const length = props.valueLength ?? 64;
  if (!(Number.isInteger(length) && length >= 32 && length <= 4096))
    problems.push(`valueLength: ${length} must be 32-4096 (the rotation function's range)`);
  const retention = logRetentionProblem(props.logRetentionDays ?? 365);
  if (retention) problems.push(`logRetentionDays: ${retention}`);
  problems.push(...secretReplicaProblems("replicas", props.replicas, props.account?.region));
  const recovery = secretRecoveryProblem(props.recoveryWindowDays ?? 7);
  if (recovery) problems.push(`recoveryWindowDays: ${recovery}`);
  refuseProps("RotatedSecrets", id, problems);
}
