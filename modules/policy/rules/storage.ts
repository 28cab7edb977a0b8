import type { Rule } from "../engine";
import { policyStatements, type ResourceView, type StackModel } from "../model";
import { flag, nested, text, Uninspectable } from "./helpers";
import type { Json } from "../../common/json";

const BUCKET = ["aws_s3_bucket"];

/**
 * Settings resources of `type` for this bucket: their `bucket` argument references it,
 * or names it literally (hand-written Terraform that repeats the name).
 */
function settings(model: StackModel, bucket: ResourceView, type: string): ResourceView[] {
  const name = literalName(bucket);
  return model
    .ofType(type)
    .filter((s) => model.referenced(s.config.bucket)?.address === bucket.address || (name !== undefined && s.config.bucket === name));
}

/** Whether the bucket has a setting, as the deprecated inline block or as its separate resource. */
const configures = (model: StackModel, bucket: ResourceView, inlineBlock: string, settingsType: string) =>
  nested(bucket.config, inlineBlock).length > 0 || settings(model, bucket, settingsType).length > 0;

const literalName = (bucket: ResourceView) =>
  typeof bucket.config.bucket === "string" && !bucket.config.bucket.includes("${") ? bucket.config.bucket : undefined;

/** Replication configurations from this bucket or to it: by reference, or by its literal name or ARN. */
function replications(model: StackModel, bucket: ResourceView): ResourceView[] {
  const name = literalName(bucket);
  const byName = (c: ResourceView) =>
    name !== undefined &&
    (c.config.bucket === name ||
      nested(c.config, "rule").some((r) => nested(r, "destination").some((d) => d.bucket === `arn:aws:s3:::${name}`)));
  const byReference = model.referencing(bucket, "aws_s3_bucket_replication_configuration");
  return model.ofType("aws_s3_bucket_replication_configuration").filter((c) => byReference.includes(c) || byName(c));
}

/**
 * Whether a lifecycle rule applies to the whole bucket: no filter, an empty filter, or a
 * filter whose prefix is "" (S3's "every object"); a rule-level prefix narrows it too.
 */
function coversWholeBucket(rule: Json): boolean {
  if ((text(rule, "prefix") ?? "") !== "") return false;
  return nested(rule, "filter").every((f) => {
    const keys = Object.keys(f).filter((k) => f[k] !== undefined && f[k] !== null && !(Array.isArray(f[k]) && f[k].length === 0));
    return keys.length === 0 || (keys.length === 1 && keys[0] === "prefix" && f.prefix === "");
  });
}

/** Lifecycle rules (separate configuration resource) that abort incomplete uploads bucket-wide. */
const abortsEverywhere = (lifecycle: Json) =>
  nested(lifecycle, "rule").some(
    (r) => text(r, "status") === "Enabled" && nested(r, "abort_incomplete_multipart_upload").length > 0 && coversWholeBucket(r),
  );

/** A bucket policy's statements; one the rules cannot read cannot be judged. */
function readablePolicy(model: StackModel, policy: ResourceView) {
  const statements = policyStatements(model, policy.config.policy);
  if (!statements) throw new Uninspectable(`the policy of ${policy.address} is not literal JSON or an aws_iam_policy_document`);
  return statements;
}

/** Replication rules in a separate configuration or the deprecated inline block: is any Enabled? */
function replicationEnabled(bucket: ResourceView, model: StackModel): boolean | undefined {
  const inline = nested(bucket.config, "replication_configuration").flatMap((c) => nested(c, "rules"));
  const separate = replications(model, bucket).flatMap((c) => nested(c.config, "rule"));
  const rules = [...inline, ...separate];
  return rules.length === 0 ? undefined : rules.some((r) => text(r, "status") === "Enabled");
}

export const storageRules: Rule[] = [
  {
    ids: ["CKV_AWS_21"],
    title: "Buckets are versioned",
    severity: "error",
    types: BUCKET,
    check: (bucket, model) =>
      nested(bucket.config, "versioning").some((v) => flag(v, "enabled") === true) ||
      settings(model, bucket, "aws_s3_bucket_versioning").some((v) =>
        nested(v.config, "versioning_configuration").some((c) => text(c, "status") === "Enabled"),
      )
        ? undefined
        : "versioning is not enabled",
    fix: 'add aws_s3_bucket_versioning with status = "Enabled"',
  },
  {
    ids: ["CKV2_AWS_6"],
    title: "Buckets have a public access block that blocks public ACLs and policies",
    severity: "error",
    types: BUCKET,
    check: (bucket, model) =>
      settings(model, bucket, "aws_s3_bucket_public_access_block").some(
        ({ config: c }) => flag(c, "block_public_acls") === true && flag(c, "block_public_policy") === true,
      )
        ? undefined
        : "no public access block with block_public_acls and block_public_policy on",
    fix: "add aws_s3_bucket_public_access_block with all four settings true",
  },
  {
    ids: ["ECG_S3_PUBLIC_ACCESS_BLOCK_ALL"],
    title: "Buckets block all four kinds of public access",
    severity: "error",
    types: BUCKET,
    check: (bucket, model) =>
      settings(model, bucket, "aws_s3_bucket_public_access_block").some(({ config: c }) =>
        ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].every((k) => flag(c, k) === true),
      )
        ? undefined
        : "no public access block with all four settings on",
    fix: "add aws_s3_bucket_public_access_block with all four settings true",
  },
  {
    ids: ["CKV2_AWS_61"],
    title: "Buckets have a lifecycle configuration",
    severity: "error",
    types: BUCKET,
    check: (bucket, model) =>
      configures(model, bucket, "lifecycle_rule", "aws_s3_bucket_lifecycle_configuration") ? undefined : "no lifecycle configuration",
    fix: "add aws_s3_bucket_lifecycle_configuration (expiry, transitions, abort_incomplete_multipart_upload)",
  },
  {
    ids: ["CKV_AWS_300"],
    title: "Lifecycle configurations abort incomplete multipart uploads for the whole bucket",
    severity: "error",
    types: ["aws_s3_bucket_lifecycle_configuration"],
    check: ({ config }) =>
      abortsEverywhere(config) ? undefined : "no enabled rule without a prefix or tag filter aborts incomplete multipart uploads",
    fix: "add a rule with an empty filter {} and abort_incomplete_multipart_upload { days_after_initiation = 7 }",
    note: 'A filter whose prefix is "" covers the whole bucket and passes (checkov fails any non-empty filter block); a rule-level prefix narrows the rule.',
  },
  {
    ids: ["ECG_S3_ABORT_MULTIPART"],
    title: "Every bucket aborts incomplete multipart uploads bucket-wide",
    severity: "error",
    types: BUCKET,
    check: (bucket, model) => {
      const lifecycle = settings(model, bucket, "aws_s3_bucket_lifecycle_configuration");
      if (lifecycle.length === 0) return "no lifecycle configuration";
      return lifecycle.some((l) => abortsEverywhere(l.config))
        ? undefined
        : "no enabled bucket-wide rule aborts incomplete multipart uploads";
    },
    fix: "add a lifecycle rule with filter {} and abort_incomplete_multipart_upload { days_after_initiation = 7 }",
  },
  {
    ids: ["CKV2_AWS_65"],
    title: "Ownership controls disable ACLs (BucketOwnerEnforced)",
    severity: "error",
    types: ["aws_s3_bucket_ownership_controls"],
    check: ({ config }) =>
      nested(config, "rule").some((r) => text(r, "object_ownership") === "BucketOwnerEnforced")
        ? undefined
        : "object ownership is not BucketOwnerEnforced",
    fix: 'set object_ownership = "BucketOwnerEnforced"',
  },
  {
    ids: ["ECG_S3_OWNERSHIP_ENFORCED"],
    title: "Every bucket states its ownership controls as BucketOwnerEnforced",
    severity: "error",
    types: BUCKET,
    check: (bucket, model) =>
      settings(model, bucket, "aws_s3_bucket_ownership_controls").some((o) =>
        nested(o.config, "rule").some((r) => text(r, "object_ownership") === "BucketOwnerEnforced"),
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
    check: (bucket, model) => (configures(model, bucket, "logging", "aws_s3_bucket_logging") ? undefined : "access logging is off"),
    fix: "add aws_s3_bucket_logging to the account's access-log bucket",
  },
  {
    ids: ["CKV_AWS_144"],
    title: "Data buckets replicate to another region",
    // Advisory: whether a bucket holds data worth a second region is a design call (DR-2).
    severity: "warning",
    types: BUCKET,
    check: (bucket, model) => {
      const enabled = replicationEnabled(bucket, model);
      if (enabled === undefined) return "no cross-region replication to or from this bucket";
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
        readablePolicy(model, p).some(
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
