import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Testing } from "cdktf";
import { GPU_AMI_PARAMETER, GpuFleet, type GpuFleetProps } from "../../modules/gpu-fleet";
import { gpuHostUserData } from "../../modules/gpu-fleet/user-data";
import { resourcesOf, statementsOf, synthJson } from "../helpers";

const props: GpuFleetProps = {
  name: "ecg-test-render",
  clusterName: "ecg-test",
  subnetIds: ["subnet-a", "subnet-c"],
  securityGroupIds: ["sg-render"],
  instanceTypes: [{ instanceType: "g4dn.2xlarge" }, { instanceType: "g4dn.4xlarge" }, { instanceType: "g4dn.8xlarge" }],
  minSize: 2,
  maxSize: 8,
  onDemandBaseCapacity: 1,
  scaleOn: { namespace: "ECG/Render", metricName: "QueueDepthPerInstance", targetValue: 10 },
  scheduledMinimums: [
    { name: "weekday-peak", recurrence: "0 9 * * MON-FRI", minSize: 4 },
    { name: "weekday-evening", recurrence: "0 20 * * MON-FRI", minSize: 2 },
    { name: "weekend", recurrence: "0 0 * * SAT", minSize: 1 },
  ],
  predictiveScaling: true,
  instanceTags: { Project: "ecg-render", Environment: "test" },
};
const boot = { clusterName: "ecg-test", fleetName: "ecg-test-render" };
const synth = (overrides: Partial<GpuFleetProps> = {}) =>
  synthJson(Testing.synthScope((scope) => new GpuFleet(scope, "fleet", { ...props, ...overrides })));

describe("GpuFleet module", () => {
  const fleet = synth();
  const json = JSON.stringify(fleet);

  it("[CMP-5] launches the ECS GPU-optimized AMI from its public SSM parameter, IMDSv2 only, encrypted root volume", () => {
    const [[, ami]] = Object.entries<any>(fleet.data!.aws_ssm_parameter);
    expect(ami.name).toBe("/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id");
    expect(ami.name).toBe(GPU_AMI_PARAMETER);
    expect(json).toHaveResourceWithProperties(LaunchTemplate, {
      metadata_options: { http_tokens: "required", http_put_response_hop_limit: 1, http_endpoint: "enabled" },
      block_device_mappings: [
        { device_name: "/dev/xvda", ebs: { volume_size: 100, volume_type: "gp3", encrypted: "true", delete_on_termination: "true" } },
      ],
    });
  });

  it("[CMP-5] joins the cluster with GPU support and Spot draining, and mounts the NVMe instance store as scratch", () => {
    const script = gpuHostUserData(boot);
    expect(script).toContain("ECS_CLUSTER=ecg-test\nECS_ENABLE_GPU_SUPPORT=true\nECS_ENABLE_SPOT_INSTANCE_DRAINING=true");
    expect(script).toMatch(/mount -o noatime "\$store" \/scratch/);
    // Writable by the tasks' unprivileged users, each keeping its own files.
    expect(script).toContain("chmod 1777 /scratch");
    const [[, template]] = resourcesOf(fleet, "aws_launch_template");
    // The script is a raw string; Terraform puts the cluster's name into it.
    expect(template.user_data).toMatch(
      /^\$\{base64encode\(replace\(".*ECS_ENABLE_GPU_SUPPORT=true.*", "@@ECS_CLUSTER@@", "ecg-test"\)\)\}$/s,
    );
  });

  it('[#17] [ECS Developer Guide, "Amazon ECS container agent configuration": ECS_AWSVPC_BLOCK_IMDS blocks IMDS for tasks in awsvpc mode] keeps the tasks (awsvpc) from reading the instance metadata, and with it the host\'s role', () => {
    expect(gpuHostUserData(boot).split("\n")).toContain("ECS_AWSVPC_BLOCK_IMDS=true");
  });

  it("[CMP-3] [CMP-4] marks its hosts with the fleet's name, and gives services the placement constraint that selects them", () => {
    expect(gpuHostUserData(boot)).toContain('ECS_INSTANCE_ATTRIBUTES={"ecg.fleet":"ecg-test-render"}');
    const [[, template]] = resourcesOf(fleet, "aws_launch_template");
    expect(template.user_data).toContain(`ECS_INSTANCE_ATTRIBUTES={\\"ecg.fleet\\":\\"${template.name}\\"}`);
    let constraint: GpuFleet["placementConstraint"] | undefined;
    Testing.synthScope((scope) => (constraint = new GpuFleet(scope, "fleet", props).placementConstraint));
    expect(constraint).toEqual({ type: "memberOf", expression: `attribute:ecg.fleet == ${props.name}` });
  });

  it("[COST-1] runs an On-Demand base with price-capacity-optimized Spot above it over three T4 types, rebalancing ahead of interruptions", () => {
    expect(json).toHaveResourceWithProperties(AutoscalingGroup, {
      min_size: 2,
      max_size: 8,
      capacity_rebalance: true,
      force_delete: true,
      vpc_zone_identifier: ["subnet-a", "subnet-c"],
    });
    const [[, asg]] = resourcesOf(fleet, "aws_autoscaling_group");
    expect(asg.mixed_instances_policy.instances_distribution).toEqual({
      on_demand_base_capacity: 1,
      on_demand_percentage_above_base_capacity: 0,
      spot_allocation_strategy: "price-capacity-optimized",
    });
    expect(asg.mixed_instances_policy.launch_template.override.map((o: any) => o.instance_type)).toEqual([
      "g4dn.2xlarge",
      "g4dn.4xlarge",
      "g4dn.8xlarge",
    ]);
    expect(asg.desired_capacity).toBeUndefined();
    expect(asg.tag).toContainEqual({ key: "Environment", value: "test", propagate_at_launch: true });
    expect(asg.tag).toContainEqual({ key: "Name", value: "ecg-test-render", propagate_at_launch: true });
  });

  it('[CMP-4] [ECS Developer Guide, "Daemon" scheduling: daemon services cannot use a capacity provider strategy] registers no ECS capacity provider and leaves no ECS-managed scale-in protection on the group', () => {
    expect(resourcesOf(fleet, "aws_ecs_capacity_provider")).toEqual([]);
    const [[, asg]] = resourcesOf(fleet, "aws_autoscaling_group");
    // Without a capacity provider nothing would ever lift a protection: the group scales in freely, the termination hook holds hosts with work.
    expect(asg.protect_from_scale_in).toBeUndefined();
    expect(asg.tag.map((t: any) => t.key)).not.toContain("AmazonECSManaged");
    expect(Object.keys(fleet.resource).filter((type) => type.startsWith("aws_ecs_"))).toEqual([]);
  });

  it("[CMP-4] the scaling policies own the desired count; without schedules Terraform still owns min_size", () => {
    const bare = synth({ scheduledMinimums: undefined });
    const [[, asg]] = resourcesOf(bare, "aws_autoscaling_group");
    expect(asg.lifecycle.ignore_changes).toEqual(["desired_capacity"]);
    expect(asg.min_size).toBe(2);
  });

  it("[COST-3] with scheduled minimums, ignores min_size after creation so an apply never overwrites the schedule in force", () => {
    const [[, asg]] = resourcesOf(fleet, "aws_autoscaling_group");
    expect(asg.lifecycle.ignore_changes).toEqual(["desired_capacity", "min_size"]);
  });

  it("[COST-3] refuses a base minSize that is none of the scheduled minimums (the schedules own the minimum), and accepts each of them", () => {
    expect(() => synth({ minSize: 3 })).toThrow('GpuFleet "fleet" is misconfigured');
    expect(() => synth({ minSize: 3 })).toThrow(
      "minSize: 3 is none of the scheduled minimums (4, 2, 1); the schedules own the minimum, so the base must be one of them",
    );
    for (const minSize of [4, 2, 1]) expect(() => synth({ minSize })).not.toThrow();
    // Without schedules any base within the limits is fine.
    expect(() => synth({ minSize: 3, scheduledMinimums: [] })).not.toThrow();
  });

  it('[MON-5] [EC2 Auto Scaling User Guide, "Amazon CloudWatch metrics for Amazon EC2 Auto Scaling": group metrics are published only when enabled] publishes the group metrics at 1-minute granularity', () => {
    const [[, asg]] = resourcesOf(fleet, "aws_autoscaling_group");
    expect(asg.metrics_granularity).toBe("1Minute");
    expect(asg.enabled_metrics).toEqual(["GroupInServiceInstances", "GroupDesiredCapacity", "GroupMinSize", "GroupMaxSize"]);
  });

  it("[CMP-4] [COST-2] [COST-3] scales on the custom metric, on Seoul schedules and predictively", () => {
    const policies = resourcesOf(fleet, "aws_autoscaling_policy").map(([, p]) => p);
    expect(policies.map((p) => p.policy_type).sort()).toEqual(["PredictiveScaling", "TargetTrackingScaling"]);
    const tracking = policies.find((p) => p.policy_type === "TargetTrackingScaling");
    expect(tracking.name).toBe("ecg-test-render-QueueDepthPerInstance");
    expect(tracking.target_tracking_configuration).toMatchObject({
      target_value: 10,
      customized_metric_specification: { namespace: "ECG/Render", metric_name: "QueueDepthPerInstance", statistic: "Average" },
    });
    expect(tracking.target_tracking_configuration.customized_metric_specification.metrics).toBeUndefined();
    const schedules = resourcesOf(fleet, "aws_autoscaling_schedule").map(([, s]) => [
      s.scheduled_action_name,
      s.recurrence,
      s.min_size,
      s.time_zone,
      s.desired_capacity,
    ]);
    expect(schedules.sort()).toEqual([
      ["ecg-test-render-weekday-evening", "0 20 * * MON-FRI", 2, "Asia/Seoul", -1],
      ["ecg-test-render-weekday-peak", "0 9 * * MON-FRI", 4, "Asia/Seoul", -1],
      ["ecg-test-render-weekend", "0 0 * * SAT", 1, "Asia/Seoul", -1],
    ]);
  });

  it('[CMP-4] [EC2 Auto Scaling User Guide, "Create a target tracking scaling policy using metric math": only the final expression returns data] with perInstance, tracks the metric divided by the group\'s in-service hosts', () => {
    const perHost = synth({
      scaleOn: {
        namespace: "ECG/Render",
        metricName: "QueueDepth",
        statistic: "Sum",
        dimensions: { Queue: "render" },
        targetValue: 5,
        perInstance: true,
      },
    });
    const [[asgId]] = resourcesOf(perHost, "aws_autoscaling_group");
    const [tracking] = resourcesOf(perHost, "aws_autoscaling_policy")
      .map(([, p]) => p)
      .filter((p) => p.policy_type === "TargetTrackingScaling");
    expect(tracking.name).toBe("ecg-test-render-QueueDepth-per-host");
    const spec = tracking.target_tracking_configuration.customized_metric_specification;
    expect(tracking.target_tracking_configuration.target_value).toBe(5);
    // Metric math replaces the single metric: no namespace/metric_name/statistic at the top.
    expect(spec.namespace).toBeUndefined();
    expect(spec.metric_name).toBeUndefined();
    expect(spec.metrics).toEqual([
      {
        id: "work",
        metric_stat: {
          metric: { namespace: "ECG/Render", metric_name: "QueueDepth", dimensions: [{ name: "Queue", value: "render" }] },
          stat: "Sum",
        },
        return_data: false,
      },
      {
        id: "hosts",
        metric_stat: {
          metric: {
            namespace: "AWS/AutoScaling",
            metric_name: "GroupInServiceInstances",
            dimensions: [{ name: "AutoScalingGroupName", value: `\${aws_autoscaling_group.${asgId}.name}` }],
          },
          stat: "Average",
        },
        return_data: false,
      },
      expect.objectContaining({ id: "perhost", expression: "IF(hosts > 0, work / hosts, work)", return_data: true }),
    ]);
    expect(spec.metrics.filter((m: any) => m.return_data)).toHaveLength(1);
  });

  it('[CMP-4] [EC2 Auto Scaling User Guide, "Amazon EC2 Auto Scaling lifecycle hooks": an EC2_INSTANCE_TERMINATING hook holds the instance in Terminating:Wait] with drainOnTermination, holds terminating hosts with a lifecycle hook that continues on timeout', () => {
    expect(resourcesOf(fleet, "aws_autoscaling_lifecycle_hook")).toEqual([]);
    const drained = synth({
      drainOnTermination: { stopTakingWork: "touch /run/ecg/draining", isIdle: "test ! -e /run/ecg/busy", maxSeconds: 3600 },
    });
    const [[asgId]] = resourcesOf(drained, "aws_autoscaling_group");
    const [[, hook]] = resourcesOf(drained, "aws_autoscaling_lifecycle_hook");
    expect(resourcesOf(drained, "aws_autoscaling_lifecycle_hook")).toHaveLength(1);
    expect(hook).toEqual({
      name: "drain-work",
      autoscaling_group_name: `\${aws_autoscaling_group.${asgId}.name}`,
      lifecycle_transition: "autoscaling:EC2_INSTANCE_TERMINATING",
      heartbeat_timeout: 300,
      default_result: "CONTINUE",
    });
  });

  it('[SEC-1] [EC2 Auto Scaling User Guide, "Complete a lifecycle action": the instance needs RecordLifecycleActionHeartbeat and CompleteLifecycleAction] lets the hosts heartbeat and complete the hook of their own group only', () => {
    const drained = synth({ drainOnTermination: { stopTakingWork: "true", isIdle: "true", maxSeconds: 60 } });
    const [[asgId]] = resourcesOf(drained, "aws_autoscaling_group");
    const [[roleId]] = resourcesOf(drained, "aws_iam_role");
    const [[, policy]] = resourcesOf(drained, "aws_iam_role_policy");
    expect(resourcesOf(drained, "aws_iam_role_policy")).toHaveLength(1);
    expect(policy.name).toBe("ecg-test-render-drain");
    expect(policy.role).toBe(`\${aws_iam_role.${roleId}.id}`);
    expect(statementsOf(drained, policy.policy)).toEqual([
      {
        sid: "HoldOwnTermination",
        actions: ["autoscaling:RecordLifecycleActionHeartbeat", "autoscaling:CompleteLifecycleAction"],
        resources: [`\${aws_autoscaling_group.${asgId}.arn}`],
      },
    ]);
    expect(resourcesOf(fleet, "aws_iam_role_policy")).toEqual([]);
  });

  it("[CMP-4] installs the termination watcher in the user data only with drainOnTermination: it waits for Terminated, stops work, heartbeats until idle or the deadline, then continues", () => {
    const drain = {
      stopTakingWork: "touch /run/ecg/draining",
      isIdle: "test ! -e /run/ecg/busy",
      maxSeconds: 1800,
      hookName: "drain-work",
      groupName: "ecg-test-render",
    };
    const script = gpuHostUserData({ ...boot, drain });
    expect(gpuHostUserData(boot)).not.toContain("ecg-drain");
    expect(script).toContain('until [[ "$(imds autoscaling/target-lifecycle-state)" == "Terminated" ]]; do sleep 5; done');
    expect(script).toContain(
      'hook=(--region "$region" --auto-scaling-group-name ecg-test-render --lifecycle-hook-name drain-work --instance-id "$instance")',
    );
    expect(script).toContain("deadline=$(( $(date +%s) + 1800 ))");
    expect(script).toContain("stop_taking_work() {\n  touch /run/ecg/draining\n}");
    expect(script).toContain("is_idle() {\n  test ! -e /run/ecg/busy\n}");
    expect(script).toContain('aws autoscaling record-lifecycle-action-heartbeat "${hook[@]}"');
    expect(script).toContain('aws autoscaling complete-lifecycle-action "${hook[@]}" --lifecycle-action-result CONTINUE');
    expect(script).toContain("systemctl enable --now --no-block ecg-drain.service");
    // IMDSv2 only: the watcher asks for a token first.
    expect(script).toContain("X-aws-ec2-metadata-token-ttl-seconds");
    const drained = synth({ drainOnTermination: { stopTakingWork: drain.stopTakingWork, isIdle: drain.isIdle, maxSeconds: 1800 } });
    const [[, template]] = resourcesOf(drained, "aws_launch_template");
    expect(template.user_data).toContain("--lifecycle-hook-name drain-work");
  });

  it("accepts drain times of 60 and 86400 seconds and refuses them outside, or with empty commands", () => {
    const drain = (maxSeconds: number, commands = { stopTakingWork: "true", isIdle: "true" }) =>
      synth({ drainOnTermination: { ...commands, maxSeconds } });
    expect(() => drain(60)).not.toThrow();
    expect(() => drain(86400)).not.toThrow();
    expect(() => drain(30)).toThrow("drainOnTermination.maxSeconds: 0.5 minutes: a host may wait 1-1440 minutes for its work");
    expect(() => drain(86460)).toThrow("drainOnTermination.maxSeconds: 1441 minutes: a host may wait 1-1440 minutes for its work");
    expect(() => drain(600, { stopTakingWork: " ", isIdle: "true" })).toThrow(
      "drainOnTermination: stopTakingWork and isIdle are shell commands and cannot be empty",
    );
  });

  it("leaves out the optional scalers when not asked for", () => {
    const bare = synth({ scaleOn: undefined, scheduledMinimums: undefined, predictiveScaling: undefined });
    expect(resourcesOf(bare, "aws_autoscaling_policy")).toEqual([]);
    expect(resourcesOf(bare, "aws_autoscaling_schedule")).toEqual([]);
  });

  it.each<[Partial<GpuFleetProps>, string]>([
    [{ minSize: 9 }, "minSize 9 is greater than maxSize 8"],
    [{ maxSize: 21 }, "maxSize: 21 exceeds 20 (SC-1)"],
    [{ instanceTypes: [] }, "instanceTypes: at least one instance type is required"],
    [
      { instanceTypes: [{ instanceType: "g4dn.xlarge" }, { instanceType: "g4dn.xlarge" }] },
      'instanceTypes[1]: "g4dn.xlarge" is listed twice',
    ],
    [{ instanceTypes: [{ instanceType: "g4dn.xlarge", weight: 0 }] }, "instanceTypes[0].weight: 0 must be a whole number from 1 to 999"],
    [{ subnetIds: ["subnet-a"] }, "subnetIds: 1 given; at least 2 (one per AZ) are required"],
    [{ onDemandBaseCapacity: 9 }, "onDemandBaseCapacity: 9 must be a whole number from 0 to maxSize"],
    [{ onDemandPercentageAboveBaseCapacity: 101 }, "onDemandPercentageAboveBaseCapacity: 101 must be 0-100"],
    [{ rootVolumeGiB: 20 }, "rootVolumeGiB: 20 must be a whole number >= 30"],
    [
      { scheduledMinimums: [{ name: "peak", recurrence: "0 9 * *", minSize: 1 }] },
      'scheduledMinimums[0].recurrence: "0 9 * *" must be a five-field cron expression',
    ],
    [
      { scheduledMinimums: [{ name: "peak", recurrence: "0 9 * * *", minSize: 12 }] },
      "scheduledMinimums[0].minSize: 12 must be a whole number from 0 to maxSize 8",
    ],
    [{ scaleOn: { namespace: "n", metricName: "m", targetValue: 0 } }, "scaleOn.targetValue: 0 must be > 0"],
    [{ name: "bad name" }, 'name: "bad name" must be 1-60 letters, digits or dashes'],
    [
      { instanceTypes: [{ instanceType: "g4dn.12xlarge" }, { instanceType: "p3.2xlarge" }] },
      "instanceTypes: g4dn.12xlarge, p3.2xlarge not one-GPU types of the fleet's class",
    ],
  ])("refuses %p", (overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });
});

describe("GpuFleet with the CloudWatch agent", () => {
  const parameter = "AmazonCloudWatch-ecg-test-gpu";
  const withAgent = synth({ cloudWatchAgentConfigParameter: parameter });

  it("[CMP-4] installs the termination watcher before the CloudWatch agent, whose failure does not stop the boot script (set -e): a host that runs work can always finish it", () => {
    const drain = { stopTakingWork: "true", isIdle: "true", maxSeconds: 600, hookName: "drain-work", groupName: "ecg-test-render" };
    const script = gpuHostUserData({ ...boot, agentConfigParameter: parameter, drain });
    expect(script.indexOf("systemctl enable --now --no-block ecg-drain.service")).toBeGreaterThan(0);
    expect(script.indexOf("systemctl enable --now --no-block ecg-drain.service")).toBeLessThan(script.indexOf("amazon-cloudwatch-agent"));
    expect(script).toMatch(/\{ dnf install -y amazon-cloudwatch-agent &&\n.*\} \|\| echo "CloudWatch agent not started" >&2/);
  });

  it("[MON-5] installs the CloudWatch agent on every host and starts it with the configuration in SSM", () => {
    const script = gpuHostUserData({ ...boot, agentConfigParameter: parameter });
    expect(script).toContain("{ dnf install -y amazon-cloudwatch-agent &&\n");
    expect(script).toContain(`amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c ssm:${parameter}; } || echo`);
    const [[, template]] = resourcesOf(withAgent, "aws_launch_template");
    expect(template.user_data).toContain(`-c ssm:${parameter}`);
    expect(gpuHostUserData(boot)).not.toContain("amazon-cloudwatch-agent");
  });

  it("[MON-5] lets the hosts publish metrics and read the agent's configuration (CloudWatchAgentServerPolicy), only with the agent", () => {
    const attached = (stack: ReturnType<typeof synth>) => resourcesOf(stack, "aws_iam_role_policy_attachment").map(([, a]) => a.policy_arn);
    expect(attached(withAgent)).toContain("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy");
    expect(attached(synth())).not.toContain("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy");
  });

  it("refuses a parameter the managed policy does not let hosts read", () => {
    expect(() =>
      Testing.synthScope((scope) => new GpuFleet(scope, "fleet", { ...props, cloudWatchAgentConfigParameter: "/ecg/agent" })),
    ).toThrow('cloudWatchAgentConfigParameter: "/ecg/agent" must be an AmazonCloudWatch-* parameter name');
  });
});
