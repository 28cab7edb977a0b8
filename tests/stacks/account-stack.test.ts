import { environments } from "../../environments";
import type { EnvironmentConfig } from "../../environments/types";
import { accountRegions, accountStackName } from "../../stacks/account-stack";
import { referencedId, resourcesOf, statementsOf, type SynthesizedStack } from "../helpers";
import { ACCOUNTS, expectedS3Backend, STATE_ACCOUNT as STATE_ACCOUNT_ID, singleAccountProgram } from "./layouts";
import { synthProgram } from "./synth";

// The account stacks of the shipped program (an account per environment), on one synthesis.
const program = synthProgram();
const stack = (name: string): SynthesizedStack => program.stacks[name];
const DEV = `ecg-account-${ACCOUNTS.dev.id}-ap-northeast-2`;
const STAGING = `ecg-account-${ACCOUNTS.staging.id}-ap-northeast-2`;
const PROD = `ecg-account-${ACCOUNTS.prod.id}-ap-northeast-2`;
/** Prod's account in Tokyo: its standby's region. */
const PROD_TOKYO = `ecg-account-${ACCOUNTS.prod.id}-ap-northeast-1`;
const ALL = [DEV, STAGING, PROD, PROD_TOKYO];
/** The single-account layout's: one account, so the names are the regions' alone. */
const SEOUL = "ecg-account-ap-northeast-2";
const TOKYO = "ecg-account-ap-northeast-1";
const accountStacks = (stacks: Record<string, SynthesizedStack>) =>
  Object.keys(stacks)
    .filter((name) => name.startsWith("ecg-account-"))
    .sort();
const env = (name: string) => environments.find((e) => e.name === name)!;
/** JSON with the partition's data source read as the commercial partition. */
const inAws = (value: unknown) => JSON.parse(JSON.stringify(value).replace(/\$\{data\.aws_partition\.[^}]+\.partition\}/g, "aws"));
/** Every pull-through cache rule of a program: stack, prefix, upstream, region of its provider. */
const cacheRules = (stacks: Record<string, SynthesizedStack>) =>
  Object.entries(stacks).flatMap(([name, s]) =>
    resourcesOf(s, "aws_ecr_pull_through_cache_rule").map(([, r]) => [
      name,
      r.ecr_repository_prefix,
      r.upstream_registry_url,
      s.provider!.aws.find((p: any) => !p.alias).region,
    ]),
  );

describe("account stacks: one per account and region the environments use", () => {
  it("[ECR User Guide: a private registry is per account and Region] the shipped program has one per environment account in Seoul and one in prod's account for Tokyo (its standby)", () => {
    expect(accountStacks(program.stacks)).toEqual([DEV, STAGING, PROD_TOKYO, PROD].sort());
    expect(accountRegions(environments).map((t) => [t.accountId, t.region, t.users, t.production])).toEqual([
      [ACCOUNTS.dev.id, "ap-northeast-2", ["dev"], false],
      [ACCOUNTS.staging.id, "ap-northeast-2", ["staging"], false],
      [ACCOUNTS.prod.id, "ap-northeast-2", ["prod"], true],
      [ACCOUNTS.prod.id, "ap-northeast-1", ["prod standby"], true],
    ]);
    for (const [name, region, account] of [
      [DEV, "ap-northeast-2", ACCOUNTS.dev.id],
      [STAGING, "ap-northeast-2", ACCOUNTS.staging.id],
      [PROD, "ap-northeast-2", ACCOUNTS.prod.id],
      [PROD_TOKYO, "ap-northeast-1", ACCOUNTS.prod.id],
    ]) {
      expect((stack(name).provider!.aws as any[]).map((p) => [p.region, p.alias, p.allowed_account_ids])).toEqual([
        [region, undefined, [account]],
      ]);
      expect(stack(name).provider!.aws[0].default_tags).toEqual([
        { tags: { Project: "ecg-render", Environment: "shared", ManagedBy: "cdktf" } },
      ]);
    }
    // Staging's replica region pulls no image: its replica network gets no account stack of its own.
    expect(env("staging").database.crossRegionReplicaRegion).toBe("ap-northeast-1");
  });

  it("[PLT-4] [DR-3] [ACC-2] each keeps its state under its own key in its region's state bucket, through its account's state role: Tokyo's in the failover bucket, like prod's standby", () => {
    for (const [name, environment] of [
      [DEV, "dev"],
      [STAGING, "staging"],
      [PROD, "prod"],
    ]) {
      expect(stack(name).terraform!.backend).toEqual(expectedS3Backend(name, environment, "ecg-render-terraform-state", "ap-northeast-2"));
    }
    expect(stack(PROD_TOKYO).terraform!.backend).toEqual(
      expectedS3Backend(PROD_TOKYO, "prod", "ecg-render-terraform-state-ap-northeast-1", "ap-northeast-1"),
    );
    const withoutKeyAndSession = (backend: any) => {
      const { key: _key, assume_role, ...rest } = backend;
      return { ...rest, role: assume_role.role_arn };
    };
    expect(withoutKeyAndSession(stack(PROD_TOKYO).terraform!.backend.s3)).toEqual(
      withoutKeyAndSession(program.stacks["ecg-prod-standby"].terraform!.backend.s3),
    );
    const keys = Object.values(program.stacks)
      .map((s) => s.terraform!.backend?.s3?.key)
      .filter(Boolean);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("[ECR User Guide: pull through cache rules are one per prefix per registry] the ecr-public rule moved out of the environment stacks: exactly one per region, in that region's account stack", () => {
    expect(cacheRules(program.stacks).sort()).toEqual([
      [DEV, "ecr-public", "public.ecr.aws", "ap-northeast-2"],
      [STAGING, "ecr-public", "public.ecr.aws", "ap-northeast-2"],
      [PROD_TOKYO, "ecr-public", "public.ecr.aws", "ap-northeast-1"],
      [PROD, "ecr-public", "public.ecr.aws", "ap-northeast-2"],
    ]);
    for (const name of Object.keys(program.stacks).filter((n) => !n.startsWith("ecg-account-"))) {
      for (const type of ["aws_ecr_pull_through_cache_rule", "aws_ecr_repository_creation_template"]) {
        expect({ name, type, count: resourcesOf(stack(name), type).length }).toEqual({ name, type, count: 0 });
      }
    }
    // What the prefix serves: the X-Ray daemon of every environment's (and the failed-over standby's) tasks.
    expect(JSON.stringify(stack("ecg-prod").resource.aws_ecs_task_definition)).toContain(
      "/ecr-public/xray/aws-xray-daemon@sha256:b67576293f4d3a0a155f807244957ed0aa4bc945df1573d62d81380a1d548071",
    );
  });

  it("[ECR User Guide: a pull through cache rule is one per prefix per registry] two environments in one account and region still make one rule (a second would fail with PullThroughCacheRuleAlreadyExistsException)", () => {
    const single = (name: string) => singleAccountProgram.environments.find((e) => e.name === name)!;
    const seoulOnly = synthProgram(undefined, { ...singleAccountProgram, environments: [single("dev"), single("staging")] });
    expect(accountStacks(seoulOnly.stacks)).toEqual([SEOUL]);
    expect(cacheRules(seoulOnly.stacks)).toEqual([[SEOUL, "ecr-public", "public.ecr.aws", "ap-northeast-2"]]);
    // Without production there, its stateful key may be destroyed.
    expect(resourcesOf(seoulOnly.stacks[SEOUL], "aws_kms_key").map(([, k]) => k.lifecycle?.prevent_destroy ?? false)).toEqual([false]);
    expect(seoulOnly.policy[SEOUL].findings.filter((f) => f.severity === "error")).toEqual([]);
  });

  it("[ECR User Guide: a private registry is per account and Region] environments pinned to different accounts get one stack per account and region, named with the account", () => {
    const pinned = (e: EnvironmentConfig, id: string): EnvironmentConfig => ({ ...e, account: { ...e.account, id } });
    const targets = accountRegions([
      pinned(env("dev"), "111111111111"),
      pinned(env("staging"), "111111111111"),
      pinned(env("prod"), "222222222222"),
    ]);
    expect(targets.map((t) => [accountStackName(t, targets), t.users, t.production])).toEqual([
      ["ecg-account-111111111111-ap-northeast-2", ["dev", "staging"], false],
      ["ecg-account-222222222222-ap-northeast-2", ["prod"], true],
      ["ecg-account-222222222222-ap-northeast-1", ["prod standby"], true],
    ]);
    // One account: the name is the region's alone.
    expect(accountRegions(singleAccountProgram.environments).map((t, _, all) => accountStackName(t, all))).toEqual([SEOUL, TOKYO]);
  });

  it("[ECR User Guide, Creating a repository creation template: a KMS key needs a custom role] the cache repositories ECR creates are KMS-encrypted, expire old images and keep their upstream's mutable tags", () => {
    for (const name of ALL) {
      const s = stack(name);
      const [[keyId, key]] = resourcesOf(s, "aws_kms_key");
      // Production's account stacks: the key cannot be destroyed by Terraform.
      const production = name === PROD || name === PROD_TOKYO;
      expect([key.enable_key_rotation, key.lifecycle]).toEqual([true, production ? { prevent_destroy: true } : undefined]);
      expect(resourcesOf(s, "aws_kms_alias").map(([, a]) => [a.name, a.target_key_id])).toEqual([
        [`alias/${name}/ecr-cache`, `\${aws_kms_key.${keyId}.key_id}`],
      ]);
      const [[templateId, template]] = resourcesOf(s, "aws_ecr_repository_creation_template");
      const [[roleId, role]] = resourcesOf(s, "aws_iam_role").filter(([, r]) => r.name === `${name}-ecr-templates`);
      expect(template).toMatchObject({
        prefix: "ecr-public",
        applied_for: ["PULL_THROUGH_CACHE"],
        image_tag_mutability: "MUTABLE",
        encryption_configuration: [{ encryption_type: "KMS", kms_key: `\${aws_kms_key.${keyId}.arn}` }],
        custom_role_arn: `\${aws_iam_role.${roleId}.arn}`,
      });
      expect(JSON.parse(template.lifecycle_policy).rules.map((r: any) => r.selection.tagStatus)).toEqual(["untagged", "any"]);
      // The template exists before the rule: the first pull after the rule finds it.
      const [[, rule]] = resourcesOf(s, "aws_ecr_pull_through_cache_rule");
      expect(rule.depends_on).toEqual([`aws_ecr_repository_creation_template.${templateId}`]);
      // IAM names are account-wide: the region is in the role's name.
      expect(role.name).toBe(`${name}-ecr-templates`);
      const [trust] = statementsOf(s, role.assume_role_policy);
      expect(trust.principals).toEqual([{ type: "Service", identifiers: ["ecr.amazonaws.com"] }]);
      // ECR's documented trust for the template role has no condition (the role is passed with iam:PassRole in this account).
      expect(trust.condition).toBeUndefined();
      const [[, rolePolicy]] = resourcesOf(s, "aws_iam_role_policy").filter(([, p]) => referencedId(p.role) === roleId);
      const statements = Object.fromEntries(statementsOf(s, rolePolicy.policy).map((st) => [st.sid, st]));
      expect(statements.CreateCacheRepositories.resources).toEqual([
        expect.stringMatching(/:ecr:\$\{data\.aws_region\.[^}]+\}:\$\{data\.aws_caller_identity\.[^}]+\}:repository\/ecr-public\/\*$/),
      ]);
      expect(statements.EncryptThemWithTheKey.resources).toEqual([`\${aws_kms_key.${keyId}.arn}`]);
      expect(s.output!.pull_through_cache_prefixes.value).toEqual(["ecr-public"]);
    }
  });

  it("[SEC-4] the policy pack passes on each (prod's with production rules)", () => {
    for (const name of ALL)
      expect({ name, errors: program.policy[name].findings.filter((f) => f.severity === "error") }).toEqual({ name, errors: [] });
  });
});

describe("[#17] the account baseline: every environment account detects, in each of its regions", () => {
  const STATE_ACCOUNT = STATE_ACCOUNT_ID;
  const state = program.stacks["ecg-state"];
  const single = synthProgram(undefined, singleAccountProgram);

  it("GuardDuty, an AWS Config recorder delivering to the archive, IAM Access Analyzer and ECR scanning on push in every account stack", () => {
    for (const name of ALL) {
      for (const type of [
        "aws_guardduty_detector",
        "aws_config_configuration_recorder",
        "aws_config_delivery_channel",
        "aws_accessanalyzer_analyzer",
        "aws_ecr_registry_scanning_configuration",
      ]) {
        expect([name, type, resourcesOf(stack(name), type).length]).toEqual([name, type, 1]);
      }
      expect(resourcesOf(stack(name), "aws_config_delivery_channel")[0][1].s3_bucket_name).toBe("ecg-render-terraform-state-audit");
    }
  });

  it("one multi-region trail per account, in its home region, logging its own environment's videos buckets, encrypted with the archive's key in the state account", () => {
    const trails = (name: string) => resourcesOf(stack(name), "aws_cloudtrail").map(([, t]) => t);
    expect(trails(PROD_TOKYO)).toEqual([]);
    for (const [name, envName, account] of [
      [DEV, "dev", ACCOUNTS.dev.id],
      [STAGING, "staging", ACCOUNTS.staging.id],
      [PROD, "prod", ACCOUNTS.prod.id],
    ]) {
      const [trail] = trails(name);
      expect(trail).toMatchObject({ name: "ecg-audit", is_multi_region_trail: true, s3_bucket_name: "ecg-render-terraform-state-audit" });
      expect(inAws(trail.kms_key_id)).toBe(`arn:aws:kms:ap-northeast-2:${STATE_ACCOUNT}:alias/ecg-render-terraform-state-audit/audit`);
      expect(inAws(trail.advanced_event_selector[1].field_selector[2])).toEqual({
        field: "resources.ARN",
        starts_with: [`arn:aws:s3:::ecg-videos-${envName}-`],
      });
      expect(account).toMatch(/^\d{12}$/);
    }
    // Global resources (IAM) are recorded once per account: in the home region.
    expect(resourcesOf(stack(PROD_TOKYO), "aws_config_configuration_recorder")[0][1].recording_group.include_global_resource_types).toBe(
      false,
    );
    expect(resourcesOf(stack(PROD), "aws_config_configuration_recorder")[0][1].recording_group.include_global_resource_types).toBe(true);
  });

  it("the audit archive lives in the state account, admitting each environment account's trail and recorder, under SSE-KMS and prevent_destroy", () => {
    const [[, bucket]] = resourcesOf(state, "aws_s3_bucket").filter(([, b]) => b.bucket === "ecg-render-terraform-state-audit");
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    const policy = JSON.stringify(inAws(state.data!.aws_iam_policy_document));
    for (const account of [ACCOUNTS.dev.id, ACCOUNTS.staging.id, ACCOUNTS.prod.id])
      expect(policy).toContain(`arn:aws:cloudtrail:*:${account}:trail/*`);
    expect(policy).not.toContain(`arn:aws:cloudtrail:*:${STATE_ACCOUNT}:trail/*`);
  });

  it("in the single-account layout, the trail names the archive's key by its alias ARN in its own account", () => {
    const [[, trail]] = resourcesOf(single.stacks[SEOUL], "aws_cloudtrail");
    expect(inAws(trail.kms_key_id)).toMatch(
      /^arn:aws:kms:ap-northeast-2:\$\{data\.aws_caller_identity\.[^}]+\}:alias\/ecg-render-terraform-state-audit\/audit$/,
    );
    expect(resourcesOf(single.stacks[TOKYO], "aws_cloudtrail")).toEqual([]);
    // Every environment's videos buckets: they share the account.
    expect(inAws(trail.advanced_event_selector[1].field_selector[2].starts_with)).toEqual(
      ["dev", "staging", "prod"].map((e) => `arn:aws:s3:::ecg-videos-${e}-`),
    );
  });
});
