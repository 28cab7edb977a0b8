import { resourcesOf, type SynthesizedStack, statementsOf } from "../helpers";
import { ACCOUNTS, DELIVERY_ACCOUNT, singleAccountProgram, STATE_ROLE } from "./layouts";
import { synthProgram } from "./synth";
import { assumableRoles, inAwsPartition } from "./trust";

/**
 * [ACC-1] Both layouts synthesize. One account per environment: every AWS provider of
 * the environment's stacks (primary, standby, global, aliased regional ones) assumes its
 * environment's role, the session named after the stack, and pins the account; the
 * account stacks assume the role of the account they serve. The single-account layout
 * (tests/stacks/layouts.ts) assumes nothing.
 */

const multi = synthProgram();
const single = synthProgram(undefined, singleAccountProgram);

const awsProviders = (stack: SynthesizedStack): any[] => (stack.provider?.aws as any[]) ?? [];
/**
 * The providers' assume_role: a dynamic block with one instance (the role) unless the
 * account_role_arn variable is empty (a plan acting as its own role assumes nothing).
 */
const ASSUMED = (session: string, externalId?: string) => ({
  for_each: '${var.account_role_arn == "" ? [] : [var.account_role_arn]}',
  content: { role_arn: "${assume_role.value}", session_name: session, ...(externalId ? { external_id: externalId } : {}) },
});
/** The environment whose stacks these are: ecg-<env>, ecg-<env>-standby, ecg-<env>-global. */
const environmentOf = (stackName: string) => /^ecg-(dev|staging|prod)(-standby|-global)?$/.exec(stackName)?.[1];

describe("[ACC-1] one AWS account per environment", () => {
  it("every AWS provider of every environment stack assumes its environment's role in its account and pins that account", () => {
    const checked: string[] = [];
    for (const [name, stack] of Object.entries(multi.stacks)) {
      const env = environmentOf(name);
      if (!env) continue;
      const { id, roleArn, externalId } = ACCOUNTS[env];
      for (const provider of awsProviders(stack)) {
        checked.push(`${name}/${provider.alias ?? "default"}`);
        expect({ name, alias: provider.alias, allowed: provider.allowed_account_ids, assume: provider.dynamic?.assume_role }).toEqual({
          name,
          alias: provider.alias,
          allowed: [id],
          assume: ASSUMED(name, externalId),
        });
        expect(provider.assume_role).toBeUndefined();
      }
      // The role is the variable's default: a plan role or a Terraform Cloud run sets it empty and acts as itself.
      expect(stack.variable?.account_role_arn).toEqual(expect.objectContaining({ type: "string", default: roleArn }));
    }
    // Aliased regional providers are among them (Tokyo, us-west-2, us-east-1).
    expect(checked).toEqual(
      expect.arrayContaining([
        "ecg-prod/default",
        "ecg-prod/ap_northeast_1",
        "ecg-prod/us_west_2",
        "ecg-prod/us_east_1",
        "ecg-prod-standby/default",
        "ecg-prod-global/default",
      ]),
    );
  });

  it("an account stack per account and region, its provider assuming that account's role", () => {
    const accountStacks = Object.keys(multi.stacks).filter((n) => n.startsWith("ecg-account-"));
    expect(accountStacks.sort()).toEqual(
      [
        `ecg-account-${ACCOUNTS.dev.id}-ap-northeast-2`,
        `ecg-account-${ACCOUNTS.staging.id}-ap-northeast-2`,
        `ecg-account-${ACCOUNTS.prod.id}-ap-northeast-1`,
        `ecg-account-${ACCOUNTS.prod.id}-ap-northeast-2`,
      ].sort(),
    );
    for (const name of accountStacks) {
      const id = name.split("-")[2];
      const account = Object.values(ACCOUNTS).find((a) => a.id === id)!;
      expect(awsProviders(multi.stacks[name]).map((p) => [p.allowed_account_ids, p.dynamic?.assume_role])).toEqual([
        [[id], ASSUMED(name, account.externalId)],
      ]);
      expect(multi.stacks[name].variable?.account_role_arn?.default).toBe(account.roleArn);
    }
  });

  it("[ACC-2] every environment stack's S3 backend assumes its environment's role in the state account (Terraform >= 1.6 assume_role), its own key as before", () => {
    for (const [name, stack] of Object.entries(multi.stacks)) {
      const env = environmentOf(name);
      if (!env) continue;
      expect({ name, backend: stack.terraform?.backend?.s3 }).toEqual({
        name,
        backend: expect.objectContaining({
          key: `${name}/terraform.tfstate`,
          use_lockfile: true,
          assume_role: { role_arn: STATE_ROLE(env), session_name: name },
        }),
      });
      // The deprecated top-level role_arn is not written.
      expect(stack.terraform?.backend?.s3?.role_arn).toBeUndefined();
    }
  });

  it("the single-account layout assumes no role: the caller's credentials, as before (providers and backends)", () => {
    const assuming = Object.entries(single.stacks).flatMap(([name, stack]) =>
      awsProviders(stack)
        .filter((p) => p.assume_role || p.dynamic)
        .map(() => name),
    );
    expect(assuming).toEqual([]);
    expect(Object.entries(single.stacks).filter(([, stack]) => stack.terraform?.backend?.s3?.assume_role)).toEqual([]);
  });
});

/**
 * [ACC-4] The delivery pipeline in the tooling account releases into each environment's
 * account through the release role that environment's stack creates there, trusted by
 * the pipeline's roles only; its artifacts admit exactly those roles, and each
 * environment's repositories admit only its stage's promotion role to push.
 */
describe("[ACC-4] cross-account delivery", () => {
  const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
  const TOOLING = DELIVERY_ACCOUNT.id;
  const release = (env: string) => `arn:aws:iam::${ACCOUNTS[env].id}:role/ecg-${env}-release`;
  const tooling = (name: string) => `arn:aws:iam::${TOOLING}:role/${name}`;
  const delivery = multi.stacks["ecg-delivery"];
  const pipelineStages = (stack: SynthesizedStack): any[] => resourcesOf(stack, "aws_codepipeline")[0][1].stage;
  const stageOf = (stack: SynthesizedStack, env: string) =>
    pipelineStages(stack).find((s) => s.name === env.charAt(0).toUpperCase() + env.slice(1));
  const projectNamed = (stack: SynthesizedStack, name: string) =>
    resourcesOf(stack, "aws_codebuild_project").find(([, p]) => p.name === name)![1];
  const policyOf = (stack: SynthesizedStack, type: string) => resourcesOf(stack, type).map(([, r]) => statementsOf(stack, r.policy));
  const admitted = (statement: any) => ({
    roots: statement.principals[0].identifiers.map(inAwsPartition),
    roles: statement.condition.find((c: any) => c.variable === "aws:PrincipalArn").values.map(inAwsPartition),
  });

  it("the delivery stack runs in the tooling account: its provider assumes the account's role there and pins it", () => {
    expect(awsProviders(delivery).map((p) => [p.allowed_account_ids, p.dynamic?.assume_role])).toEqual([
      [[TOOLING], ASSUMED("ecg-delivery")],
    ]);
    expect(delivery.variable?.account_role_arn?.default).toBe(DELIVERY_ACCOUNT.roleArn);
  });

  it("each stage deploys as its environment's release role, and renders the task definition through it", () => {
    for (const env of ENVIRONMENTS) {
      const actions = stageOf(delivery, env).action;
      const deploy = actions.find((a: any) => a.provider === "CodeDeployToECS");
      expect(inAwsPartition(deploy.role_arn)).toBe(release(env));
      const render = projectNamed(delivery, `ecg-release-render-${env}`);
      const variables = Object.fromEntries(render.environment.environment_variable.map((v: any) => [v.name, v.value]));
      expect(inAwsPartition(variables.RELEASE_ROLE_ARN)).toBe(release(env));
      expect(JSON.parse(render.source.buildspec).phases.build.commands[0]).toMatch(
        /^creds="\$\(aws sts assume-role --role-arn "\$RELEASE_ROLE_ARN"/,
      );
    }
    // The pipeline's own role deploys nothing itself: no deployment group of its account, no task role to pass.
    const [pipelineRole] = resourcesOf(delivery, "aws_iam_role_policy").filter(([, p]) => p.name === "ecg-release-pipeline");
    const statements = statementsOf(delivery, pipelineRole[1].policy);
    expect(statements.flatMap((st: any) => st.actions)).not.toEqual(expect.arrayContaining(["codedeploy:CreateDeployment"]));
    expect(statements.flatMap((st: any) => st.actions)).not.toContain("iam:PassRole");
    expect(statements.find((st: any) => st.sid === "ActAsTheReleaseRoles").resources.map(inAwsPartition)).toEqual(
      ENVIRONMENTS.map(release),
    );
  });

  it("a release role is assumable by the pipeline's role and its own stage's render and record roles only", () => {
    const releaseRoles = ENVIRONMENTS.map(release);
    const assumable = (principal: string) => assumableRoles(multi.stacks, { principal }).filter((arn) => releaseRoles.includes(arn));
    expect(assumable(tooling("ecg-release-pipeline")).sort()).toEqual(releaseRoles);
    for (const env of ENVIRONMENTS) {
      expect(assumable(tooling(`ecg-release-render-${env}`))).toEqual([release(env)]);
      expect(assumable(tooling(`ecg-release-record-${env}`))).toEqual([release(env)]);
      // The promotion pushes with its own role: it has no business in the environment's account.
      expect(assumable(tooling(`ecg-release-promote-${env}`))).toEqual([]);
    }
    // The build role, any other role of the tooling account, and a same-named role elsewhere: none.
    expect(assumable(tooling("ecg-release-build"))).toEqual([]);
    expect(assumable(tooling("ecg-delivery-terraform"))).toEqual([]);
    expect(assumable("arn:aws:iam::555555555555:role/ecg-release-pipeline")).toEqual([]);
    expect(assumable(`arn:aws:iam::${ACCOUNTS.dev.id}:role/ecg-release-pipeline`)).toEqual([]);
  });

  it("a release role may deploy its own environment's group, pass its tasks' roles and read the pipeline's artifacts, nothing else", () => {
    const stack = multi.stacks["ecg-staging"];
    const role = resourcesOf(stack, "aws_iam_role").find(([, r]) => r.name === "ecg-staging-release")!;
    const [, policy] = resourcesOf(stack, "aws_iam_role_policy").find(([, p]) => p.role === `\${aws_iam_role.${role[0]}.id}`)!;
    const statements = Object.fromEntries(statementsOf(stack, policy.policy).map((st: any) => [st.sid, st.resources.map(inAwsPartition)]));
    expect(statements.DeployToTheseGroups).toEqual([
      expect.stringMatching(
        /^arn:aws:codedeploy:\$\{data\.aws_region\.[\w-]+\.name\}:\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}:deploymentgroup:ecg-staging-api\/ecg-staging-api$/,
      ),
    ]);
    expect(statements.PassTheTaskRolesToEcs.map((arn: string) => arn.replace(/^.*:role\//, ""))).toEqual([
      "ecg-staging-backend-api-execution",
      "ecg-staging-backend-api-task",
    ]);
    expect(statements.ReadArtifacts).toEqual([`arn:aws:s3:::ecg-delivery-artifacts-${TOOLING}/*`]);
    expect(statements.DecryptArtifacts).toEqual([expect.stringMatching(new RegExp(`^arn:aws:kms:.+:${TOOLING}:key/\\*$`))]);
    // With access, it carries the account's permissions boundary like every role the program makes there.
    expect(role[1].permissions_boundary).toBe(`arn:aws:iam::${ACCOUNTS.staging.id}:policy/ecg-access/ecg-permissions-boundary`);
  });

  it("the pipeline's artifact bucket and key admit exactly the three release roles (through their accounts' roots)", () => {
    const expected = {
      roots: ENVIRONMENTS.map((env) => `arn:aws:iam::${ACCOUNTS[env].id}:root`),
      roles: ENVIRONMENTS.map(release),
    };
    const bucket = policyOf(delivery, "aws_s3_bucket_policy")
      .flat()
      .filter((st: any) => st.sid?.startsWith("ReleaseRoles"));
    expect(bucket.map((st: any) => [st.sid, st.actions, admitted(st)])).toEqual([
      ["ReleaseRolesReadArtifacts", ["s3:GetObject", "s3:GetObjectVersion"], expected],
      ["ReleaseRolesListArtifacts", ["s3:ListBucket", "s3:GetBucketLocation"], expected],
    ]);
    const key = policyOf(delivery, "aws_kms_key")
      .flat()
      .filter((st: any) => st.sid === "NamedRolesDecrypt");
    expect(key.map((st: any) => [st.actions, admitted(st)])).toEqual([[["kms:Decrypt", "kms:DescribeKey"], expected]]);
  });

  it("each environment's repositories admit only its stage's promotion role to push; the build role pushes only to the pipeline's own", () => {
    for (const env of ENVIRONMENTS) {
      const stack = multi.stacks[`ecg-${env}`];
      const policies = resourcesOf(stack, "aws_ecr_repository_policy");
      expect(policies).toHaveLength(3);
      for (const [, policy] of policies) {
        const [deny, allow] = statementsOf(stack, policy.policy);
        expect([deny.effect, deny.condition[0].values.map(inAwsPartition)]).toEqual(["Deny", [tooling(`ecg-release-promote-${env}`)]]);
        expect(admitted(allow)).toEqual({ roots: [`arn:aws:iam::${TOOLING}:root`], roles: [tooling(`ecg-release-promote-${env}`)] });
      }
      // The promotion role may push exactly there, in that account.
      const [promote] = resourcesOf(delivery, "aws_iam_role_policy").filter(([, p]) => p.name === `ecg-release-promote-${env}`);
      const push = statementsOf(delivery, promote[1].policy).find((st: any) => st.actions.includes("ecr:PutImage"));
      expect(
        push.resources.map((arn: string) => inAwsPartition(arn).replace(/:\$\{data\.aws_region\.[\w-]+\.name\}:/, ":<region>:")),
      ).toEqual(
        ["ecg-backend-api", "ecg-ml-audio", "ecg-gpu-render"].map(
          (image) => `arn:aws:ecr:<region>:${ACCOUNTS[env].id}:repository/ecg-${env}/${image}`,
        ),
      );
    }
    const [build] = resourcesOf(delivery, "aws_iam_role_policy").filter(([, p]) => p.name === "ecg-release-build");
    const push = statementsOf(delivery, build[1].policy).find((st: any) => st.actions.includes("ecr:PutImage"));
    expect(push.resources).toEqual([
      expect.stringMatching(/^\$\{aws_ecr_repository\.pipeline_build-registry_ecg-backend-api_\w+\.arn\}$/),
      expect.stringMatching(/^\$\{aws_ecr_repository\.pipeline_build-registry_ecg-ml-audio_\w+\.arn\}$/),
      expect.stringMatching(/^\$\{aws_ecr_repository\.pipeline_build-registry_ecg-gpu-render_\w+\.arn\}$/),
    ]);
  });

  it("the single-account layout releases in its own account: no release roles, repositories pushed by the promotion role alone, deploy actions as the pipeline's role", () => {
    for (const [name, stack] of Object.entries(single.stacks)) {
      expect({ name, roles: resourcesOf(stack, "aws_iam_role").filter(([, r]) => r.name.endsWith("-release")) }).toEqual({
        name,
        roles: [],
      });
      for (const [, policy] of resourcesOf(stack, "aws_ecr_repository_policy")) {
        // Only the Deny of everyone else: the promotion role is of the same account, its own policy suffices.
        expect(statementsOf(stack, policy.policy).map((st: any) => st.effect)).toEqual(["Deny"]);
      }
    }
    const deploys = pipelineStages(single.stacks["ecg-delivery"]).flatMap((s) =>
      s.action.filter((a: any) => a.provider === "CodeDeployToECS"),
    );
    expect(deploys).toHaveLength(3);
    expect(deploys.map((a: any) => a.role_arn)).toEqual([undefined, undefined, undefined]);
  });
});
