import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { AutoscalingLifecycleHook } from "@cdktf/provider-aws/lib/autoscaling-lifecycle-hook";
import { AutoscalingPolicy } from "@cdktf/provider-aws/lib/autoscaling-policy";
import { AutoscalingSchedule } from "@cdktf/provider-aws/lib/autoscaling-schedule";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Construct } from "constructs";
import { ComponentTags } from "../common/component-tags";
import { refuseProps } from "../common/props";
import { GPU_INSTANCE_TYPES } from "./instance-types";
import { drainSecondsProblem, scheduledBaseProblem } from "./rules";
import { FLEET_ATTRIBUTE, gpuHostUserDataBase64 } from "./user-data";
export { SCRATCH_PATH } from "./user-data";

/** One instance type of the mixed-instances policy. */
interface InstanceTypeOverride {
  readonly instanceType: string;
  /** Capacity units the type counts for (size relative to the smallest). @default 1 */
  readonly weight?: number;
}

/** A recurring minimum, in `timeZone` (COST-2). */
interface ScheduledMinimum {
  readonly name: string;
  /** Cron, five fields, e.g. `0 9 * * MON-FRI`. */
  readonly recurrence: string;
  readonly minSize: number;
}

/** Target tracking on a metric something publishes (the agent's GPU utilization, the render queue). */
export interface CustomMetricTarget {
  readonly namespace: string;
  readonly metricName: string;
  readonly targetValue: number;
  /** @default "Average" */
  readonly statistic?: string;
  /** @default - none */
  readonly dimensions?: Readonly<Record<string, string>>;
  /**
   * Track the metric divided by the group's in-service hosts (metric math on
   * AWS/AutoScaling GroupInServiceInstances, which the group then publishes):
   * for a fleet-wide backlog such as a job queue. EC2 Auto Scaling User
   * Guide, "Create a target tracking scaling policy using metric math".
   * @default false
   */
  readonly perInstance?: boolean;
}

/**
 * How a host finishes its work before the group terminates it (scale-in,
 * instance refresh, rebalancing): an `EC2_INSTANCE_TERMINATING` lifecycle
 * hook holds the instance while a watcher on the host runs `stopTakingWork`,
 * then polls `isIdle` (exit 0 = idle) and sends heartbeats, up to `maxSeconds`.
 * Both are shell commands run as root on the host.
 */
interface DrainOnTermination {
  readonly stopTakingWork: string;
  readonly isIdle: string;
  /** The longest a host may wait for its work, 60-86400 s (the hook's global timeout is 100 heartbeats or 48 h). */
  readonly maxSeconds: number;
}

export interface GpuFleetProps {
  /** Prefix of every name, e.g. `ecg-prod-render`. */
  readonly name: string;
  /**
   * The Auto Scaling group's name. A new name replaces the group: with
   * schedules, Terraform ignores `min_size` after creation, so a minimum that
   * must change at once (a standby that takes over) needs a new group.
   * @default name
   */
  readonly groupName?: string;
  /** ECS cluster the hosts join. */
  readonly clusterName: string;
  /** GPU subnets, one per AZ (at least two). */
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  /** Instance types of one GPU class; the first is the primary. */
  readonly instanceTypes: readonly InstanceTypeOverride[];
  readonly minSize: number;
  /** At most 20 (SC-1). */
  readonly maxSize: number;
  /** On-Demand instances kept as the base (COST-1). @default 0 */
  readonly onDemandBaseCapacity?: number;
  /** Percent On-Demand above the base; the rest is Spot. @default 0 */
  readonly onDemandPercentageAboveBaseCapacity?: number;
  /** Encrypted gp3 root volume size. @default 100 */
  readonly rootVolumeGiB?: number;
  /** Public SSM parameter of the ECS GPU-optimized AMI (CMP-5). @default GPU_AMI_PARAMETER (Amazon Linux 2023) */
  readonly amiParameter?: string;
  /** @default - no target tracking */
  readonly scaleOn?: CustomMetricTarget;
  /** @default - the group terminates hosts without waiting */
  readonly drainOnTermination?: DrainOnTermination;
  /**
   * Minimums by schedule. With schedules, they own `min_size` (Terraform
   * ignores it after creation, so an apply never writes `minSize` back over
   * the schedule in force), and `minSize` must be one of them: the base
   * is a schedule too.
   * @default []
   */
  readonly scheduledMinimums?: readonly ScheduledMinimum[];
  /** Time zone of the schedules. @default "Asia/Seoul" */
  readonly timeZone?: string;
  /** Predictive scaling on CPU, forecast and scale (COST-3). @default false */
  readonly predictiveScaling?: boolean;
  /**
   * SSM parameter (name) with a CloudWatch agent configuration: the hosts
   * install the agent and run it with it (GPU metrics, MON-5). The name must
   * start with `AmazonCloudWatch-`, the parameters the AWS-managed
   * CloudWatchAgentServerPolicy lets hosts read.
   * @default - no CloudWatch agent
   */
  readonly cloudWatchAgentConfigParameter?: string;
  /** Tags for the instances and volumes (an ASG does not take the provider's default_tags). */
  readonly instanceTags: Readonly<Record<string, string>>;
}

const MAX_GPU_INSTANCES = 20;

/**
 * The ECS GPU-optimized AMI on Amazon Linux 2023. Amazon Linux 2 reached its
 * end of support on 2026-06-30 (Amazon Linux 2 FAQs), and with it the ECS
 * AL2 AMIs (modules/common/deprecations.ts).
 */
export const GPU_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id";

/** Group metrics the fleet publishes (AWS/AutoScaling, 1-minute granularity): what per-instance scaling divides by, and the dashboards' host counts. */
const GROUP_METRICS = ["GroupInServiceInstances", "GroupDesiredCapacity", "GroupMinSize", "GroupMaxSize"];

/**
 * A fleet of ECS container hosts on GPU instances (the design card's "g4dn
 * autoscaling groups with Spot mixed-instances policies"): a launch template
 * with the ECS GPU AMI, IMDSv2 and an encrypted root volume; an Auto Scaling
 * group over the GPU subnets with an On-Demand base and price-capacity-optimized
 * Spot above it, scaled by its own policies and schedules.
 *
 * The services on these hosts are ECS daemons (one task per host), which ECS
 * capacity providers neither place nor protect (ECS Developer Guide: managed
 * termination protection and capacity-provider strategies ignore daemon
 * tasks). So no capacity provider: a host with work is kept by a termination
 * lifecycle hook instead (`drainOnTermination`), which waits for the work to
 * finish. A Spot interruption gives two minutes whatever the hook says: ECS
 * drains the host (ECS_ENABLE_SPOT_INSTANCE_DRAINING) and the task gets
 * SIGTERM and ECS_CONTAINER_STOP_TIMEOUT before it is killed.
 */
export class GpuFleet extends Construct {
  readonly launchTemplate: LaunchTemplate;
  readonly autoScalingGroup: AutoscalingGroup;
  readonly instanceRole: IamRole;
  /** With `drainOnTermination` only. */
  readonly terminationHook?: AutoscalingLifecycleHook;
  /** Places a task on this fleet's hosts only (ECS `memberOf` on the host's fleet attribute). */
  readonly placementConstraint: { readonly type: "memberOf"; readonly expression: string };

  constructor(scope: Construct, id: string, props: GpuFleetProps) {
    super(scope, id);
    validate(id, props);
    const { name } = props;
    const schedules = props.scheduledMinimums ?? [];
    const groupName = props.groupName ?? name;
    this.placementConstraint = { type: "memberOf", expression: `attribute:${FLEET_ATTRIBUTE} == ${name}` };

    const ami = new DataAwsSsmParameter(this, "ami", {
      name: props.amiParameter ?? GPU_AMI_PARAMETER,
    });
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] }],
    });
    this.instanceRole = new IamRole(this, "instance-role", {
      name: `${name}-host`,
      description: "ECS container host: registers with the cluster, pulls images, managed by SSM",
      assumeRolePolicy: trust.json,
    });
    // AWS-managed policies for an ECS container instance (agent registration,
    // ECR pulls, logs) and for SSM access instead of SSH.
    // The CloudWatch agent's policy: PutMetricData, its logs, and reading
    // AmazonCloudWatch-* parameters.
    const policies = [
      ["ecs", "service-role/AmazonEC2ContainerServiceforEC2Role"],
      ["ssm", "AmazonSSMManagedInstanceCore"],
      ...(props.cloudWatchAgentConfigParameter ? [["cloudwatch-agent", "CloudWatchAgentServerPolicy"]] : []),
    ];
    for (const [key, policy] of policies) {
      new IamRolePolicyAttachment(this, `instance-role-${key}`, {
        role: this.instanceRole.name,
        policyArn: `arn:aws:iam::aws:policy/${policy}`,
      });
    }
    const profile = new IamInstanceProfile(this, "instance-profile", { name: `${name}-host`, role: this.instanceRole.name });

    const tagSpecifications = ["instance", "volume"].map((resourceType) => ({ resourceType, tags: { ...props.instanceTags, Name: name } }));
    this.launchTemplate = new LaunchTemplate(this, "launch-template", {
      name,
      imageId: ami.value,
      iamInstanceProfile: { arn: profile.arn },
      vpcSecurityGroupIds: [...props.securityGroupIds],
      userData: gpuHostUserDataBase64({
        clusterName: props.clusterName,
        fleetName: name,
        agentConfigParameter: props.cloudWatchAgentConfigParameter,
        drain: props.drainOnTermination ? { ...props.drainOnTermination, hookName: TERMINATION_HOOK, groupName } : undefined,
      }),
      // IMDSv2 only (CKV_AWS_79). Hop limit 1: tasks use awsvpc networking and
      // get credentials from the ECS agent, so containers never need IMDS.
      metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: { volumeSize: props.rootVolumeGiB ?? 100, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
        },
      ],
      monitoring: { enabled: true },
      tagSpecifications,
      updateDefaultVersion: true,
    });

    this.autoScalingGroup = new AutoscalingGroup(this, "asg", {
      name: groupName,
      vpcZoneIdentifier: [...props.subnetIds],
      minSize: props.minSize,
      maxSize: props.maxSize,
      // The scaling policies own the desired count; with schedules, the schedules own the minimum.
      lifecycle: { ignoreChanges: schedules.length ? ["desired_capacity", "min_size"] : ["desired_capacity"] },
      capacityRebalance: true,
      // Deleting the group does not wait for the termination hook of every host (destroy of a whole fleet).
      forceDelete: true,
      metricsGranularity: "1Minute",
      enabledMetrics: GROUP_METRICS,
      mixedInstancesPolicy: {
        instancesDistribution: {
          onDemandBaseCapacity: props.onDemandBaseCapacity ?? 0,
          onDemandPercentageAboveBaseCapacity: props.onDemandPercentageAboveBaseCapacity ?? 0,
          spotAllocationStrategy: "price-capacity-optimized",
        },
        launchTemplate: {
          launchTemplateSpecification: { launchTemplateId: this.launchTemplate.id, version: "$Latest" },
          override: props.instanceTypes.map((t) => ({ instanceType: t.instanceType, weightedCapacity: String(t.weight ?? 1) })),
        },
      },
      instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 90 } },
      tag: Object.entries({ ...props.instanceTags, Name: name }).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
    });

    if (props.drainOnTermination) {
      this.terminationHook = new AutoscalingLifecycleHook(this, "termination-hook", {
        name: TERMINATION_HOOK,
        autoscalingGroupName: this.autoScalingGroup.name,
        lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
        // The watcher sends a heartbeat every minute: a host that stops answering is let go after this.
        heartbeatTimeout: hookHeartbeatSeconds(props.drainOnTermination.maxSeconds),
        defaultResult: "CONTINUE",
      });
      const drain = new DataAwsIamPolicyDocument(this, "drain-policy-document", {
        statement: [
          {
            sid: "HoldOwnTermination",
            actions: ["autoscaling:RecordLifecycleActionHeartbeat", "autoscaling:CompleteLifecycleAction"],
            resources: [this.autoScalingGroup.arn],
          },
        ],
      });
      new IamRolePolicy(this, "drain-policy", { name: `${name}-drain`, role: this.instanceRole.id, policy: drain.json });
    }

    const asgName = this.autoScalingGroup.name;
    if (props.scaleOn) {
      const m = props.scaleOn;
      new AutoscalingPolicy(this, "scale-on-metric", {
        name: `${name}-${m.metricName}${m.perInstance ? "-per-host" : ""}`,
        autoscalingGroupName: asgName,
        policyType: "TargetTrackingScaling",
        targetTrackingConfiguration: {
          targetValue: m.targetValue,
          customizedMetricSpecification: m.perInstance ? perInstanceMetric(m, asgName) : plainMetric(m),
        },
      });
    }
    for (const schedule of schedules) {
      new AutoscalingSchedule(this, `schedule-${schedule.name}`, {
        scheduledActionName: `${name}-${schedule.name}`,
        autoscalingGroupName: asgName,
        recurrence: schedule.recurrence,
        timeZone: props.timeZone ?? "Asia/Seoul",
        minSize: schedule.minSize,
        maxSize: props.maxSize,
        // -1: leave the desired count to the scalers.
        desiredCapacity: -1,
      });
    }
    if (props.predictiveScaling) {
      new AutoscalingPolicy(this, "predictive", {
        name: `${name}-predictive`,
        autoscalingGroupName: asgName,
        policyType: "PredictiveScaling",
        predictiveScalingConfiguration: {
          mode: "ForecastAndScale",
          schedulingBufferTime: "600",
          metricSpecification: { targetValue: 60, predefinedMetricPairSpecification: { predefinedMetricType: "ASGCPUUtilization" } },
        },
      });
    }
    ComponentTags.apply(this, "gpu-fleet");
  }
}

/** Name of the fleet's termination lifecycle hook (the watcher on the host completes it). */
const TERMINATION_HOOK = "drain-work";

/**
 * The hook's heartbeat timeout: 5 minutes, or longer where the drain needs it.
 * A host may wait at most 100 heartbeat timeouts or 48 hours, whichever is
 * less (EC2 Auto Scaling API Reference, LifecycleHook GlobalTimeout).
 */
const hookHeartbeatSeconds = (drainSeconds: number) => Math.max(300, Math.ceil(drainSeconds / 100));

function plainMetric(m: CustomMetricTarget) {
  return {
    namespace: m.namespace,
    metricName: m.metricName,
    statistic: m.statistic ?? "Average",
    metricDimension: Object.entries(m.dimensions ?? {}).map(([name, value]) => ({ name, value })),
  };
}

/** `metric / hosts`; with no host in service the backlog itself, so a fleet at zero still scales out. */
function perInstanceMetric(m: CustomMetricTarget, asgName: string) {
  const stat = (namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>, stat: string) => ({
    metric: { namespace, metricName, dimensions: Object.entries(dimensions).map(([name, value]) => ({ name, value })) },
    stat,
  });
  return {
    metrics: [
      { id: "work", metricStat: stat(m.namespace, m.metricName, m.dimensions ?? {}, m.statistic ?? "Average"), returnData: false },
      {
        id: "hosts",
        metricStat: stat("AWS/AutoScaling", "GroupInServiceInstances", { AutoScalingGroupName: asgName }, "Average"),
        returnData: false,
      },
      { id: "perhost", expression: "IF(hosts > 0, work / hosts, work)", returnData: true },
    ],
  };
}

function validate(id: string, props: GpuFleetProps): void {
  const problems: string[] = [];
  const whole = (value: number | undefined) => value === undefined || (Number.isInteger(value) && value >= 0);
  if (!/^[a-zA-Z0-9-]{1,60}$/.test(props.name ?? "")) problems.push(`name: "${props.name ?? ""}" must be 1-60 letters, digits or dashes`);
  if (props.groupName !== undefined && !/^[a-zA-Z0-9-]{1,255}$/.test(props.groupName))
    problems.push(`groupName: "${props.groupName}" must be 1-255 letters, digits or dashes`);
  if ((props.subnetIds ?? []).length < 2)
    problems.push(`subnetIds: ${props.subnetIds?.length ?? 0} given; at least 2 (one per AZ) are required`);
  if ((props.instanceTypes ?? []).length === 0) problems.push("instanceTypes: at least one instance type is required");
  const unknown = (props.instanceTypes ?? []).filter((t) => !GPU_INSTANCE_TYPES[t.instanceType]).map((t) => t.instanceType);
  if (unknown.length) {
    problems.push(
      `instanceTypes: ${unknown.join(", ")} not one-GPU types of the fleet's class (${Object.keys(GPU_INSTANCE_TYPES).join(", ")})`,
    );
  }
  props.instanceTypes?.forEach((t, i) => {
    if (props.instanceTypes.findIndex((o) => o.instanceType === t.instanceType) !== i)
      problems.push(`instanceTypes[${i}]: "${t.instanceType}" is listed twice`);
    if (t.weight !== undefined && !(Number.isInteger(t.weight) && t.weight >= 1 && t.weight <= 999))
      problems.push(`instanceTypes[${i}].weight: ${t.weight} must be a whole number from 1 to 999`);
  });
  if (!whole(props.minSize) || !whole(props.maxSize)) problems.push("minSize/maxSize: must be whole numbers >= 0");
  if (props.minSize > props.maxSize) problems.push(`minSize ${props.minSize} is greater than maxSize ${props.maxSize}`);
  if (props.maxSize > MAX_GPU_INSTANCES) problems.push(`maxSize: ${props.maxSize} exceeds ${MAX_GPU_INSTANCES} (SC-1)`);
  if (props.maxSize < 1) problems.push("maxSize: must be at least 1");
  const base = props.onDemandBaseCapacity ?? 0;
  if (!whole(base) || base > props.maxSize) problems.push(`onDemandBaseCapacity: ${base} must be a whole number from 0 to maxSize`);
  const percent = props.onDemandPercentageAboveBaseCapacity ?? 0;
  if (!(Number.isInteger(percent) && percent >= 0 && percent <= 100))
    problems.push(`onDemandPercentageAboveBaseCapacity: ${percent} must be 0-100`);
  if (props.rootVolumeGiB !== undefined && !(Number.isInteger(props.rootVolumeGiB) && props.rootVolumeGiB >= 30)) {
    problems.push(`rootVolumeGiB: ${props.rootVolumeGiB} must be a whole number >= 30 (the ECS GPU AMI needs 30 GiB)`);
  }
  const agent = props.cloudWatchAgentConfigParameter;
  if (agent !== undefined && !/^AmazonCloudWatch-[A-Za-z0-9_.-]+$/.test(agent)) {
    problems.push(
      `cloudWatchAgentConfigParameter: "${agent}" must be an AmazonCloudWatch-* parameter name (what CloudWatchAgentServerPolicy lets hosts read)`,
    );
  }
  if (props.scaleOn && !(props.scaleOn.targetValue > 0)) problems.push(`scaleOn.targetValue: ${props.scaleOn.targetValue} must be > 0`);
  const scheduledBase = scheduledBaseProblem(props.minSize, props.scheduledMinimums ?? []);
  if (scheduledBase) problems.push(`minSize: ${scheduledBase}`);
  const drain = props.drainOnTermination;
  const drainTime = drain && drainSecondsProblem(drain.maxSeconds);
  if (drainTime) problems.push(`drainOnTermination.maxSeconds: ${drainTime}`);
  if (drain && (!drain.stopTakingWork?.trim() || !drain.isIdle?.trim()))
    problems.push("drainOnTermination: stopTakingWork and isIdle are shell commands and cannot be empty");
  props.scheduledMinimums?.forEach((s, i) => {
    if (!/^[a-z0-9-]{1,40}$/.test(s.name))
      problems.push(`scheduledMinimums[${i}].name: "${s.name}" must be 1-40 lower-case letters, digits or dashes`);
    if (s.recurrence.trim().split(/\s+/).length !== 5)
      problems.push(`scheduledMinimums[${i}].recurrence: "${s.recurrence}" must be a five-field cron expression`);
    if (!whole(s.minSize) || s.minSize > props.maxSize)
      problems.push(`scheduledMinimums[${i}].minSize: ${s.minSize} must be a whole number from 0 to maxSize ${props.maxSize}`);
  });
  refuseProps("GpuFleet", id, problems);
}
