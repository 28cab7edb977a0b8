import type { PostgresProps } from "../../modules/postgres";
import { LAMBDA_CODE } from "../../stacks/support/paths";
import { TEST_ACCOUNT } from "../helpers";

/** The keys and the minimal props of a PostgresDatabase, shared by its test files. */
export const KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/data";
export const LOGS_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/logs";

export const POSTGRES_PROPS: PostgresProps = {
  name: "ecg-test",
  account: TEST_ACCOUNT,
  instanceClass: "db.r6g.large",
  allocatedStorageGiB: 100,
  multiAz: true,
  backupRetentionDays: 7,
  subnetIds: ["subnet-a", "subnet-c"],
  securityGroupIds: ["sg-rds"],
  kmsKeyArn: KEY,
  logsKmsKeyArn: LOGS_KEY,
  deletionProtection: true,
  rotationCodePath: LAMBDA_CODE.secretRotation,
};
