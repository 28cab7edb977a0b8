import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcrPullThroughCacheRule } from "@cdktf/provider-aws/lib/ecr-pull-through-cache-rule";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import {
  checkProgramSingletons,
  formatClash,
  ProgramCheckError,
  programClashes,
  readSynthesizedStacks,
  SINGLETONS,
} from "../../modules/policy/program-checks";
import { errorOf } from "../helpers";
import { synthProgram } from "../stacks/synth";

type Json = Record<string, any>;

/** A hand-made cdk.tf.json: its `provider.aws` entries and resources by type → name → config. */
const stackJson = (providers: Json[], resource: Record<string, Record<string, Json>>): Json => ({ provider: { aws: providers }, resource });
const SEOUL = { region: "ap-northeast-2" };
const TOKYO = { region: "ap-northeast-1" };
const pinned = (region: string, account: string) => ({ region, allowed_account_ids: [account] });

/** Today's environment stacks: one unpinned account, Seoul, each with the ECR Public pull through cache rule. */
const environmentStack = () =>
  stackJson([SEOUL, { ...TOKYO, alias: "ap_northeast_1" }], {
    aws_ecr_pull_through_cache_rule: {
      "registry_pull-through-ecr-public_8996A920": { ecr_repository_prefix: "ecr-public", upstream_registry_url: "public.ecr.aws" },
    },
  });

/** Synthesizes a real cdktf stack (providers and resources as constructs) and returns its cdk.tf.json. */
function synthStack(build: (stack: TerraformStack) => void): Json {
  const stack = new TerraformStack(Testing.app(), "hand-made");
  build(stack);
  return JSON.parse(Testing.synth(stack));
}

describe("program check: account and region singletons (issue #13, item 11)", () => {
  it("[ECR User Guide: one pull through cache rule per ecr repository prefix per private registry (one registry per account and Region)] refuses ecr-public in ecg-dev, ecg-staging and ecg-prod: same (unpinned) account, same region", () => {
    const stacks = { "ecg-dev": environmentStack(), "ecg-staging": environmentStack(), "ecg-prod": environmentStack() };
    const clashes = programClashes(stacks);
    expect(clashes.map((c) => [c.first.stack, c.second.stack, c.type, c.key, c.first.region])).toEqual([
      ["ecg-dev", "ecg-staging", "aws_ecr_pull_through_cache_rule", "ecr-public", "ap-northeast-2"],
      ["ecg-dev", "ecg-prod", "aws_ecr_pull_through_cache_rule", "ecr-public", "ap-northeast-2"],
      ["ecg-staging", "ecg-prod", "aws_ecr_pull_through_cache_rule", "ecr-public", "ap-northeast-2"],
    ]);
    // Each problem names both stacks, both addresses and the clash.
    expect(formatClash(clashes[0])).toContain("ecg-dev aws_ecr_pull_through_cache_rule.registry_pull-through-ecr-public_8996A920");
    expect(formatClash(clashes[0])).toContain("ecg-staging aws_ecr_pull_through_cache_rule.registry_pull-through-ecr-public_8996A920");
    expect(formatClash(clashes[0])).toContain('pull through cache rule for ECR repository prefix "ecr-public"');
  });

  it("[ECR User Guide: the private registry is per account per Region] the same prefix in another region (the standby's Tokyo registry) or another pinned account passes", () => {
    const standby = stackJson([TOKYO], { aws_ecr_pull_through_cache_rule: { rule: { ecr_repository_prefix: "ecr-public" } } });
    expect(programClashes({ "ecg-prod": environmentStack(), "ecg-prod-standby": standby })).toEqual([]);
    const inAccount = (account: string) =>
      stackJson([pinned("ap-northeast-2", account)], {
        aws_ecr_pull_through_cache_rule: { rule: { ecr_repository_prefix: "ecr-public" } },
      });
    expect(programClashes({ a: inAccount("111111111111"), b: inAccount("222222222222") })).toEqual([]);
    // Another prefix in the same registry is another rule.
    const other = stackJson([SEOUL], { aws_ecr_pull_through_cache_rule: { rule: { ecr_repository_prefix: "docker-hub" } } });
    expect(programClashes({ "ecg-dev": environmentStack(), other })).toEqual([]);
  });

  it("[an unpinned provider can deploy to any account] a pinned and an unpinned stack can share the account; allowed_account_ids that intersect do too", () => {
    const rule = { aws_ecr_pull_through_cache_rule: { rule: { ecr_repository_prefix: "ecr-public" } } };
    expect(
      programClashes({ pinned: stackJson([pinned("ap-northeast-2", "111111111111")], rule), unpinned: stackJson([SEOUL], rule) }),
    ).toHaveLength(1);
    const either = stackJson([{ region: "ap-northeast-2", allowed_account_ids: ["111111111111", "222222222222"] }], rule);
    expect(programClashes({ either, pinned: stackJson([pinned("ap-northeast-2", "222222222222")], rule) })).toHaveLength(1);
  });

  it("[Terraform AWS provider: assume_role.role_arn selects the account] the account of the assumed role's ARN places the resource", () => {
    const viaRole = (account: string) =>
      stackJson([{ region: "ap-northeast-2", assume_role: [{ role_arn: `arn:aws:iam::${account}:role/deployer` }] }], {
        aws_guardduty_detector: { detector: { enable: true } },
      });
    expect(programClashes({ a: viaRole("111111111111"), b: viaRole("222222222222") })).toEqual([]);
    const [clash] = programClashes({ a: viaRole("111111111111"), b: viaRole("111111111111") });
    expect(clash.first.accounts).toEqual(["111111111111"]);
  });

  it("[Terraform: a resource's provider argument selects an aliased provider configuration] a resource on `aws.<alias>` lands in that provider's region (real cdktf synthesis)", () => {
    const seoulWithTokyoRule = synthStack((stack) => {
      new AwsProvider(stack, "aws", { region: "ap-northeast-2" });
      const tokyo = new AwsProvider(stack, "aws-tokyo", { region: "ap-northeast-1", alias: "tokyo" });
      new EcrPullThroughCacheRule(stack, "rule", {
        provider: tokyo,
        ecrRepositoryPrefix: "ecr-public",
        upstreamRegistryUrl: "public.ecr.aws",
      });
    });
    expect(seoulWithTokyoRule.resource.aws_ecr_pull_through_cache_rule.rule.provider).toBe("aws.tokyo");
    const tokyoStack = stackJson([TOKYO], { aws_ecr_pull_through_cache_rule: { r: { ecr_repository_prefix: "ecr-public" } } });
    const clashes = programClashes({ seoul: seoulWithTokyoRule, tokyo: tokyoStack, "ecg-dev": environmentStack() });
    expect(clashes.map((c) => [c.first.stack, c.second.stack, c.first.region])).toEqual([["seoul", "tokyo", "ap-northeast-1"]]);
  });

  it("[IAM API Reference, CreateRole: role names must be unique within the account, not distinguished by case] an IAM role name in two stacks fails, in any regions", () => {
    const withRole = (name: string, region: string) =>
      synthStack((stack) => {
        new AwsProvider(stack, "aws", { region });
        new IamRole(stack, "role", { name, assumeRolePolicy: "{}" });
      });
    const clashes = programClashes({
      "ecg-prod": withRole("ecg-prod-render", "ap-northeast-2"),
      "ecg-prod-standby": withRole("ECG-prod-render", "ap-northeast-1"),
    });
    expect(clashes.map((c) => [c.first.stack, c.first.address, c.second.stack, c.second.address, c.scope])).toEqual([
      ["ecg-prod", "aws_iam_role.role", "ecg-prod-standby", "aws_iam_role.role", "account"],
    ]);
    expect(
      programClashes({ a: withRole("ecg-prod-render", "ap-northeast-2"), b: withRole("ecg-prod-render-standby", "ap-northeast-1") }),
    ).toEqual([]);
  });

  it("[CloudWatch Logs API Reference, CreateLogGroup: log group names must be unique within a Region for an account] the same log group name in two regions passes; in one region it fails", () => {
    const withGroup = (region: string) =>
      synthStack((stack) => {
        new AwsProvider(stack, "aws", { region });
        new CloudwatchLogGroup(stack, "logs", { name: "/ecs/ecg-prod/api", retentionInDays: 30 });
      });
    expect(programClashes({ "ecg-prod": withGroup("ap-northeast-2"), "ecg-prod-standby": withGroup("ap-northeast-1") })).toEqual([]);
    expect(programClashes({ "ecg-prod": withGroup("ap-northeast-2"), other: withGroup("ap-northeast-2") })).toHaveLength(1);
  });

  it("[Amazon S3 User Guide, bucket naming rules: unique across all accounts in all Regions within a partition] a bucket name clashes across accounts and regions, not across partitions", () => {
    const bucket = (provider: Json) => stackJson([provider], { aws_s3_bucket: { b: { bucket: "ecg-shared-artifacts" } } });
    expect(
      programClashes({ a: bucket(pinned("ap-northeast-2", "111111111111")), b: bucket(pinned("us-west-2", "222222222222")) }),
    ).toHaveLength(1);
    expect(
      programClashes({ a: bucket(pinned("ap-northeast-2", "111111111111")), china: bucket(pinned("cn-north-1", "222222222222")) }),
    ).toEqual([]);
  });

  it("[names resolved by Terraform at plan/apply cannot be compared from the JSON] names that are expressions are skipped, whatever their text", () => {
    const withExpressionName = () =>
      stackJson([SEOUL], {
        aws_iam_role: { r: { name: "ecg-videos-prod-${data.aws_caller_identity.account_caller_1C5BE04F.account_id}-replication" } },
        aws_s3_bucket: { b: { bucket: "${var.bucket}" } },
        aws_ecr_pull_through_cache_rule: { p: { ecr_repository_prefix: "${local.prefix}" } },
        // No name at all: Terraform generates a unique one.
        aws_cloudwatch_log_group: { g: { name_prefix: "/ecs/" } },
      });
    expect(programClashes({ a: withExpressionName(), b: withExpressionName() })).toEqual([]);
  });

  // One row per plain singleton of the catalog: the docs sentence that makes it one per scope.
  it.each([
    ["aws_guardduty_detector", "GuardDuty API Reference, CreateDetector: only one detector per account per Region", { enable: true }],
    [
      "aws_config_configuration_recorder",
      "AWS Config Developer Guide: one customer managed configuration recorder per account per Region",
      { name: "default" },
    ],
    ["aws_config_delivery_channel", "AWS Config Developer Guide: one delivery channel per account per Region", { s3_bucket_name: "x" }],
    [
      "aws_ecr_registry_scanning_configuration",
      "ECR User Guide: the scanning configuration is a setting of the private registry",
      { scan_type: "ENHANCED" },
    ],
    ["aws_ecr_replication_configuration", "ECR User Guide: one replication configuration per private registry", {}],
    ["aws_ecr_registry_policy", "ECR User Guide: one registry permissions policy per private registry", { policy: "{}" }],
    ["aws_ebs_encryption_by_default", "EBS User Guide: encryption by default is a Region-level account setting", { enabled: true }],
    [
      "aws_ebs_default_kms_key",
      "EBS User Guide: the default KMS key is a Region-level account setting",
      { key_arn: "arn:aws:kms:ap-northeast-2:111111111111:key/x" },
    ],
    ["aws_securityhub_account", "Security Hub User Guide: Security Hub is enabled per account per Region", {}],
    [
      "aws_api_gateway_account",
      "API Gateway Developer Guide: the CloudWatch role is an account setting per Region",
      { cloudwatch_role_arn: "arn:aws:iam::111111111111:role/x" },
    ],
    [
      "aws_accessanalyzer_analyzer",
      "IAM User Guide: outside the organization's admin accounts, one analyzer with the account as zone of trust per Region",
      { analyzer_name: "a" },
    ],
  ])("[%s] [%s] two stacks of one account and region clash; another region passes", (type, _doc, config) => {
    const one = (provider: Json) => stackJson([provider], { [type]: { it: config } });
    expect(programClashes({ a: one(SEOUL), b: one(SEOUL) }).map((c) => [c.type, c.scope])).toEqual([[type, "account+region"]]);
    expect(programClashes({ a: one(SEOUL), b: one(TOKYO) })).toEqual([]);
  });

  it.each([
    [
      "aws_s3_account_public_access_block",
      "S3 User Guide: the account-level Block Public Access setting covers every Region",
      { block_public_acls: true },
    ],
    ["aws_iam_account_password_policy", "IAM User Guide: one password policy per account", { minimum_password_length: 14 }],
  ])("[%s] [%s] two stacks of one account clash, even in two regions", (type, _doc, config) => {
    const one = (provider: Json) => stackJson([provider], { [type]: { it: config } });
    expect(programClashes({ a: one(SEOUL), b: one(TOKYO) }).map((c) => [c.type, c.scope])).toEqual([[type, "account"]]);
    expect(programClashes({ a: one(pinned("ap-northeast-2", "111111111111")), b: one(pinned("ap-northeast-2", "222222222222")) })).toEqual(
      [],
    );
  });

  it("[AWS WAF API Reference, CreateWebACL: the name is unique per scope] a REGIONAL and a CLOUDFRONT web ACL of one name are two ACLs", () => {
    const acl = (scope: string) => stackJson([SEOUL], { aws_wafv2_web_acl: { w: { name: "ecg-prod", scope } } });
    expect(programClashes({ a: acl("REGIONAL"), b: acl("CLOUDFRONT") })).toEqual([]);
    expect(programClashes({ a: acl("REGIONAL"), b: acl("REGIONAL") })).toHaveLength(1);
  });

  it("every catalog entry cites the AWS documentation that makes it unique", () => {
    for (const s of SINGLETONS) expect(s.source).toMatch(/(User Guide|API Reference|Developer Guide)/);
  });

  it("checkProgramSingletons throws one error listing every clash, with both stacks and addresses", () => {
    const stacks = {
      "ecg-dev": environmentStack(),
      "ecg-staging": environmentStack(),
      other: stackJson([TOKYO], { aws_iam_role: { r: { name: "deployer" } } }),
      more: stackJson([SEOUL], { aws_iam_role: { r: { name: "deployer" } } }),
    };
    const message = errorOf(() => checkProgramSingletons(stacks));
    expect(message).toMatch(/^2 account\/region singleton clash/);
    expect(message).toContain(
      "ecg-dev aws_ecr_pull_through_cache_rule.registry_pull-through-ecr-public_8996A920 (unpinned account, ap-northeast-2) and ecg-staging",
    );
    expect(message).toContain(
      'other aws_iam_role.r (unpinned account) and more aws_iam_role.r (unpinned account) both create the IAM role name "deployer"',
    );
    expect(() => checkProgramSingletons(stacks)).toThrow(ProgramCheckError);
    expect(() => checkProgramSingletons({ "ecg-dev": environmentStack() })).not.toThrow();
  });

  describe("the synthesized program", () => {
    // In beforeAll: the hand-made cases above run even when the program does not synthesize.
    let program: ReturnType<typeof synthProgram>;
    beforeAll(() => {
      program = synthProgram();
    });

    it("readSynthesizedStacks reads back every stack app.synth() wrote", () => {
      expect(readSynthesizedStacks(program.outdir, Object.keys(program.stacks))).toEqual(program.stacks);
    });

    // Fails until the pull through cache rule leaves the environment stacks (one stack per account and region creates it).
    it("[ECR User Guide: one pull through cache rule per prefix per registry] [IAM: names unique per account] no two stacks create the same singleton or name", () => {
      const clashes = programClashes(program.stacks);
      expect(clashes.map(formatClash)).toEqual([]);
    });
  });
});
