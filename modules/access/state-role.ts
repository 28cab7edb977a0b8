import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { Construct } from "constructs";
import { refuseProps } from "../common/props";
import { forObjectsOf } from "../common/s3-kms";
import { namedRoles, roleArnParts } from "../common/iam-arn";
import type { SecureBucket } from "../secure-bucket";
import { AccessRole } from "./web-identity-role";

/** A state bucket, the KMS key that encrypts it, and the key prefixes (one per stack) a state role reaches in it. */
interface StateKeys {
  readonly bucket: SecureBucket;
  readonly kmsKeyArn: string;
  readonly prefixes: readonly string[];
}

export interface StateRoleProps {
  readonly roleName: string;
  /** @default "/" */
  readonly path?: string;
  readonly description: string;
  /**
   * Role ARNs, of any account, that may assume it. Trusted through their
   * accounts' roots and limited by `aws:PrincipalArn`: IAM refuses a trust
   * that names a role which does not exist yet, and the environments' roles
   * are made after the state account's.
   */
  readonly trustedRoles: readonly string[];
  readonly keys: readonly StateKeys[];
  /** Plans read (they run with -lock=false); deploys read and write the state and its lock file. */
  readonly access: "read" | "write";
  /** @default "aws" */
  readonly partition?: string;
}

/** A role of the state account that reaches the state of some stacks only: their keys, read or read and write. */
export class StateRole extends AccessRole {
  constructor(scope: Construct, id: string, props: StateRoleProps) {
    const accounts = props.trustedRoles.map((arn) => roleArnParts(arn));
    refuseProps("StateRole", id, [
      ...(props.trustedRoles.length === 0 ? ["trustedRoles: at least one role must be able to assume it"] : []),
      ...props.trustedRoles.filter((_, i) => !accounts[i]).map((arn) => `trustedRoles: "${arn}" is not an IAM role ARN`),
      ...(props.keys.every((k) => k.prefixes.length === 0) ? ["keys: the role reaches no state"] : []),
    ]);
    const partition = props.partition ?? "aws";
    super(scope, id, {
      ...props,
      partition,
      trust: { statement: [{ sid: "NamedRoles", actions: ["sts:AssumeRole"], ...namedRoles(props.trustedRoles) }] },
      statements: stateAccessStatements(
        props.keys.map((k) => ({ bucketArn: k.bucket.bucket.arn, kmsKeyArn: k.kmsKeyArn, prefixes: k.prefixes })),
        props.access,
      ),
    });
  }
}

/**
 * What reaching the state of some stacks takes: listing their buckets (the S3
 * backend lists workspaces as well as its key's path) and their keys, read or
 * read and written (state and lock file), and the buckets' KMS key, through
 * S3 and for these buckets' objects only (SSE-KMS: S3 decrypts and generates
 * data keys as the caller). `kmsKeyArn` may be a pattern (`key/*` of the
 * bucket's account) where the key's id is not known.
 */
export function stateAccessStatements(
  keys: readonly { readonly bucketArn: string; readonly kmsKeyArn: string; readonly prefixes: readonly string[] }[],
  access: "read" | "write",
): DataAwsIamPolicyDocumentStatement[] {
  const bucketArns = [...new Set(keys.map((k) => k.bucketArn))];
  return [
    { sid: "StateBucketsListed", actions: ["s3:ListBucket"], resources: bucketArns },
    {
      sid: access === "read" ? "StateRead" : "StateReadWrite",
      actions: access === "read" ? ["s3:GetObject"] : ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      resources: keys.flatMap((k) => k.prefixes.map((prefix) => `${k.bucketArn}/${prefix}*`)),
    },
    {
      sid: "StateKeyThroughS3",
      actions: access === "read" ? ["kms:Decrypt"] : ["kms:Decrypt", "kms:GenerateDataKey"],
      resources: [...new Set(keys.map((k) => k.kmsKeyArn))],
      condition: [{ test: "StringLike", variable: "kms:ViaService", values: ["s3.*.amazonaws.com"] }, forObjectsOf(bucketArns)],
    },
  ];
}
