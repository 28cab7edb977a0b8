import { Testing, TerraformStack, TerraformVariable } from "cdktf";
import { bucketNameProblem, logRetentionProblem } from "../../modules/common/limits";

describe("AWS limits shared by modules and config checks", () => {
  it("accepts bucket names that follow S3's rules and names the rule a bad one breaks", () => {
    expect(bucketNameProblem("ecg-prod-logs-123456789012")).toBeUndefined();
    for (const bad of ["Ecg", "ab", "a..b", "192.168.1.1", "-ecg", undefined]) {
      expect(bucketNameProblem(bad)).toMatch(/is not a valid S3 bucket name \(3-63 lower-case letters/);
    }
  });

  it("checks a name holding a Terraform reference (the account id) by its literal parts", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const account = new TerraformVariable(stack, "account", { type: "string" }).stringValue;
    expect(bucketNameProblem(`ecg-prod-logs-${account}`)).toBeUndefined();
    expect(bucketNameProblem(`ECG_prod-${account}`)).toContain("is not a valid S3 bucket name");
  });

  it("accepts only CloudWatch Logs retention values", () => {
    expect(logRetentionProblem(365)).toBeUndefined();
    expect(logRetentionProblem(100)).toBe(
      "100 is not a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
    );
  });
});
