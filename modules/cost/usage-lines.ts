import type { ResourceView, StackModel } from "../policy/model";
import { type Component, HOURS_PER_MONTH, type LineItem, lineItem, type PricingContext } from "./line-items";
import type { UsageKey } from "./usage";

/** What a usage key prices, and the resource its line is shown on. */
interface UsageRule {
  readonly key: UsageKey;
  readonly type: string;
  readonly component: Component;
  readonly what: string;
  readonly unit: string;
  readonly item: string;
  /** Usage units per priced unit (requests per 1,000, say). @default 1 */
  readonly per?: number;
  /** Priced units per usage unit and month (LCUs are an hourly average). @default 1 */
  readonly times?: number;
  readonly region?: string;
  /** Which resource of the type carries the line. @default - the first in the stack's own region */
  readonly prefer?: (view: ResourceView, model: StackModel) => boolean;
  /** Only a preferred resource may carry it (the replica's storage needs a replica). @default false */
  readonly strict?: boolean;
}

const replicationSource = (view: ResourceView, model: StackModel) =>
  model
    .referencing(view, "aws_s3_bucket_replication_configuration")
    .some((r) => JSON.stringify(r.config.bucket ?? r.config.id ?? "").includes(`\${${view.address}.`));
const replicationDestination = (view: ResourceView, model: StackModel) =>
  model.referencing(view, "aws_s3_bucket_replication_configuration").length > 0 && !replicationSource(view, model);
const regional = (view: ResourceView) => view.config.scope === "REGIONAL";
const interfaceType = (view: ResourceView) => view.config.vpc_endpoint_type === "Interface";

const USAGE_RULES: readonly UsageRule[] = [
  {
    key: "s3StandardGiB",
    type: "aws_s3_bucket",
    component: "data",
    what: "S3 Standard storage",
    unit: "GB-month",
    item: "s3:standard-gb-month",
    prefer: replicationSource,
  },
  {
    key: "s3IntelligentTieringGiB",
    type: "aws_s3_bucket",
    component: "data",
    what: "S3 Intelligent-Tiering storage",
    unit: "GB-month",
    item: "s3:intelligent-tiering-gb-month",
    prefer: replicationSource,
  },
  {
    key: "s3GlacierIrGiB",
    type: "aws_s3_bucket",
    component: "data",
    what: "S3 Glacier Instant Retrieval storage",
    unit: "GB-month",
    item: "s3:glacier-ir-gb-month",
    prefer: replicationSource,
  },
  {
    key: "s3DeepArchiveGiB",
    type: "aws_s3_bucket",
    component: "data",
    what: "S3 Glacier Deep Archive storage",
    unit: "GB-month",
    item: "s3:deep-archive-gb-month",
    prefer: replicationSource,
  },
  {
    key: "s3PutRequests",
    type: "aws_s3_bucket",
    component: "data",
    what: "S3 PUT/COPY/POST/LIST requests",
    unit: "1,000 requests",
    item: "s3:put-1k",
    per: 1000,
    prefer: replicationSource,
  },
  {
    key: "s3GetRequests",
    type: "aws_s3_bucket",
    component: "data",
    what: "S3 GET requests",
    unit: "1,000 requests",
    item: "s3:get-1k",
    per: 1000,
    prefer: replicationSource,
  },
  {
    key: "s3AcceleratedGiB",
    type: "aws_s3_bucket_accelerate_configuration",
    component: "data",
    what: "S3 Transfer Acceleration",
    unit: "GB",
    item: "s3:acceleration-gb",
  },
  {
    key: "s3ReplicatedGiB",
    type: "aws_s3_bucket_replication_configuration",
    component: "data",
    what: "replication transfer to the replica region",
    unit: "GB",
    item: "datatransfer:inter-region-gb",
  },
  {
    key: "s3ReplicaGiB",
    type: "aws_s3_bucket",
    component: "data",
    what: "replica storage (Glacier Instant Retrieval)",
    unit: "GB-month",
    item: "s3:glacier-ir-gb-month",
    prefer: replicationDestination,
    strict: true,
  },
  {
    key: "cloudfrontTransferOutGiB",
    type: "aws_cloudfront_distribution",
    component: "edge",
    what: "CloudFront transfer to viewers (Asia Pacific rate)",
    unit: "GB",
    item: "cloudfront:transfer-out-gb",
    region: "global",
  },
  {
    key: "cloudfrontHttpsRequests",
    type: "aws_cloudfront_distribution",
    component: "edge",
    what: "CloudFront HTTPS requests",
    unit: "10,000 requests",
    item: "cloudfront:https-10k",
    per: 10000,
    region: "global",
  },
  {
    key: "internetTransferOutGiB",
    type: "aws_lb",
    component: "edge",
    what: "data transfer to the internet",
    unit: "GB",
    item: "datatransfer:internet-out-gb",
  },
  {
    key: "albLcus",
    type: "aws_lb",
    component: "edge",
    what: "load balancer capacity units",
    unit: "LCU-hour",
    item: "elb:alb-lcu-hour",
    times: HOURS_PER_MONTH,
  },
  {
    key: "wafRequests",
    type: "aws_wafv2_web_acl",
    component: "edge",
    what: "WAF requests inspected",
    unit: "million requests",
    item: "waf:requests-million",
    per: 1e6,
    prefer: regional,
  },
  {
    key: "natProcessedGiB",
    type: "aws_nat_gateway",
    component: "network",
    what: "NAT gateway data processed",
    unit: "GB",
    item: "vpc:nat-gateway-gb",
  },
  {
    key: "endpointProcessedGiB",
    type: "aws_vpc_endpoint",
    component: "network",
    what: "interface endpoint data processed",
    unit: "GB",
    item: "vpc:interface-endpoint-gb",
    prefer: interfaceType,
  },
  {
    key: "logsIngestedGiB",
    type: "aws_cloudwatch_log_group",
    component: "observability",
    what: "CloudWatch Logs ingestion",
    unit: "GB",
    item: "cloudwatch:logs-ingest-gb",
  },
  {
    key: "backupCopyGiB",
    type: "aws_db_instance_automated_backups_replication",
    component: "data",
    what: "backup copies in the failover region",
    unit: "GB-month",
    item: "rds:backup-storage",
  },
  {
    key: "pipelineActionMinutes",
    type: "aws_codepipeline",
    component: "delivery",
    what: "pipeline action minutes (V2; 100 free a month, not deducted)",
    unit: "action-minute",
    item: "codepipeline:v2-action-minute",
  },
  {
    key: "buildMinutes",
    type: "aws_codebuild_project",
    component: "delivery",
    what: "build minutes (general1.medium)",
    unit: "build-minute",
    item: "codebuild:general1-medium-minute",
  },
];

/** The stack's resource a usage line is shown on: the preferred one, in the stack's own region first. */
function carrier(ctx: PricingContext, rule: UsageRule, home: string): ResourceView | undefined {
  const all = ctx.model.ofType(rule.type);
  const preferred = rule.prefer ? all.filter((v) => rule.prefer?.(v, ctx.model)) : all;
  const candidates = preferred.length || rule.strict ? preferred : all;
  return candidates.find((v) => ctx.regionOf(v) === home) ?? candidates[0];
}

/**
 * The usage-based lines of an environment: each usage key on the first of its
 * stacks (in the order given: the primary first) holding a resource it prices.
 */
export function usageLines(contexts: readonly PricingContext[], home: (ctx: PricingContext) => string): LineItem[] {
  const lines: LineItem[] = [];
  for (const rule of USAGE_RULES) {
    for (const ctx of contexts) {
      const view = carrier(ctx, rule, home(ctx));
      if (!view) continue;
      const amount = ctx.usage.values[rule.key];
      lines.push(
        lineItem(ctx, view, rule.component, {
          what: `${rule.what} (usage: ${rule.key})`,
          quantity: (amount / (rule.per ?? 1)) * (rule.times ?? 1),
          unit: rule.unit,
          item: rule.item,
          region: rule.region,
          basis: "usage",
          pairKey: `usage:${rule.key}`,
        }),
      );
      break;
    }
  }
  return lines;
}
