import { accountIds } from "../../environments/organization";
import { stackSteps, stackTargets } from "../../scripts/stack";
import { workflowStacks } from "../../scripts/stacks";
import { resourcesOf } from "../helpers";
import { QA_ACCOUNT, SINGAPORE, withQa } from "./fourth-environment";
import { synthProgram } from "./synth";

/**
 * Adding an environment, in another region too, is a change to
 * `environments/` only (#19): a fourth environment in Singapore
 * (./fourth-environment.ts) reaches the synthesis, the stack commands, the
 * policy pack, the workflows' stack list and the delivery pipeline, whose
 * release stage for it deploys across regions, with no other file touched.
 * The lane validates that stage's pipeline with Terraform.
 */
const built = synthProgram(undefined, withQa);

describe("a fourth environment, as data only", () => {
  it("[#19] [ENV-1] is synthesized like the others: its platform, access and account stacks, in its own account", () => {
    expect(Object.keys(built.stacks)).toEqual(
      expect.arrayContaining(["ecg-qa", "ecg-access-qa", `ecg-account-${QA_ACCOUNT}-${SINGAPORE}`]),
    );
    const providers = built.stacks["ecg-qa"].provider!.aws as Record<string, any>[];
    expect(providers.find((p) => !p.alias)).toMatchObject({ region: SINGAPORE, allowed_account_ids: [QA_ACCOUNT] });
    expect(
      resourcesOf(built.stacks["ecg-qa"], "aws_subnet")
        .map(([, subnet]) => subnet.availability_zone)
        .filter((zone) => zone.startsWith(SINGAPORE)),
    ).toHaveLength(6);
    // The same platform as staging, whose data it started from.
    const types = (name: string) => Object.keys(built.stacks[name].resource).sort();
    expect(types("ecg-qa")).toEqual(types("ecg-staging"));
  });

  it("[#19] passes the policy pack, which reports on its stacks and the pipeline's", () => {
    for (const stack of ["ecg-qa", "ecg-access-qa", "ecg-delivery"]) {
      expect(built.policy[stack].stack).toBe(stack);
      expect(built.policy[stack].findings.filter((f) => f.severity === "error")).toEqual([]);
    }
  });

  it("[#19] [PLT-7] gets npm run diff|plan|deploy -- qa (and access-qa) without a new script", () => {
    const targets = stackTargets(withQa);
    expect(targets).toMatchObject({ qa: "ecg-qa", "access-qa": "ecg-access-qa" });
    expect(stackSteps("diff", "qa", [], targets)).toEqual([{ command: "node_modules/.bin/cdktf", args: ["diff", "ecg-qa"] }]);
    expect(stackSteps("plan", "qa", [], targets).at(-2)!.cwd).toBe("cdktf.out/stacks/ecg-qa");
  });

  it("[#19] [PLT-6] is in the workflows' stack list: planned with its own plan role, deployed after prod in its GitHub environment, before the pipeline", () => {
    const list = workflowStacks(withQa.environments, withQa);
    expect(list.map((s) => s.stack)).toEqual([
      "ecg-dev",
      "ecg-staging",
      "ecg-prod",
      "ecg-prod-standby",
      "ecg-prod-global",
      "ecg-qa",
      "ecg-delivery",
    ]);
    expect(list.find((s) => s.stack === "ecg-qa")).toEqual({
      stack: "ecg-qa",
      environment: "qa",
      plan_environment: "qa-plan",
      region: SINGAPORE,
      role_variable: "AWS_PLAN_ROLE_ARN_QA",
      state_role_variable: "AWS_STATE_PLAN_ROLE_ARN_QA",
      deploy_role_variable: "AWS_DEPLOY_ROLE_ARN",
      deploy_session_seconds: 14400,
    });
    // The pipeline releases to it too, after prod: the last environment's reviewers gate the pipeline's stack.
    expect(list.at(-1)).toMatchObject({ stack: "ecg-delivery", environment: "qa" });
  });

  it("[#19] [CI-3] gets a release stage that deploys across regions: an artifact store in its region, the deploy action there, the steps calling it", () => {
    const delivery = built.stacks["ecg-delivery"];
    const alias = `aws.${SINGAPORE.replace(/-/g, "_")}`;
    const providers = delivery.provider!.aws as Record<string, any>[];
    expect(providers.find((p) => p.region === SINGAPORE)).toMatchObject({ allowed_account_ids: [accountIds.tooling] });
    // The store's bucket, key and log bucket are the pipeline account's, in that region.
    const inSingapore = (type: string) => resourcesOf(delivery, type).filter(([, r]) => r.provider === alias);
    expect(inSingapore("aws_s3_bucket").map(([, b]) => b.bucket)).toEqual([
      expect.stringMatching(new RegExp(`^ecg-delivery-logs-\\$\\{.+\\}-${SINGAPORE}$`)),
      expect.stringMatching(new RegExp(`^ecg-delivery-artifacts-\\$\\{.+\\}-${SINGAPORE}$`)),
    ]);
    expect(inSingapore("aws_kms_key")).toHaveLength(1);
    const [[, pipeline]] = resourcesOf(delivery, "aws_codepipeline");
    // Every store names its region once there are two (the provider refuses a mix).
    expect(pipeline.artifact_store).toHaveLength(2);
    expect(pipeline.artifact_store.every((store: any) => typeof store.region === "string")).toBe(true);
    expect(pipeline.artifact_store[1]).toMatchObject({ region: SINGAPORE, type: "S3" });

    const stage = (name: string) => pipeline.stage.find((s: any) => s.name === name);
    const deploy = (name: string) => stage(name).action.find((a: any) => a.name === "Deploy");
    expect(deploy("Qa")).toMatchObject({
      region: SINGAPORE,
      role_arn: expect.stringMatching(new RegExp(`:iam::${QA_ACCOUNT}:role/ecg-qa-release$`)),
    });
    for (const name of ["Dev", "Staging", "Prod"]) expect(deploy(name).region).toBeUndefined();

    const projects = Object.fromEntries(resourcesOf(delivery, "aws_codebuild_project").map(([, p]) => [p.name, p]));
    const promote = JSON.parse(projects["ecg-release-promote-qa"].source.buildspec);
    expect(promote.phases.pre_build.commands).toContainEqual(expect.stringContaining(`get-login-password --region '${SINGAPORE}'`));
    for (const command of promote.phases.build.commands.filter((c: string) => c.includes("describe-images")))
      expect(command).toContain(`aws ecr describe-images --region '${SINGAPORE}' --registry-id`);
    const render = JSON.parse(projects["ecg-release-render-qa"].source.buildspec);
    expect(render.phases.build.commands).toContainEqual(expect.stringContaining(`describe-task-definition --region '${SINGAPORE}'`));
    const imageUrl = projects["ecg-release-render-qa"].environment.environment_variable.find((v: any) => v.name === "IMAGE_REPOSITORY_URL");
    expect(imageUrl.value).toBe(`${QA_ACCOUNT}.dkr.ecr.${SINGAPORE}.amazonaws.com/ecg-qa/ecg-backend-api`);
  });

  it("[#19] [CI-3] is released through its release role, which reads the pipeline's store of its region, whose bucket and key alone admit it", () => {
    const documents = (stack: string) => built.stacks[stack].data!.aws_iam_policy_document as Record<string, { statement: any[] }>;
    const document = (stack: string, prefix: string) => {
      const found = Object.entries(documents(stack)).filter(([id]) => id.startsWith(prefix));
      expect(found).toHaveLength(1);
      return found[0][1].statement;
    };
    const sids = Object.fromEntries(document("ecg-qa", "release-role_policy-document").map((s) => [s.sid, s.resources]));
    const store = `ecg-delivery-artifacts-${accountIds.tooling}-${SINGAPORE}`;
    expect(sids.ReadArtifacts).toEqual([expect.stringMatching(new RegExp(`:s3:::${store}/\\*$`))]);
    expect(sids.ListArtifacts).toEqual([expect.stringMatching(new RegExp(`:s3:::${store}$`))]);
    // The stack's region is Singapore: the key and the deployment group are read there.
    expect(sids.DecryptArtifacts).toEqual([
      expect.stringMatching(new RegExp(`:kms:\\$\\{data\\.aws_region\\..+\\}:${accountIds.tooling}:key/\\*$`)),
    ]);

    const admits = (prefix: string) => JSON.stringify(document("ecg-delivery", prefix)).includes(`:iam::${QA_ACCOUNT}:role/ecg-qa-release`);
    expect(admits(`pipeline_artifacts-${SINGAPORE}_policy-document`)).toBe(true);
    expect(admits(`pipeline_key-${SINGAPORE}_policy`)).toBe(true);
    // The pipeline's own store is read by the deploy actions of its region only.
    expect(admits("pipeline_artifacts_policy-document")).toBe(false);
    expect(admits("pipeline_key_policy")).toBe(false);
    // CodePipeline copies the stage's input into the regional store as the pipeline's role.
    const pipelineRole = Object.fromEntries(document("ecg-delivery", "pipeline_pipeline-policy").map((s) => [s.sid, s.resources]));
    expect(pipelineRole.ReadWriteArtifacts).toHaveLength(2);
    expect(pipelineRole.UseThePipelineKey).toHaveLength(2);
  });
});
