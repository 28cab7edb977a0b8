import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { ComponentTags } from "../common/component-tags";
import { refuseProps } from "../common/props";
import { arnRegion, dnsNameProblem, isLiteral, isWhole, providerRegionProblem, regionProblem } from "./checks";

/** Which answer of a failover pair a record is (Route 53 failover routing). */
export type FailoverRole = "PRIMARY" | "SECONDARY";

/** Where Route 53 health checkers may run from (the HealthCheckRegion values of the Route 53 API). */
const ROUTE53_CHECKER_REGIONS: readonly string[] = [
  "us-east-1",
  "us-west-1",
  "us-west-2",
  "eu-west-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-northeast-1",
  "sa-east-1",
];

/**
 * Default checker regions: those in countries the ALB's WAF admits (SEC-3:
 * KR, US, JP; Route 53 has no checker in Korea). Checkers in Ireland,
 * Singapore, Sydney and São Paulo would be answered 403 by the geo rule and
 * report the endpoint unhealthy on every check.
 */
export const DEFAULT_CHECKER_REGIONS: readonly string[] = ["us-east-1", "us-west-1", "us-west-2", "ap-northeast-1"];

/** Only us-east-1 holds the AWS/Route53 metrics (HealthCheckStatus and the others). */
const ROUTE53_METRICS_REGION = "us-east-1";

/** One region's entry point: its ALB, and a name that reaches that ALB alone. */
export interface RegionalEndpoint {
  /** Region of the ALB, e.g. `ap-northeast-2`. */
  readonly region: string;
  /** DNS name of the region's ALB (`aws_lb.dns_name`), the alias target. */
  readonly aliasName: string;
  /** Hosted zone of the region's ALB (`aws_lb.zone_id`). */
  readonly aliasZoneId: string;
  /**
   * A name that resolves to this region's ALB only, e.g.
   * `api-ap-northeast-2.ecg-render.com`, covered by the ALB's certificate
   * (the check sends it as SNI and Host). Never the failover name itself: a
   * check of that name would test whichever region it currently answers with.
   */
  readonly healthCheckFqdn: string;
}

/** How Route 53 checks a regional endpoint over HTTPS. */
interface HealthCheckOptions {
  /** Path requested; a 2xx or 3xx status passes. @default "/health" */
  readonly resourcePath?: string;
  /** @default 443 */
  readonly port?: number;
  /** Seconds between checks of one checker: 30, or 10 (faster detection, charged as a "fast interval" check). Cannot be changed in place. @default 30 */
  readonly requestInterval?: 10 | 30;
  /** Consecutive failures (or successes) that flip a checker's view, 1-10. @default 3 */
  readonly failureThreshold?: number;
  /** Record latency graphs per checker region. Cannot be changed in place. @default true */
  readonly measureLatency?: boolean;
  /** At least three of ROUTE53_CHECKER_REGIONS. @default DEFAULT_CHECKER_REGIONS */
  readonly regions?: readonly string[];
}

/**
 * A CloudWatch alarm on the health check's `AWS/Route53 HealthCheckStatus`.
 * Route 53 publishes that metric in us-east-1 only, so the alarm is created
 * there (through `provider`), and an alarm can notify only a topic of its own
 * region.
 */
interface HealthAlarmOptions {
  /** An AWS provider for us-east-1. */
  readonly provider: TerraformProvider;
  /** SNS topic in us-east-1 notified on ALARM and on OK. */
  readonly topicArn: string;
}

export interface FailoverRecordProps {
  /** Public hosted zone that holds `name`. */
  readonly zoneId: string;
  /** The public name that fails over, e.g. `api.ecg-render.com`. */
  readonly name: string;
  readonly role: FailoverRole;
  readonly endpoint: RegionalEndpoint;
  /** @default - see HealthCheckOptions */
  readonly healthCheck?: HealthCheckOptions;
  /** @default - no alarm; the health check id is exposed for the caller's own */
  readonly alarm?: HealthAlarmOptions;
}

/**
 * One side of Route 53 DNS failover (DR-3): an HTTPS health check of one
 * region's entry point and the failover alias record of that region for the
 * public name. Each region's stack owns its own side, so either side can be
 * applied while the other region (and its Terraform state) is unreachable;
 * Route 53 is a global service, so the record can be written from any region.
 *
 * Route 53 answers with the PRIMARY record while its health check is healthy
 * (and, with evaluate_target_health, while its ALB has healthy targets), and
 * with the SECONDARY otherwise. A health check is healthy when more than 18%
 * of its checkers see it healthy. With the defaults (30 s interval, threshold
 * 3) a dead region is detected in about 90 s, and resolvers follow once the
 * alias's 60 s TTL runs out: minutes, well inside the 1 h RTO (DR-1).
 */
export class FailoverRecord extends Construct {
  readonly healthCheck: Route53HealthCheck;
  readonly record: Route53Record;
  /** With `alarm` only. */
  readonly alarm?: CloudwatchMetricAlarm;
  /** The health check's id, for alarms or calculated checks elsewhere. */
  readonly healthCheckId: string;

  constructor(scope: Construct, id: string, props: FailoverRecordProps) {
    super(scope, id);
    refuseProps("FailoverRecord", id, failoverRecordProblems(props));
    const { endpoint, role } = props;
    const options = props.healthCheck ?? {};
    const side = role.toLowerCase();

    this.healthCheck = new Route53HealthCheck(this, "health-check", {
      type: "HTTPS",
      fqdn: endpoint.healthCheckFqdn,
      port: options.port ?? 443,
      resourcePath: options.resourcePath ?? "/health",
      // SNI: the ALB serves the certificate of the name asked for; without it
      // the TLS handshake gets the default certificate and the check fails.
      enableSni: true,
      requestInterval: options.requestInterval ?? 30,
      failureThreshold: options.failureThreshold ?? 3,
      measureLatency: options.measureLatency ?? true,
      regions: [...(options.regions ?? DEFAULT_CHECKER_REGIONS)],
      tags: { Name: `${props.name} ${side} ${endpoint.region}` },
    });
    this.healthCheckId = this.healthCheck.id;

    this.record = new Route53Record(this, "record", {
      zoneId: props.zoneId,
      name: props.name,
      type: "A",
      setIdentifier: `${side}-${endpoint.region}`,
      failoverRoutingPolicy: { type: role },
      healthCheckId: this.healthCheck.id,
      // Also follow the ALB's own target health: an ALB whose targets are all
      // unhealthy still answers (503), which the HTTPS check sees only after
      // its threshold; Route 53 then treats the alias as unhealthy at once.
      alias: { name: endpoint.aliasName, zoneId: endpoint.aliasZoneId, evaluateTargetHealth: true },
    });

    if (props.alarm) {
      this.alarm = new CloudwatchMetricAlarm(this, "unhealthy", {
        provider: props.alarm.provider,
        alarmName: `${props.name}-${side}-${endpoint.region}-unhealthy`,
        alarmDescription: `Route 53 sees the ${side} entry point of ${props.name} (${endpoint.healthCheckFqdn}, ${endpoint.region}) as unhealthy`,
        namespace: "AWS/Route53",
        metricName: "HealthCheckStatus",
        dimensions: { HealthCheckId: this.healthCheck.id },
        // 1 healthy, 0 unhealthy, once a minute: the minimum catches any unhealthy minute.
        statistic: "Minimum",
        period: 60,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        // The metric is published every minute while the check exists: silence
        // means Route 53 cannot report on the endpoint, which is no all-clear.
        treatMissingData: "breaching",
        alarmActions: [props.alarm.topicArn],
        okActions: [props.alarm.topicArn],
      });
    }
    ComponentTags.apply(this, "failover");
  }
}

export interface DnsFailoverProps {
  /** Public hosted zone that holds `name`. */
  readonly zoneId: string;
  /** The public name that fails over, e.g. `api.ecg-render.com`. */
  readonly name: string;
  /** Answers while healthy (Seoul, DR-3). */
  readonly primary: RegionalEndpoint;
  /** Answers while the primary is unhealthy (Tokyo, DR-3). */
  readonly secondary: RegionalEndpoint;
  /** The same options for both checks. @default - see HealthCheckOptions */
  readonly healthCheck?: HealthCheckOptions;
  /** An alarm on each side's check (a dead standby means failover has nowhere to go). @default - no alarms */
  readonly alarm?: HealthAlarmOptions;
}

/**
 * Both sides of DNS failover in one stack (DR-3): a PRIMARY FailoverRecord
 * and a SECONDARY one for the same name. Where the two regions are deployed
 * as separate stacks, use one FailoverRecord in each instead.
 */
export class DnsFailover extends Construct {
  readonly primary: FailoverRecord;
  readonly secondary: FailoverRecord;
  /** `https://<name>`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: DnsFailoverProps) {
    super(scope, id);
    refuseProps("DnsFailover", id, dnsFailoverProblems(props));
    const shared = { zoneId: props.zoneId, name: props.name, healthCheck: props.healthCheck, alarm: props.alarm };
    this.primary = new FailoverRecord(this, "primary", { ...shared, role: "PRIMARY", endpoint: props.primary });
    this.secondary = new FailoverRecord(this, "secondary", { ...shared, role: "SECONDARY", endpoint: props.secondary });
    this.url = `https://${props.name}`;
    ComponentTags.apply(this, "failover");
  }
}

// ---------------------------------------------------------------- validation

function healthCheckProblems(options: HealthCheckOptions | undefined): string[] {
  const problems: string[] = [];
  const o = options ?? {};
  if (o.resourcePath !== undefined && !o.resourcePath.startsWith("/"))
    problems.push(`healthCheck.resourcePath: "${o.resourcePath}" must start with /`);
  if (o.resourcePath !== undefined && o.resourcePath.length > 255)
    problems.push(`healthCheck.resourcePath: ${o.resourcePath.length} characters; Route 53 allows at most 255`);
  if (o.port !== undefined && !isWhole(o.port, 1, 65535)) problems.push(`healthCheck.port: ${o.port} is not a TCP port (1-65535)`);
  if (o.requestInterval !== undefined && o.requestInterval !== 10 && o.requestInterval !== 30) {
    problems.push(`healthCheck.requestInterval: ${o.requestInterval} must be 10 or 30 (the only intervals Route 53 offers)`);
  }
  if (o.failureThreshold !== undefined && !isWhole(o.failureThreshold, 1, 10))
    problems.push(`healthCheck.failureThreshold: ${o.failureThreshold} must be a whole number from 1 to 10`);
  if (o.regions !== undefined) {
    const unknown = o.regions.filter((r) => !ROUTE53_CHECKER_REGIONS.includes(r));
    if (unknown.length)
      problems.push(`healthCheck.regions: ${unknown.join(", ")} not Route 53 checker regions (${ROUTE53_CHECKER_REGIONS.join(", ")})`);
    if (new Set(o.regions).size < 3)
      problems.push(`healthCheck.regions: ${new Set(o.regions).size} distinct region(s); Route 53 needs at least 3`);
  }
  return problems;
}

function endpointProblems(field: string, endpoint: RegionalEndpoint | undefined, name: string | undefined): string[] {
  if (!endpoint) return [`${field}: is required`];
  const problems: string[] = [];
  const region = regionProblem(`${field}.region`, endpoint.region);
  if (region) problems.push(region);
  // ALB DNS names keep the case of the load balancer's name; DNS is case-insensitive.
  const aliasName = isLiteral(endpoint.aliasName) ? endpoint.aliasName.toLowerCase() : endpoint.aliasName;
  const alias = dnsNameProblem(`${field}.aliasName`, aliasName);
  if (alias) problems.push(alias);
  if (!endpoint.aliasZoneId) problems.push(`${field}.aliasZoneId: is required (the ALB's canonical hosted zone id)`);
  const fqdn = dnsNameProblem(`${field}.healthCheckFqdn`, endpoint.healthCheckFqdn);
  if (fqdn) problems.push(fqdn);
  else if (isLiteral(name) && endpoint.healthCheckFqdn === name) {
    problems.push(`${field}.healthCheckFqdn: "${name}" is the failover name itself; check a name that reaches this region's ALB only`);
  }
  return problems;
}

function alarmProblems(alarm: HealthAlarmOptions | undefined): string[] {
  if (!alarm) return [];
  const problems: string[] = [];
  const why = "Route 53 publishes HealthCheckStatus in us-east-1 only";
  const provider = providerRegionProblem("alarm.provider", alarm.provider, ROUTE53_METRICS_REGION, why);
  if (provider) problems.push(provider);
  if (!alarm.topicArn) problems.push("alarm.topicArn: is required");
  else if (isLiteral(alarm.topicArn)) {
    if (!alarm.topicArn.startsWith("arn:") || alarm.topicArn.split(":")[2] !== "sns")
      problems.push(`alarm.topicArn: "${alarm.topicArn}" is not an SNS topic ARN`);
    else if (arnRegion(alarm.topicArn) !== ROUTE53_METRICS_REGION) {
      problems.push(
        `alarm.topicArn: the topic is in ${arnRegion(alarm.topicArn)}; an alarm in us-east-1 can notify only a topic in us-east-1`,
      );
    }
  }
  return problems;
}

function commonProblems(props: { zoneId: string; name: string; healthCheck?: HealthCheckOptions; alarm?: HealthAlarmOptions }): string[] {
  const problems: string[] = [];
  if (!props.zoneId) problems.push("zoneId: is required (the public hosted zone of name)");
  const name = dnsNameProblem("name", props.name);
  if (name) problems.push(name);
  return [...problems, ...healthCheckProblems(props.healthCheck), ...alarmProblems(props.alarm)];
}

function failoverRecordProblems(props: FailoverRecordProps): string[] {
  const problems = commonProblems(props);
  if (props.role !== "PRIMARY" && props.role !== "SECONDARY") problems.push(`role: "${props.role}" must be PRIMARY or SECONDARY`);
  return [...problems, ...endpointProblems("endpoint", props.endpoint, props.name)];
}

function dnsFailoverProblems(props: DnsFailoverProps): string[] {
  const problems = [
    ...commonProblems(props),
    ...endpointProblems("primary", props.primary, props.name),
    ...endpointProblems("secondary", props.secondary, props.name),
  ];
  const [p, s] = [props.primary, props.secondary];
  if (p && s && p.region === s.region)
    problems.push(`secondary.region: "${s.region}" is the primary's region too; failover needs a second region`);
  if (p && s && isLiteral(p.healthCheckFqdn) && p.healthCheckFqdn === s.healthCheckFqdn) {
    problems.push(
      `secondary.healthCheckFqdn: "${s.healthCheckFqdn}" is the primary's too; each region's check must reach that region's ALB`,
    );
  }
  return problems;
}
