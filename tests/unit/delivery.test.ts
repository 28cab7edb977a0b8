import { join } from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { parse } from "yaml";
import {
  ALL_AT_ONCE_CONFIG,
  appSpec,
  BlueGreenDeployment,
  type BlueGreenDeploymentProps,
  buildSpec,
  DeliveryPipeline,
  type DeliveryPipelineProps,
  type DeliveryStage,
  renderSpec,
  trafficPlan,
} from "../../modules/delivery";
import { CRANE, promoteSpec, recordSpec } from "../../modules/delivery/buildspecs";
import { runBuildspecCommands } from "../buildspec-runner";
import { ALL_RULES, evaluate, suppress } from "../../modules/policy";
import { SecureBucket } from "../../modules/secure-bucket";
import { errorOf, only, referencedId, resourcesOf, type SynthesizedStack, statementsOf, synthJson, TEST_ACCOUNT } from "../helpers";

const HOOK_CODE = join(__dirname, "..", "..", "lambda", "canary-shift");
const LOGS_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/logs";
const listener = (env: string, kind: string) =>
  `arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:listener/app/ecg-${env}-api/abc/${kind}`;
/** An environment's repository of an image (the promotion's target). */
const REPO = (image: string, env = "dev") => `123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/ecg-${env}/${image}`;
const REPO_ARN = (image: string, env = "dev") => `arn:aws:ecr:ap-northeast-2:123456789012:repository/ecg-${env}/${image}`;
/** A reference to the pipeline's build repository of an image (its URL or ARN). */
const BUILD_REPO = (image: string, attribute: "repository_url" | "arn") =>
  expect.stringMatching(new RegExp(`^\\$\\{aws_ecr_repository\\.pipeline_build-registry_${image}_\\w+\\.${attribute}\\}$`));
const TASK_ROLES = ["arn:aws:iam::123456789012:role/ecg-prod-api-task", "arn:aws:iam::123456789012:role/ecg-prod-api-execution"];

const deploymentProps = (env: string, overrides: Partial<BlueGreenDeploymentProps> = {}): BlueGreenDeploymentProps => ({
  name: `ecg-${env}-api`,
  account: TEST_ACCOUNT,
  clusterName: `ecg-${env}`,
  serviceName: `ecg-${env}-api`,
  productionListenerArn: listener(env, "prod"),
  testListenerArn: listener(env, "test"),
  targetGroupNames: [`ecg-${env}-api-blue`, `ecg-${env}-api-green`],
  ...overrides,
});

const PROD_SHIFT = { steps: [10, 50, 100], bakeMinutes: 10 } as const;
const prodProps = (overrides: Partial<BlueGreenDeploymentProps> = {}) =>
  deploymentProps("prod", {
    alarmNames: ["ecg-prod-api-5xx", "ecg-prod-api-latency"],
    trafficShift: PROD_SHIFT,
    hook: { codePath: HOOK_CODE, logsKmsKeyArn: LOGS_KEY },
    ...overrides,
  });

const stageOf = (name: string, d: BlueGreenDeployment, extra: Partial<DeliveryStage> = {}): DeliveryStage => ({
  name,
  images: ["backend-api", "gpu-render"].map((image) => ({
    name: image,
    repositoryUrl: REPO(image, name.toLowerCase()),
    repositoryArn: REPO_ARN(image, name.toLowerCase()),
  })),
  releaseDigests: { path: `/ecg-${name.toLowerCase()}/release`, regions: ["ap-northeast-2"] },
  deployment: {
    applicationName: d.applicationName,
    deploymentGroupName: d.deploymentGroupName,
    taskDefinitionFamily: `${d.node.id}-api`,
    containerName: "backend-api",
    containerPort: 8000,
    image: "backend-api",
    hooks: d.hooks,
  },
  ...extra,
});

const VALIDATIONS = [
  { name: "load-test", commands: ["make load-test TARGET=https://staging.example.com"] },
  { name: "performance-validation", commands: ["make perf-check MAX_P95_MS=2000"] },
];

const pipelineProps = (
  stages: readonly DeliveryStage[],
  logs: SecureBucket,
  overrides: Partial<DeliveryPipelineProps> = {},
): DeliveryPipelineProps => ({
  name: "ecg-delivery",
  account: TEST_ACCOUNT,
  repository: { owner: "ecg-render", name: "ecg-render-app" },
  images: [
    { name: "backend-api", context: "services/backend-api" },
    { name: "gpu-render", context: "services/gpu-render" },
  ],
  stages,
  passRoleArns: TASK_ROLES,
  artifactBucketName: "ecg-delivery-artifacts-123456789012",
  accessLogBucket: logs,
  preventDestroy: true,
  ...overrides,
});

/** The shared delivery stack as the program would build it, plus the three environments' deployments. */
function deliveryStack() {
  const stack = new TerraformStack(Testing.app(), "delivery");
  new AwsProvider(stack, "aws", { region: "ap-northeast-2" });
  const logs = new SecureBucket(stack, "access-logs", {
    bucketName: "ecg-delivery-access-logs",
    preventDestroy: true,
    logDelivery: { accountId: "123456789012", partition: "aws", sourceBucketNames: ["ecg-delivery-artifacts-123456789012"] },
  });
  suppress(logs.bucket, "CKV_AWS_18", "This is the access-log bucket; logging it into itself would log its own log writes.");
  const dev = new BlueGreenDeployment(stack, "dev", deploymentProps("dev"));
  const staging = new BlueGreenDeployment(
    stack,
    "staging",
    deploymentProps("staging", { alarmNames: ["ecg-staging-api-5xx"], trafficShift: { steps: [10, 100], bakeMinutes: 5 } }),
  );
  const prod = new BlueGreenDeployment(stack, "prod", prodProps());
  const pipeline = new DeliveryPipeline(
    stack,
    "pipeline",
    pipelineProps(
      [
        stageOf("Dev", dev),
        stageOf("Staging", staging, { approval: true, validations: VALIDATIONS }),
        stageOf("Prod", prod, { approval: true }),
      ],
      logs,
    ),
  );
  return { stack, dev, staging, prod, pipeline, json: synthJson(Testing.synth(stack)) };
}

const byName = (stack: SynthesizedStack, type: string, key: string, value: string): [string, any] => {
  const found = resourcesOf(stack, type).filter(([, r]) => r[key] === value);
  expect(found).toHaveLength(1);
  return found[0];
};

/** Statements of the inline policy of the role with that name. */
function roleStatements(stack: SynthesizedStack, roleName: string): any[] {
  const [roleId] = byName(stack, "aws_iam_role", "name", roleName);
  const policies = resourcesOf(stack, "aws_iam_role_policy").filter(([, p]) => p.role === `\${aws_iam_role.${roleId}.id}`);
  expect(policies).toHaveLength(1);
  return statementsOf(stack, policies[0][1].policy);
}
const statementWith = (statements: any[], action: string) => {
  const found = statements.filter((s) => s.actions.includes(action));
  expect(found).toHaveLength(1);
  return found[0];
};

describe("delivery module", () => {
  const built = deliveryStack();
  const { json } = built;
  const groupOf = (name: string) => byName(json, "aws_codedeploy_deployment_group", "deployment_group_name", name)[1];
  const [, pipeline] = only(json, "aws_codepipeline");
  const stages: any[] = pipeline.stage;
  const stage = (name: string) => stages.find((s) => s.name === name);
  const project = (name: string) => byName(json, "aws_codebuild_project", "name", name)[1];

  it("passes the project's policy pack as production, with no error findings", () => {
    const report = evaluate(built.stack, { rules: ALL_RULES, production: true, failOnError: false });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    // The pack did look at the delivery resources (not a vacuous pass).
    expect(Object.keys(json.resource)).toEqual(
      expect.arrayContaining([
        "aws_codebuild_project",
        "aws_codepipeline",
        "aws_iam_role_policy",
        "aws_cloudwatch_log_group",
        "aws_kms_key",
      ]),
    );
  });

  describe("BlueGreenDeployment", () => {
    it("[CI-3] an ECS CodeDeploy application and a BLUE_GREEN / WITH_TRAFFIC_CONTROL group for the service, rolling back on failure", () => {
      const [, app] = byName(json, "aws_codedeploy_app", "name", "ecg-dev-api");
      expect(app.compute_platform).toBe("ECS");
      const group = groupOf("ecg-dev-api");
      expect(group.app_name).toMatch(/^\$\{aws_codedeploy_app\..+\.name\}$/);
      expect(group.deployment_style).toEqual({ deployment_type: "BLUE_GREEN", deployment_option: "WITH_TRAFFIC_CONTROL" });
      expect(group.ecs_service).toEqual({ cluster_name: "ecg-dev", service_name: "ecg-dev-api" });
      expect(group.load_balancer_info).toEqual({
        target_group_pair_info: {
          prod_traffic_route: { listener_arns: [listener("dev", "prod")] },
          test_traffic_route: { listener_arns: [listener("dev", "test")] },
          target_group: [{ name: "ecg-dev-api-blue" }, { name: "ecg-dev-api-green" }],
        },
      });
      expect(group.auto_rollback_configuration).toEqual({ enabled: true, events: ["DEPLOYMENT_FAILURE"] });
    });

    it("[CI-3] defaults: all at once, continue when green is ready, blue terminated 5 minutes after success, no alarms", () => {
      const group = groupOf("ecg-dev-api");
      expect(group.deployment_config_name).toBe(ALL_AT_ONCE_CONFIG);
      expect(ALL_AT_ONCE_CONFIG).toBe("CodeDeployDefault.ECSAllAtOnce");
      expect(group.blue_green_deployment_config).toEqual({
        deployment_ready_option: { action_on_timeout: "CONTINUE_DEPLOYMENT" },
        terminate_blue_instances_on_deployment_success: { action: "TERMINATE", termination_wait_time_in_minutes: 5 },
      });
      expect(group.alarm_configuration).toBeUndefined();
      expect(built.dev.deploymentConfigName).toBe(ALL_AT_ONCE_CONFIG);
      expect(built.dev.deploymentConfig).toBeUndefined();
      expect(built.dev.hooks).toEqual({});
    });

    it("[CI-5] the group watches the given alarms and rolls back when one fires", () => {
      const group = groupOf("ecg-prod-api");
      expect(group.alarm_configuration).toEqual({ enabled: true, alarms: ["ecg-prod-api-5xx", "ecg-prod-api-latency"] });
      expect(group.auto_rollback_configuration).toEqual({ enabled: true, events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] });
    });

    it('[CI-3] [CodeDeploy User Guide, "Cross-service confused deputy prevention": aws:SourceArn is the deployment group] has its own role, trusted by CodeDeploy only, for this application\'s deployment groups of this account, with the AWS managed ECS blue/green policy', () => {
      const group = groupOf("ecg-dev-api");
      const roleId = referencedId(group.service_role_arn);
      const role = json.resource.aws_iam_role[roleId];
      const { accountId, region, partition } = TEST_ACCOUNT;
      expect(statementsOf(json, role.assume_role_policy)).toEqual([
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["codedeploy.amazonaws.com"] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
            {
              test: "ArnLike",
              variable: "aws:SourceArn",
              values: [`arn:${partition}:codedeploy:${region}:${accountId}:deploymentgroup:ecg-dev-api/*`],
            },
          ],
        },
      ]);
      const attachments = resourcesOf(json, "aws_iam_role_policy_attachment").filter(
        ([, a]) => a.role === `\${aws_iam_role.${roleId}.name}`,
      );
      expect(attachments.map(([, a]) => a.policy_arn)).toEqual(["arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS"]);
    });

    it("[CI-5] traffic shift [100] and all-at-once map to CodeDeployDefault.ECSAllAtOnce", () => {
      expect(trafficPlan("all-at-once")).toEqual({ kind: "all-at-once" });
      expect(trafficPlan({ steps: [100], bakeMinutes: 5 })).toEqual({ kind: "all-at-once" });
      const stack = synthJson(
        Testing.synthScope(
          (scope) => new BlueGreenDeployment(scope, "d", deploymentProps("dev", { trafficShift: { steps: [100], bakeMinutes: 5 } })),
        ),
      );
      expect(only(stack, "aws_codedeploy_deployment_group")[1].deployment_config_name).toBe("CodeDeployDefault.ECSAllAtOnce");
      expect(resourcesOf(stack, "aws_codedeploy_deployment_config")).toEqual([]);
    });

    it("[CI-5] traffic shift [10, 100] maps to a custom ECS TimeBasedCanary 10% / bake config", () => {
      expect(trafficPlan({ steps: [10, 100], bakeMinutes: 5 })).toEqual({ kind: "canary", percent: 10, bakeMinutes: 5 });
      const [configId, config] = byName(
        json,
        "aws_codedeploy_deployment_config",
        "deployment_config_name",
        "ecg-staging-api-canary-10pct-5min",
      );
      expect(config.compute_platform).toBe("ECS");
      expect(config.traffic_routing_config).toEqual({ type: "TimeBasedCanary", time_based_canary: { percentage: 10, interval: 5 } });
      expect(groupOf("ecg-staging-api").deployment_config_name).toBe(
        `\${aws_codedeploy_deployment_config.${configId}.deployment_config_name}`,
      );
      expect(resourcesOf(json, "aws_lambda_function").filter(([, f]) => /staging/.test(f.function_name))).toEqual([]);
    });

    it("[CI-5] traffic shift [10, 50, 100]: 10% in the BeforeAllowTraffic hook, then CodeDeploy's TimeBasedCanary 50% / bake", () => {
      expect(trafficPlan(PROD_SHIFT)).toEqual({ kind: "hooked-canary", hookPercent: 10, percent: 50, bakeMinutes: 10 });
      const [configId, config] = byName(
        json,
        "aws_codedeploy_deployment_config",
        "deployment_config_name",
        "ecg-prod-api-canary-50pct-10min",
      );
      expect(config.traffic_routing_config).toEqual({ type: "TimeBasedCanary", time_based_canary: { percentage: 50, interval: 10 } });
      expect(groupOf("ecg-prod-api").deployment_config_name).toBe(
        `\${aws_codedeploy_deployment_config.${configId}.deployment_config_name}`,
      );

      const [, fn] = byName(json, "aws_lambda_function", "function_name", "CodeDeployHook_ecg-prod-api");
      expect(fn).toMatchObject({ runtime: "nodejs22.x", handler: "index.handler", timeout: 10 * 60 + 180 });
      expect(fn.timeout).toBeLessThanOrEqual(900);
      expect(fn.environment.variables).toEqual({
        PROD_LISTENER_ARN: listener("prod", "prod"),
        CANARY_PERCENT: "10",
        BAKE_MINUTES: "10",
        ALARM_NAMES: JSON.stringify(["ecg-prod-api-5xx", "ecg-prod-api-latency"]),
        POLL_SECONDS: "10",
        DEPLOYMENT_GROUP_NAME: "ecg-prod-api",
      });
      // The AppSpec names it; AWSCodeDeployRoleForECS lets CodeDeploy invoke CodeDeployHook_* only.
      expect(built.prod.hooks).toEqual({ BeforeAllowTraffic: "CodeDeployHook_ecg-prod-api" });
      const [, invoke] = only(json, "aws_lambda_function_event_invoke_config");
      expect(invoke.maximum_retry_attempts).toBe(0);
    });

    it("[CI-5] the hook may weight the production listener only, and read and report only its own group's deployments", () => {
      const statements = roleStatements(json, "ecg-prod-api-canary-hook");
      const [groupId] = byName(json, "aws_codedeploy_deployment_group", "deployment_group_name", "ecg-prod-api");
      expect(statementWith(statements, "elasticloadbalancing:ModifyListener").resources).toEqual([listener("prod", "prod")]);
      expect(statementWith(statements, "codedeploy:PutLifecycleEventHookExecutionStatus").resources).toEqual([
        `\${aws_codedeploy_deployment_group.${groupId}.arn}`,
      ]);
      expect(statementWith(statements, "cloudwatch:DescribeAlarms").resources).toEqual([
        "arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:ecg-prod-api-5xx",
        "arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:ecg-prod-api-latency",
      ]);
      expect(statements.flatMap((s) => s.actions)).not.toContain("*");
      const [, logGroup] = byName(json, "aws_cloudwatch_log_group", "name", "/aws/lambda/CodeDeployHook_ecg-prod-api");
      expect(logGroup.kms_key_id).toBe(LOGS_KEY);
    });

    const refusal = (overrides: Partial<BlueGreenDeploymentProps>) =>
      errorOf(() => Testing.synthScope((scope) => new BlueGreenDeployment(scope, "bg", { ...prodProps(), ...overrides })));

    it.each<[string, Partial<BlueGreenDeploymentProps>, RegExp]>([
      ["a name too long for the hook function", { name: "ecg-production-backend-api-with-a-very-long-name" }, /name: ".*" must be 1-40/],
      ["a missing cluster", { clusterName: "" }, /clusterName: must be given/],
      [
        "one listener for production and test",
        { testListenerArn: listener("prod", "prod") },
        /testListenerArn: must differ from productionListenerArn/,
      ],
      ["the same target group twice", { targetGroupNames: ["tg-a", "tg-a"] }, /targetGroupNames: \[tg-a, tg-a\] must be two distinct/],
      [
        "a target group ARN instead of a name",
        { targetGroupNames: ["arn:aws:elasticloadbalancing:x", "tg-b"] },
        /targetGroupNames: "arn:.*" is not a target group name/,
      ],
      [
        "11 alarms",
        { alarmNames: Array.from({ length: 11 }, (_, i) => `alarm-${i}`) },
        /alarmNames: 11 alarms; CodeDeploy watches at most 10/,
      ],
      ["a canary without alarms", { alarmNames: [] }, /alarmNames: a canary shift needs at least one alarm/],
      ["a negative blue wait", { terminateBlueAfterMinutes: -1 }, /terminateBlueAfterMinutes: -1 must be a whole number from 0 to 2880/],
      [
        "decreasing steps",
        { trafficShift: { steps: [50, 10, 100], bakeMinutes: 5 } },
        /trafficShift\.steps: \[50, 10, 100\] must be strictly increasing/,
      ],
      ["steps not ending at 100", { trafficShift: { steps: [10, 50], bakeMinutes: 5 } }, /trafficShift\.steps: \[10, 50\] must end at 100/],
      [
        "four steps",
        { trafficShift: { steps: [10, 25, 50, 100], bakeMinutes: 5 } },
        /trafficShift\.steps: \[10, 25, 50, 100\] must have 1 to 3 steps/,
      ],
      [
        "a step of 0",
        { trafficShift: { steps: [0, 100], bakeMinutes: 5 } },
        /trafficShift\.steps: \[0, 100\] must be whole percentages from 1 to 100/,
      ],
      [
        "a hook bake beyond Lambda's limit",
        { trafficShift: { steps: [10, 50, 100], bakeMinutes: 13 } },
        /trafficShift\.bakeMinutes: 13 must be a whole number from 1 to 12 \(the hook Lambda's 15-minute limit\)/,
      ],
      [
        "a zero bake",
        { trafficShift: { steps: [10, 100], bakeMinutes: 0 } },
        /trafficShift\.bakeMinutes: 0 must be a whole number from 1 to 2880/,
      ],
      [
        "three steps without the hook",
        { hook: undefined },
        /hook: a three-step trafficShift runs its first step in a BeforeAllowTraffic hook/,
      ],
      [
        "a hook for a two-step shift",
        { trafficShift: { steps: [10, 100], bakeMinutes: 5 } },
        /hook: only a three-step trafficShift uses the hook/,
      ],
      [
        "a hook log retention CloudWatch refuses",
        { hook: { codePath: HOOK_CODE, logsKmsKeyArn: LOGS_KEY, logRetentionDays: 10 } },
        /hook\.logRetentionDays: 10 is not a CloudWatch Logs retention value/,
      ],
    ])("[CI-5] refuses %s, naming the field and the reason", (_what, overrides, message) => {
      const error = refusal(overrides);
      expect(error).toMatch(/^BlueGreenDeployment "bg" is misconfigured:/);
      expect(error).toMatch(message);
    });

    it("[CI-5] a 12-minute hook bake is the longest accepted and fits Lambda's 15 minutes", () => {
      const stack = synthJson(
        Testing.synthScope(
          (scope) => new BlueGreenDeployment(scope, "bg", prodProps({ trafficShift: { steps: [10, 50, 100], bakeMinutes: 12 } })),
        ),
      );
      expect(only(stack, "aws_lambda_function")[1].timeout).toBe(900);
    });
  });

  describe("appSpec", () => {
    it("[CI-3] renders the ECS AppSpec with the task definition placeholder and the load-balanced container", () => {
      const text = appSpec({ containerName: "backend-api", containerPort: 8000 });
      expect(parse(text)).toEqual({
        version: 0,
        Resources: [
          {
            TargetService: {
              Type: "AWS::ECS::Service",
              Properties: { TaskDefinition: "<TASK_DEFINITION>", LoadBalancerInfo: { ContainerName: "backend-api", ContainerPort: 8000 } },
            },
          },
        ],
      });
      expect(text.startsWith("version: 0.0\n")).toBe(true);
    });

    it("[CI-3] repeats the service's capacity providers, so a Spot service's replacement tasks stay on Spot", () => {
      const text = appSpec({
        containerName: "api",
        containerPort: 80,
        capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
      });
      expect(parse(text).Resources[0].TargetService.Properties.CapacityProviderStrategy).toEqual([
        { CapacityProvider: "FARGATE_SPOT", Weight: 1, Base: 0 },
      ]);
      expect(
        parse(appSpec({ containerName: "api", containerPort: 80 })).Resources[0].TargetService.Properties.CapacityProviderStrategy,
      ).toBeUndefined();
    });

    it("[CI-5] lists the lifecycle hooks in CodeDeploy's order", () => {
      const text = appSpec({
        containerName: "api",
        containerPort: 80,
        hooks: { AfterAllowTraffic: "CodeDeployHook_after", BeforeAllowTraffic: "CodeDeployHook_before" },
      });
      expect(parse(text).Hooks).toEqual([{ BeforeAllowTraffic: "CodeDeployHook_before" }, { AfterAllowTraffic: "CodeDeployHook_after" }]);
    });
  });

  describe("DeliveryPipeline", () => {
    it("[CI-1] a V2 pipeline whose stages run Source → Build → Dev → Staging → Prod", () => {
      expect(pipeline.pipeline_type).toBe("V2");
      expect(stages.map((s) => s.name)).toEqual(["Source", "Build", "Dev", "Staging", "Prod"]);
    });

    it("[CI-1] the source is GitHub main through a CodeStar connection, and a push starts the pipeline", () => {
      const [connectionId, connection] = only(json, "aws_codestarconnections_connection");
      expect(connection).toMatchObject({ name: "ecg-delivery-github", provider_type: "GitHub" });
      const [action] = stage("Source").action;
      expect(action).toMatchObject({
        category: "Source",
        owner: "AWS",
        provider: "CodeStarSourceConnection",
        namespace: "SourceVariables",
        output_artifacts: ["source"],
      });
      expect(action.configuration).toEqual({
        ConnectionArn: `\${aws_codestarconnections_connection.${connectionId}.arn}`,
        FullRepositoryId: "ecg-render/ecg-render-app",
        BranchName: "main",
        DetectChanges: "true",
        OutputArtifactFormat: "CODE_ZIP",
      });
    });

    it("[CI-2] the build stage runs the build project with the commit id as the image tag", () => {
      const [action] = stage("Build").action;
      expect(action).toMatchObject({ category: "Build", provider: "CodeBuild", input_artifacts: ["source"] });
      expect(action.configuration.ProjectName).toMatch(/^\$\{aws_codebuild_project\..+\.name\}$/);
      expect(JSON.parse(action.configuration.EnvironmentVariables)).toEqual([
        { name: "IMAGE_TAG", value: "#{SourceVariables.CommitId}", type: "PLAINTEXT" },
      ]);
    });

    it("[CI-2] the build builds every image, runs unit then integration tests, pushes with the commit tag, then gates on the scan", () => {
      const build = project("ecg-delivery-build");
      const commands: string[] = parse(build.source.buildspec).phases.build.commands;
      const at = (pattern: RegExp) => {
        const index = commands.findIndex((c) => pattern.test(c));
        expect(index).toBeGreaterThanOrEqual(0);
        return index;
      };
      const builds = [
        at(
          /^docker build --tag '\$\{aws_ecr_repository\.pipeline_build-registry_backend-api_\w+\.repository_url\}':"\$RELEASE_TAG" --file 'services\/backend-api\/Dockerfile' 'services\/backend-api'$/,
        ),
        at(/^docker build .*build-registry_gpu-render/),
      ];
      const unit = at(/^make test-unit$/);
      const integration = at(/^make test-integration$/);
      const pushes = [
        at(/^docker push .*build-registry_backend-api_\w+\.repository_url\}':"\$RELEASE_TAG"$/),
        at(/^docker push .*build-registry_gpu-render/),
      ];
      const waits = [
        at(/aws ecr wait image-scan-complete .*build-registry_backend-api/),
        at(/aws ecr wait image-scan-complete .*build-registry_gpu-render/),
      ];
      const gates = [
        at(/jq -e --argjson refused '\["CRITICAL","HIGH"\]'.* scan-backend-api\.json/),
        at(/scan-gpu-render\.json > \/dev\/null \|\|/),
      ];
      const digests = [at(/^DIGEST_BACKEND_API="\$\(aws ecr describe-images /), at(/^DIGEST_GPU_RENDER="\$\(aws ecr describe-images /)];
      expect(Math.max(...builds)).toBeLessThan(unit);
      expect(unit).toBeLessThan(integration);
      expect(integration).toBeLessThan(Math.min(...pushes));
      expect(Math.max(...pushes)).toBeLessThan(Math.min(...waits));
      expect(waits[0]).toBeLessThan(gates[0]);
      // The digests are read after every gate passed: only gated images are ever named.
      expect(Math.max(...gates)).toBeLessThan(Math.min(...digests));
      expect(parse(build.source.buildspec).env["exported-variables"]).toEqual(["RELEASE_TAG", "DIGEST_BACKEND_API", "DIGEST_GPU_RENDER"]);
      // Each run tags anew (tags are immutable): the commit id and the build number.
      expect(parse(build.source.buildspec).phases.pre_build.commands[1]).toBe(
        'RELEASE_TAG="$IMAGE_TAG-$CODEBUILD_BUILD_NUMBER"; export RELEASE_TAG',
      );
    });

    it("[CI-2] the scan gate fails the build on a refused severity and passes without one (run with bash, jq and a fake aws CLI)", () => {
      const spec = buildSpec({
        images: [{ name: "x", repositoryUrl: REPO("x"), context: ".", dockerfile: "Dockerfile" }],
        unitTestCommand: "true",
        integrationTestCommand: "true",
        failOnSeverities: ["CRITICAL", "HIGH"],
      });
      const commands: string[] = parse(spec).phases.build.commands;
      const gate = commands.slice(
        commands.findIndex((c) => c.startsWith("aws ecr wait")),
        commands.findIndex((c) => c.startsWith("DIGEST_")),
      );
      expect(gate).toHaveLength(3);
      // The fake CLI answers the scan query with $FINDINGS.
      const run = (findings: string) =>
        runBuildspecCommands(
          gate,
          { aws: 'case "$*" in *describe-image-scan-findings*) echo "$FINDINGS";; esac; true' },
          { FINDINGS: findings, RELEASE_TAG: "abc123-7" },
        );
      expect(run('{"HIGH": 2, "LOW": 7}').status).not.toBe(0);
      expect(run('{"CRITICAL": 1}').status).not.toBe(0);
      expect(run('{"MEDIUM": 3, "LOW": 7}').status).toBe(0);
      const clean = run("null"); // no findings at all
      expect(clean.status).toBe(0);
      expect(clean.calls).toContain(
        "aws ecr wait image-scan-complete --registry-id 123456789012 --repository-name ecg-dev/x --image-id imageTag=abc123-7",
      );
    });

    it("[CI-2] configurable test commands and scan severities", () => {
      const stack = synthJson(
        Testing.synthScope((scope) => {
          const logs = new SecureBucket(scope, "logs", { bucketName: "ecg-logs-x" });
          const dev = new BlueGreenDeployment(scope, "dev", deploymentProps("dev"));
          new DeliveryPipeline(
            scope,
            "p",
            pipelineProps([stageOf("Dev", dev)], logs, {
              unitTestCommand: "pytest tests/unit",
              integrationTestCommand: "pytest tests/integration",
              failOnSeverities: ["CRITICAL"],
            }),
          );
        }),
      );
      const commands: string[] = parse(byName(stack, "aws_codebuild_project", "name", "ecg-delivery-build")[1].source.buildspec).phases
        .build.commands;
      expect(commands).toEqual(expect.arrayContaining(["pytest tests/unit", "pytest tests/integration"]));
      expect(commands.join("\n")).toContain(`'["CRITICAL"]'`);
      expect(commands.join("\n")).not.toContain("HIGH");
    });

    it("[CI-2] the build may push only to the pipeline's build repositories; the registry login token is account-wide", () => {
      const statements = roleStatements(json, "ecg-delivery-build");
      const buildRepositories = [BUILD_REPO("backend-api", "arn"), BUILD_REPO("gpu-render", "arn")];
      expect(statementWith(statements, "ecr:PutImage").resources).toEqual(buildRepositories);
      expect(statementWith(statements, "ecr:DescribeImageScanFindings").resources).toEqual(buildRepositories);
      expect(statementWith(statements, "ecr:GetAuthorizationToken").resources).toEqual(["*"]);
      expect(statements.filter((s) => s.resources.includes("*")).flatMap((s) => s.actions)).toEqual(["ecr:GetAuthorizationToken"]);
    });

    it("[CI-2] only the Docker build project runs privileged", () => {
      const privileged = resourcesOf(json, "aws_codebuild_project")
        .filter(([, p]) => p.environment.privileged_mode === true)
        .map(([, p]) => p.name);
      expect(privileged).toEqual(["ecg-delivery-build"]);
      expect(
        resourcesOf(json, "aws_codebuild_project")
          .map(([, p]) => p.name)
          .sort(),
      ).toEqual(
        [
          "ecg-delivery-build",
          "ecg-delivery-promote-dev",
          "ecg-delivery-promote-prod",
          "ecg-delivery-promote-staging",
          "ecg-delivery-record-dev",
          "ecg-delivery-record-prod",
          "ecg-delivery-record-staging",
          "ecg-delivery-render-dev",
          "ecg-delivery-render-prod",
          "ecg-delivery-render-staging",
          "ecg-delivery-staging-load-test",
          "ecg-delivery-staging-performance-validation",
        ].sort(),
      );
    });

    it("[SEC-4] every project encrypts with the pipeline key and logs to its stream of a KMS-encrypted log group; artifacts are KMS-encrypted", () => {
      const [keyId] = only(json, "aws_kms_key");
      const keyArn = `\${aws_kms_key.${keyId}.arn}`;
      const [logId, logGroup] = byName(json, "aws_cloudwatch_log_group", "name", "/aws/codebuild/ecg-delivery");
      expect(logGroup.kms_key_id).toBe(keyArn);
      for (const [, p] of resourcesOf(json, "aws_codebuild_project")) {
        expect(p.encryption_key).toBe(keyArn);
        expect(p.logs_config.cloudwatch_logs).toEqual({
          status: "ENABLED",
          group_name: `\${aws_cloudwatch_log_group.${logId}.name}`,
          stream_name: p.name.replace("ecg-delivery-", ""),
        });
      }
      expect(pipeline.artifact_store).toEqual([
        { location: expect.stringMatching(/^\$\{aws_s3_bucket\..+\.bucket\}$/), type: "S3", encryption_key: { id: keyArn, type: "KMS" } },
      ]);
    });

    it("[CI-3] Dev renders the task definition, AppSpec and image for the new image, then deploys blue/green through CodeDeploy", () => {
      const actions = stage("Dev").action;
      expect(actions.map((a: any) => [a.name, a.provider, a.run_order])).toEqual([
        ["Promote", "CodeBuild", 1],
        ["Render", "CodeBuild", 2],
        ["Deploy", "CodeDeployToECS", 3],
        ["Record", "CodeBuild", 4],
      ]);
      expect(actions[1].output_artifacts).toEqual(["dev_deploy"]);
      expect(actions[2].input_artifacts).toEqual(["dev_deploy"]);
      // The render names the image by the digest the build gated (the build action's output).
      expect(JSON.parse(actions[1].configuration.EnvironmentVariables)).toContainEqual({
        name: "IMAGE_DIGEST",
        value: "#{BuildVariables.DIGEST_BACKEND_API}",
        type: "PLAINTEXT",
      });
      expect(actions[2].configuration).toEqual({
        ApplicationName: expect.stringMatching(/^\$\{aws_codedeploy_app\.dev_application_.+\.name\}$/),
        DeploymentGroupName: expect.stringMatching(/^\$\{aws_codedeploy_deployment_group\.dev_group_.+\.deployment_group_name\}$/),
        TaskDefinitionTemplateArtifact: "dev_deploy",
        TaskDefinitionTemplatePath: "taskdef.json",
        AppSpecTemplateArtifact: "dev_deploy",
        AppSpecTemplatePath: "appspec.yaml",
        Image1ArtifactName: "dev_deploy",
        Image1ContainerName: "IMAGE1_NAME",
      });
    });

    it("[CI-3] the render step writes taskdef.json (image placeholder), appspec.yaml (appSpec()) and imageDetail.json (the image by digest)", () => {
      const render = project("ecg-delivery-render-dev");
      const spec = parse(render.source.buildspec);
      expect(render.source.buildspec).toBe(renderSpec());
      const commands: string[] = spec.phases.build.commands;
      expect(commands.some((c) => c.startsWith('aws ecs describe-task-definition --task-definition "$TASK_FAMILY"'))).toBe(true);
      expect(commands.some((c) => c.includes('.image = "<IMAGE1_NAME>"') && c.endsWith("> taskdef.json"))).toBe(true);
      expect(commands).toContain(`printf '%s' "$APPSPEC" > appspec.yaml`);
      expect(commands.some((c) => c.includes('"$IMAGE_REPOSITORY_URL@$IMAGE_DIGEST"') && c.endsWith("> imageDetail.json"))).toBe(true);
      expect(spec.artifacts.files).toEqual(["taskdef.json", "appspec.yaml", "imageDetail.json"]);
      const env = Object.fromEntries(render.environment.environment_variable.map((v: any) => [v.name, v.value]));
      expect(env).toEqual({
        TASK_FAMILY: "dev-api",
        CONTAINER_NAME: "backend-api",
        IMAGE_REPOSITORY_URL: REPO("backend-api"),
        APPSPEC: appSpec({ containerName: "backend-api", containerPort: 8000 }),
      });
      // Terraform reads "${" in a buildspec as an interpolation: only its own references may be there, no shell ones.
      for (const [, p] of resourcesOf(json, "aws_codebuild_project"))
        expect(p.source.buildspec.replace(/\$\{(data\.)?aws_[\w.-]+\}/g, "")).not.toContain("${");
    });

    it("[CI-4] Staging: manual approval, render, deploy, then load test and performance validation in order", () => {
      const actions = stage("Staging").action;
      expect(actions.map((a: any) => [a.name, a.category, a.provider, a.run_order])).toEqual([
        ["Approve", "Approval", "Manual", 1],
        ["Promote", "Build", "CodeBuild", 2],
        ["Render", "Build", "CodeBuild", 3],
        ["Deploy", "Deploy", "CodeDeployToECS", 4],
        ["load-test", "Build", "CodeBuild", 5],
        ["performance-validation", "Build", "CodeBuild", 6],
        ["Record", "Build", "CodeBuild", 7],
      ]);
      expect(parse(project("ecg-delivery-staging-load-test").source.buildspec).phases.build.commands).toEqual(VALIDATIONS[0].commands);
      expect(parse(project("ecg-delivery-staging-performance-validation").source.buildspec).phases.build.commands).toEqual(
        VALIDATIONS[1].commands,
      );
    });

    it("[CI-5] Prod: manual approval, render, then the canary deployment group, whose AppSpec names the hook", () => {
      const actions = stage("Prod").action;
      expect(actions.map((a: any) => [a.name, a.provider, a.run_order])).toEqual([
        ["Approve", "Manual", 1],
        ["Promote", "CodeBuild", 2],
        ["Render", "CodeBuild", 3],
        ["Deploy", "CodeDeployToECS", 4],
        ["Record", "CodeBuild", 5],
      ]);
      expect(actions[3].configuration.DeploymentGroupName).toMatch(
        /^\$\{aws_codedeploy_deployment_group\.prod_group_.+\.deployment_group_name\}$/,
      );
      const env = Object.fromEntries(
        project("ecg-delivery-render-prod").environment.environment_variable.map((v: any) => [v.name, v.value]),
      );
      expect(env.APPSPEC).toBe(
        appSpec({ containerName: "backend-api", containerPort: 8000, hooks: { BeforeAllowTraffic: "CodeDeployHook_ecg-prod-api" } }),
      );
      expect(parse(env.APPSPEC).Hooks).toEqual([{ BeforeAllowTraffic: "CodeDeployHook_ecg-prod-api" }]);
    });

    it("[CI-3] the pipeline role: its builds, its deployment groups, task roles passed to ECS tasks only", () => {
      const statements = roleStatements(json, "ecg-delivery-pipeline");
      expect(statementWith(statements, "codebuild:StartBuild").resources).toHaveLength(12);
      expect(statementWith(statements, "codedeploy:CreateDeployment").resources).toHaveLength(3);
      expect(statementWith(statements, "codedeploy:CreateDeployment").resources[0]).toMatch(
        /^arn:aws:codedeploy:ap-northeast-2:123456789012:deploymentgroup:\$\{aws_codedeploy_app\..+\}\/\$\{aws_codedeploy_deployment_group\..+\}$/,
      );
      const pass = statementWith(statements, "iam:PassRole");
      expect(pass.resources).toEqual(TASK_ROLES);
      expect(pass.condition).toEqual([{ test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }]);
      expect(statements.filter((s) => s.resources.includes("*")).flatMap((s) => s.actions)).toEqual(["ecs:RegisterTaskDefinition"]);
      const [connectionId] = only(json, "aws_codestarconnections_connection");
      expect(statementWith(statements, "codestar-connections:UseConnection").resources).toEqual([
        `\${aws_codestarconnections_connection.${connectionId}.arn}`,
      ]);
    });

    it("[CI-2] each CodeBuild project has its own role, trusted by CodeBuild for that project only", () => {
      for (const [, p] of resourcesOf(json, "aws_codebuild_project")) {
        const role = json.resource.aws_iam_role[referencedId(p.service_role)];
        expect(role.name).toBe(p.name);
        const [trust] = statementsOf(json, role.assume_role_policy);
        expect(trust.principals).toEqual([{ type: "Service", identifiers: ["codebuild.amazonaws.com"] }]);
        expect(trust.condition).toContainEqual({
          test: "ArnLike",
          variable: "aws:SourceArn",
          values: [`arn:aws:codebuild:ap-northeast-2:123456789012:project/${p.name}`],
        });
      }
    });

    const refusal = (overrides: Partial<DeliveryPipelineProps>, stagesOf?: (dev: BlueGreenDeployment) => DeliveryStage[]) =>
      errorOf(() =>
        Testing.synthScope((scope) => {
          const logs = new SecureBucket(scope, "logs", { bucketName: "ecg-logs-x" });
          const dev = new BlueGreenDeployment(scope, "dev", deploymentProps("dev"));
          new DeliveryPipeline(scope, "p", pipelineProps(stagesOf ? stagesOf(dev) : [stageOf("Dev", dev)], logs, overrides));
        }),
      );

    it.each<[string, Partial<DeliveryPipelineProps>, RegExp]>([
      ["a name too long for the connection", { name: "ecg-delivery-pipeline-for-everything" }, /name: ".*" must be 1-25/],
      [
        "a repository that is not owner/name",
        { repository: { owner: "ecg render", name: "app" } },
        /repository: "ecg render\/app" is not a GitHub owner\/name/,
      ],
      ["no images", { images: [] }, /images: name at least one image to build \(CI-2\)/],
      ["an image name that is no repository name", { images: [{ name: "Backend API" }] }, /images: "Backend API" must be 1-40 lower-case/],
      ["an empty unit test command", { unitTestCommand: " " }, /unitTestCommand: must not be empty/],
      ["no scan severities", { failOnSeverities: [] }, /failOnSeverities: must name at least one severity/],
      ["an unknown severity", { failOnSeverities: ["SEVERE" as never] }, /failOnSeverities: "SEVERE" is not an ECR severity/],
      ["no stages", { stages: [] }, /stages: name at least one deploy stage/],
      ["no roles to pass", { passRoleArns: [] }, /passRoleArns: name the task and execution roles/],
      ["a log retention CloudWatch refuses", { logRetentionDays: 10 }, /logRetentionDays: 10 is not a CloudWatch Logs retention value/],
    ])("refuses %s, naming the field and the reason", (_what, overrides, message) => {
      const error = refusal(overrides);
      expect(error).toMatch(/^DeliveryPipeline "p" is misconfigured:/);
      expect(error).toMatch(message);
    });

    it.each<[string, (dev: BlueGreenDeployment) => DeliveryStage[], RegExp]>([
      ["two stages of one name", (dev) => [stageOf("Dev", dev), stageOf("dev", dev)], /stages: names must be distinct \(ignoring case\)/],
      ["a stage named like the pipeline's own", (dev) => [stageOf("Build", dev)], /stages: Source and Build are the pipeline's own stages/],
      ["a stage name with a space", (dev) => [stageOf("Dev one", dev)], /stages: "Dev one" must be 1-12 letters or digits/],
      [
        "a stage deploying an image it does not promote",
        (dev) => [{ ...stageOf("Dev", dev), deployment: { ...stageOf("Dev", dev).deployment, image: "ml-audio" } }],
        /stages\.Dev\.deployment\.image: "ml-audio" is not one of the stage's images/,
      ],
      [
        "a stage promoting an image that is not built",
        (dev) => [
          {
            ...stageOf("Dev", dev),
            images: [
              ...stageOf("Dev", dev).images,
              { name: "ml-audio", repositoryUrl: REPO("ml-audio"), repositoryArn: REPO_ARN("ml-audio") },
            ],
          },
        ],
        /stages\.Dev\.images: "ml-audio" is not one of the built images/,
      ],
      [
        "a promotion target that is not ECR",
        (dev) => [
          {
            ...stageOf("Dev", dev),
            images: [{ name: "backend-api", repositoryUrl: "docker.io/ecg/backend-api", repositoryArn: REPO_ARN("backend-api") }],
          },
        ],
        /stages\.Dev\.images\.backend-api\.repositoryUrl: "docker\.io\/ecg\/backend-api" is not an ECR repository URL/,
      ],
      [
        "release digests without a region",
        (dev) => [{ ...stageOf("Dev", dev), releaseDigests: { path: "/ecg-dev/release", regions: [] } }],
        /stages\.Dev\.releaseDigests: "\/ecg-dev\/release" must be an SSM parameter path, written in at least one region/,
      ],
      [
        "a stage with a port out of range",
        (dev) => [{ ...stageOf("Dev", dev), deployment: { ...stageOf("Dev", dev).deployment, containerPort: 70000 } }],
        /stages\.Dev\.deployment\.containerPort: 70000 is not a TCP port/,
      ],
      [
        "a validation without commands",
        (dev) => [stageOf("Dev", dev, { validations: [{ name: "smoke", commands: [] }] })],
        /stages\.Dev\.validations\.smoke\.commands: must be one or more non-empty commands/,
      ],
      [
        "a validation with a bad name",
        (dev) => [stageOf("Dev", dev, { validations: [{ name: "Smoke Test", commands: ["x"] }] })],
        /stages\.Dev\.validations: "Smoke Test" must be 1-24 lower-case/,
      ],
    ])("[CI-4] refuses %s, naming the field and the reason", (_what, stagesOf, message) => {
      expect(refusal({}, stagesOf)).toMatch(message);
    });

    it("[ACC-4] refuses a release role that is not an IAM role ARN", () => {
      const stages = (dev: BlueGreenDeployment) => [
        { ...stageOf("Dev", dev), deployment: { ...stageOf("Dev", dev).deployment, releaseRoleArn: "arn:aws:iam::222222222222:user/x" } },
      ];
      expect(refusal({}, stages)).toMatch(
        /stages\.Dev\.deployment\.releaseRoleArn: "arn:aws:iam::222222222222:user\/x" is not an IAM role ARN/,
      );
    });
  });

  describe("promotion by digest [ACC-4]", () => {
    const { json } = built;

    it("each stage promotes after its approval, with the build's release tag and digests", () => {
      const staging = stages.find((st) => st.name === "Staging").action;
      expect(staging.map((a: any) => a.name).slice(0, 2)).toEqual(["Approve", "Promote"]);
      expect(JSON.parse(staging[1].configuration.EnvironmentVariables)).toEqual([
        { name: "IMAGE_TAG", value: "#{SourceVariables.CommitId}", type: "PLAINTEXT" },
        { name: "RELEASE_TAG", value: "#{BuildVariables.RELEASE_TAG}", type: "PLAINTEXT" },
        { name: "DIGEST_BACKEND_API", value: "#{BuildVariables.DIGEST_BACKEND_API}", type: "PLAINTEXT" },
        { name: "DIGEST_GPU_RENDER", value: "#{BuildVariables.DIGEST_GPU_RENDER}", type: "PLAINTEXT" },
      ]);
      expect(stages.find((st) => st.name === "Build").action[0].namespace).toBe("BuildVariables");
    });

    it("a stage's promotion role pulls the build repositories and pushes its own environment's only", () => {
      const statements = roleStatements(json, "ecg-delivery-promote-staging");
      expect(statements.find((st) => st.sid === "PullTheBuildRepositories").resources).toEqual([
        BUILD_REPO("backend-api", "arn"),
        BUILD_REPO("gpu-render", "arn"),
      ]);
      expect(statementWith(statements, "ecr:PutImage").resources).toEqual([
        REPO_ARN("backend-api", "staging"),
        REPO_ARN("gpu-render", "staging"),
      ]);
      // The build role pushes nowhere but the build repositories; the build repositories admit the build role only.
      const [, buildPolicy] = resourcesOf(json, "aws_ecr_repository_policy")[0];
      expect(statementsOf(json, buildPolicy.policy)[0].condition).toEqual([
        { test: "ArnNotEquals", variable: "aws:PrincipalArn", values: ["arn:aws:iam::123456789012:role/ecg-delivery-build"] },
      ]);
    });

    const SOURCE = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/ecg-delivery/backend-api";
    const DIGEST = `sha256:${"a".repeat(64)}`;
    const promotionCommands = () => {
      const phases = parse(
        promoteSpec({ images: [{ name: "backend-api", sourceUrl: SOURCE, targetUrl: REPO("backend-api", "prod") }] }),
      ).phases;
      return [...phases.pre_build.commands, ...phases.build.commands] as string[];
    };
    /** The promotion with fake go, crane and aws CLIs: `crane copy` marks the copy; describe-images finds it as told. */
    const promote = (env: Record<string, string>) =>
      runBuildspecCommands(
        promotionCommands(),
        {
          go: 'case "$1" in env) echo "$PWD/gopath";; esac',
          crane: '[ "$1" = copy ] && touch copied; true',
          aws: 'case "$*" in "ecr describe-images"*) [ "$ALREADY" = 1 ] || { [ -f copied ] && [ "$ARRIVES" = 1 ]; };; *) true;; esac',
        },
        { RELEASE_TAG: "abc123-7", DIGEST_BACKEND_API: DIGEST, AWS_REGION: "ap-northeast-2", ...env },
      );

    it("installs crane pinned by version, then copies the gated digest (never a tag) registry to registry under the release tag (run as CodeBuild runs it, with fake CLIs)", () => {
      const run = promote({ ARRIVES: "1" });
      expect(run.status).toBe(0);
      expect(run.calls[0]).toBe(`go install ${CRANE}`);
      expect(CRANE).toMatch(/@v\d+\.\d+\.\d+$/);
      expect(run.calls.filter((c) => c.startsWith("crane"))).toEqual([
        "crane auth login 123456789012.dkr.ecr.ap-northeast-2.amazonaws.com --username AWS --password-stdin",
        `crane copy ${SOURCE}@${DIGEST} ${REPO("backend-api", "prod")}:abc123-7`,
      ]);
    });

    it("does not copy a digest the environment already has, fails when the copy did not arrive as that digest, and refuses a missing digest", () => {
      const again = promote({ ALREADY: "1" });
      expect(again.status).toBe(0);
      expect(again.calls.filter((c) => c.startsWith("crane copy"))).toEqual([]);
      const lost = promote({ ARRIVES: "0" });
      expect([lost.status, lost.out]).toEqual([1, expect.stringContaining("promotion: backend-api did not arrive as the gated digest")]);
      const none = promote({ ARRIVES: "1", DIGEST_BACKEND_API: "None" });
      expect(none.status).not.toBe(0);
      expect(none.calls.filter((c) => c.startsWith("crane copy"))).toEqual([]);
    });

    /** The record step with a fake aws CLI: the primary region's parameter exists unless MISSING_PRIMARY, the standby's never; DENIED fails every read. */
    const record = (env: Record<string, string> = {}) =>
      runBuildspecCommands(
        parse(
          recordSpec({
            images: ["backend-api"],
            releaseDigests: { path: "/ecg-prod/release", regions: ["ap-northeast-2", "ap-northeast-1"] },
          }),
        ).phases.build.commands,
        {
          aws: [
            'case "$*" in',
            '  "ssm get-parameter"*) if [ "$DENIED" = 1 ]; then echo "An error occurred (AccessDeniedException)" >&2; exit 254; fi',
            '    if [[ "$*" == *ap-northeast-2* && "$MISSING_PRIMARY" != 1 ]]; then echo "{}"; exit 0; fi',
            '    echo "An error occurred (ParameterNotFound) when calling the GetParameter operation" >&2; exit 254;;',
            "esac",
          ].join("\n"),
        },
        { DIGEST_BACKEND_API: DIGEST, ...env },
      );

    it("records the released digest in the environment's region, and reports a standby region whose stack is not deployed yet", () => {
      const run = record();
      expect(run.status).toBe(0);
      expect(run.calls.filter((c) => c.startsWith("aws ssm put-parameter"))).toEqual([
        `aws ssm put-parameter --region ap-northeast-2 --name /ecg-prod/release/backend-api --type String --overwrite --value ${DIGEST}`,
      ]);
      expect(run.out).toContain("ap-northeast-1: no parameter /ecg-prod/release/backend-api: deploy its stack, then release again");
    });

    it("fails when the environment's own parameter is missing, or when a read fails for another reason than a missing parameter", () => {
      expect(record({ MISSING_PRIMARY: "1" }).status).toBe(1);
      const denied = record({ DENIED: "1" });
      expect([denied.status, denied.out]).toEqual([1, expect.stringContaining("AccessDeniedException")]);
      expect(denied.calls.filter((c) => c.startsWith("aws ssm put-parameter"))).toEqual([]);
    });

    it("each stage records last, after its deployment and validations; the record role writes the stage's parameters, the promotion role none", () => {
      for (const name of ["Dev", "Staging", "Prod"]) expect(stages.find((st) => st.name === name).action.at(-1).name).toBe("Record");
      const recordRole = roleStatements(json, "ecg-delivery-record-staging");
      expect(statementWith(recordRole, "ssm:PutParameter").resources).toEqual([
        "arn:aws:ssm:ap-northeast-2:123456789012:parameter/ecg-staging/release/*",
      ]);
      const promoteRole = roleStatements(json, "ecg-delivery-promote-staging");
      expect(promoteRole.flatMap((st) => st.actions).filter((a: string) => a.startsWith("ssm:") || a.startsWith("sts:"))).toEqual([]);
    });
  });

  describe("DeliveryPipeline with a stage in another account [ACC-4]", () => {
    const RELEASE = "arn:aws:iam::222222222222:role/ecg-staging-release";
    const crossAccount = () => {
      const stack = new TerraformStack(Testing.app(), "delivery");
      new AwsProvider(stack, "aws", { region: "ap-northeast-2" });
      const logs = new SecureBucket(stack, "logs", { bucketName: "ecg-delivery-logs-x" });
      const dev = new BlueGreenDeployment(stack, "dev", deploymentProps("dev"));
      const staging = stageOf("Staging", new BlueGreenDeployment(stack, "staging", deploymentProps("staging")));
      new DeliveryPipeline(
        stack,
        "pipeline",
        pipelineProps([stageOf("Dev", dev), { ...staging, deployment: { ...staging.deployment, releaseRoleArn: RELEASE } }], logs),
      );
      return synthJson(Testing.synth(stack));
    };
    const cross = crossAccount();
    const crossStage = (name: string) => only(cross, "aws_codepipeline")[1].stage.find((st: any) => st.name === name);
    const crossProject = (name: string) => byName(cross, "aws_codebuild_project", "name", name)[1];

    it("its deploy action acts as the release role; the same-account stage's as the pipeline's role", () => {
      const deploy = (name: string) => crossStage(name).action.find((a: any) => a.provider === "CodeDeployToECS");
      expect(deploy("Staging").role_arn).toBe(RELEASE);
      expect(deploy("Dev").role_arn).toBeUndefined();
    });

    it("its render step reads the task definition through the release role, which its project's role may assume", () => {
      const render = crossProject("ecg-delivery-render-staging");
      expect(render.environment.environment_variable).toContainEqual({ name: "RELEASE_ROLE_ARN", value: RELEASE, type: "PLAINTEXT" });
      expect(render.source.buildspec).toBe(renderSpec({ assumeReleaseRole: true }));
      const statements = roleStatements(cross, "ecg-delivery-render-staging");
      expect(statementWith(statements, "sts:AssumeRole").resources).toEqual([RELEASE]);
      expect(statements.flatMap((st) => st.actions)).not.toContain("ecs:DescribeTaskDefinition");
      // Dev's render reads its own account's task definitions, as before.
      expect(crossProject("ecg-delivery-render-dev").source.buildspec).toBe(renderSpec());
    });

    it("the render step's describe-task-definition runs with the release role's session keys (run with bash, jq and a fake aws CLI)", () => {
      const commands: string[] = parse(renderSpec({ assumeReleaseRole: true })).phases.build.commands;
      const upToDescribe = commands.slice(0, commands.findIndex((c) => c.startsWith("aws ecs describe-task-definition")) + 1);
      const run = runBuildspecCommands(
        upToDescribe,
        {
          aws: [
            'case "$*" in',
            '  "sts assume-role --role-arn arn:aws:iam::222222222222:role/ecg-staging-release --role-session-name render-7 --query Credentials --output json")',
            '    echo \'{"AccessKeyId": "ASIARELEASE", "SecretAccessKey": "s", "SessionToken": "t"}\';;',
            '  "ecs describe-task-definition"*) echo "keys: $AWS_ACCESS_KEY_ID" >&2; echo "{}";;',
            "  *) exit 3;;",
            "esac",
          ].join("\n"),
        },
        {
          RELEASE_ROLE_ARN: RELEASE,
          CODEBUILD_BUILD_NUMBER: "7",
          TASK_FAMILY: "ecg-staging-backend-api",
          AWS_ACCESS_KEY_ID: "AKIAPROJECT",
        },
      );
      expect(run.status).toBe(0);
      expect(run.out).toContain("keys: ASIARELEASE");
    });

    it("its promotion copies into the other account's repositories with its own role; its record step writes the parameters through the release role", () => {
      const promote = crossProject("ecg-delivery-promote-staging");
      expect(promote.environment.environment_variable).toEqual([]);
      expect(roleStatements(cross, "ecg-delivery-promote-staging").flatMap((st) => st.actions)).not.toContain("sts:AssumeRole");
      const record = crossProject("ecg-delivery-record-staging");
      expect(record.environment.environment_variable).toContainEqual({ name: "RELEASE_ROLE_ARN", value: RELEASE, type: "PLAINTEXT" });
      const commands: string[] = parse(record.source.buildspec).phases.build.commands;
      const assume = commands.findIndex((c) =>
        c.startsWith('creds="$(aws sts assume-role --role-arn "$RELEASE_ROLE_ARN" --role-session-name "record-'),
      );
      const firstWrite = commands.findIndex((c) => c.includes("aws ssm put-parameter"));
      expect(assume).toBeGreaterThanOrEqual(0);
      expect(assume).toBeLessThan(firstWrite);
      const statements = roleStatements(cross, "ecg-delivery-record-staging");
      expect(statementWith(statements, "sts:AssumeRole").resources).toEqual([RELEASE]);
      expect(statements.flatMap((st) => st.actions).filter((a: string) => a.startsWith("ssm:"))).toEqual([]);
    });

    it("the pipeline role deploys only its own account's groups, passes only their roles, and may act as the release role", () => {
      const statements = roleStatements(cross, "ecg-delivery-pipeline");
      expect(statementWith(statements, "codedeploy:CreateDeployment").resources).toEqual([
        expect.stringMatching(/:deploymentgroup:\$\{aws_codedeploy_app\.dev_application_/),
      ]);
      expect(statementWith(statements, "sts:AssumeRole").resources).toEqual([RELEASE]);
    });

    it("the artifact bucket and key admit the release role through its account's root, limited to that role", () => {
      const admitting = (sids: string[], statements: any[]) =>
        statements.filter((st) => sids.includes(st.sid)).map((st) => ({ sid: st.sid, principals: st.principals, condition: st.condition }));
      const only222 = {
        principals: [{ type: "AWS", identifiers: ["arn:aws:iam::222222222222:root"] }],
        condition: [{ test: "ArnEquals", variable: "aws:PrincipalArn", values: [RELEASE] }],
      };
      const [, bucketPolicy] = resourcesOf(cross, "aws_s3_bucket_policy").find(([, p]) => p.bucket.includes("pipeline_artifacts"))!;
      expect(admitting(["ReleaseRolesReadArtifacts", "ReleaseRolesListArtifacts"], statementsOf(cross, bucketPolicy.policy))).toEqual([
        { sid: "ReleaseRolesReadArtifacts", ...only222 },
        { sid: "ReleaseRolesListArtifacts", ...only222 },
      ]);
      const [, key] = only(cross, "aws_kms_key");
      expect(admitting(["NamedRolesDecrypt"], statementsOf(cross, key.policy))).toEqual([{ sid: "NamedRolesDecrypt", ...only222 }]);
    });

    it("the same-account pipeline admits no other account to its artifacts", () => {
      for (const [, policy] of [...resourcesOf(json, "aws_s3_bucket_policy"), ...resourcesOf(json, "aws_kms_key")]) {
        expect(JSON.stringify(statementsOf(json, policy.policy))).not.toMatch(/ReleaseRoles|NamedRoles/);
      }
    });
  });

  describe("DeliveryPipeline with a stage in another region [CI-3]", () => {
    const TOKYO = "ap-northeast-1";
    const TOKYO_REPO = (image: string) => `222222222222.dkr.ecr.${TOKYO}.amazonaws.com/ecg-tokyo/${image}`;
    const RELEASE = "arn:aws:iam::222222222222:role/ecg-tokyo-release";
    /** Dev in the pipeline's region; Tokyo in another account and region; Osaka in the pipeline's account, another region. */
    const crossRegion = (overrides: Partial<DeliveryPipelineProps> = {}) => {
      const stack = new TerraformStack(Testing.app(), "delivery");
      new AwsProvider(stack, "aws", { region: "ap-northeast-2" });
      const logs = new SecureBucket(stack, "logs", { bucketName: "ecg-delivery-logs-x" });
      const dev = new BlueGreenDeployment(stack, "dev", deploymentProps("dev"));
      const regional = (region: string) => {
        const provider = new AwsProvider(stack, `aws-${region}`, { region, alias: region.replace(/-/g, "_") });
        const regionLogs = new SecureBucket(stack, `logs-${region}`, { bucketName: `ecg-delivery-logs-x-${region}`, provider });
        return { region, provider, bucketName: `ecg-delivery-artifacts-x-${region}`, accessLogBucket: regionLogs };
      };
      const inRegion = (name: string, region: string, extra: Partial<DeliveryStage["deployment"]> = {}): DeliveryStage => {
        const stage = stageOf(name, new BlueGreenDeployment(stack, name.toLowerCase(), deploymentProps(name.toLowerCase())));
        return {
          ...stage,
          images: stage.images.map((i) => ({ ...i, repositoryUrl: TOKYO_REPO(i.name) })),
          deployment: { ...stage.deployment, region, ...extra },
        };
      };
      new DeliveryPipeline(
        stack,
        "pipeline",
        pipelineProps(
          [stageOf("Dev", dev), inRegion("Tokyo", TOKYO, { releaseRoleArn: RELEASE }), inRegion("Osaka", "ap-northeast-3")],
          logs,
          { regionalArtifactStores: [regional(TOKYO), regional("ap-northeast-3")], ...overrides },
        ),
      );
      return synthJson(Testing.synth(stack));
    };
    const json = crossRegion();
    const [, pipeline] = only(json, "aws_codepipeline");
    const deploy = (name: string) =>
      pipeline.stage.find((st: any) => st.name === name).action.find((a: any) => a.provider === "CodeDeployToECS");
    const project = (name: string) => byName(json, "aws_codebuild_project", "name", name)[1];

    it("keeps one artifact store per region, each naming its region, the others' bucket and key made with their region's provider", () => {
      const stores = pipeline.artifact_store;
      expect(stores.map((st: any) => st.region)).toEqual(["ap-northeast-2", TOKYO, "ap-northeast-3"]);
      const [tokyoBucketId] = byName(json, "aws_s3_bucket", "bucket", `ecg-delivery-artifacts-x-${TOKYO}`);
      expect(stores[1].location).toBe(`\${aws_s3_bucket.${tokyoBucketId}.bucket}`);
      const tokyoKeyId = referencedId(stores[1].encryption_key.id);
      expect(json.resource.aws_kms_key[tokyoKeyId].provider).toBe("aws.ap_northeast_1");
      expect(json.resource.aws_s3_bucket[tokyoBucketId].provider).toBe("aws.ap_northeast_1");
      // Its access logs stay in its region.
      const [, logging] = resourcesOf(json, "aws_s3_bucket_logging").find(([, l]) => l.bucket.includes(tokyoBucketId))!;
      expect(logging).toMatchObject({ provider: "aws.ap_northeast_1", target_bucket: expect.stringContaining("logs-ap-northeast-1") });
    });

    it("runs the deploy action in the stage's region, and only there", () => {
      expect(deploy("Tokyo")).toMatchObject({ region: TOKYO, role_arn: RELEASE });
      expect(deploy("Osaka").region).toBe("ap-northeast-3");
      expect(deploy("Dev").region).toBeUndefined();
    });

    it("promotes into the stage's region: logs in to that registry there and checks the digest there (run with fake CLIs)", () => {
      const phases = parse(project("ecg-delivery-promote-tokyo").source.buildspec).phases;
      const run = runBuildspecCommands(
        [...phases.pre_build.commands, ...phases.build.commands],
        {
          go: 'case "$1" in env) echo "$PWD/gopath";; esac',
          crane: '[ "$1" = copy ] && touch copied; true',
          aws: 'case "$*" in "ecr describe-images"*) [ -f copied ];; *) true;; esac',
        },
        {
          RELEASE_TAG: "abc123-7",
          DIGEST_BACKEND_API: `sha256:${"a".repeat(64)}`,
          DIGEST_GPU_RENDER: `sha256:${"b".repeat(64)}`,
          AWS_REGION: "ap-northeast-2",
        },
      );
      expect(run.status).toBe(0);
      // The build repositories (one login per reference) in the project's region, then the stage's registry in its own.
      const logins = run.calls.filter((c) => c.includes("get-login-password"));
      expect(logins.at(-1)).toBe(`aws ecr get-login-password --region ${TOKYO}`);
      expect(new Set(logins.slice(0, -1))).toEqual(new Set(["aws ecr get-login-password --region ap-northeast-2"]));
      expect(run.calls.filter((c) => c.startsWith("crane auth login")).at(-1)).toBe(
        `crane auth login 222222222222.dkr.ecr.${TOKYO}.amazonaws.com --username AWS --password-stdin`,
      );
      const checks = run.calls.filter((c) => c.startsWith("aws ecr describe-images"));
      expect(checks.length).toBeGreaterThan(0);
      for (const check of checks)
        expect(check).toMatch(new RegExp(`^aws ecr describe-images --region ${TOKYO} --registry-id 222222222222 `));
    });

    it("renders from the family in the stage's region", () => {
      expect(project("ecg-delivery-render-tokyo").source.buildspec).toBe(renderSpec({ assumeReleaseRole: true, region: TOKYO }));
      const commands: string[] = parse(renderSpec({ region: TOKYO })).phases.build.commands;
      expect(commands).toContainEqual(
        expect.stringMatching(new RegExp(`^aws ecs describe-task-definition --region '${TOKYO}' --task-definition`)),
      );
      expect(project("ecg-delivery-render-dev").source.buildspec).toBe(renderSpec());
    });

    it("the pipeline role copies into every store and deploys its own account's group in that group's region", () => {
      const statements = roleStatements(json, "ecg-delivery-pipeline");
      expect(statementWith(statements, "s3:PutObject").resources).toHaveLength(3);
      expect(statementWith(statements, "kms:Encrypt").resources).toHaveLength(3);
      expect(statementWith(statements, "codedeploy:CreateDeployment").resources).toEqual([
        expect.stringMatching(/^arn:aws:codedeploy:ap-northeast-2:.*:deploymentgroup:\$\{aws_codedeploy_app\.dev_/),
        expect.stringMatching(/^arn:aws:codedeploy:ap-northeast-3:.*:deploymentgroup:\$\{aws_codedeploy_app\.osaka_/),
      ]);
      expect(statementWith(statements, "ecs:TagResource").resources).toContainEqual(
        expect.stringMatching(/^arn:aws:ecs:ap-northeast-3:.*:task-definition\/osaka-api:\*$/),
      );
    });

    it("only the store of the release role's region admits it", () => {
      const admits = (bucketName: string) => {
        const [bucketId] = byName(json, "aws_s3_bucket", "bucket", bucketName);
        const [, policy] = resourcesOf(json, "aws_s3_bucket_policy").find(([, p]) => p.bucket.includes(bucketId))!;
        return JSON.stringify(statementsOf(json, policy.policy)).includes(RELEASE);
      };
      expect(admits(`ecg-delivery-artifacts-x-${TOKYO}`)).toBe(true);
      expect(admits("ecg-delivery-artifacts-123456789012")).toBe(false);
      expect(admits("ecg-delivery-artifacts-x-ap-northeast-3")).toBe(false);
    });

    it("refuses a stage region without a store, a store no stage deploys to, a store twice and a bad region", () => {
      expect(errorOf(() => crossRegion({ regionalArtifactStores: undefined }))).toMatch(
        /stages\.Tokyo\.deployment\.region: ap-northeast-1 has no artifact store: name one in regionalArtifactStores/,
      );
      const stack = new TerraformStack(Testing.app(), "x");
      const provider = new AwsProvider(stack, "aws", { region: "eu-west-1" });
      const logs = new SecureBucket(stack, "logs", { bucketName: "logs-x" });
      const store = (region: string) => ({ region, provider, bucketName: `artifacts-${region}`, accessLogBucket: logs });
      const message = errorOf(
        () =>
          new DeliveryPipeline(
            stack,
            "pipeline",
            pipelineProps(
              [stageOf("Dev", new BlueGreenDeployment(stack, "dev", deploymentProps("dev")))].map((st) => ({
                ...st,
                deployment: { ...st.deployment, region: "Tokyo" },
              })),
              logs,
              { regionalArtifactStores: [store("eu-west-1"), store("eu-west-1")] },
            ),
          ),
      );
      expect(message).toContain('stages.Dev.deployment.region: "Tokyo" is not a region name');
      expect(message).toContain("regionalArtifactStores[0].region: eu-west-1: no stage deploys there");
      expect(message).toContain("regionalArtifactStores[1].region: eu-west-1 has a store already");
    });
  });
});
