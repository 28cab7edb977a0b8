/**
 * Every resource type the program creates, classified: `priced` (what is
 * deployed costs by the hour or month), `usage` (costs with traffic or
 * volume: priced from the usage file when a usage key covers it, otherwise
 * listed as not estimated) or `free`. A type missing here fails a test, so a
 * new resource cannot escape the model.
 */
import type { ResourceView } from "../policy/model";
import { blocks, isTrue } from "../policy/rules/helpers";
import { dbInstanceLines, replicationGroupLines } from "./databases";
import { fargateLines, fleetLines } from "./fleet";
import { type Component, HOURS_PER_MONTH, type LineItem, lineItem, type PricingContext } from "./line-items";

type Pricer = (ctx: PricingContext, view: ResourceView) => LineItem[];

export type Classification =
  | { readonly kind: "priced"; readonly component: Component; readonly price: Pricer }
  | { readonly kind: "usage"; readonly component: Component; readonly costs: string }
  | { readonly kind: "free"; readonly component: Component };

const free = (component: Component): Classification => ({ kind: "free", component });
const usage = (component: Component, costs: string): Classification => ({ kind: "usage", component, costs });
const priced = (component: Component, price: Pricer): Classification => ({ kind: "priced", component, price });

/** A flat monthly or hourly fee per resource. */
const fee =
  (component: Component, what: string, item: string, unit: "hour" | "month", region?: string): Pricer =>
  (ctx, view) => [lineItem(ctx, view, component, { what, quantity: unit === "hour" ? HOURS_PER_MONTH : 1, unit, item, region })];

/** Route 53, CloudFront and Global Accelerator are global services: one price, under `global`. */
const GLOBAL = "global";

const interfaceEndpoint: Pricer = (ctx, view) => {
  if (view.config.vpc_endpoint_type !== "Interface") return [];
  const azs = Array.isArray(view.config.subnet_ids) ? view.config.subnet_ids.length : 1;
  return [
    lineItem(ctx, view, "network", {
      what: `interface endpoint × ${azs} AZ`,
      quantity: azs * HOURS_PER_MONTH,
      unit: "endpoint-AZ-hour",
      item: "vpc:interface-endpoint-hour",
    }),
  ];
};

const loadBalancer: Pricer = (ctx, view) => {
  const lines = [
    lineItem(ctx, view, "edge", {
      what: `${view.config.load_balancer_type ?? "application"} load balancer`,
      quantity: HOURS_PER_MONTH,
      unit: "hour",
      item: "elb:alb-hour",
    }),
  ];
  const subnets = Array.isArray(view.config.subnets) ? view.config.subnets.length : 0;
  if (!isTrue(view.config.internal) && subnets > 0)
    lines.push(
      lineItem(ctx, view, "edge", {
        what: `public IPv4 addresses (one per AZ, at least)`,
        quantity: subnets * HOURS_PER_MONTH,
        unit: "address-hour",
        item: "vpc:public-ipv4-hour",
      }),
    );
  return lines;
};

const webAcl: Pricer = (ctx, view) => {
  const rules =
    typeof view.config.rule_json === "string" ? (JSON.parse(view.config.rule_json) as unknown[]).length : blocks(view.config.rule).length;
  return [
    lineItem(ctx, view, "edge", { what: `web ACL (${view.config.scope})`, quantity: 1, unit: "month", item: "waf:web-acl-month" }),
    lineItem(ctx, view, "edge", { what: "web ACL rules", quantity: rules, unit: "rule-month", item: "waf:rule-month" }),
  ];
};

/** AWS-endpoint health checks; HTTPS, string matching, a 10-second interval and latency measurement each cost extra. */
const healthCheck: Pricer = (ctx, view) => {
  const type = String(view.config.type ?? "");
  const features = [
    type.startsWith("HTTPS"),
    type.endsWith("STR_MATCH"),
    Number(view.config.request_interval) === 10,
    isTrue(view.config.measure_latency),
  ].filter(Boolean).length;
  const lines = [
    lineItem(ctx, view, "edge", {
      what: "health check (AWS endpoint)",
      quantity: 1,
      unit: "month",
      item: "route53:health-check-aws-month",
      region: GLOBAL,
    }),
  ];
  if (features)
    lines.push(
      lineItem(ctx, view, "edge", {
        what: "health check optional features (HTTPS, string match, fast interval, latency)",
        quantity: features,
        unit: "feature-month",
        item: "route53:health-check-feature-month",
        region: GLOBAL,
      }),
    );
  return lines;
};

/** An alarm is billed per metric it watches: metric math expressions are free, anomaly-detection bands count three. */
const alarm: Pricer = (ctx, view) => {
  const queries = blocks(view.config.metric_query);
  const metrics = queries.length ? queries.filter((q) => blocks(q.metric).length > 0).length : 1;
  const band = queries.some((q) => String(q.expression ?? "").startsWith("ANOMALY_DETECTION_BAND"));
  return [
    lineItem(ctx, view, "observability", {
      what: `alarm on ${metrics} metric(s)${band ? ", anomaly detection" : ""}`,
      quantity: band ? metrics * 3 : metrics,
      unit: "alarm-metric-month",
      item: "cloudwatch:alarm-metric-month",
    }),
  ];
};

const pipeline: Pricer = (ctx, view) =>
  view.config.pipeline_type === "V2"
    ? []
    : [lineItem(ctx, view, "delivery", { what: "pipeline (V1)", quantity: 1, unit: "month", item: "codepipeline:v1-pipeline-month" })];

const secret: Pricer = (ctx, view) => {
  const copies = 1 + blocks(view.config.replica).length;
  return [
    lineItem(ctx, view, "data", {
      what: copies > 1 ? `secret and ${copies - 1} replica(s)` : "secret",
      quantity: copies,
      unit: "secret-month",
      item: "secretsmanager:secret-month",
    }),
  ];
};

const parameter: Pricer = (ctx, view) =>
  view.config.tier === "Advanced"
    ? [lineItem(ctx, view, "data", { what: "advanced parameter", quantity: 1, unit: "month", item: "ssm:advanced-parameter-month" })]
    : [];

/** A custom metric as CloudWatch bills it: namespace, name and dimension values. */
const customMetricsOf = (view: ResourceView): string[] =>
  [view.config, ...blocks(view.config.metric_query).flatMap((q) => blocks(q.metric))]
    .filter((m) => typeof m.namespace === "string" && !m.namespace.startsWith("AWS/") && typeof m.metric_name === "string")
    .map((m) => JSON.stringify([m.namespace, m.metric_name, m.dimensions ?? {}]));

/**
 * The custom metrics the stack's alarms watch (the services' and the CloudWatch
 * agent's), each billed once however many alarms watch it: a lower bound of what
 * is published, shown on the first alarm that watches one.
 */
export function customMetricLines(ctx: PricingContext): LineItem[] {
  const alarms = ctx.model.ofType("aws_cloudwatch_metric_alarm").filter((a) => customMetricsOf(a).length > 0);
  if (!alarms.length) return [];
  const metrics = new Set(alarms.flatMap(customMetricsOf));
  return [
    lineItem(ctx, alarms[0], "observability", {
      what: `custom metrics the alarms watch (${metrics.size}: namespace, name and dimensions)`,
      quantity: metrics.size,
      unit: "metric-month",
      item: "cloudwatch:custom-metric-month",
      note: "a lower bound: the services and the CloudWatch agent publish more than the alarms watch",
      pairKey: "custom-metrics",
    }),
  ];
}

export const CATALOG: Readonly<Record<string, Classification>> = {
  // network
  aws_vpc: free("network"),
  aws_subnet: free("network"),
  aws_route_table: free("network"),
  aws_route: free("network"),
  aws_route_table_association: free("network"),
  aws_internet_gateway: free("network"),
  aws_security_group: free("network"),
  aws_default_security_group: free("network"),
  aws_vpc_security_group_ingress_rule: free("network"),
  aws_vpc_security_group_egress_rule: free("network"),
  aws_nat_gateway: priced("network", fee("network", "NAT gateway", "vpc:nat-gateway-hour", "hour")),
  aws_eip: priced("network", fee("network", "Elastic IP (public IPv4 address)", "vpc:public-ipv4-hour", "hour")),
  aws_vpc_endpoint: priced("network", interfaceEndpoint),
  aws_flow_log: usage("observability", "log ingestion into CloudWatch Logs (logsIngestedGiB)"),
  aws_service_discovery_private_dns_namespace: priced(
    "network",
    fee("network", "Route 53 private hosted zone", "route53:hosted-zone-month", "month", GLOBAL),
  ),
  aws_service_discovery_service: usage("network", "Cloud Map: registered task instances and lookups (not estimated)"),
  // compute
  aws_autoscaling_group: priced("compute", fleetLines),
  aws_launch_template: free("compute"),
  aws_autoscaling_schedule: free("compute"),
  aws_autoscaling_policy: free("compute"),
  aws_autoscaling_lifecycle_hook: free("compute"),
  aws_ecs_cluster: usage("compute", "Container Insights performance events, as log ingestion (logsIngestedGiB)"),
  aws_ecs_cluster_capacity_providers: free("compute"),
  aws_ecs_service: priced("compute", fargateLines),
  aws_ecs_task_definition: free("compute"),
  aws_appautoscaling_target: free("compute"),
  aws_appautoscaling_policy: free("compute"),
  aws_lambda_function: usage(
    "compute",
    "requests and GB-seconds of the rotation and hook functions (not estimated; within the free tier at this volume)",
  ),
  aws_lambda_permission: free("compute"),
  aws_lambda_function_event_invoke_config: free("compute"),
  aws_ecr_repository: usage("compute", "image storage, GB-month (not estimated)"),
  aws_ecr_repository_policy: free("compute"),
  aws_ecr_lifecycle_policy: free("compute"),
  aws_ecr_pull_through_cache_rule: free("compute"),
  aws_ecr_repository_creation_template: free("compute"),
  aws_ecr_replication_configuration: usage("compute", "cross-region transfer of replicated images (not estimated)"),
  aws_ecr_registry_scanning_configuration: free("compute"),
  aws_iam_role: free("compute"),
  aws_iam_role_policy: free("compute"),
  aws_iam_role_policy_attachment: free("compute"),
  aws_iam_policy: free("compute"),
  aws_iam_instance_profile: free("compute"),
  aws_iam_openid_connect_provider: free("delivery"),
  // data
  aws_db_instance: priced("data", dbInstanceLines),
  aws_db_instance_automated_backups_replication: usage("data", "backup storage in the failover region (backupCopyGiB)"),
  aws_db_parameter_group: free("data"),
  aws_db_subnet_group: free("data"),
  aws_elasticache_replication_group: priced("data", replicationGroupLines),
  aws_elasticache_subnet_group: free("data"),
  aws_elasticache_user: free("data"),
  aws_elasticache_user_group: free("data"),
  aws_s3_bucket: usage("data", "storage and requests (s3* usage keys)"),
  aws_s3_bucket_replication_configuration: usage("data", "replication transfer and the replica's storage (s3ReplicatedGiB, s3ReplicaGiB)"),
  aws_s3_bucket_accelerate_configuration: usage("data", "Transfer Acceleration per GB uploaded (s3AcceleratedGiB)"),
  aws_s3_bucket_intelligent_tiering_configuration: usage(
    "data",
    "Intelligent-Tiering storage (s3IntelligentTieringGiB); its per-object monitoring fee is not estimated",
  ),
  aws_s3_bucket_acl: free("data"),
  aws_s3_bucket_lifecycle_configuration: free("data"),
  aws_s3_bucket_logging: free("data"),
  aws_s3_bucket_ownership_controls: free("data"),
  aws_s3_bucket_policy: free("data"),
  aws_s3_bucket_public_access_block: free("data"),
  aws_s3_bucket_server_side_encryption_configuration: free("data"),
  aws_s3_bucket_versioning: free("data"),
  aws_kms_key: priced("data", fee("data", "KMS key (each yearly rotation adds $1/month, up to $3)", "kms:key-month", "month")),
  aws_kms_alias: free("data"),
  aws_secretsmanager_secret: priced("data", secret),
  aws_secretsmanager_secret_version: free("data"),
  aws_secretsmanager_secret_rotation: free("data"),
  aws_ssm_parameter: priced("data", parameter),
  // edge
  aws_lb: priced("edge", loadBalancer),
  aws_lb_listener: free("edge"),
  aws_lb_target_group: free("edge"),
  aws_acm_certificate: free("edge"),
  aws_acm_certificate_validation: free("edge"),
  aws_wafv2_web_acl: priced("edge", webAcl),
  aws_wafv2_web_acl_association: free("edge"),
  aws_wafv2_web_acl_logging_configuration: usage("observability", "WAF logs, as log ingestion (logsIngestedGiB)"),
  aws_cloudfront_distribution: usage("edge", "transfer to viewers and HTTPS requests (cloudfront* usage keys)"),
  aws_cloudfront_origin_access_control: free("edge"),
  aws_cloudfront_key_group: free("edge"),
  aws_cloudfront_public_key: free("edge"),
  aws_route53_record: usage("edge", "DNS queries (alias queries to AWS resources are free; not estimated)"),
  aws_route53_health_check: priced("edge", healthCheck),
  aws_globalaccelerator_accelerator: priced(
    "edge",
    fee("edge", "accelerator fixed fee", "globalaccelerator:accelerator-hour", "hour", GLOBAL),
  ),
  aws_globalaccelerator_listener: free("edge"),
  aws_globalaccelerator_endpoint_group: usage("edge", "DT-Premium transfer through the accelerator (not estimated)"),
  // delivery
  aws_codepipeline: priced("delivery", pipeline),
  aws_codebuild_project: usage("delivery", "build minutes (buildMinutes)"),
  aws_codedeploy_app: free("delivery"),
  aws_codedeploy_deployment_config: free("delivery"),
  aws_codedeploy_deployment_group: free("delivery"),
  aws_codestarconnections_connection: free("delivery"),
  // observability
  aws_cloudwatch_log_group: usage("observability", "ingestion and storage (logsIngestedGiB)"),
  aws_cloudwatch_metric_alarm: priced("observability", alarm),
  aws_cloudwatch_dashboard: priced(
    "observability",
    fee("observability", "dashboard (an account's first three are free: not deducted)", "cloudwatch:dashboard-month", "month", GLOBAL),
  ),
  aws_cloudwatch_event_rule: free("observability"),
  aws_cloudwatch_event_target: free("observability"),
  aws_sns_topic: usage("observability", "notifications (e-mail; not estimated)"),
  aws_sns_topic_policy: free("observability"),
  aws_sns_topic_subscription: free("observability"),
  aws_xray_group: usage("observability", "traces recorded and scanned (not estimated)"),
  aws_xray_sampling_rule: free("observability"),
  aws_cloudtrail: usage("observability", "S3 data events, per 100,000 (not estimated); the first management-event trail is free"),
  aws_guardduty_detector: usage("observability", "events and logs analysed, runtime monitoring per vCPU (not estimated)"),
  aws_guardduty_detector_feature: usage("observability", "S3 and runtime protection volume (not estimated)"),
  aws_config_configuration_recorder: usage("observability", "configuration items recorded (not estimated)"),
  aws_config_configuration_recorder_status: free("observability"),
  aws_config_delivery_channel: free("observability"),
  aws_accessanalyzer_analyzer: free("observability"),
  aws_budgets_budget: free("observability"),
};
