import type { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { type SecretReplica, secretReplicas } from "../app-secrets/replicas";
import { type RotatedSecretRef, RotationFunction } from "../app-secrets/rotation-function";
import type { AwsAccount } from "../common/aws-account";
import { ephemeralResource } from "../common/ephemeral";

/** Length of the generated master passwords (RDS for PostgreSQL allows 8-128). */
export const MASTER_PASSWORD_LENGTH = 64;

/** Name of the secret that holds an instance's master credentials. */
export const masterSecretName = (identifier: string) => `${identifier}/db/master`;

export interface MasterCredentialsProps {
  /** The primary's identifier: names the secret and the rotation function. */
  readonly identifier: string;
  readonly account: AwsAccount;
  readonly username: string;
  /** Encrypts the secret. */
  readonly kmsKeyArn: string;
  readonly logsKmsKeyArn: string;
  readonly logRetentionDays: number;
  /** Folder of the rotation function's code (lambda/secret-rotation). */
  readonly rotationCodePath: string;
  readonly rotationDays: number;
  readonly recoveryWindowDays: number;
  /** Regions that keep a read-only copy of the secret (a standby there), each with a key of its region. @default - none */
  readonly replicas?: readonly SecretReplica[];
}

/**
 * The master credentials of a PostgreSQL primary, controlled by this program
 * instead of RDS's own Secrets Manager integration: RDS cannot create a read
 * replica of a source whose master password it manages in Secrets Manager
 * (RDS User Guide, "Limitations for Secrets Manager integration with Amazon
 * RDS"). The first password comes from Secrets Manager's GetRandomPassword
 * through an ephemeral resource and reaches RDS and the secret only through
 * write-only arguments (`password_wo`, `secret_string_wo`): it is never in the
 * plan or the state. The project's rotation function changes it every
 * `rotationDays` with ModifyDBInstance; Terraform never writes it again
 * (the `_wo_version` fields stay 1).
 */
export class MasterCredentials extends Construct {
  readonly secret: SecretsmanagerSecret;
  readonly secretArn: string;
  /** The first password, for the instance's `password_wo` (ephemeral: valid only in write-only arguments). */
  readonly initialPassword: string;
  readonly rotation: RotationFunction;
  private readonly props: MasterCredentialsProps;
  /** The secret as the rotation function knows it. */
  private readonly ref: RotatedSecretRef;

  constructor(scope: Construct, id: string, props: MasterCredentialsProps) {
    super(scope, id);
    this.props = props;
    const { identifier, account } = props;
    this.initialPassword = ephemeralResource(
      this,
      "aws_secretsmanager_random_password",
      // RDS refuses / " @ and spaces in master passwords: letters and digits only.
      { password_length: MASTER_PASSWORD_LENGTH, exclude_punctuation: true, include_space: false },
      "random_password",
    );
    this.secret = new SecretsmanagerSecret(this, "secret", {
      name: masterSecretName(identifier),
      description: `Master credentials of ${identifier} (rotated by ${identifier}-rds-rotation)`,
      kmsKeyId: props.kmsKeyArn,
      recoveryWindowInDays: props.recoveryWindowDays,
      replica: secretReplicas(props.replicas),
    });
    this.secretArn = this.secret.arn;
    this.ref = { key: "master", id: this.secret.id, arn: this.secret.arn };
    const instanceArn = `arn:${account.partition}:rds:${account.region}:${account.accountId}:db:${identifier}`;
    this.rotation = new RotationFunction(this, "rotation", {
      functionName: `${identifier}-rds-rotation`,
      description: `Secrets Manager rotation of ${identifier}'s master password (lambda/secret-rotation, ROTATION_TARGET rds-master)`,
      account,
      codePath: props.rotationCodePath,
      secrets: [this.ref],
      kmsKeyArn: props.kmsKeyArn,
      logsKmsKeyArn: props.logsKmsKeyArn,
      logRetentionDays: props.logRetentionDays,
      environment: { ROTATION_TARGET: "rds-master", PASSWORD_LENGTH: String(MASTER_PASSWORD_LENGTH), EXCLUDE_PUNCTUATION: "true" },
      statements: [{ sid: "SetTheMasterPassword", actions: ["rds:ModifyDBInstance", "rds:DescribeDBInstances"], resources: [instanceArn] }],
      // testSecret waits for RDS to apply the password (minutes, not seconds).
      timeoutSeconds: 300,
    });
  }

  /**
   * Writes the credentials of `instance` (created with `initialPassword`) into
   * the secret, in RDS's rotation-template shape, and schedules the rotation.
   */
  store(instance: DbInstance, databaseName: string): SecretsmanagerSecretVersion {
    const version = new SecretsmanagerSecretVersion(this, "initial-version", {
      secretId: this.secret.id,
      secretStringWo: Fn.jsonencode({
        engine: "postgres",
        host: instance.address,
        port: instance.port,
        dbname: databaseName,
        username: this.props.username,
        password: this.initialPassword,
        dbInstanceIdentifier: this.props.identifier,
      }),
      secretStringWoVersion: 1,
      // Rotation moves AWSCURRENT to its own versions.
      lifecycle: { ignoreChanges: ["version_stages"] },
    });
    // The first password is random and known only to RDS and the secret: rotation can wait for its schedule.
    this.rotation.schedule(this, "schedule", this.ref, { days: this.props.rotationDays, rotateImmediately: false, initialValue: version });
    return version;
  }
}
