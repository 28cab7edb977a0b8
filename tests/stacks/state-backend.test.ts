import { resourcesOf, type SynthesizedStack } from "../helpers";
import { synthProgram } from "./synth";

const state: SynthesizedStack = synthProgram().stacks["ecg-state"];
const buckets = Object.fromEntries(resourcesOf(state, "aws_s3_bucket").map(([id, b]) => [b.bucket, { id, ...b }]));
const STATE = "ecg-render-terraform-state";
const LOGS = "ecg-render-terraform-state-access-logs";
/** The settings resource of `type` that configures the bucket named `name`. */
const settingOf = (type: string, name: string) =>
  resourcesOf(state, type).find(([, r]) => r.bucket === `\${aws_s3_bucket.${buckets[name].id}.id}`)?.[1];

describe("[PLT-4] bootstrap stack", () => {
  it("creates the state bucket and its access-log bucket, both protected from terraform destroy", () => {
    expect(Object.keys(buckets).sort()).toEqual([STATE, LOGS]);
    for (const name of [STATE, LOGS]) expect(buckets[name].lifecycle).toEqual({ prevent_destroy: true });
  });

  it("gives both buckets the secure baseline (versioning, AES-256, public access blocked, ACLs off, TLS-only policy)", () => {
    for (const name of [STATE, LOGS]) {
      expect(settingOf("aws_s3_bucket_versioning", name).versioning_configuration).toEqual({ status: "Enabled" });
      expect(settingOf("aws_s3_bucket_server_side_encryption_configuration", name).rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "AES256" });
      expect(settingOf("aws_s3_bucket_public_access_block", name)).toMatchObject({ block_public_acls: true, restrict_public_buckets: true });
      expect(settingOf("aws_s3_bucket_ownership_controls", name).rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
      expect(settingOf("aws_s3_bucket_policy", name)).toBeDefined();
    }
  });

  it("keeps superseded state versions 90 days, and access logs 365 days", () => {
    expect(settingOf("aws_s3_bucket_lifecycle_configuration", STATE).rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 90 }]);
    expect(settingOf("aws_s3_bucket_lifecycle_configuration", LOGS).rule[0].expiration).toEqual([{ days: 365 }]);
  });

  it("logs state bucket access into the log bucket, which only the S3 logging service of this account may write to", () => {
    expect(settingOf("aws_s3_bucket_logging", STATE)).toMatchObject({
      target_bucket: `\${aws_s3_bucket.${buckets[LOGS].id}.id}`,
      target_prefix: `logs/${STATE}/`,
    });
    const documents = Object.values<any>(state.data!.aws_iam_policy_document);
    const delivery = documents.flatMap((d) => d.statement).find((s: any) => s.sid === "S3ServerAccessLogDelivery");
    expect(delivery.principals).toEqual([{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }]);
    const [sourceArn] = delivery.condition.find((c: any) => c.variable === "aws:SourceArn").values;
    expect(sourceArn).toMatch(new RegExp(`^arn:\\$\\{data\\.aws_partition\\.[^.]+\\.partition\\}:s3:::${STATE}$`));
  });
});
