import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import type { AwsAccount } from "../modules/common/aws-account";

/**
 * What the services need from the data layer (CMP-2, SEC-1): the contract the
 * compute layer consumes. No value here is a password: credentials travel as
 * Secrets Manager references that the ECS agent injects.
 */
export interface DataEndpoints {
  /** `postgresql://<user>@<host>:<port>/<db>?sslmode=verify-full` (DATABASE_URL, no password). */
  readonly databaseUrl: string;
  /** Secret whose JSON key `password` is the database user's password (DATABASE_PASSWORD). */
  readonly databasePasswordSecretArn: string;
  /** `rds-db:connect` resource of the API's database user (IAM database authentication). */
  readonly databaseConnectArn: string;
  /** `rediss://<configuration endpoint>:6379` (REDIS_URL, TLS). */
  readonly redisUrl: string;
  /** Secret holding the Redis AUTH token (REDIS_AUTH_TOKEN). */
  readonly redisAuthTokenSecretArn: string;
  /** The videos bucket (S3_BUCKET). */
  readonly videosBucketName: string;
}

const SECRET_ARN = "^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$";

/**
 * The data layer's endpoints as typed Terraform inputs, until the data layer
 * (issue #6) is built in the same stack and passes its outputs instead. Each
 * variable is checked at plan time, and nothing here invents an endpoint:
 * give them with `cdktf deploy --var` / `-var`, a `*.auto.tfvars` file next to
 * the stack, or `TF_VAR_<name>`.
 */
export class DataEndpointInputs extends Construct implements DataEndpoints {
  readonly databaseUrl: string;
  readonly databasePasswordSecretArn: string;
  readonly databaseConnectArn: string;
  readonly redisUrl: string;
  readonly redisAuthTokenSecretArn: string;
  readonly videosBucketName: string;

  constructor(scope: Construct, id: string, account: AwsAccount) {
    super(scope, id);
    const input = (name: string, description: string, pattern: string, message: string) =>
      new TerraformVariable(scope, name, {
        type: "string",
        description,
        nullable: false,
        validation: [{ condition: `\${can(regex("${pattern.replace(/\\/g, "\\\\")}", var.${name}))}`, errorMessage: `${name}: ${message}` }],
      }).stringValue;
    this.databaseUrl = input(
      "database_url",
      "DATABASE_URL of the Backend API: postgresql://<user>@<host>:<port>/<db>?sslmode=verify-full, without a password",
      "^postgres(ql)?://[^:@/]+@[^/:]+:[0-9]+/[^?]+(\\?.*)?$",
      "must be postgresql://<user>@<host>:<port>/<database>, without a password (the password comes from database_password_secret_arn).",
    );
    this.databasePasswordSecretArn = input(
      "database_password_secret_arn",
      "Secrets Manager ARN of the JSON secret whose key `password` is the database user's password",
      SECRET_ARN,
      "must be a Secrets Manager secret ARN.",
    );
    const resourceId = input(
      "database_resource_id",
      "DbiResourceId of the database instance (db-...), for IAM database authentication",
      "^db-[A-Z0-9]+$",
      "must be the instance's DbiResourceId, db-<upper-case letters and digits>.",
    );
    const user = input("database_user", "The API's database user (the user of database_url)", "^[a-z_][a-z0-9_]{0,62}$", "must be a PostgreSQL user name.");
    this.databaseConnectArn = `arn:${account.partition}:rds-db:${account.region}:${account.accountId}:dbuser:${resourceId}/${user}`;
    this.redisUrl = input("redis_url", "REDIS_URL: rediss://<configuration endpoint>:6379 (TLS)", "^rediss://[^/:@]+:[0-9]+$", "must be rediss://<host>:<port>: the cluster requires TLS, and the AUTH token is a secret.");
    this.redisAuthTokenSecretArn = input("redis_auth_token_secret_arn", "Secrets Manager ARN of the Redis AUTH token", SECRET_ARN, "must be a Secrets Manager secret ARN.");
    this.videosBucketName = input("videos_bucket_name", "S3_BUCKET: name of the videos bucket", "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", "must be an S3 bucket name.");
  }
}
