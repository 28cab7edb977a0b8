import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { TerraformDataSource, TerraformResource } from "cdktf";
import { ALLOWED_PROVIDERS, supplyChainRules } from "../../modules/policy/rules/supply-chain";
import { type Build, evaluateFixture, expectFinding, findRule } from "./policy-fixtures";

const rule = (id: string) => findRule(supplyChainRules, id, "supplyChainRules");

const cases: { rule: string; title: string; build: Build; found?: string }[] = [
  { rule: "ECG_PROVIDER_ALLOWED", title: "an AWS resource passes", build: (stack) => new S3Bucket(stack, "b", { bucket: "ecg-test" }) },
  {
    rule: "ECG_PROVIDER_ALLOWED",
    title: "terraform_data (Terraform's built-in provider) passes",
    build: (stack) => new TerraformResource(stack, "d", { terraformResourceType: "terraform_data" }),
  },
  {
    rule: "ECG_PROVIDER_ALLOWED",
    title: "a null_resource fails",
    build: (stack) => new TerraformResource(stack, "n", { terraformResourceType: "null_resource" }),
    found: "provider null is not on the allow-list",
  },
  {
    rule: "ECG_PROVIDER_ALLOWED",
    title: "a data source of another provider fails",
    build: (stack) => {
      new S3Bucket(stack, "b", { bucket: "ecg-test" });
      new TerraformDataSource(stack, "h", { terraformResourceType: "http" });
    },
    found: "provider http is not on the allow-list",
  },
  {
    rule: "ECG_NO_EXTERNAL_DATA",
    title: 'data "external" fails',
    build: (stack) => new TerraformDataSource(stack, "x", { terraformResourceType: "external" }),
    found: "a data source that runs a program at plan time",
  },
  {
    rule: "ECG_NO_PROVISIONERS",
    title: "a resource without provisioners passes",
    build: (stack) => new S3Bucket(stack, "b", { bucket: "ecg-test" }),
  },
  {
    rule: "ECG_NO_PROVISIONERS",
    title: "a local-exec provisioner fails",
    build: (stack) => new S3Bucket(stack, "b", { bucket: "ecg-test", provisioners: [{ type: "local-exec", command: "curl evil" }] }),
    found: "provisioner local-exec",
  },
  {
    rule: "ECG_NO_PROVISIONERS",
    title: "a remote-exec provisioner on a data-less resource fails too",
    build: (stack) =>
      new TerraformResource(stack, "d", {
        terraformResourceType: "terraform_data",
        provisioners: [{ type: "remote-exec", inline: ["id"], connection: { type: "ssh", host: "10.0.0.1" } }],
      }),
    found: "provisioner remote-exec",
  },
];

describe("policy rules: supply chain of the plan job", () => {
  it("[SEC-1] allows the AWS provider and Terraform's built-in one only", () => {
    expect(ALLOWED_PROVIDERS).toEqual(["aws", "terraform"]);
  });

  it.each(cases)("[SEC-1] $rule: $title", ({ rule: id, build, found }) => {
    const findings = evaluateFixture(rule(id), build).report.findings;
    if (found) expectFinding(rule(id), findings, found, "error");
    else expect(findings).toEqual([]);
  });

  it("[SEC-1] ECG_PROVIDER_ALLOWED reads the provider a resource names too (an AWS type through another provider's alias)", () => {
    const findings = evaluateFixture(rule("ECG_PROVIDER_ALLOWED"), (stack) => {
      new DataAwsRegion(stack, "r").addOverride("provider", "evil.x");
    }).report.findings;
    expectFinding(rule("ECG_PROVIDER_ALLOWED"), findings, "provider evil is not on the allow-list");
  });
});
