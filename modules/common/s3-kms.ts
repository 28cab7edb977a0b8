/**
 * The condition that limits a KMS grant to S3's use of the key for the
 * objects of these buckets: S3 names the bucket in the encryption context
 * with an S3 Bucket Key, the object without one (S3 User Guide, "Using an
 * S3 Bucket Key": kms:EncryptionContext:aws:s3:arn).
 */
export const forObjectsOf = (bucketArns: readonly string[]) => ({
  test: "StringLike",
  variable: "kms:EncryptionContext:aws:s3:arn",
  values: bucketArns.flatMap((arn) => [arn, `${arn}/*`]),
});
