import { Testing } from "cdktf";
import { SecureBucket, type SecureBucketProps } from "../../modules/secure-bucket";
import { only, synthJson } from "../helpers";

const KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/state";
const encryptionOf = (props: Partial<SecureBucketProps> = {}) =>
  only(
    synthJson(Testing.synthScope((scope) => new SecureBucket(scope, "b", { bucketName: "ecg-test-bucket", ...props }))),
    "aws_s3_bucket_server_side_encryption_configuration",
  )[1].rule;

describe("SecureBucket encryption", () => {
  it("[S3-3] encrypts with SSE-S3 (AES-256) by default", () => {
    expect(encryptionOf()).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }]);
  });

  it("[SEC-4] encrypts with SSE-KMS under the given customer-managed key, with an S3 Bucket Key, when it is given one", () => {
    expect(encryptionOf({ kmsKeyArn: KEY })).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: KEY }, bucket_key_enabled: true },
    ]);
  });

  it("refuses a KMS key on a server-access-log target: S3 log delivery writes SSE-S3 only", () => {
    expect(() =>
      encryptionOf({
        kmsKeyArn: KEY,
        logDelivery: { accountId: "123456789012", partition: "aws", sourceBucketNames: ["ecg-test-source"] },
      }),
    ).toThrow('SecureBucket "b": kmsKeyArn: a server-access-log target must use SSE-S3 (S3 log delivery cannot use a KMS key)');
  });
});
