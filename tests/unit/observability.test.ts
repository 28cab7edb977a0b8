import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { XrayGroup } from "@cdktf/provider-aws/lib/xray-group";
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import {
  AlarmTopics,
  type AlarmTopicsProps,
  Alarms,
  type AlarmsProps,
  CloudWatchAgentConfig,
  type CloudWatchAgentConfigProps,
  CostBudget,
  type CostBudgetProps,
  Dashboards,
  type DashboardsProps,
  GPU_METRICS,
  HOST_METRICS,
  type MonitoredSystem,
  terraformLiteral,
  SECURITY_FINDING_PATTERNS,
  SecurityFindings,
  Tracing,
  type TracingProps,
} from "../../modules/observability";
import { ALL_RULES, evaluate } from "../../modules/policy";
import { errorOf, only, resourcesOf, type SynthesizedStack, statementsOf, synthJson, TEST_ACCOUNT } from "../helpers";

// ---------------------------------------------------------------- fixtures

const SYSTEM: MonitoredSystem = {
  environment: "prod",
  clusterName: "ecg-prod",
  apiServiceName: "backend-api",
  gpuFleets: { mlAudio: "ecg-prod-ml-audio", render: "ecg-prod-render" },
  loadBalancer: {
    arnSuffix: "app/ecg-prod-api/0123456789abcdef",
    targetGroups: { blue: "targetgroup/ecg-prod-api/fedcba9876543210", green: "targetgroup/ecg-prod-api-green/0011223344556677" },
  },
};
const TOPICS = {
  critical: "arn:aws:sns:ap-northeast-2:123456789012:ecg-prod-critical",
  warning: "arn:aws:sns:ap-northeast-2:123456789012:ecg-prod-warning",
};
const ALARMS: AlarmsProps = {
  ...SYSTEM,
  name: "ecg-prod",
  topics: TOPICS,
  database: { instanceIdentifier: "ecg-prod", replicaIdentifiers: ["ecg-prod-replica-1"] },
  redis: { replicationGroupId: "ecg-prod", shards: 3, replicasPerShard: 2 },
};
const DASHBOARDS: DashboardsProps = { ...SYSTEM, name: "ecg-prod", region: "ap-northeast-2" };
const TRACING: TracingProps = { name: "ecg-prod", services: { api: "backend-api", celery: "celery-workers", render: "gpu-render-server" } };
const TOPIC_PROPS: AlarmTopicsProps = { name: "ecg-prod-alarms", account: TEST_ACCOUNT };

const synthAgent = (overrides: Partial<CloudWatchAgentConfigProps> = {}) =>
  synthJson(Testing.synthScope((scope) => new CloudWatchAgentConfig(scope, "agent", { name: "ecg-prod-gpu", ...overrides })));
const synthTopics = (overrides: Partial<AlarmTopicsProps> = {}) =>
  synthJson(Testing.synthScope((scope) => new AlarmTopics(scope, "topics", { ...TOPIC_PROPS, ...overrides })));
const synthDashboards = (overrides: Partial<DashboardsProps> = {}) =>
  synthJson(Testing.synthScope((scope) => new Dashboards(scope, "dashboards", { ...DASHBOARDS, ...overrides })));
const synthTracing = (overrides: Partial<TracingProps> = {}) =>
  synthJson(Testing.synthScope((scope) => new Tracing(scope, "tracing", { ...TRACING, ...overrides })));
function synthAlarms(overrides: Partial<AlarmsProps> = {}): { stack: SynthesizedStack; alarms: Alarms } {
  let alarms: Alarms | undefined;
  const stack = synthJson(
    Testing.synthScope((scope) => {
      alarms = new Alarms(scope, "alarms", { ...ALARMS, ...overrides });
    }),
  );
  return { stack, alarms: alarms! };
}

/**
 * What Terraform makes of a string of a .tf.json file: `$${` and `%%{` are
 * literal, any other `${` or `%{` is a template sequence (an error here, since
 * the values tested must be literal).
 */
function asTerraformReadsIt(value: string): string {
  if (/(^|[^$])\$\{/.test(value) || /(^|[^%])%\{/.test(value)) throw new Error(`Terraform would interpolate ${value}`);
  return value.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}

/** The alarm named `name`. */
function alarmNamed(stack: SynthesizedStack, name: string): any {
  const found = resourcesOf(stack, "aws_cloudwatch_metric_alarm").filter(([, a]) => a.alarm_name === name);
  expect(found).toHaveLength(1);
  return found[0][1];
}

/** The metric queries of a math alarm by id. */
const queriesOf = (alarm: any): Record<string, any> => Object.fromEntries(alarm.metric_query.map((q: any) => [q.id, q]));

// ---------------------------------------------------------------- CloudWatchAgentConfig

describe("CloudWatchAgentConfig", () => {
  const stack = synthAgent();
  const [, parameter] = only(stack, "aws_ssm_parameter");
  const config = JSON.parse(asTerraformReadsIt(parameter.value));

  it("[MON-5] is a Standard String parameter named AmazonCloudWatch-<name> (what CloudWatchAgentServerPolicy lets hosts read)", () => {
    expect(JSON.stringify(stack)).toHaveResourceWithProperties(SsmParameter, {
      name: "AmazonCloudWatch-ecg-prod-gpu",
      type: "String",
      tier: "Standard",
    });
  });

  it("[MON-5] escapes the agent's ${aws:...} placeholders so that Terraform passes them on literally", () => {
    expect(parameter.value).toContain('"AutoScalingGroupName":"$${aws:AutoScalingGroupName}"');
    expect(config.metrics.append_dimensions).toEqual({
      AutoScalingGroupName: "${aws:AutoScalingGroupName}",
      InstanceId: "${aws:InstanceId}",
      InstanceType: "${aws:InstanceType}",
    });
  });

  it("[MON-5] collects the GPU, memory and disk metrics into CWAgent, aggregated by Auto Scaling group", () => {
    expect(config.agent).toEqual({ metrics_collection_interval: 60 });
    expect(config.metrics.namespace).toBe("CWAgent");
    expect(config.metrics.aggregation_dimensions).toEqual([["AutoScalingGroupName"]]);
    expect(config.metrics.metrics_collected).toEqual({
      nvidia_gpu: {
        measurement: [
          "utilization_gpu",
          "utilization_memory",
          "memory_total",
          "memory_used",
          "memory_free",
          "temperature_gpu",
          "power_draw",
        ],
      },
      mem: { measurement: ["mem_used_percent"] },
      disk: { measurement: ["used_percent"], resources: ["/", "/scratch"] },
    });
  });

  it("[MON-5] exports the metric names the collected measurements produce (nvidia_smi_<m>, <plugin>_<m>)", () => {
    const collected = config.metrics.metrics_collected;
    const produced = [
      ...collected.nvidia_gpu.measurement.map((m: string) => `nvidia_smi_${m}`),
      // The mem plugin's measurement already carries its prefix.
      ...collected.mem.measurement,
      ...collected.disk.measurement.map((m: string) => `disk_${m}`),
    ];
    expect(GPU_METRICS).toEqual({
      utilization: "nvidia_smi_utilization_gpu",
      memoryUsed: "nvidia_smi_memory_used",
      memoryTotal: "nvidia_smi_memory_total",
      temperature: "nvidia_smi_temperature_gpu",
    });
    expect(HOST_METRICS).toEqual({ memoryUsedPercent: "mem_used_percent", diskUsedPercent: "disk_used_percent" });
    for (const name of [...Object.values(GPU_METRICS), ...Object.values(HOST_METRICS)]) expect(produced).toContain(name);
  });

  it("[MON-5] fits a Standard parameter (4 KB)", () => {
    expect(asTerraformReadsIt(parameter.value).length).toBeLessThan(4096);
  });

  it("[MON-5] exposes the parameter's name and ARN", () => {
    let agent: CloudWatchAgentConfig | undefined;
    const out = synthJson(
      Testing.synthScope((scope) => {
        agent = new CloudWatchAgentConfig(scope, "agent", { name: "ecg-prod-gpu" });
        new TerraformOutput(scope, "arn", { value: agent.parameterArn });
      }),
    );
    const [id] = only(out, "aws_ssm_parameter");
    expect(agent!.parameterName).toBe("AmazonCloudWatch-ecg-prod-gpu");
    expect(out.output!.arn.value).toBe(`\${aws_ssm_parameter.${id}.arn}`);
  });

  it("[MON-5] takes a high-resolution or whole-minute interval and other mount points", () => {
    for (const interval of [1, 10, 30, 120]) {
      const [, p] = only(synthAgent({ metricsCollectionIntervalSeconds: interval }), "aws_ssm_parameter");
      expect(JSON.parse(asTerraformReadsIt(p.value)).agent.metrics_collection_interval).toBe(interval);
    }
    const [, p] = only(synthAgent({ diskMountPoints: ["/"] }), "aws_ssm_parameter");
    expect(JSON.parse(asTerraformReadsIt(p.value)).metrics.metrics_collected.disk.resources).toEqual(["/"]);
  });

  it.each<[Partial<CloudWatchAgentConfigProps>, string]>([
    [{ name: "" }, 'name: "" must be letters, digits, . - or _ (it follows AmazonCloudWatch- in the parameter name)'],
    [{ name: "ecg/prod" }, 'name: "ecg/prod" must be letters, digits, . - or _ (it follows AmazonCloudWatch- in the parameter name)'],
    [{ metricsCollectionIntervalSeconds: 0 }, "metricsCollectionIntervalSeconds: 0 must be 1, 5, 10, 30 or a multiple of 60"],
    [{ metricsCollectionIntervalSeconds: 45 }, "metricsCollectionIntervalSeconds: 45 must be 1, 5, 10, 30 or a multiple of 60"],
    [{ metricsCollectionIntervalSeconds: 90 }, "metricsCollectionIntervalSeconds: 90 must be 1, 5, 10, 30 or a multiple of 60"],
    [{ metricsCollectionIntervalSeconds: 2.5 }, "metricsCollectionIntervalSeconds: 2.5 must be 1, 5, 10, 30 or a multiple of 60"],
    [{ diskMountPoints: [] }, "diskMountPoints: list at least one mount point"],
    [{ diskMountPoints: ["scratch"] }, 'diskMountPoints: "scratch" must be an absolute path'],
    [{ diskMountPoints: Array.from({ length: 300 }, (_, i) => `/data/volume-${i}`) }, "a Standard SSM parameter holds 4096"],
  ])("[MON-5] refuses %j", (overrides, message) => {
    expect(() => synthAgent(overrides)).toThrow(message);
  });
});

describe("terraformLiteral", () => {
  it("doubles the sign of template sequences, and nothing else", () => {
    expect(terraformLiteral('{"a":"${x}","b":"%{if y}","c":"$5 {z}"}')).toBe('{"a":"$${x}","b":"%%{if y}","c":"$5 {z}"}');
    expect(asTerraformReadsIt(terraformLiteral("${a}${b}"))).toBe("${a}${b}");
  });
});

// ---------------------------------------------------------------- AlarmTopics

describe("AlarmTopics", () => {
  const stack = synthTopics();
  const topics = resourcesOf(stack, "aws_sns_topic");
  const [keyId] = only(stack, "aws_kms_key");

  it("[MON-2] creates a critical and a warning topic, both encrypted with the construct's customer-managed key (CKV_AWS_26)", () => {
    expect(topics.map(([, t]) => t.name).sort()).toEqual(["ecg-prod-alarms-critical", "ecg-prod-alarms-warning"]);
    for (const [, topic] of topics) expect(topic.kms_master_key_id).toBe(`\${aws_kms_key.${keyId}.arn}`);
    const [, alias] = only(stack, "aws_kms_alias");
    expect(alias.name).toBe("alias/ecg-prod-alarms/alarms");
  });

  it("[MON-2] lets CloudWatch of this account use the key (an encrypted topic drops alarms otherwise)", () => {
    const [, key] = only(stack, "aws_kms_key");
    const grant = statementsOf(stack, key.policy).find((s) => s.sid === "ServicesPublishEncryptedMessagesForThisAccount");
    expect(grant).toMatchObject({
      principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com"] }],
      actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
      condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] }],
    });
  });

  it("[MON-2] [COST-6] lets only CloudWatch alarms, EventBridge rules and budgets of this account publish, over TLS", () => {
    const policies = resourcesOf(stack, "aws_sns_topic_policy");
    expect(policies).toHaveLength(2);
    for (const [topicId] of topics) {
      const [, policy] = policies.find(([, p]) => p.arn === `\${aws_sns_topic.${topicId}.arn}`)!;
      const statements = statementsOf(stack, policy.policy);
      expect(statements.map((s) => s.sid)).toEqual([
        "AccountManagesTopic",
        "CloudWatchAlarmsOfThisAccountPublish",
        "EventBridgeRulesOfThisAccountPublish",
        "BudgetsOfThisAccountPublish",
        "DenyInsecureTransport",
      ]);
      expect(statements[0].principals).toEqual([{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }]);
      expect(statements[1]).toMatchObject({
        principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        actions: ["sns:Publish"],
        resources: [`\${aws_sns_topic.${topicId}.arn}`],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] },
          { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:*"] },
        ],
      });
      // The security findings' rules (SecurityFindings), of this account and region only.
      expect(statements[2]).toMatchObject({
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        actions: ["sns:Publish"],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] },
          { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:events:ap-northeast-2:123456789012:rule/*"] },
        ],
      });
      // The cost budget's alerts (CostBudget): budget ARNs have no region.
      expect(statements[3]).toMatchObject({
        principals: [{ type: "Service", identifiers: ["budgets.amazonaws.com"] }],
        actions: ["sns:Publish"],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] },
          { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:budgets::123456789012:*"] },
        ],
      });
      expect(statements[4]).toMatchObject({
        effect: "Deny",
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      });
    }
  });

  it("[MON-2] subscribes no one by default, and the given addresses to their severity's topic", () => {
    expect(resourcesOf(stack, "aws_sns_topic_subscription")).toEqual([]);
    const subscribed = synthTopics({ emails: { critical: ["oncall@example.com", "lead@example.com"], warning: ["team@example.com"] } });
    const idOf = (name: string) => resourcesOf(subscribed, "aws_sns_topic").find(([, t]) => t.name === name)![0];
    const subscriptions = resourcesOf(subscribed, "aws_sns_topic_subscription").map(([, s]) => [s.topic_arn, s.protocol, s.endpoint]);
    expect(subscriptions).toEqual([
      [`\${aws_sns_topic.${idOf("ecg-prod-alarms-critical")}.arn}`, "email", "oncall@example.com"],
      [`\${aws_sns_topic.${idOf("ecg-prod-alarms-critical")}.arn}`, "email", "lead@example.com"],
      [`\${aws_sns_topic.${idOf("ecg-prod-alarms-warning")}.arn}`, "email", "team@example.com"],
    ]);
  });

  it("[MON-2] protects its key from destroy only when asked", () => {
    expect(only(stack, "aws_kms_key")[1].lifecycle).toBeUndefined();
    expect(only(synthTopics({ preventKeyDestroy: true }), "aws_kms_key")[1].lifecycle).toEqual({ prevent_destroy: true });
  });

  it.each<[Partial<AlarmTopicsProps>, string]>([
    [{ name: "" }, 'name: "" must be 1-247 letters, digits, - or _ (SNS topic names, with -critical appended)'],
    [{ name: "ecg prod" }, 'name: "ecg prod" must be 1-247 letters, digits, - or _ (SNS topic names, with -critical appended)'],
    [{ name: "a".repeat(248) }, `name: "${"a".repeat(248)}" must be 1-247 letters, digits, - or _`],
    [{ emails: { critical: ["oncall"] } }, 'emails.critical[0]: "oncall" is not an e-mail address'],
    [{ emails: { warning: ["a@example.com", "a b@example.com"] } }, 'emails.warning[1]: "a b@example.com" is not an e-mail address'],
    [{ emails: { warning: ["a@example.com", "a@example.com"] } }, 'emails.warning[1]: "a@example.com" is listed twice'],
  ])("[MON-2] refuses %j", (overrides, message) => {
    expect(() => synthTopics(overrides)).toThrow(message);
  });
});

// ---------------------------------------------------------------- Dashboards

describe("Dashboards", () => {
  const stack = synthDashboards();
  const bodyOf = (s: SynthesizedStack, name: string) => {
    const found = resourcesOf(s, "aws_cloudwatch_dashboard").filter(([, d]) => d.dashboard_name === name);
    expect(found).toHaveLength(1);
    return JSON.parse(found[0][1].dashboard_body);
  };
  const system = bodyOf(stack, "ecg-prod-system");
  const gpu = bodyOf(stack, "ecg-prod-gpu");
  const application = bodyOf(stack, "ecg-prod-application");
  const widget = (body: any, title: string) => {
    const found = body.widgets.filter((w: any) => w.properties.title === title);
    expect(found).toHaveLength(1);
    return found[0].properties;
  };

  it("[MON-1] creates the system, GPU and application dashboards", () => {
    expect(
      resourcesOf(stack, "aws_cloudwatch_dashboard")
        .map(([, d]) => d.dashboard_name)
        .sort(),
    ).toEqual(["ecg-prod-application", "ecg-prod-gpu", "ecg-prod-system"]);
    expect(JSON.stringify(stack)).toHaveResourceWithProperties(CloudwatchDashboard, { dashboard_name: "ecg-prod-gpu" });
  });

  it("[MON-1] lays every dashboard's widgets on the 24-column grid without overlaps, in the stack's region", () => {
    for (const body of [system, gpu, application]) {
      const cells = new Set<string>();
      for (const w of body.widgets) {
        expect(w.type).toBe("metric");
        expect(w.properties.region).toBe("ap-northeast-2");
        expect(w.x + w.width).toBeLessThanOrEqual(24);
        for (let x = w.x; x < w.x + w.width; x++) {
          for (let y = w.y; y < w.y + w.height; y++) {
            expect(cells.has(`${x},${y}`)).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
      }
    }
  });

  it("[MON-1] system: CPU and memory of the API service, the GPU hosts' CPU, memory and disk, ALB requests, 5xx, latency, network", () => {
    const service = ["ClusterName", "ecg-prod", "ServiceName", "backend-api"];
    expect(widget(system, "API service CPU and memory (%)").metrics).toEqual([
      ["AWS/ECS", "CPUUtilization", ...service],
      ["AWS/ECS", "MemoryUtilization", ...service],
    ]);
    expect(widget(system, "GPU hosts CPU (%)").metrics).toEqual([
      ["AWS/EC2", "CPUUtilization", "AutoScalingGroupName", "ecg-prod-ml-audio", { label: "mlAudio" }],
      ["AWS/EC2", "CPUUtilization", "AutoScalingGroupName", "ecg-prod-render", { label: "render" }],
    ]);
    expect(widget(system, "GPU hosts memory used (%)").metrics[1]).toEqual([
      "CWAgent",
      "mem_used_percent",
      "AutoScalingGroupName",
      "ecg-prod-render",
      { label: "render" },
    ]);
    const disk = widget(system, "GPU hosts disk used (%)");
    expect(disk.stat).toBe("Maximum");
    expect(disk.metrics[0]).toEqual(["CWAgent", "disk_used_percent", "AutoScalingGroupName", "ecg-prod-ml-audio", { label: "mlAudio" }]);
    expect(widget(system, "GPU hosts network (bytes)").metrics.map((m: any[]) => m[1])).toEqual([
      "NetworkIn",
      "NetworkOut",
      "NetworkIn",
      "NetworkOut",
    ]);
    const alb = ["LoadBalancer", "app/ecg-prod-api/0123456789abcdef"];
    expect(widget(system, "ALB requests and 5xx").metrics).toEqual([
      ["AWS/ApplicationELB", "RequestCount", ...alb],
      ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ...alb],
      ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", ...alb],
    ]);
    expect(widget(system, "ALB target response time (s)").metrics[0]).toEqual([
      "AWS/ApplicationELB",
      "TargetResponseTime",
      ...alb,
      { stat: "p90" },
    ]);
    expect(widget(system, "ALB traffic (bytes)").metrics).toEqual([["AWS/ApplicationELB", "ProcessedBytes", ...alb]]);
  });

  it("[MON-1] [MON-5] GPU: utilization, memory used % as 100*used/total, and temperature per fleet", () => {
    expect(gpu.widgets).toHaveLength(6);
    const asg = ["AutoScalingGroupName", "ecg-prod-render"];
    expect(widget(gpu, "render: GPU utilization (%)").metrics).toEqual([["CWAgent", "nvidia_smi_utilization_gpu", ...asg]]);
    const memory = widget(gpu, "render: GPU memory used (%)");
    expect(memory.metrics).toEqual([
      [{ expression: "100 * used / total", id: "memoryUsedPercent", label: "GPU memory used %" }],
      ["CWAgent", "nvidia_smi_memory_used", ...asg, { id: "used", visible: false }],
      ["CWAgent", "nvidia_smi_memory_total", ...asg, { id: "total", visible: false }],
    ]);
    expect(memory.yAxis).toEqual({ left: { min: 0, max: 100 } });
    expect(widget(gpu, "mlAudio: GPU temperature (°C)").metrics).toEqual([
      ["CWAgent", "nvidia_smi_temperature_gpu", "AutoScalingGroupName", "ecg-prod-ml-audio"],
    ]);
  });

  it("[MON-1] application: queue depth, completion rate, frame drop rate, memory efficiency (ECG/Render) and DB pool use (ECG/Api) of the environment", () => {
    const env = ["Environment", "prod"];
    expect(widget(application, "Render queue depth (waiting jobs)").metrics).toEqual([["ECG/Render", "QueueDepth", ...env]]);
    expect(widget(application, "Render job completion rate (%)").metrics).toEqual([
      [{ expression: "100 * completed / (completed + failed)", id: "completionRate", label: "Completed %" }],
      ["ECG/Render", "JobsCompleted", ...env, { id: "completed", visible: false }],
      ["ECG/Render", "JobsFailed", ...env, { id: "failed", visible: false }],
    ]);
    expect(widget(application, "Render job completion rate (%)").stat).toBe("Sum");
    expect(widget(application, "Frame drop rate (%)").metrics).toEqual([["ECG/Render", "FrameDropRate", ...env]]);
    expect(widget(application, "Render memory efficiency (%)").metrics).toEqual([["ECG/Render", "MemoryEfficiency", ...env]]);
    expect(widget(application, "API database pool utilization (%)").metrics).toEqual([
      [{ expression: "100 * inUse / size", id: "poolUtilization", label: "Pool in use %" }],
      ["ECG/Api", "DbPoolInUse", ...env, { id: "inUse", visible: false }],
      ["ECG/Api", "DbPoolSize", ...env, { id: "size", visible: false }],
    ]);
  });

  it("[MON-1] puts Terraform references (ASG names, ALB suffix) into the bodies as interpolations", () => {
    const out = synthJson(
      Testing.synthScope((scope) => {
        const asg = new TerraformVariable(scope, "asg", { type: "string" });
        const alb = new TerraformVariable(scope, "alb", { type: "string" });
        new Dashboards(scope, "dashboards", {
          ...DASHBOARDS,
          gpuFleets: { render: asg.stringValue },
          loadBalancer: { ...SYSTEM.loadBalancer, arnSuffix: alb.stringValue },
        });
      }),
    );
    const [, gpuDashboard] = resourcesOf(out, "aws_cloudwatch_dashboard").find(([, d]) => d.dashboard_name === "ecg-prod-gpu")!;
    expect(JSON.parse(gpuDashboard.dashboard_body).widgets[0].properties.metrics).toEqual([
      ["CWAgent", "nvidia_smi_utilization_gpu", "AutoScalingGroupName", "${var.asg}"],
    ]);
    const [, systemDashboard] = resourcesOf(out, "aws_cloudwatch_dashboard").find(([, d]) => d.dashboard_name === "ecg-prod-system")!;
    expect(systemDashboard.dashboard_body).toContain('"LoadBalancer","${var.alb}"');
  });

  it.each<[Partial<DashboardsProps>, string]>([
    [{ name: "" }, 'name: "" must be 1-243 letters, digits, - or _'],
    [{ name: "ecg prod" }, 'name: "ecg prod" must be 1-243 letters, digits, - or _'],
    [{ region: "" }, "region: must not be empty"],
    [{ environment: " " }, "environment: must not be empty"],
    [{ clusterName: "" }, "clusterName: must not be empty"],
    [{ apiServiceName: "" }, "apiServiceName: must not be empty"],
    [{ gpuFleets: {} }, "gpuFleets: at least one GPU fleet is required (the GPU dashboard and alarms watch them)"],
    [{ gpuFleets: { "ml audio": "asg" } }, 'gpuFleets: key "ml audio" must be 1-32 letters, digits or dashes'],
    [{ gpuFleets: { render: "" } }, "gpuFleets.render: must not be empty"],
    [
      { loadBalancer: { ...SYSTEM.loadBalancer, arnSuffix: "ecg-prod-api" } },
      'loadBalancer.arnSuffix: "ecg-prod-api" must be an ARN suffix starting with app/',
    ],
    [{ loadBalancer: { ...SYSTEM.loadBalancer, targetGroups: { blue: "" } } }, "loadBalancer.targetGroups.blue: must not be empty"],
    [{ loadBalancer: { ...SYSTEM.loadBalancer, targetGroups: {} } }, "loadBalancer.targetGroups: at least one target group is required"],
  ])("[MON-1] refuses %j", (overrides, message) => {
    expect(() => synthDashboards(overrides)).toThrow(message);
  });
});

// ---------------------------------------------------------------- Alarms

describe("Alarms", () => {
  const { stack, alarms } = synthAlarms();
  const alarm = (key: string) => alarmNamed(stack, `ecg-prod-${key}`);

  it("[MON-2] notifies the topic of each alarm's severity when it fires and when it recovers", () => {
    const critical = Object.keys(alarms.critical);
    const warning = Object.keys(alarms.warning);
    expect(critical.length + warning.length).toBe(resourcesOf(stack, "aws_cloudwatch_metric_alarm").length);
    for (const key of critical) expect(alarm(key)).toMatchObject({ alarm_actions: [TOPICS.critical], ok_actions: [TOPICS.critical] });
    for (const key of warning) expect(alarm(key)).toMatchObject({ alarm_actions: [TOPICS.warning], ok_actions: [TOPICS.warning] });
    expect(critical).toEqual([
      "gpu-memory-mlAudio",
      "gpu-memory-render",
      "render-queue-depth",
      "frame-drop-rate",
      "db-pool-exhausted",
      "alb-5xx",
      "rds-free-storage",
      "alb-unhealthy-hosts-blue",
      "target-5xx-blue",
      "alb-unhealthy-hosts-green",
      "target-5xx-green",
      "redis-memory-shard-1",
      "redis-memory-shard-2",
      "redis-memory-shard-3",
    ]);
    expect(warning).toEqual([
      "api-cpu",
      "api-memory",
      "host-cpu-mlAudio",
      "host-memory-mlAudio",
      "host-disk-mlAudio",
      "host-cpu-render",
      "host-memory-render",
      "host-disk-render",
      "alb-response-time",
      "target-response-time-blue",
      "target-response-time-green",
      "rds-cpu",
      "rds-cpu-replica-1",
      "rds-replica-lag-1",
      "redis-engine-cpu-shard-1",
      "redis-engine-cpu-shard-2",
      "redis-engine-cpu-shard-3",
    ]);
  });

  const FIVE_MINUTES = { period: 60, evaluation_periods: 5, datapoints_to_alarm: 5 };

  it("[MON-2] critical: GPU memory > 90% (100*used/total of the fleet's fullest GPU) for 5 minutes", () => {
    const gpu = alarm("gpu-memory-render");
    expect(gpu).toMatchObject({
      comparison_operator: "GreaterThanThreshold",
      threshold: 90,
      evaluation_periods: 5,
      datapoints_to_alarm: 5,
      treat_missing_data: "notBreaching",
    });
    const q = queriesOf(gpu);
    expect(q.result).toMatchObject({ expression: "100 * used / total", return_data: true });
    const dims = { AutoScalingGroupName: "ecg-prod-render" };
    expect(q.used.metric).toEqual({
      namespace: "CWAgent",
      metric_name: "nvidia_smi_memory_used",
      dimensions: dims,
      period: 60,
      stat: "Maximum",
    });
    expect(q.total.metric).toEqual({
      namespace: "CWAgent",
      metric_name: "nvidia_smi_memory_total",
      dimensions: dims,
      period: 60,
      stat: "Maximum",
    });
    expect(q.used.return_data).toBe(false);
    expect(gpu.metric_name).toBeUndefined();
  });

  it("[MON-2] critical: render queue depth > 100 and frame drop rate > 5% for 5 minutes (ECG/Render of the environment)", () => {
    expect(alarm("render-queue-depth")).toMatchObject({
      namespace: "ECG/Render",
      metric_name: "QueueDepth",
      dimensions: { Environment: "prod" },
      statistic: "Maximum",
      comparison_operator: "GreaterThanThreshold",
      threshold: 100,
      ...FIVE_MINUTES,
      treat_missing_data: "breaching",
    });
    expect(alarm("frame-drop-rate")).toMatchObject({
      namespace: "ECG/Render",
      metric_name: "FrameDropRate",
      dimensions: { Environment: "prod" },
      statistic: "Average",
      comparison_operator: "GreaterThanThreshold",
      threshold: 5,
      ...FIVE_MINUTES,
      treat_missing_data: "notBreaching",
    });
  });

  it("[MON-2] critical: DB connection pool exhausted (DbPoolInUse >= DbPoolSize) for 3 minutes", () => {
    const pool = alarm("db-pool-exhausted");
    expect(pool).toMatchObject({
      comparison_operator: "GreaterThanOrEqualToThreshold",
      threshold: 100,
      evaluation_periods: 3,
      datapoints_to_alarm: 3,
    });
    const q = queriesOf(pool);
    expect(q.result.expression).toBe("100 * inUse / size");
    expect(q.inUse.metric).toMatchObject({
      namespace: "ECG/Api",
      metric_name: "DbPoolInUse",
      dimensions: { Environment: "prod" },
      period: 60,
    });
    expect(q.size.metric).toMatchObject({
      namespace: "ECG/Api",
      metric_name: "DbPoolSize",
      dimensions: { Environment: "prod" },
      period: 60,
    });
  });

  it("[MON-2] critical: more than 5% 5xx (target and ALB) of at least 10 requests a minute, 3 minutes in a row", () => {
    const errors = alarm("alb-5xx");
    expect(errors).toMatchObject({
      comparison_operator: "GreaterThanThreshold",
      threshold: 5,
      evaluation_periods: 3,
      datapoints_to_alarm: 3,
      treat_missing_data: "notBreaching",
    });
    const q = queriesOf(errors);
    expect(q.result.expression).toBe("IF(requests >= 10, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)");
    const alb = { LoadBalancer: "app/ecg-prod-api/0123456789abcdef" };
    expect(q.requests.metric).toEqual({
      namespace: "AWS/ApplicationELB",
      metric_name: "RequestCount",
      dimensions: alb,
      period: 60,
      stat: "Sum",
    });
    expect(q.target5xx.metric.metric_name).toBe("HTTPCode_Target_5XX_Count");
    expect(q.elb5xx.metric.metric_name).toBe("HTTPCode_ELB_5XX_Count");
    expect(alarmNamed(synthAlarms({ http5xxPercent: 2 }).stack, "ecg-prod-alb-5xx").threshold).toBe(2);
  });

  it("[MON-2] [CI-5] critical, per target group (blue and green: CodeDeploy swaps them): any unhealthy API target for 2 minutes", () => {
    for (const [group, suffix] of Object.entries(SYSTEM.loadBalancer.targetGroups)) {
      expect(alarm(`alb-unhealthy-hosts-${group}`)).toMatchObject({
        namespace: "AWS/ApplicationELB",
        metric_name: "UnHealthyHostCount",
        dimensions: { TargetGroup: suffix, LoadBalancer: "app/ecg-prod-api/0123456789abcdef" },
        statistic: "Maximum",
        comparison_operator: "GreaterThanThreshold",
        threshold: 0,
        period: 60,
        evaluation_periods: 2,
      });
    }
  });

  it("[CI-5] judges each target group's own 5xx share and p90 latency, so a 10% canary slice is not averaged away", () => {
    for (const [group, suffix] of Object.entries(SYSTEM.loadBalancer.targetGroups)) {
      const errors = alarm(`target-5xx-${group}`);
      expect(errors).toMatchObject({
        comparison_operator: "GreaterThanThreshold",
        threshold: 5,
        evaluation_periods: 2,
        datapoints_to_alarm: 2,
        treat_missing_data: "notBreaching",
      });
      const q = Object.fromEntries(errors.metric_query.map((m: any) => [m.id, m]));
      expect(q.result.expression).toBe("IF(requests >= 10, 100 * FILL(errors, 0) / requests, 0)");
      for (const id of ["requests", "errors"])
        expect(q[id].metric.dimensions).toEqual({ TargetGroup: suffix, LoadBalancer: "app/ecg-prod-api/0123456789abcdef" });
      expect(q.errors.metric.metric_name).toBe("HTTPCode_Target_5XX_Count");
      expect(alarm(`target-response-time-${group}`)).toMatchObject({
        metric_name: "TargetResponseTime",
        extended_statistic: "p90",
        threshold: 2,
        evaluation_periods: 3,
        dimensions: { TargetGroup: suffix, LoadBalancer: "app/ecg-prod-api/0123456789abcdef" },
      });
    }
  });

  it("[MON-2] critical: PostgreSQL free storage below 10 GiB; Redis memory > 90% on any node of a shard", () => {
    expect(alarm("rds-free-storage")).toMatchObject({
      namespace: "AWS/RDS",
      metric_name: "FreeStorageSpace",
      dimensions: { DBInstanceIdentifier: "ecg-prod" },
      statistic: "Minimum",
      comparison_operator: "LessThanThreshold",
      threshold: 10 * 1024 ** 3,
      period: 300,
      treat_missing_data: "missing",
    });
    expect(
      alarmNamed(synthAlarms({ database: { instanceIdentifier: "db", minimumFreeStorageGiB: 50 } }).stack, "ecg-prod-rds-free-storage")
        .threshold,
    ).toBe(50 * 1024 ** 3);
    const redis = alarm("redis-memory-shard-2");
    expect(redis).toMatchObject({
      comparison_operator: "GreaterThanThreshold",
      threshold: 90,
      ...{ evaluation_periods: 5, datapoints_to_alarm: 5 },
    });
    const q = queriesOf(redis);
    expect(q.result.expression).toBe("MAX([node1, node2, node3])");
    expect(["node1", "node2", "node3"].map((id) => q[id].metric.dimensions)).toEqual([
      { CacheClusterId: "ecg-prod-0002-001" },
      { CacheClusterId: "ecg-prod-0002-002" },
      { CacheClusterId: "ecg-prod-0002-003" },
    ]);
    expect(q.node1.metric).toMatchObject({
      namespace: "AWS/ElastiCache",
      metric_name: "DatabaseMemoryUsagePercentage",
      stat: "Maximum",
      period: 60,
    });
  });

  it("[MON-2] warning: CPU > 80% for 5 minutes of the API service and per GPU fleet", () => {
    expect(alarm("api-cpu")).toMatchObject({
      namespace: "AWS/ECS",
      metric_name: "CPUUtilization",
      dimensions: { ClusterName: "ecg-prod", ServiceName: "backend-api" },
      statistic: "Average",
      comparison_operator: "GreaterThanThreshold",
      threshold: 80,
      ...FIVE_MINUTES,
    });
    expect(alarm("host-cpu-mlAudio")).toMatchObject({
      namespace: "AWS/EC2",
      metric_name: "CPUUtilization",
      dimensions: { AutoScalingGroupName: "ecg-prod-ml-audio" },
      threshold: 80,
      ...FIVE_MINUTES,
      treat_missing_data: "notBreaching",
    });
    // 5 one-minute points, every one breaching: 5 minutes above 80%, not an average.
    const cpu = alarm("api-cpu");
    expect(cpu.period * cpu.datapoints_to_alarm).toBe(300);
  });

  it("[MON-2] warning: memory > 85% (API service, GPU hosts) and disk > 80% (GPU hosts) for 5 minutes", () => {
    expect(alarm("api-memory")).toMatchObject({
      namespace: "AWS/ECS",
      metric_name: "MemoryUtilization",
      threshold: 85,
      comparison_operator: "GreaterThanThreshold",
      ...FIVE_MINUTES,
    });
    expect(alarm("host-memory-render")).toMatchObject({
      namespace: "CWAgent",
      metric_name: "mem_used_percent",
      dimensions: { AutoScalingGroupName: "ecg-prod-render" },
      statistic: "Maximum",
      threshold: 85,
      ...FIVE_MINUTES,
    });
    expect(alarm("host-disk-render")).toMatchObject({
      namespace: "CWAgent",
      metric_name: "disk_used_percent",
      dimensions: { AutoScalingGroupName: "ecg-prod-render" },
      statistic: "Maximum",
      threshold: 80,
      ...FIVE_MINUTES,
    });
  });

  it("[MON-2] warning: p90 response time > 2 s for 5 minutes, ignoring percentiles of too few requests", () => {
    const latency = alarm("alb-response-time");
    expect(latency).toMatchObject({
      namespace: "AWS/ApplicationELB",
      metric_name: "TargetResponseTime",
      dimensions: { LoadBalancer: "app/ecg-prod-api/0123456789abcdef" },
      extended_statistic: "p90",
      evaluate_low_sample_count_percentiles: "ignore",
      comparison_operator: "GreaterThanThreshold",
      threshold: 2,
      ...FIVE_MINUTES,
    });
    expect(latency.statistic).toBeUndefined();
  });

  it("[MON-2] warning: PostgreSQL CPU of every instance, replica lag > 60 s, Redis engine CPU per shard", () => {
    expect(alarm("rds-cpu").dimensions).toEqual({ DBInstanceIdentifier: "ecg-prod" });
    expect(alarm("rds-cpu-replica-1")).toMatchObject({
      dimensions: { DBInstanceIdentifier: "ecg-prod-replica-1" },
      threshold: 80,
      ...FIVE_MINUTES,
    });
    expect(alarm("rds-replica-lag-1")).toMatchObject({
      metric_name: "ReplicaLag",
      dimensions: { DBInstanceIdentifier: "ecg-prod-replica-1" },
      threshold: 60,
      statistic: "Maximum",
    });
    const redis = queriesOf(alarm("redis-engine-cpu-shard-3"));
    expect(redis.node3.metric).toMatchObject({
      metric_name: "EngineCPUUtilization",
      dimensions: { CacheClusterId: "ecg-prod-0003-003" },
      stat: "Average",
    });
    // No replicas, no replica alarms.
    const { alarms: single } = synthAlarms({ database: { instanceIdentifier: "ecg-prod" } });
    expect(Object.keys(single.warning).filter((k) => k.startsWith("rds-"))).toEqual(["rds-cpu"]);
  });

  it("[MON-2] watches a node per replica: 1 + replicasPerShard metrics per shard, at most 6 (10 is CloudWatch's limit per alarm)", () => {
    const { alarms: wide } = synthAlarms({ redis: { replicationGroupId: "rg", shards: 1, replicasPerShard: 5 } });
    expect(Object.keys(wide.critical).filter((k) => k.startsWith("redis-"))).toEqual(["redis-memory-shard-1"]);
    const { stack: out } = synthAlarms({ redis: { replicationGroupId: "rg", shards: 1, replicasPerShard: 5 } });
    const q = queriesOf(alarmNamed(out, "ecg-prod-redis-memory-shard-1"));
    expect(Object.keys(q)).toHaveLength(7);
    expect(q.node6.metric.dimensions).toEqual({ CacheClusterId: "rg-0001-006" });
  });

  it("[MON-2] names the ALB alarms for CodeDeploy's automatic rollback, as references (a deployment group waits for them)", () => {
    const out = synthJson(
      Testing.synthScope((scope) => {
        new TerraformOutput(scope, "names", { value: new Alarms(scope, "alarms", ALARMS).deploymentAlarmNames });
      }),
    );
    const names = out.output!.names.value as string[];
    expect(names).toHaveLength(7);
    const referenced = names.map((reference) => {
      const match = /^\$\{aws_cloudwatch_metric_alarm\.([^.]+)\.alarm_name\}$/.exec(reference);
      expect(match).not.toBeNull();
      return out.resource.aws_cloudwatch_metric_alarm[match![1]].alarm_name;
    });
    expect(referenced).toEqual([
      "ecg-prod-alb-5xx",
      ...["blue", "green"].flatMap((g) => [
        `ecg-prod-alb-unhealthy-hosts-${g}`,
        `ecg-prod-target-5xx-${g}`,
        `ecg-prod-target-response-time-${g}`,
      ]),
    ]);
    // CodeDeploy watches at most 10 alarms per deployment group.
    expect(alarms.deploymentAlarmNames.length).toBeLessThanOrEqual(10);
  });

  it("[MON-2] chooses missing-data handling per alarm", () => {
    const missing = (key: string) => alarm(key).treat_missing_data;
    expect(["render-queue-depth"].map(missing)).toEqual(["breaching"]);
    expect(alarmNamed(synthAlarms({ renderAlwaysRunning: false }).stack, "ecg-prod-render-queue-depth").treat_missing_data).toBe(
      "notBreaching",
    );
    const quiet = [
      "gpu-memory-render",
      "frame-drop-rate",
      "db-pool-exhausted",
      "alb-5xx",
      "alb-unhealthy-hosts-blue",
      "target-5xx-green",
      "alb-response-time",
      "target-response-time-blue",
      "api-cpu",
      "host-disk-render",
    ];
    expect(quiet.map(missing)).toEqual(Array(quiet.length).fill("notBreaching"));
    expect(["rds-free-storage", "rds-cpu", "rds-replica-lag-1", "redis-memory-shard-1", "redis-engine-cpu-shard-1"].map(missing)).toEqual(
      Array(5).fill("missing"),
    );
  });

  it("[ENV-4] tags every alarm with Component=observability", () => {
    for (const [, a] of resourcesOf(stack, "aws_cloudwatch_metric_alarm")) expect(a.tags).toEqual({ Component: "observability" });
  });

  it.each<[Partial<AlarmsProps>, string]>([
    [{ name: "" }, 'name: "" must be 1-200 letters, digits, - or _'],
    [{ name: "ecg/prod" }, 'name: "ecg/prod" must be 1-200 letters, digits, - or _'],
    [{ gpuFleets: {} }, "gpuFleets: at least one GPU fleet is required"],
    [{ environment: "" }, "environment: must not be empty"],
    [
      { loadBalancer: { ...SYSTEM.loadBalancer, targetGroups: { blue: "ecg-prod-api" } } },
      'loadBalancer.targetGroups.blue: "ecg-prod-api" must be an ARN suffix starting with targetgroup/',
    ],
    [{ topics: { ...TOPICS, warning: "" } }, "topics.warning: must be the ARN of the warning topic"],
    [{ database: { instanceIdentifier: "" } }, "database.instanceIdentifier: must not be empty"],
    [{ database: { instanceIdentifier: "db", replicaIdentifiers: ["db"] } }, 'database.replicaIdentifiers[0]: "db" is the primary'],
    [{ database: { instanceIdentifier: "db", replicaIdentifiers: [""] } }, "database.replicaIdentifiers[0]: must not be empty"],
    [
      { database: { instanceIdentifier: "db", minimumFreeStorageGiB: 0 } },
      "database.minimumFreeStorageGiB: 0 must be above 0 and at most 65536 (RDS storage limit)",
    ],
    [
      { database: { instanceIdentifier: "db", maximumReplicaLagSeconds: 0.5 } },
      "database.maximumReplicaLagSeconds: 0.5 must be a whole number of seconds >= 1",
    ],
    [{ redis: { replicationGroupId: "", shards: 1, replicasPerShard: 1 } }, "redis.replicationGroupId: must not be empty"],
    [{ redis: { replicationGroupId: "rg", shards: 0, replicasPerShard: 1 } }, "redis.shards: 0 must be a whole number from 1 to 500"],
    [
      { redis: { replicationGroupId: "rg", shards: 1, replicasPerShard: 6 } },
      "redis.replicasPerShard: 6 must be a whole number from 0 to 5",
    ],
    [{ http5xxPercent: 0 }, "http5xxPercent: 0 must be above 0 and below 100"],
    [{ http5xxPercent: 100 }, "http5xxPercent: 100 must be above 0 and below 100"],
  ])("[MON-2] refuses %j", (overrides, message) => {
    expect(() => synthAlarms(overrides)).toThrow(message);
  });

  it("[MON-2] reports every problem of its props at once", () => {
    const message = errorOf(() => synthAlarms({ name: "", gpuFleets: {}, http5xxPercent: 200 }));
    expect(message).toMatch(/^Alarms "alarms" is misconfigured:\n/);
    expect(message.split("\n").filter((line) => line.startsWith("  - "))).toEqual([
      '  - name: "" must be 1-200 letters, digits, - or _',
      "  - gpuFleets: at least one GPU fleet is required (the GPU dashboard and alarms watch them)",
      "  - http5xxPercent: 200 must be above 0 and below 100",
    ]);
  });
});

// ---------------------------------------------------------------- Tracing

describe("Tracing", () => {
  const stack = synthTracing();
  const rules = Object.fromEntries(resourcesOf(stack, "aws_xray_sampling_rule").map(([, r]) => [r.rule_name, r]));
  const groups = Object.fromEntries(resourcesOf(stack, "aws_xray_group").map(([, g]) => [g.group_name, g]));

  it("[MON-4] never samples the health checks, and decides on them before any other rule", () => {
    expect(rules["ecg-prod-health"]).toMatchObject({ url_path: "/health", service_name: "*", fixed_rate: 0, reservoir_size: 0 });
    const priorities = Object.values(rules).map((r: any) => r.priority);
    expect(Math.min(...priorities)).toBe(rules["ecg-prod-health"].priority);
    // The account's Default rule has priority 10000.
    for (const p of priorities) expect(p).toBeLessThan(10000);
    expect(new Set(priorities).size).toBe(priorities.length);
  });

  it("[MON-4] samples the API at 5% after 1 request a second, and the Celery and render tasks at 10%", () => {
    expect(rules["ecg-prod-api"]).toMatchObject({
      service_name: "backend-api",
      url_path: "*",
      reservoir_size: 1,
      fixed_rate: 0.05,
      resource_arn: "*",
      version: 1,
    });
    expect(rules["ecg-prod-celery"]).toMatchObject({ service_name: "celery-workers", reservoir_size: 1, fixed_rate: 0.1 });
    expect(rules["ecg-prod-render"]).toMatchObject({ service_name: "gpu-render-server", reservoir_size: 1, fixed_rate: 0.1 });
    const custom = synthTracing({ apiSampleRate: 0.2, apiReservoirPerSecond: 5, taskSampleRate: 1, healthCheckPath: "/healthz" });
    const byName = Object.fromEntries(resourcesOf(custom, "aws_xray_sampling_rule").map(([, r]) => [r.rule_name, r]));
    expect(byName["ecg-prod-api"]).toMatchObject({ fixed_rate: 0.2, reservoir_size: 5 });
    expect(byName["ecg-prod-render"].fixed_rate).toBe(1);
    expect(byName["ecg-prod-health"].url_path).toBe("/healthz");
  });

  it("[MON-4] groups API faults and errors, API requests slower than 2 s and the render pipeline, with Insights", () => {
    expect(groups["ecg-prod-api-errors"].filter_expression).toBe('service("backend-api") { fault = true OR error = true }');
    expect(groups["ecg-prod-api-slow"].filter_expression).toBe('service("backend-api") { responsetime > 2 }');
    expect(groups["ecg-prod-render"].filter_expression).toBe('service("gpu-render-server") OR service("celery-workers")');
    expect(JSON.stringify(stack)).toHaveResourceWithProperties(XrayGroup, {
      group_name: "ecg-prod-api-slow",
      insights_configuration: { insights_enabled: true, notifications_enabled: true },
    });
  });

  it("[MON-4] keeps every rule and group name within X-Ray's 32 characters at the longest name it accepts", () => {
    const longest = synthTracing({ name: "a".repeat(21) });
    const names = [
      ...resourcesOf(longest, "aws_xray_sampling_rule").map(([, r]) => r.rule_name),
      ...resourcesOf(longest, "aws_xray_group").map(([, g]) => g.group_name),
    ];
    expect(Math.max(...names.map((n) => n.length))).toBe(32);
  });

  it.each<[Partial<TracingProps>, string]>([
    [{ name: "" }, 'name: "" must be 1-21 letters, digits, - or _ (X-Ray names hold 32 characters, "-api-errors" is appended)'],
    [{ name: "a".repeat(22) }, `name: "${"a".repeat(22)}" must be 1-21 letters, digits, - or _`],
    [{ name: "ecg prod" }, 'name: "ecg prod" must be 1-21 letters'],
    [{ services: { ...TRACING.services, api: "" } }, 'services.api: "" must be 1-64 characters without quotes or backslashes'],
    [
      { services: { ...TRACING.services, render: 'gpu"render' } },
      'services.render: "gpu"render" must be 1-64 characters without quotes or backslashes',
    ],
    [{ apiSampleRate: 1.5 }, "apiSampleRate: 1.5 must be a share from 0 to 1"],
    [{ taskSampleRate: -0.1 }, "taskSampleRate: -0.1 must be a share from 0 to 1"],
    [{ apiReservoirPerSecond: 0.5 }, "apiReservoirPerSecond: 0.5 must be a whole number >= 0"],
    [{ healthCheckPath: "health" }, 'healthCheckPath: "health" must start with / and hold at most 128 characters'],
    [{ slowRequestSeconds: 0 }, "slowRequestSeconds: 0 must be above 0"],
  ])("[MON-4] refuses %j", (overrides, message) => {
    expect(() => synthTracing(overrides)).toThrow(message);
  });
});

// ---------------------------------------------------------------- policy pack

describe("Observability under the policy pack", () => {
  const build = (preventKeyDestroy: boolean) => {
    const stack = new TerraformStack(Testing.app(), "observability");
    new AwsProvider(stack, "aws", { region: "ap-northeast-2" });
    const topics = new AlarmTopics(stack, "topics", { ...TOPIC_PROPS, preventKeyDestroy, emails: { critical: ["oncall@example.com"] } });
    new CloudWatchAgentConfig(stack, "agent", { name: "ecg-prod-gpu" });
    new Dashboards(stack, "dashboards", DASHBOARDS);
    new Alarms(stack, "alarms", { ...ALARMS, topics: topics.topicArns });
    new Tracing(stack, "tracing", TRACING);
    return stack;
  };

  it("[MON-1] [MON-2] [MON-4] [MON-5] passes every production rule (CKV_AWS_26: the topics are KMS-encrypted)", () => {
    const stack = build(true);
    const report = evaluate(stack, { rules: ALL_RULES, production: true });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    const synthesized = JSON.stringify(stack.toTerraform());
    expect(synthesized).toHaveResourceWithProperties(SnsTopic, { name: "ecg-prod-alarms-critical" });
  });

  it("[MON-2] in production, an alarm key that Terraform may destroy is refused", () => {
    const report = evaluate(build(false), { rules: ALL_RULES, production: true });
    expect(report.findings.map((f) => f.rule)).toEqual(["ECG_PROD_PREVENT_DESTROY"]);
  });
});

describe("SecurityFindings", () => {
  const stack = synthJson(
    Testing.synthScope(
      (scope) =>
        new SecurityFindings(scope, "findings", {
          name: "ecg-prod",
          topicArn: "arn:aws:sns:ap-northeast-2:123456789012:ecg-prod-alarms-critical",
        }),
    ),
  );

  it("[#17] [GuardDuty User Guide, severity levels: high is 7.0-8.9, critical 9.0 and above] sends high and critical GuardDuty findings and active Access Analyzer findings to the critical topic", () => {
    const rules = resourcesOf(stack, "aws_cloudwatch_event_rule")
      .map(([id, r]) => ({ id, ...r }))
      .sort((a, b) => (a.name < b.name ? 1 : -1));
    expect(rules.map((r) => [r.name, JSON.parse(r.event_pattern)])).toEqual([
      ["ecg-prod-guardduty-findings", SECURITY_FINDING_PATTERNS.guardduty],
      ["ecg-prod-access-analyzer-findings", SECURITY_FINDING_PATTERNS["access-analyzer"]],
    ]);
    expect(SECURITY_FINDING_PATTERNS.guardduty.detail.severity).toEqual([{ numeric: [">=", 7] }]);
    const targets = resourcesOf(stack, "aws_cloudwatch_event_target").map(([, t]) => [t.rule, t.arn]);
    expect(targets).toHaveLength(2);
    expect(targets).toEqual(
      expect.arrayContaining(
        rules.map((r) => [
          `\${aws_cloudwatch_event_rule.${r.id}.name}`,
          "arn:aws:sns:ap-northeast-2:123456789012:ecg-prod-alarms-critical",
        ]),
      ),
    );
  });
});

describe("CostBudget", () => {
  const BUDGET: CostBudgetProps = {
    name: "ecg-prod-monthly",
    monthlyLimitUsd: 9000,
    topicArn: "arn:aws:sns:ap-northeast-2:123456789012:warning",
  };
  const synthBudget = (overrides: Partial<CostBudgetProps> = {}) =>
    synthJson(Testing.synthScope((scope) => new CostBudget(scope, "budget", { ...BUDGET, ...overrides })));

  it("[COST-6] is a monthly USD cost budget alerting the topic at 80 % and 100 % of actual cost and on a forecast above the limit", () => {
    const [, budget] = only(synthBudget(), "aws_budgets_budget");
    expect(budget).toMatchObject({
      name: "ecg-prod-monthly",
      budget_type: "COST",
      time_unit: "MONTHLY",
      limit_amount: "9000.00",
      limit_unit: "USD",
    });
    expect(budget.cost_filter).toBeUndefined();
    expect(
      budget.notification.map((n: any) => [
        n.notification_type,
        n.threshold,
        n.threshold_type,
        n.comparison_operator,
        n.subscriber_sns_topic_arns,
      ]),
    ).toEqual([
      ["ACTUAL", 80, "PERCENTAGE", "GREATER_THAN", [BUDGET.topicArn]],
      ["ACTUAL", 100, "PERCENTAGE", "GREATER_THAN", [BUDGET.topicArn]],
      ["FORECASTED", 100, "PERCENTAGE", "GREATER_THAN", [BUDGET.topicArn]],
    ]);
  });

  it("[COST-6] counts one environment's tag in a shared account, and takes other thresholds", () => {
    const [, budget] = only(
      synthBudget({ tag: { key: "Environment", value: "dev" }, actualThresholds: [50], forecastAlert: false }),
      "aws_budgets_budget",
    );
    expect(budget.cost_filter).toEqual([{ name: "TagKeyValue", values: ["user:Environment$dev"] }]);
    expect(budget.notification.map((n: any) => [n.notification_type, n.threshold])).toEqual([["ACTUAL", 50]]);
  });

  it("[COST-6] refuses a name AWS Budgets refuses, a limit of 0 and thresholds outside a percentage, all at once", () => {
    expect(errorOf(() => synthBudget({ name: "a:b", monthlyLimitUsd: 0, actualThresholds: [0, 80, 80] }))).toBe(
      [
        'CostBudget "budget" is misconfigured:',
        '  - name: "a:b" must be 1-100 characters without ":" or "\\"',
        "  - monthlyLimitUsd: 0 must be a number of dollars above 0",
        "  - actualThresholds[0]: 0 must be a percentage above 0 and at most 1000",
        "  - actualThresholds: a threshold is listed twice",
      ].join("\n"),
    );
  });
});
