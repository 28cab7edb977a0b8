import { CloudBackend, NamedCloudWorkspace, S3Backend, type S3BackendConfig, type TerraformStack } from "cdktf";
import type { BackendConfig, BackendKind } from "../../environments/types";
import { sessionName } from "./providers";

interface LockingS3BackendConfig extends S3BackendConfig {
  /**
   * S3-native state locking (Terraform >= 1.10): a `<key>.tflock` object is
   * written with a conditional PUT, so no DynamoDB table is needed.
   * cdktf 0.21's S3BackendConfig predates the argument; S3Backend passes every
   * prop through as snake_case, so declaring it here is all that is missing.
   */
  readonly useLockfile?: boolean;
}

/** cdktf's S3Backend with the `use_lockfile` argument. */
class LockingS3Backend extends S3Backend {
  constructor(scope: TerraformStack, props: LockingS3BackendConfig) {
    super(scope, props);
  }
}

/**
 * The alias of a state bucket's KMS key (the bootstrap stack makes it). A
 * backend names the key by alias: S3 resolves it in the requester's account,
 * the bucket's own, since the state role (or the caller) is of that account.
 */
export const stateKeyAlias = (bucket: string) => `alias/${bucket}`;

/** Where a stack's state and lock file live in the state bucket: one path per stack (PLT-4). */
export const stateKeyPrefix = (stackName: string) => `${stackName}/`;
const stateKey = (stackName: string) => `${stateKeyPrefix(stackName)}terraform.tfstate`;

/**
 * Points a stack at its state: the S3 bucket (encrypted, locked, own key) or a
 * Terraform Cloud workspace named after the stack (PLT-5).
 */
export function configureBackend(stack: TerraformStack, stackName: string, kind: BackendKind, settings: BackendConfig): void {
  if (kind === "cloud") {
    new CloudBackend(stack, {
      organization: settings.cloud.organization,
      hostname: settings.cloud.hostname ?? "app.terraform.io",
      workspaces: new NamedCloudWorkspace(stackName, settings.cloud.project),
    });
    return;
  }
  const { roleArn, externalId } = settings.s3;
  new LockingS3Backend(stack, {
    bucket: settings.s3.bucket,
    region: settings.s3.region,
    key: stateKey(stackName),
    // SSE-KMS with the state bucket's customer-managed key, named per object (the bucket's default too).
    encrypt: true,
    kmsKeyId: stateKeyAlias(settings.s3.bucket),
    useLockfile: true,
    // The state account's role (Terraform >= 1.6 syntax; the deprecated top-level role_arn is not used).
    assumeRole: roleArn ? { roleArn, externalId, sessionName: sessionName(stackName) } : undefined,
  });
}

/**
 * Reads the backend override of a run (`ECG_TF_BACKEND`): `s3`, `cloud`, or
 * unset/empty to keep each environment's configured kind.
 */
export function parseBackendOverride(value: string | undefined): BackendKind | undefined {
  if (value === undefined || value === "") return undefined;
  if (value === "s3" || value === "cloud") return value;
  throw new Error(`ECG_TF_BACKEND: "${value}" must be "s3" or "cloud" (or unset to use each environment's backend.kind)`);
}
