import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { EcsCapacityProvider } from "@cdktf/provider-aws/lib/ecs-capacity-provider";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { Testing } from "cdktf";
import { GpuFleet, type GpuFleetProps } from "../../modules/gpu-fleet";
import { gpuHostUserData } from "../../modules/gpu-fleet/user-data";
import { resourcesOf, synthJson } from "../helpers";

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
    { name: "weekend", recurrence: "0 0 * * SAT", minSize: 1 },
  ],
  predictiveScaling: true,
  instanceTags: { Project: "ecg-render", Environment: "test" },
};
const synth = (overrides: Partial<GpuFleetProps> = {}) =>
  synthJson(Testing.synthScope((scope) => new GpuFleet(scope, "fleet", { ...props, ...overrides })));

describe("GpuFleet module", () => {
  const fleet = synth();
  const json = JSON.stringify(fleet);

  it("[CMP-5] launches the ECS GPU-optimized AMI from its public SSM parameter, IMDSv2 only, encrypted root volume", () => {
    const [[, ami]] = Object.entries<any>(fleet.data!.aws_ssm_parameter);
    expect(ami.name).toBe("/aws/service/ecs/optimized-ami/amazon-linux-2/gpu/recommended/image_id");
    expect(json).toHaveResourceWithProperties(LaunchTemplate, {
      metadata_options: { http_tokens: "required", http_put_response_hop_limit: 1, http_endpoint: "enabled" },
      block_device_mappings: [{ device_name: "/dev/xvda", ebs: { volume_size: 100, volume_type: "gp3", encrypted: "true", delete_on_termination: "true" } }],
    });
  });

  it("[CMP-5] joins the cluster with GPU support and Spot draining, and mounts the NVMe instance store as scratch", () => {
    const script = gpuHostUserData("ecg-test", "ecg-test-render");
    expect(script).toContain("ECS_CLUSTER=ecg-test\nECS_ENABLE_GPU_SUPPORT=true\nECS_ENABLE_SPOT_INSTANCE_DRAINING=true");
    expect(script).toMatch(/mount -o noatime "\$store" \/scratch/);
    const [[, template]] = resourcesOf(fleet, "aws_launch_template");
    // The script is a raw string; Terraform puts the cluster's name into it.
    expect(template.user_data).toMatch(/^\$\{base64encode\(replace\(".*ECS_ENABLE_GPU_SUPPORT=true.*", "@@ECS_CLUSTER@@", "ecg-test"\)\)\}$/s);
  });

  it("[CMP-3] [CMP-4] marks its hosts with the fleet's name, and gives services the placement constraint that selects them", () => {
    expect(gpuHostUserData("ecg-test", "ecg-test-render")).toContain('ECS_INSTANCE_ATTRIBUTES={"ecg.fleet":"ecg-test-render"}');
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
      protect_from_scale_in: true,
      force_delete: true,
      vpc_zone_identifier: ["subnet-a", "subnet-c"],
    });
    const [[, asg]] = resourcesOf(fleet, "aws_autoscaling_group");
    expect(asg.mixed_instances_policy.instances_distribution).toEqual({
      on_demand_base_capacity: 1,
      on_demand_percentage_above_base_capacity: 0,
      spot_allocation_strategy: "price-capacity-optimized",
    });
    expect(asg.mixed_instances_policy.launch_template.override.map((o: any) => o.instance_type)).toEqual(["g4dn.2xlarge", "g4dn.4xlarge", "g4dn.8xlarge"]);
    expect(asg.desired_capacity).toBeUndefined();
    expect(asg.lifecycle.ignore_changes).toEqual(["desired_capacity"]);
    expect(asg.tag).toContainEqual({ key: "AmazonECSManaged", value: "true", propagate_at_launch: true });
    expect(asg.tag).toContainEqual({ key: "Environment", value: "test", propagate_at_launch: true });
  });

  it("[CMP-4] registers an ECS capacity provider with managed scaling and managed termination protection", () => {
    expect(json).toHaveResourceWithProperties(EcsCapacityProvider, {
      auto_scaling_group_provider: expect.objectContaining({
        managed_termination_protection: "ENABLED",
        managed_scaling: expect.objectContaining({ status: "ENABLED", target_capacity: 100 }),
      }),
    });
  });

  it("[CMP-4] [COST-2] [COST-3] scales on the custom metric, on Seoul schedules and predictively", () => {
    const policies = resourcesOf(fleet, "aws_autoscaling_policy").map(([, p]) => p);
    expect(policies.map((p) => p.policy_type).sort()).toEqual(["PredictiveScaling", "TargetTrackingScaling"]);
    const tracking = policies.find((p) => p.policy_type === "TargetTrackingScaling");
    expect(tracking.target_tracking_configuration).toMatchObject({
      target_value: 10,
      customized_metric_specification: { namespace: "ECG/Render", metric_name: "QueueDepthPerInstance", statistic: "Average" },
    });
    const schedules = resourcesOf(fleet, "aws_autoscaling_schedule").map(([, s]) => [s.recurrence, s.min_size, s.time_zone, s.desired_capacity]);
    expect(schedules).toEqual([
      ["0 9 * * MON-FRI", 4, "Asia/Seoul", -1],
      ["0 0 * * SAT", 1, "Asia/Seoul", -1],
    ]);
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
    [{ instanceTypes: [{ instanceType: "g4dn.xlarge" }, { instanceType: "g4dn.xlarge" }] }, 'instanceTypes[1]: "g4dn.xlarge" is listed twice'],
    [{ instanceTypes: [{ instanceType: "g4dn.xlarge", weight: 0 }] }, "instanceTypes[0].weight: 0 must be a whole number from 1 to 999"],
    [{ subnetIds: ["subnet-a"] }, "subnetIds: 1 given; at least 2 (one per AZ) are required"],
    [{ onDemandBaseCapacity: 9 }, "onDemandBaseCapacity: 9 must be a whole number from 0 to maxSize"],
    [{ onDemandPercentageAboveBaseCapacity: 101 }, "onDemandPercentageAboveBaseCapacity: 101 must be 0-100"],
    [{ rootVolumeGiB: 20 }, "rootVolumeGiB: 20 must be a whole number >= 30"],
    [{ scheduledMinimums: [{ name: "peak", recurrence: "0 9 * *", minSize: 1 }] }, 'scheduledMinimums[0].recurrence: "0 9 * *" must be a five-field cron expression'],
    [{ scheduledMinimums: [{ name: "peak", recurrence: "0 9 * * *", minSize: 12 }] }, "scheduledMinimums[0].minSize: 12 must be a whole number from 0 to maxSize 8"],
    [{ scaleOn: { namespace: "n", metricName: "m", targetValue: 0 } }, "scaleOn.targetValue: 0 must be > 0"],
    [{ name: "bad name" }, 'name: "bad name" must be 1-60 letters, digits or dashes'],
    [{ instanceTypes: [{ instanceType: "g4dn.12xlarge" }, { instanceType: "p3.2xlarge" }] }, "instanceTypes: g4dn.12xlarge, p3.2xlarge not one-GPU types of the fleet's class"],
  ])("refuses %p", (overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });
});

describe("GpuFleet with the CloudWatch agent", () => {
  const parameter = "AmazonCloudWatch-ecg-test-gpu";
  const withAgent = synth({ cloudWatchAgentConfigParameter: parameter });

  it("[MON-5] installs the CloudWatch agent on every host and starts it with the configuration in SSM", () => {
    const script = gpuHostUserData("ecg-test", "ecg-test-render", parameter);
    expect(script).toContain("yum install -y amazon-cloudwatch-agent\n");
    expect(script).toContain(`amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c ssm:${parameter}\n`);
    const [[, template]] = resourcesOf(withAgent, "aws_launch_template");
    expect(template.user_data).toContain(`-c ssm:${parameter}`);
    expect(gpuHostUserData("ecg-test", "ecg-test-render")).not.toContain("amazon-cloudwatch-agent");
  });

  it("[MON-5] lets the hosts publish metrics and read the agent's configuration (CloudWatchAgentServerPolicy), only with the agent", () => {
    const attached = (stack: ReturnType<typeof synth>) => resourcesOf(stack, "aws_iam_role_policy_attachment").map(([, a]) => a.policy_arn);
    expect(attached(withAgent)).toContain("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy");
    expect(attached(synth())).not.toContain("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy");
  });

  it("refuses a parameter the managed policy does not let hosts read", () => {
    expect(() => Testing.synthScope((scope) => new GpuFleet(scope, "fleet", { ...props, cloudWatchAgentConfigParameter: "/ecg/agent" }))).toThrow(
      'cloudWatchAgentConfigParameter: "/ecg/agent" must be an AmazonCloudWatch-* parameter name',
    );
  });
});
