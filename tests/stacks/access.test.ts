import { PROGRAM_ROLE_PREFIX } from "../../stacks/support/contracts";
import type { SynthesizedStack } from "../helpers";
import { program } from "../../environments";
import { ACCOUNTS, ADMINISTRATOR, singleAccountProgram, STATE_ROLE } from "./layouts";
import { synthProgram } from "./synth";
import { assumableRoles, type Caller } from "./trust";

/**
 * [ACC-3] The identities CI and Terraform Cloud use, as code: an access stack per
 * environment account, its trusts read as tables of who may assume what.
 */

const multi = synthProgram();
const single = synthProgram(undefined, singleAccountProgram);
const accessStacks = Object.fromEntries(Object.entries(multi.stacks).filter(([name]) => name.startsWith("ecg-access-")));

const REPO = "repo:ecg-render/ecg-render-infrastructure";
const GITHUB = "token.actions.githubusercontent.com";
const TFC = "app.terraform.io";
const github = (sub: string, aud = "sts.amazonaws.com"): Caller => ({ issuer: GITHUB, aud, sub });
const tfc = (sub: string, aud = "aws.workload.identity"): Caller => ({ issuer: TFC, aud, sub });
const workspace = (name: string, phase: string, org = "ecg-render", project = "ecg-render") =>
  `organization:${org}:project:${project}:workspace:${name}:run_phase:${phase}`;
const role = (env: string, name: string) => `arn:aws:iam::${ACCOUNTS[env].id}:role/ecg-access/${name}`;
const programRole = (env: string) => ACCOUNTS[env].roleArn;
const awsRoles = (stack: SynthesizedStack) => Object.values<any>(stack.resource?.aws_iam_role ?? {});
const boundaryOf = (env: string) => `arn:aws:iam::${ACCOUNTS[env].id}:policy/ecg-access/ecg-permissions-boundary`;

describe("[ACC-3] access stacks: the identities of each environment account", () => {
  it("one access stack per environment account, its providers through the account's bootstrap role (an administrator's session from outside reaches it), its state through the environment's state role", () => {
    expect(Object.keys(accessStacks).sort()).toEqual(["ecg-access-dev", "ecg-access-prod", "ecg-access-staging"]);
    for (const [name, stack] of Object.entries(accessStacks)) {
      const env = name.replace("ecg-access-", "");
      expect((stack.provider!.aws as any[]).map((p) => [p.allowed_account_ids, p.dynamic.assume_role.content.session_name])).toEqual([
        [[ACCOUNTS[env].id], name],
      ]);
      // Before the stack exists there is no program role: AWS Organizations' role in the account (the default), as the variable's default.
      expect(stack.variable?.account_role_arn.default).toBe(`arn:aws:iam::${ACCOUNTS[env].id}:role/OrganizationAccountAccessRole`);
      expect(stack.terraform?.backend?.s3).toEqual(
        expect.objectContaining({ key: `${name}/terraform.tfstate`, assume_role: { role_arn: STATE_ROLE(env), session_name: name } }),
      );
    }
  });

  it("creates the GitHub OIDC provider (audience sts.amazonaws.com, no thumbprint) and Terraform Cloud's (aws.workload.identity) once per account", () => {
    for (const stack of Object.values(accessStacks)) {
      const providers = Object.values<any>(stack.resource?.aws_iam_openid_connect_provider ?? {});
      expect(providers.map((p) => [p.url, p.client_id_list, p.thumbprint_list])).toEqual([
        ["https://token.actions.githubusercontent.com", ["sts.amazonaws.com"], undefined],
        ["https://app.terraform.io", ["aws.workload.identity"], undefined],
      ]);
    }
  });

  const tokens: [string, Caller, string[]][] = [
    [
      "[#17] a pull request outside the plan environments: nothing (its Terraform runs only in <env>-plan)",
      github(`${REPO}:pull_request`),
      [],
    ],
    ["[#17] the GitHub environment dev-plan plans dev only", github(`${REPO}:environment:dev-plan`), [role("dev", "ecg-dev-github-plan")]],
    [
      "[#17] the GitHub environment prod-plan (the one a reviewer guards) plans prod only",
      github(`${REPO}:environment:prod-plan`),
      [role("prod", "ecg-prod-github-plan")],
    ],
    [
      "the default branch (the drift check) plans every environment",
      github(`${REPO}:ref:refs/heads/main`),
      [role("dev", "ecg-dev-github-plan"), role("staging", "ecg-staging-github-plan"), role("prod", "ecg-prod-github-plan")],
    ],
    [
      "the GitHub environment staging deploys staging only",
      github(`${REPO}:environment:staging`),
      [role("staging", "ecg-staging-github-deploy")],
    ],
    ["the GitHub environment prod deploys prod only", github(`${REPO}:environment:prod`), [role("prod", "ecg-prod-github-deploy")]],
    ["another repository of the owner: nothing", github("repo:ecg-render/other:pull_request"), []],
    ["another repository's environment of the same name: nothing", github("repo:ecg-render/other:environment:prod"), []],
    ["a fork's pull request: nothing", github("repo:someone/ecg-render-infrastructure:pull_request"), []],
    ["a branch push without an environment: nothing", github(`${REPO}:ref:refs/heads/feature`), []],
    ["the right subject for another audience: nothing", github(`${REPO}:environment:prod`, "sigstore"), []],
    ["a GitHub subject presented by Terraform Cloud's issuer: nothing", tfc(`${REPO}:environment:prod`), []],
    [
      "the plan phase of the staging workspace plans staging",
      tfc(workspace("ecg-staging", "plan")),
      [role("staging", "ecg-staging-tfc-plan")],
    ],
    [
      "the apply phase of prod's standby workspace applies it",
      tfc(workspace("ecg-prod-standby", "apply")),
      [role("prod", "ecg-prod-standby-tfc-apply")],
    ],
    ["a workspace of the same name in another organization: nothing", tfc(workspace("ecg-staging", "apply", "evil")), []],
    ["a workspace of the same name in another project: nothing", tfc(workspace("ecg-staging", "apply", "ecg-render", "other")), []],
    ["a workspace's token for another audience: nothing", tfc(workspace("ecg-staging", "apply"), "sts.amazonaws.com"), []],
  ];
  it.each(tokens)("web identities: %s", (_, caller, expected) => {
    expect(assumableRoles(accessStacks, caller).sort()).toEqual(expected);
  });

  const principals: [string, Caller, string[]][] = [
    [
      "staging's deploy role reaches staging's program role only",
      { principal: role("staging", "ecg-staging-github-deploy") },
      [programRole("staging")],
    ],
    ["dev's deploy role reaches dev's only", { principal: role("dev", "ecg-dev-github-deploy") }, [programRole("dev")]],
    [
      "prod's deploy role with prod's external ID reaches prod's",
      { principal: role("prod", "ecg-prod-github-deploy"), externalId: "ecg-prod-terraform" },
      [programRole("prod")],
    ],
    ["prod's deploy role without the external ID: nothing", { principal: role("prod", "ecg-prod-github-deploy") }, []],
    ["a plan role: nothing (plans act as themselves, read-only)", { principal: role("staging", "ecg-staging-github-plan") }, []],
    [
      "an administrator reaches every program role (prod's with its external ID)",
      { principal: ADMINISTRATOR, externalId: "ecg-prod-terraform" },
      [programRole("dev"), programRole("staging"), programRole("prod")],
    ],
    ["another role of the administrators' account: nothing", { principal: "arn:aws:iam::555555555555:role/developers" }, []],
  ];
  it.each(principals)("AWS principals: %s", (_, caller, expected) => {
    expect(assumableRoles(accessStacks, caller).sort()).toEqual(expected);
  });

  it("no trust admits a subject by pattern, and every web identity trust pins its audience", () => {
    for (const stack of Object.values(accessStacks)) {
      for (const document of Object.values<any>((stack.data as any).aws_iam_policy_document)) {
        for (const statement of document.statement) {
          const conditions: any[] = statement.condition ?? [];
          if (!(statement.actions ?? []).includes("sts:AssumeRoleWithWebIdentity")) continue;
          expect(conditions.map((c) => [c.test, c.variable.split(":").pop()])).toEqual([
            ["StringEquals", "aud"],
            ["StringEquals", "sub"],
          ]);
          expect(conditions.flatMap((c) => c.values).filter((v: string) => /[*?]/.test(v))).toEqual([]);
        }
      }
    }
  });

  it("plan roles read (ReadOnlyAccess and the state role); deploy roles only reach the program role and the state role", () => {
    const stack = accessStacks["ecg-access-staging"];
    const attachments = Object.values<any>(stack.resource?.aws_iam_role_policy_attachment ?? {}).map((a) => a.policy_arn);
    expect(attachments.filter((a) => a.endsWith("/ReadOnlyAccess"))).toHaveLength(2); // GitHub's plan role and the plan role of staging's one workspace
    const documents = (stack.data as any).aws_iam_policy_document;
    const policyOf = (name: string) => {
      const policy = Object.values<any>(stack.resource?.aws_iam_role_policy ?? {}).find((p) => p.name === name);
      return documents[/data\.aws_iam_policy_document\.([\w-]+)\.json/.exec(policy.policy)![1]].statement;
    };
    expect(policyOf("ecg-staging-github-plan").map((s: any) => s.sid)).toEqual([
      "RefreshSecretVersions",
      "RefreshSecretVersionsDecrypt",
      "StateThroughItsRole",
    ]);
    // Plans read through the plan state role, deploys write through the deploy one.
    expect(policyOf("ecg-staging-github-plan")[2]).toEqual({
      sid: "StateThroughItsRole",
      actions: ["sts:AssumeRole"],
      resources: [STATE_ROLE("staging", "plan")],
    });
    expect(policyOf("ecg-staging-github-deploy")).toEqual([
      { sid: "ThroughTheProgramRole", actions: ["sts:AssumeRole"], resources: [programRole("staging")] },
      { sid: "StateThroughItsRole", actions: ["sts:AssumeRole"], resources: [STATE_ROLE("staging")] },
    ]);
  });

  it("plan roles may read their own environment's secrets (a plan's refresh reads secret versions), whose names all carry its prefix", () => {
    const stack = accessStacks["ecg-access-staging"];
    const documents = (stack.data as any).aws_iam_policy_document;
    const policy = Object.values<any>(stack.resource?.aws_iam_role_policy ?? {}).find((p) => p.name === "ecg-staging-tfc-plan");
    const [secrets, decrypt] = documents[/data\.aws_iam_policy_document\.([\w-]+)\.json/.exec(policy.policy)![1]].statement;
    expect(secrets).toEqual({
      sid: "RefreshSecretVersions",
      actions: ["secretsmanager:GetSecretValue"],
      resources: [`arn:aws:secretsmanager:*:${ACCOUNTS.staging.id}:secret:ecg-staging/*`],
    });
    expect(decrypt.condition).toEqual([{ test: "StringLike", variable: "kms:ViaService", values: ["secretsmanager.*.amazonaws.com"] }]);
    const names = Object.values<any>(multi.stacks["ecg-staging"].resource?.aws_secretsmanager_secret ?? {}).map((s) => s.name);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !n.startsWith("ecg-staging/"))).toEqual([]);
  });

  it("every role of an access stack carries the account's permissions boundary", () => {
    for (const [name, stack] of Object.entries(accessStacks)) {
      const env = name.replace("ecg-access-", "");
      expect(
        awsRoles(stack)
          .filter((r) => r.permissions_boundary !== boundaryOf(env))
          .map((r) => r.name),
      ).toEqual([]);
    }
  });

  it("the boundary keeps the access identities and state buckets out of reach and makes every new principal carry it", () => {
    const stack = accessStacks["ecg-access-prod"];
    const [policy] = Object.values<any>(stack.resource?.aws_iam_policy ?? {});
    expect([policy.name, policy.path]).toEqual(["ecg-permissions-boundary", "/ecg-access/"]);
    const statements = (stack.data as any).aws_iam_policy_document[/data\.aws_iam_policy_document\.([\w-]+)\.json/.exec(policy.policy)![1]]
      .statement;
    const bySid = Object.fromEntries(statements.map((s: any) => [s.sid, s]));
    expect(bySid.AccessIdentitiesUnchanged.resources).toEqual(
      expect.arrayContaining([
        boundaryOf("prod"),
        programRole("prod"),
        role("prod", "ecg-prod-github-deploy"),
        role("prod", "ecg-prod-standby-tfc-apply"),
      ]),
    );
    expect(bySid.AccessIdentitiesUnchanged.resources.filter((r: string) => r.includes("aws_iam_openid_connect_provider"))).toHaveLength(2);
    expect(bySid.OnlyBoundedPrincipals.condition).toEqual([
      { test: "StringNotEquals", variable: "iam:PermissionsBoundary", values: [boundaryOf("prod")] },
    ]);
    expect(bySid.BoundariesStay.effect).toBe("Deny");
    expect(bySid.StateBucketsStay.resources).toEqual([
      "arn:aws:s3:::ecg-render-terraform-state",
      "arn:aws:s3:::ecg-render-terraform-state-ap-northeast-1",
    ]);
  });

  it("every role the program creates in an environment account carries that account's boundary (environment and account stacks)", () => {
    const unbounded: string[] = [];
    let checked = 0;
    for (const [name, stack] of Object.entries(multi.stacks)) {
      const env =
        /^ecg-(dev|staging|prod)(-standby|-global)?$/.exec(name)?.[1] ??
        Object.keys(ACCOUNTS).find((e) => name.startsWith(`ecg-account-${ACCOUNTS[e].id}`));
      if (!env) continue;
      for (const r of awsRoles(stack)) {
        checked++;
        if (r.permissions_boundary !== boundaryOf(env)) unbounded.push(`${name}: ${r.name}`);
      }
    }
    expect(unbounded).toEqual([]);
    expect(checked).toBeGreaterThan(30);
  });

  it("every role the program creates is named ecg-* (the boundary lets no other role be passed or re-trusted), and deploy roles allow four-hour sessions", () => {
    for (const program of [multi, single]) {
      // Roles of the environment accounts (the state account's are its bootstrap's, outside any boundary).
      const names = Object.entries(program.stacks)
        .filter(([name]) => name !== "ecg-state")
        .flatMap(([, stack]) => awsRoles(stack).map((r) => r.name));
      expect(names.length).toBeGreaterThan(30);
      expect(names.filter((n) => !n.startsWith(PROGRAM_ROLE_PREFIX))).toEqual([]);
    }
    const deploy = awsRoles(accessStacks["ecg-access-staging"]).find((r) => r.name === "ecg-staging-github-deploy");
    expect(deploy.max_session_duration).toBe(14400);
  });

  it("outputs every ARN the workflows and workspaces need", () => {
    const outputs = Object.keys(accessStacks["ecg-access-prod"].output ?? {}).sort();
    expect(outputs).toEqual([
      "github_deploy_role_arns",
      "github_oidc_provider_arn",
      "github_plan_role_arns",
      "permissions_boundary_arn",
      "program_role_arn",
      "terraform_cloud_role_arns",
    ]);
  });

  it("the policy pack finds nothing in the access stacks (its OIDC trust rules included)", () => {
    const findings = Object.keys(accessStacks).flatMap((name) => multi.policy[name].findings.map((f) => `${name}: ${f.rule} ${f.address}`));
    expect(findings).toEqual([]);
  });

  it("the single-account layout has no access stack and no boundary", () => {
    expect(Object.keys(single.stacks).filter((n) => n.startsWith("ecg-access-"))).toEqual([]);
    const bounded = Object.values(single.stacks).flatMap((stack) => awsRoles(stack).filter((r) => r.permissions_boundary));
    expect(bounded).toEqual([]);
  });

  it("without access settings, the multi-account layout builds no access stack and bounds no role (roles made outside the program)", () => {
    const without = synthProgram(undefined, { ...program, access: undefined });
    expect(Object.keys(without.stacks).filter((n) => n.startsWith("ecg-access-"))).toEqual([]);
    expect(Object.values(without.stacks).flatMap((stack) => awsRoles(stack).filter((r) => r.permissions_boundary))).toEqual([]);
  });
});

describe("[ACC-2] Terraform Cloud mode in the multi-account layout", () => {
  const cloud = synthProgram("cloud");

  it("every stack keeps its state in its own workspace, the providers still assume their environment's role, and the state roles do not change", () => {
    for (const [name, stack] of Object.entries(cloud.stacks)) {
      if (name === "ecg-state") continue;
      expect([name, stack.terraform?.backend, (stack.terraform as any)?.cloud?.workspaces?.name]).toEqual([name, undefined, name]);
    }
    expect(cloud.stacks["ecg-staging"].variable?.account_role_arn?.default).toBe(ACCOUNTS.staging.roleArn);
    expect(Object.keys(cloud.stacks["ecg-state"].resource?.aws_iam_role ?? {})).toEqual(
      Object.keys(multi.stacks["ecg-state"].resource?.aws_iam_role ?? {}),
    );
  });
});
