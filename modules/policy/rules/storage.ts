import type { Rule } from "../engine";
import { policyStatements, type ResourceView, type StackModel } from "../model";
import { blocks, isTrue } from "./helpers";

const BUCKET = ["aws_s3_bucket"];

/** Settings resources of `type` whose `bucket` argument is this bucket (not merely mentioning it). */
const settings = (model: StackModel, bucket: ResourceView, type: string) =>
  model.ofType(type).filter((s) => model.referenced(s.config.bucket)?.address === bucket.address);

export const storageRules: Rule[] = [
  {
    ids: ["CKV_AWS_21"],
    title: "Buckets are versioned",
    severity: "error",
    types: BUCKET,
    check: (bucket, model) =>
      settings(model, bucket, "aws_s3_bucket_versioning").some((v) =>
        blocks(v.config.versioning_configuration).some((c) => c.status === "Enabled"),
      )
        ? undefined
        : "versioning is not enabled",
    fix: 'add aws_s3_bucket_versioning with status = "Enabled"',
  },
  {
    ids: ["CKV2_AWS_6"],
    title: "Buckets block all four kinds of public access",
    severity: "error",
    types: BUCKET,
    check: (bucket, model) => {
      const ok = settings(model, bucket, "aws_s3_bucket_public_access_block").some(({ config: c }) =>
        [c.block_public_acls, c.block_public_policy, c.ignore_public_acls, c.restrict_public_buckets].every(isTrue),
      );
      return ok ? undefined : "no public access block with all four settings on";
    },
    fix: "add aws_s3_bucket_public_access_block with all four settings true",
  },
  {
    ids: ["CKV2_AWS_61", "CKV_AWS_300"],
    title: "Buckets have a lifecycle that aborts incomplete multipart uploads",
    severity: "error",
    types: BUCKET,
    check: (bucket, model) => {
      const lifecycle = settings(model, bucket, "aws_s3_bucket_lifecycle_configuration");
      if (lifecycle.length === 0) return "no lifecycle configuration";
      return lifecycle.some((l) =>
        blocks(l.config.rule).some((r) => r.status === "Enabled" && blocks(r.abort_incomplete_multipart_upload).length),
      )
        ? undefined
        : "no enabled lifecycle rule aborts incomplete multipart uploads";
    },
    fix: "add a lifecycle rule with abort_incomplete_multipart_upload { days_after_initiation = 7 }",
  },
  {
    ids: ["CKV2_AWS_65"],
    title: "Bucket ownership is enforced (ACLs off)",
    severity: "error",
    types: BUCKET,
    check: (bucket, model) =>
      settings(model, bucket, "aws_s3_bucket_ownership_controls").some((o) =>
        blocks(o.config.rule).some((r) => r.object_ownership === "BucketOwnerEnforced"),
      )
        ? undefined
        : "object ownership is not BucketOwnerEnforced",
    fix: 'add aws_s3_bucket_ownership_controls with object_ownership = "BucketOwnerEnforced"',
  },
  {
    ids: ["CKV_AWS_18"],
    title: "Buckets log access",
    severity: "error",
    types: BUCKET,
    check: (bucket, model) => (settings(model, bucket, "aws_s3_bucket_logging").length ? undefined : "access logging is off"),
    fix: "add aws_s3_bucket_logging to the account's access-log bucket",
  },
  {
    ids: ["CKV_AWS_144"],
    title: "Data buckets replicate to another region",
    // Advisory: whether a bucket holds data worth a second region is a design call (DR-2).
    severity: "warning",
    types: BUCKET,
    check: (bucket, model) => {
      const configurations = model.referencing(bucket, "aws_s3_bucket_replication_configuration");
      if (configurations.length === 0) return "no cross-region replication to or from this bucket";
      // A configuration whose every rule is Disabled replicates nothing.
      const enabled = configurations.some((c) => blocks(c.config.rule).some((r) => r.status === "Enabled"));
      return enabled ? undefined : "every replication rule is Disabled";
    },
    fix: "add aws_s3_bucket_replication_configuration (modules/replicated-bucket) if the data must survive a regional outage",
  },
  {
    ids: ["ECG_S3_TLS_ONLY"],
    title: "Buckets deny requests that are not over TLS",
    severity: "error",
    types: BUCKET,
    check: (bucket, model) => {
      const denies = settings(model, bucket, "aws_s3_bucket_policy").some((p) =>
        (policyStatements(model, p.config.policy) ?? []).some(
          (s) =>
            s.effect === "Deny" &&
            s.actions.some((a) => a === "s3:*" || a === "*") &&
            s.conditions.some((c) => c.variable.toLowerCase() === "aws:securetransport" && c.values.includes("false")),
        ),
      );
      return denies ? undefined : "no bucket policy denies s3:* when aws:SecureTransport = false";
    },
    fix: "add a bucket policy statement: Deny s3:* when Bool aws:SecureTransport is false",
  },
];
