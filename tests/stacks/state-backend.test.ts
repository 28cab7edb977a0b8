import { resourcesOf, type SynthesizedStack } from "../helpers";
import { synthProgram } from "./synth";

const state: SynthesizedStack = synthProgram().stacks["ecg-state"];
const only = (type: string) => {
  const all = resourcesOf(state, type);
  expect(all).toHaveLength(1);
  return all[0][1];
};

describe("[PLT-4] bootstrap stack: the state bucket", () => {
  it("names the configured bucket and cannot be destroyed by Terraform", () => {
    expect(only("aws_s3_bucket")).toMatchObject({ bucket: "ecg-render-terraform-state", lifecycle: { prevent_destroy: true } });
  });

  it("versions, encrypts and blocks public access", () => {
    expect(only("aws_s3_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(only("aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    expect(only("aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(only("aws_s3_bucket_ownership_controls").rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
  });

  it("denies every request that is not TLS 1.2+", () => {
    const policy = Object.values(state.data!.aws_iam_policy_document)[0] as any;
    expect(policy.statement.map((s: any) => [s.effect, s.actions, s.condition[0].test, s.condition[0].variable, s.condition[0].values])).toEqual([
      ["Deny", ["s3:*"], "Bool", "aws:SecureTransport", ["false"]],
      ["Deny", ["s3:*"], "NumericLessThan", "s3:TlsVersion", ["1.2"]],
    ]);
    expect(only("aws_s3_bucket_policy").policy).toMatch(/^\$\{data\.aws_iam_policy_document\.[^.]+\.json\}$/);
  });

  it("keeps old state versions for 90 days and aborts stale multipart uploads", () => {
    const [rule] = only("aws_s3_bucket_lifecycle_configuration").rule;
    expect(rule).toMatchObject({
      status: "Enabled",
      noncurrent_version_expiration: [{ noncurrent_days: 90 }],
      abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
    });
  });
});
