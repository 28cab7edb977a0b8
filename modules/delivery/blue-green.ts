import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodedeployApp } from "@cdktf/provider-aws/lib/codedeploy-app";
import { CodedeployDeploymentConfig } from "@cdktf/provider-aws/lib/codedeploy-deployment-config";
import { CodedeployDeploymentGroup } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { serviceTrustPolicy } from "../common/trust";
import { zippedFolder } from "../common/zip";
import type { AwsAccount } from "../common/aws-account";
import { ComponentTags } from "../common/component-tags";
import { logRetentionProblem, withStandIns } from "../common/limits";
import { refuseProps } from "../common/props";
import { LAMBDA_NODE_RUNTIME } from "../common/lambda-runtime";
import type { EcsLifecycleEvent } from "./appspec";
import { ALL_AT_ONCE_CONFIG, type TrafficPlan, type TrafficShift, trafficPlan, trafficShiftProblems } from "./traffic-shift";

/** Prefix the AWS managed policy AWSCodeDeployRoleForECS lets CodeDeploy invoke (`lambda:InvokeFunction` on `CodeDeployHook_*`). */
const HOOK_FUNCTION_PREFIX = "CodeDeployHook_";

/**
 * The AppSpec hooks a deployment named `name` with this traffic shift needs:
 * literal function names, so a pipeline in another stack (another state) can
 * render them without a reference.
 */
export function deploymentHooks(name: string, shift?: TrafficShift): Readonly<Partial<Record<EcsLifecycleEvent, string>>> {
  return trafficPlan(shift).kind === "hooked-canary" ? { BeforeAllowTraffic: `${HOOK_FUNCTION_PREFIX}${name}` } : {};
}

/** CodeDeploy's limit on alarms per deployment group. */
const MAX_ALARMS = 10;

export interface BlueGreenDeploymentProps {
  /** Name of the CodeDeploy application and deployment group, e.g. `ecg-prod-backend-api` (1-40: the hook function and role names derive from it). */
  readonly name: string;
  readonly account: AwsAccount;
  readonly clusterName: string;
  /** The ECS service; it must use the CODE_DEPLOY deployment controller. */
  readonly serviceName: string;
  /** The listener that serves customers; CodeDeploy moves it from blue to green. */
  readonly productionListenerArn: string;
  /** The listener CodeDeploy points at green first, for tests before any customer traffic. */
  readonly testListenerArn: string;
  /** The two target groups of the service, [blue, green] (names, not ARNs: CodeDeploy takes names). */
  readonly targetGroupNames: readonly [string, string];
  /** CloudWatch alarms that stop the deployment and roll it back (CI-5). @default [] */
  readonly alarmNames?: readonly string[];
  /** Minutes the old (blue) task set is kept after a successful deployment, for a fast manual rollback. @default 5 */
  readonly terminateBlueAfterMinutes?: number;
  /** How production traffic moves to green. @default "all-at-once" */
  readonly trafficShift?: TrafficShift;
  /**
   * The BeforeAllowTraffic hook that runs the first step of a three-step
   * shift (required then, refused otherwise): the folder of
   * lambda/canary-shift (zipped at synth, deterministically) and its log group's key.
   */
  readonly hook?: {
    readonly codePath: string;
    readonly logsKmsKeyArn: string;
    /** @default 365 */
    readonly logRetentionDays?: number;
  };
}

/**
 * ECS blue/green deployment of one service through CodeDeploy (CI-3, CI-5):
 * CodeDeploy starts the new task set behind the green target group, points the
 * test listener at it, then moves the production listener by the traffic
 * shift, rolls back on a failed deployment or a firing alarm, and removes the
 * blue task set `terminateBlueAfterMinutes` after success.
 *
 * A three-step shift such as 10% → 50% → 100% (seed conflict 6) runs its first
 * step in a BeforeAllowTraffic Lambda hook (lambda/canary-shift): it sets the
 * production listener to weighted forward (100-p1)% blue / p1% green, bakes
 * while polling the alarms, and reports to CodeDeploy; CodeDeploy's own
 * TimeBasedCanary does p2% then 100%. The hook must be named in the AppSpec
 * (`hooks`, for appSpec()).
 */
export class BlueGreenDeployment extends Construct {
  readonly application: CodedeployApp;
  readonly deploymentGroup: CodedeployDeploymentGroup;
  /** The custom canary config; undefined for all-at-once. */
  readonly deploymentConfig?: CodedeployDeploymentConfig;
  readonly role: IamRole;
  /** The BeforeAllowTraffic hook of a three-step shift. */
  readonly hookFunction?: LambdaFunction;
  readonly applicationName: string;
  readonly deploymentGroupName: string;
  readonly deploymentConfigName: string;
  /** Lifecycle hooks for the service's AppSpec (appSpec({ hooks })). */
  readonly hooks: Readonly<Partial<Record<EcsLifecycleEvent, string>>>;
  /** What the traffic shift maps to. */
  readonly plan: TrafficPlan;

  constructor(scope: Construct, id: string, props: BlueGreenDeploymentProps) {
    super(scope, id);
    validate(id, props);
    const { name, account } = props;
    const { partition } = account;
    this.plan = trafficPlan(props.trafficShift);
    const alarms = [...(props.alarmNames ?? [])];

    this.application = new CodedeployApp(this, "application", { name, computePlatform: "ECS" });

    // CodeDeploy User Guide, "Cross-service confused deputy prevention": the
    // source is the deployment group (any of this application's) of this account.
    const trust = serviceTrustPolicy(
      this,
      "trust",
      "codedeploy.amazonaws.com",
      account,
      `arn:${partition}:codedeploy:${account.region}:${account.accountId}:deploymentgroup:${name}/*`,
    );
    this.role = new IamRole(this, "role", {
      name: `${name}-codedeploy`,
      description: `CodeDeploy blue/green of ${name}`,
      assumeRolePolicy: trust.json,
    });
    // AWS's managed ECS blue/green policy: it follows the calls CodeDeploy makes
    // (task sets, listener and rule weights, alarms) as the service changes, and is
    // already narrowed where it matters: iam:PassRole only to ECS tasks,
    // lambda:InvokeFunction only on CodeDeployHook_* (the hook's name below).
    const managed = new IamRolePolicyAttachment(this, "role-ecs", {
      role: this.role.name,
      policyArn: `arn:${partition}:iam::aws:policy/AWSCodeDeployRoleForECS`,
    });

    if (this.plan.kind === "all-at-once") {
      this.deploymentConfigName = ALL_AT_ONCE_CONFIG;
    } else {
      const { percent, bakeMinutes } = this.plan;
      this.deploymentConfig = new CodedeployDeploymentConfig(this, "config", {
        // The name carries the shape: a changed shift is a new config, never an in-place edit (CodeDeploy cannot update one).
        deploymentConfigName: `${name}-canary-${percent}pct-${bakeMinutes}min`,
        computePlatform: "ECS",
        trafficRoutingConfig: { type: "TimeBasedCanary", timeBasedCanary: { percentage: percent, interval: bakeMinutes } },
      });
      this.deploymentConfigName = this.deploymentConfig.deploymentConfigName;
    }

    this.deploymentGroup = new CodedeployDeploymentGroup(this, "group", {
      appName: this.application.name,
      deploymentGroupName: name,
      serviceRoleArn: this.role.arn,
      deploymentConfigName: this.deploymentConfigName,
      deploymentStyle: { deploymentType: "BLUE_GREEN", deploymentOption: "WITH_TRAFFIC_CONTROL" },
      blueGreenDeploymentConfig: {
        // Shift as soon as green is healthy; the pipeline's approval gate is before the deployment.
        deploymentReadyOption: { actionOnTimeout: "CONTINUE_DEPLOYMENT" },
        terminateBlueInstancesOnDeploymentSuccess: {
          action: "TERMINATE",
          terminationWaitTimeInMinutes: props.terminateBlueAfterMinutes ?? 5,
        },
      },
      ecsService: { clusterName: props.clusterName, serviceName: props.serviceName },
      loadBalancerInfo: {
        targetGroupPairInfo: {
          prodTrafficRoute: { listenerArns: [props.productionListenerArn] },
          testTrafficRoute: { listenerArns: [props.testListenerArn] },
          targetGroup: props.targetGroupNames.map((tg) => ({ name: tg })),
        },
      },
      autoRollbackConfiguration: {
        enabled: true,
        // Stop-on-alarm only means something with alarms to watch.
        events: alarms.length ? ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] : ["DEPLOYMENT_FAILURE"],
      },
      alarmConfiguration: alarms.length ? { enabled: true, alarms } : undefined,
      // CodeDeploy checks the role's permissions when the group is created.
      dependsOn: [managed],
    });
    this.applicationName = this.application.name;
    this.deploymentGroupName = this.deploymentGroup.deploymentGroupName;

    this.hooks = deploymentHooks(name, props.trafficShift);
    // validate() requires the hook for a hooked canary.
    if (this.plan.kind === "hooked-canary" && props.hook)
      this.hookFunction = this.canaryHook({
        props,
        hook: props.hook,
        percent: this.plan.hookPercent,
        bakeMinutes: this.plan.bakeMinutes,
        alarms,
      });
    ComponentTags.apply(this, "delivery");
  }

  /** The BeforeAllowTraffic Lambda that runs the first canary step (lambda/canary-shift). */
  private canaryHook(canary: {
    readonly props: BlueGreenDeploymentProps;
    readonly hook: NonNullable<BlueGreenDeploymentProps["hook"]>;
    readonly percent: number;
    readonly bakeMinutes: number;
    readonly alarms: string[];
  }): LambdaFunction {
    const { props, hook, percent, bakeMinutes, alarms } = canary;
    const { accountId, region, partition } = props.account;
    const functionName = `${HOOK_FUNCTION_PREFIX}${props.name}`;
    const logGroup = new CloudwatchLogGroup(this, "hook-logs", {
      name: `/aws/lambda/${functionName}`,
      retentionInDays: hook.logRetentionDays ?? 365,
      kmsKeyId: hook.logsKmsKeyArn,
    });
    const trust = new DataAwsIamPolicyDocument(this, "hook-trust", {
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] }],
    });
    const role = new IamRole(this, "hook-role", {
      name: `${props.name}-canary-hook`,
      description: `First canary step of ${props.name} (CI-5)`,
      assumeRolePolicy: trust.json,
    });
    const policy = new DataAwsIamPolicyDocument(this, "hook-policy", {
      statement: [
        {
          sid: "ReadAndReportThisGroupsDeployments",
          actions: [
            "codedeploy:GetDeployment",
            "codedeploy:ListDeploymentTargets",
            "codedeploy:GetDeploymentTarget",
            "codedeploy:PutLifecycleEventHookExecutionStatus",
          ],
          resources: [this.deploymentGroup.arn],
        },
        // ELB's Describe calls have no resource-level permissions.
        {
          sid: "FindTargetGroupsAndListener",
          actions: ["elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeListeners"],
          resources: ["*"],
        },
        { sid: "WeightTheProductionListener", actions: ["elasticloadbalancing:ModifyListener"], resources: [props.productionListenerArn] },
        ...(alarms.length
          ? [
              {
                sid: "WatchTheAlarms",
                actions: ["cloudwatch:DescribeAlarms"],
                resources: alarms.map((a) => `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:${a}`),
              },
            ]
          : []),
        { sid: "WriteOwnLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logGroup.arn}:log-stream:*`] },
        // X-Ray's write API takes no resource.
        { sid: "SendTraces", actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources: ["*"] },
      ],
    });
    new IamRolePolicy(this, "hook-role-policy", { name: functionName, role: role.id, policy: policy.json });

    const zip = zippedFolder(hook.codePath);
    const code = new TerraformAsset(this, "hook-code", { path: zip.path, type: AssetType.FILE });
    const fn = new LambdaFunction(this, "hook", {
      functionName,
      description: `BeforeAllowTraffic: ${percent}% to green, ${bakeMinutes} min bake watching alarms (lambda/canary-shift)`,
      role: role.arn,
      runtime: LAMBDA_NODE_RUNTIME,
      handler: "index.handler",
      filename: code.path,
      sourceCodeHash: zip.base64Sha256,
      // The bake plus 3 minutes for the calls around it; at most Lambda's 15 (bakeMinutes <= 12).
      timeout: bakeMinutes * 60 + 180,
      memorySize: 128,
      environment: {
        variables: {
          PROD_LISTENER_ARN: props.productionListenerArn,
          CANARY_PERCENT: String(percent),
          BAKE_MINUTES: String(bakeMinutes),
          ALARM_NAMES: JSON.stringify(alarms),
          // Short: when CodeDeploy stops the deployment on an alarm it removes the green
          // task set, and the hook's slice gets 503s until its next poll restores blue.
          POLL_SECONDS: "10",
          DEPLOYMENT_GROUP_NAME: props.name,
        },
      },
      tracingConfig: { mode: "Active" },
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      dependsOn: [logGroup],
    });
    // A retried hook would shift traffic a second time after the first run has
    // reported; the function always reports, so a retry only does harm.
    new LambdaFunctionEventInvokeConfig(this, "hook-invoke", { functionName: fn.functionName, maximumRetryAttempts: 0 });
    return fn;
  }
}

function validate(id: string, props: BlueGreenDeploymentProps): void {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(props.name ?? ""))
    problems.push(
      `name: "${props.name ?? ""}" must be 1-40 lower-case letters, digits or hyphens, starting with a letter (it names the hook function, at most 64)`,
    );
  for (const field of ["clusterName", "serviceName", "productionListenerArn", "testListenerArn"] as const) {
    if (!props[field]) problems.push(`${field}: must be given`);
  }
  if (props.productionListenerArn && props.productionListenerArn === props.testListenerArn)
    problems.push("testListenerArn: must differ from productionListenerArn (test traffic reaches green before customers do)");
  const groups = props.targetGroupNames ?? [];
  if (groups.length !== 2 || new Set(groups).size !== 2)
    problems.push(`targetGroupNames: [${groups.join(", ")}] must be two distinct target groups, [blue, green]`);
  for (const tg of groups) {
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(withStandIns(tg ?? "")))
      problems.push(`targetGroupNames: "${tg}" is not a target group name (1-32 letters, digits or inner hyphens)`);
  }
  const alarms = props.alarmNames ?? [];
  if (alarms.length > MAX_ALARMS) problems.push(`alarmNames: ${alarms.length} alarms; CodeDeploy watches at most ${MAX_ALARMS}`);
  if (new Set(alarms).size !== alarms.length || alarms.some((a) => !a))
    problems.push("alarmNames: must be distinct, non-empty alarm names");
  const wait = props.terminateBlueAfterMinutes ?? 5;
  if (!(Number.isInteger(wait) && wait >= 0 && wait <= 2880))
    problems.push(`terminateBlueAfterMinutes: ${wait} must be a whole number from 0 to 2880 (CodeDeploy limit)`);
  const shiftProblems = trafficShiftProblems(props.trafficShift);
  problems.push(...shiftProblems);
  if (shiftProblems.length === 0) {
    const plan = trafficPlan(props.trafficShift);
    if (plan.kind !== "all-at-once" && alarms.length === 0)
      problems.push("alarmNames: a canary shift needs at least one alarm to watch, or it only waits (CI-5)");
    if (plan.kind === "hooked-canary") {
      if (!props.hook)
        problems.push(
          "hook: a three-step trafficShift runs its first step in a BeforeAllowTraffic hook; give its codePath and logsKmsKeyArn",
        );
      else {
        if (!props.hook.codePath) problems.push("hook.codePath: must be the folder of lambda/canary-shift");
        if (!props.hook.logsKmsKeyArn) problems.push("hook.logsKmsKeyArn: must be given (the hook's log group is KMS-encrypted)");
        const retention = logRetentionProblem(props.hook.logRetentionDays ?? 365);
        if (retention) problems.push(`hook.logRetentionDays: ${retention}`);
      }
    } else if (props.hook) {
      problems.push("hook: only a three-step trafficShift uses the hook; remove it");
    }
  }
  refuseProps("BlueGreenDeployment", id, problems);
}
