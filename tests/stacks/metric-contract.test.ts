import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { AutoscalingPolicy } from "@cdktf/provider-aws/lib/autoscaling-policy";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { API_METRICS, API_NAMESPACE, ENVIRONMENT_DIMENSION, RENDER_METRICS, RENDER_NAMESPACE } from "../../modules/observability";
import {
  metricContractProblems,
  metricReferences,
  PUBLISHED_METRICS,
  publishedMetric,
} from "../../modules/observability/published-metrics";
import { resourcesOf, type SynthesizedStack } from "../helpers";
import { type SynthesizedProgram, synthProgram } from "./synth";

type Json = Record<string, any>;

/** A real cdktf stack (constructs, so the JSON has the provider's shape) with a render fleet's group. */
function handMade(build: (stack: TerraformStack, group: AutoscalingGroup) => void, enabledMetrics?: string[]): Json {
  const stack = new TerraformStack(Testing.app(), "ecg-dev");
  new AwsProvider(stack, "aws", { region: "ap-northeast-2" });
  const group = new AutoscalingGroup(stack, "render", {
    name: "ecg-dev-gpu-render",
    minSize: 0,
    maxSize: 4,
    vpcZoneIdentifier: ["subnet-1"],
    enabledMetrics,
    metricsGranularity: enabledMetrics ? "1Minute" : undefined,
  });
  build(stack, group);
  return JSON.parse(Testing.synth(stack));
}

/** Today's render fleet target tracking: per-instance queue depth by group, which nothing publishes. */
const oldRenderScaling = (stack: TerraformStack, group: AutoscalingGroup) =>
  new AutoscalingPolicy(stack, "scale-on-metric", {
    name: "ecg-dev-gpu-render-QueueDepthPerInstance",
    autoscalingGroupName: group.name,
    policyType: "TargetTrackingScaling",
    targetTrackingConfiguration: {
      targetValue: 10,
      customizedMetricSpecification: {
        namespace: RENDER_NAMESPACE,
        metricName: "QueueDepthPerInstance",
        statistic: "Average",
        metricDimension: [{ name: "AutoScalingGroupName", value: "ecg-dev-gpu-render" }],
      },
    },
  });

/** The fix: metric math, queue depth (Environment) / in-service instances (the group's metric, enabled). */
const newRenderScaling = (stack: TerraformStack, group: AutoscalingGroup, groupDimension: string = group.name) =>
  new AutoscalingPolicy(stack, "scale-on-metric", {
    name: "ecg-dev-gpu-render-queue-per-instance",
    autoscalingGroupName: group.name,
    policyType: "TargetTrackingScaling",
    targetTrackingConfiguration: {
      targetValue: 10,
      customizedMetricSpecification: {
        metrics: [
          {
            id: "queue",
            returnData: false,
            metricStat: {
              stat: "Average",
              metric: {
                namespace: RENDER_NAMESPACE,
                metricName: RENDER_METRICS.queueDepth,
                dimensions: [{ name: ENVIRONMENT_DIMENSION, value: "dev" }],
              },
            },
          },
          {
            id: "instances",
            returnData: false,
            metricStat: {
              stat: "Average",
              metric: {
                namespace: "AWS/AutoScaling",
                metricName: "GroupInServiceInstances",
                dimensions: [{ name: "AutoScalingGroupName", value: groupDimension }],
              },
            },
          },
          { id: "perInstance", expression: "queue / IF(instances > 0, instances, 1)", label: "waiting jobs per host", returnData: true },
        ],
      },
    },
  });

const problemsOf = (stack: Json) => metricContractProblems({ "ecg-dev": stack }).map((p) => p.problem);

describe("metric contract (issue #13, item 12): every alarm, scaling policy and widget reads a published metric", () => {
  describe("hand-made stacks (so the test can fail)", () => {
    it("[metrics.ts: the render service publishes QueueDepth with Environment only] the old render target tracking (ECG/Render QueueDepthPerInstance by AutoScalingGroupName) fails", () => {
      const problems = problemsOf(handMade(oldRenderScaling));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(
        "aws_autoscaling_policy.scale-on-metric customized_metric_specification: ECG/Render QueueDepthPerInstance {AutoScalingGroupName}: nothing publishes QueueDepthPerInstance in ECG/Render",
      );
    });

    it("[CloudWatch does not aggregate across dimensions] QueueDepth by AutoScalingGroupName (the right metric, a dimension set nobody publishes) fails", () => {
      const stack = handMade((s, group) => {
        const policy = oldRenderScaling(s, group);
        policy.addOverride("target_tracking_configuration.customized_metric_specification.metric_name", RENDER_METRICS.queueDepth);
      });
      expect(problemsOf(stack)).toEqual([
        expect.stringContaining("ECG/Render QueueDepth {AutoScalingGroupName}: published only with {Environment}"),
      ]);
    });

    it("[EC2 Auto Scaling User Guide: group metrics are reported only if metrics collection is enabled] the new metric math passes with GroupInServiceInstances enabled on the group", () => {
      const stack = handMade(newRenderScaling, ["GroupInServiceInstances", "GroupDesiredCapacity"]);
      const { references } = metricReferences("ecg-dev", stack);
      expect(references.map((r) => [r.namespace, r.metricName, Object.keys(r.dimensions)])).toEqual([
        [RENDER_NAMESPACE, "QueueDepth", ["Environment"]],
        ["AWS/AutoScaling", "GroupInServiceInstances", ["AutoScalingGroupName"]],
      ]);
      expect(problemsOf(stack)).toEqual([]);
      // The group found by its literal name as well as by reference.
      expect(problemsOf(handMade((s, g) => newRenderScaling(s, g, "ecg-dev-gpu-render"), ["GroupInServiceInstances"]))).toEqual([]);
    });

    it("[EC2 Auto Scaling User Guide: group metrics are reported only if metrics collection is enabled] the new metric math fails when the group does not enable GroupInServiceInstances", () => {
      expect(problemsOf(handMade(newRenderScaling))).toEqual([
        expect.stringContaining(
          "aws_autoscaling_group.render does not enable GroupInServiceInstances (enabled_metrics [], metrics_granularity 1Minute)",
        ),
      ]);
      expect(problemsOf(handMade(newRenderScaling, ["GroupDesiredCapacity"]))).toHaveLength(1);
      expect(problemsOf(handMade((s, g) => newRenderScaling(s, g, "some-other-group"), ["GroupInServiceInstances"]))).toEqual([
        expect.stringContaining('no aws_autoscaling_group of the stack is AutoScalingGroupName "some-other-group"'),
      ]);
    });

    it("[CloudWatch agent: metrics aggregated by ${aws:AutoScalingGroupName} carry the group's own name] a GPU metric read by a group name that no group of the stack has fails (a renamed group's scaling would wait forever)", () => {
      const byName = (groupName: string) =>
        handMade(
          (s, group) =>
            new AutoscalingPolicy(s, "scale-on-gpu", {
              name: "ecg-dev-ml-audio-gpu",
              autoscalingGroupName: group.name,
              policyType: "TargetTrackingScaling",
              targetTrackingConfiguration: {
                targetValue: 70,
                customizedMetricSpecification: {
                  namespace: "CWAgent",
                  metricName: "nvidia_smi_utilization_gpu",
                  statistic: "Average",
                  metricDimension: [{ name: "AutoScalingGroupName", value: groupName }],
                },
              },
            }),
        );
      expect(problemsOf(byName("ecg-dev-gpu-render"))).toEqual([]);
      expect(problemsOf(byName("ecg-dev-gpu-render-old"))).toEqual([
        expect.stringContaining('no aws_autoscaling_group of the stack is named "ecg-dev-gpu-render-old"'),
      ]);
    });

    it("[ECS Developer Guide: service CPUUtilization by ClusterName, ServiceName] alarms: a plain metric and every metric_query metric are checked", () => {
      const stack = handMade((s) => {
        new CloudwatchMetricAlarm(s, "cpu", {
          alarmName: "cpu",
          comparisonOperator: "GreaterThanThreshold",
          evaluationPeriods: 1,
          threshold: 80,
          namespace: "AWS/ECS",
          metricName: "CPUUtilization",
          period: 60,
          statistic: "Average",
          dimensions: { ServiceName: "${aws_ecs_service.api.name}" },
        });
        new CloudwatchMetricAlarm(s, "errors", {
          alarmName: "errors",
          comparisonOperator: "GreaterThanThreshold",
          evaluationPeriods: 1,
          threshold: 5,
          metricQuery: [
            { id: "rate", expression: "100 * errors / requests", returnData: true },
            {
              id: "errors",
              metric: {
                namespace: "AWS/ApplicationELB",
                metricName: "HTTPCode_Target_5XX_Count",
                period: 60,
                stat: "Sum",
                dimensions: { LoadBalancer: "app/x/1" },
              },
            },
            {
              id: "requests",
              metric: {
                namespace: "AWS/ApplicationELB",
                metricName: "RequestCount",
                period: 60,
                stat: "Sum",
                dimensions: { TargetGroup: "targetgroup/x/1" },
              },
            },
          ],
        });
      });
      expect(problemsOf(stack)).toEqual([
        expect.stringContaining(
          "aws_cloudwatch_metric_alarm.cpu: AWS/ECS CPUUtilization {ServiceName}: published only with {ClusterName} or {ClusterName, ServiceName}",
        ),
        expect.stringContaining("aws_cloudwatch_metric_alarm.errors metric_query[requests]: AWS/ApplicationELB RequestCount {TargetGroup}"),
      ]);
    });

    it("[Application Auto Scaling: a customized metric must be published with the dimensions the policy names] an ECS service policy on a custom metric is checked", () => {
      const stack = handMade((s) => {
        new AppautoscalingPolicy(s, "pool", {
          name: "pool",
          policyType: "TargetTrackingScaling",
          resourceId: "service/c/s",
          scalableDimension: "ecs:service:DesiredCount",
          serviceNamespace: "ecs",
          targetTrackingScalingPolicyConfiguration: {
            targetValue: 80,
            customizedMetricSpecification: {
              namespace: API_NAMESPACE,
              metricName: API_METRICS.dbPoolInUse,
              statistic: "Maximum",
              dimensions: [{ name: "ServiceName", value: "api" }],
            },
          },
        });
      });
      expect(problemsOf(stack)).toEqual([expect.stringContaining("ECG/Api DbPoolInUse {ServiceName}: published only with {Environment}")]);
    });

    it("[CloudWatch dashboard body structure: metrics rows, '.' repeats the row above] dashboard widgets' metrics are checked", () => {
      const body = {
        widgets: [
          { type: "text", properties: { markdown: "hi" } },
          {
            type: "metric",
            properties: {
              title: "hosts",
              metrics: [
                ["AWS/EC2", "CPUUtilization", "AutoScalingGroupName", "ecg-dev-gpu-render"],
                [".", "NetworkIn", ".", "."],
                [{ expression: "m1 * 2", id: "e1" }],
                ["CWAgent", "nvidia_smi_utilization_gpu", "AutoScalingGroupName", "ecg-dev-gpu-render", "InstanceId", "i-1", { id: "m1" }],
              ],
            },
          },
        ],
      };
      const stack = handMade((s) => new CloudwatchDashboard(s, "dash", { dashboardName: "d", dashboardBody: JSON.stringify(body) }));
      const { references } = metricReferences("ecg-dev", stack);
      expect(references.map((r) => `${r.namespace} ${r.metricName} ${Object.keys(r.dimensions)}`)).toEqual([
        "AWS/EC2 CPUUtilization AutoScalingGroupName",
        "AWS/EC2 NetworkIn AutoScalingGroupName",
        "CWAgent nvidia_smi_utilization_gpu AutoScalingGroupName,InstanceId",
      ]);
      expect(problemsOf(stack)).toEqual([
        expect.stringContaining(
          'widgets[1] "hosts": CWAgent nvidia_smi_utilization_gpu {AutoScalingGroupName, InstanceId}: published only with {AutoScalingGroupName}',
        ),
      ]);
    });

    it("a metric of a namespace nobody publishes fails; dimension values that are expressions are fine", () => {
      const stack = handMade((s) => {
        new CloudwatchMetricAlarm(s, "x", {
          alarmName: "x",
          comparisonOperator: "GreaterThanThreshold",
          evaluationPeriods: 1,
          threshold: 1,
          namespace: "ECG/Workers",
          metricName: "Backlog",
          period: 60,
          statistic: "Sum",
          dimensions: { Environment: "dev" },
        });
        new CloudwatchMetricAlarm(s, "lag", {
          alarmName: "lag",
          comparisonOperator: "GreaterThanThreshold",
          evaluationPeriods: 1,
          threshold: 30,
          namespace: "AWS/RDS",
          metricName: "ReplicaLag",
          period: 60,
          statistic: "Maximum",
          dimensions: { DBInstanceIdentifier: "${aws_db_instance.replica.identifier}" },
        });
      });
      expect(problemsOf(stack)).toEqual([
        expect.stringContaining("ECG/Workers Backlog {Environment}: nothing publishes Backlog in ECG/Workers (unknown namespace)"),
      ]);
    });
  });

  describe("the catalog", () => {
    it("[metrics.ts] the services' contract comes from metrics.ts: every ECG/Render and ECG/Api metric, with exactly the Environment dimension", () => {
      for (const name of Object.values(RENDER_METRICS))
        expect(publishedMetric(RENDER_NAMESPACE, name)?.dimensionSets).toEqual([[ENVIRONMENT_DIMENSION]]);
      for (const name of Object.values(API_METRICS))
        expect(publishedMetric(API_NAMESPACE, name)?.dimensionSets).toEqual([[ENVIRONMENT_DIMENSION]]);
    });

    it("every entry is listed once and cites where it is documented", () => {
      const keys = PUBLISHED_METRICS.map((m) => `${m.namespace} ${m.metricName}`);
      expect(new Set(keys).size).toBe(keys.length);
      for (const m of PUBLISHED_METRICS) expect(m.source.length).toBeGreaterThan(20);
    });
  });

  describe("the synthesized program", () => {
    // In beforeAll: the cases above run even when the program does not synthesize.
    let program: SynthesizedProgram;
    beforeAll(() => {
      program = synthProgram();
    });

    it("reads every alarm, custom-metric scaling policy and dashboard of the program (the check is not vacuous)", () => {
      for (const [name, stack] of Object.entries(program.stacks) as [string, SynthesizedStack][]) {
        const { references, unreadable } = metricReferences(name, stack);
        expect(unreadable).toEqual([]);
        const readers = new Set(references.map((r) => r.where.split(" ")[0]));
        for (const type of ["aws_cloudwatch_metric_alarm", "aws_cloudwatch_dashboard"]) {
          for (const [id] of resourcesOf(stack, type)) expect(readers).toContain(`${type}.${id}`);
        }
        for (const [id, policy] of resourcesOf(stack, "aws_autoscaling_policy")) {
          if (policy.target_tracking_configuration?.customized_metric_specification)
            expect(readers).toContain(`aws_autoscaling_policy.${id}`);
        }
      }
    });

    // Fails until the render fleet scales on QueueDepth (Environment) / GroupInServiceInstances with group metrics enabled.
    it("[issue #13 item 12] every metric the program reads is published, with a documented dimension set", () => {
      expect(metricContractProblems(program.stacks).map((p) => p.problem)).toEqual([]);
    });
  });
});
