import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { logRetentionProblem } from "../common/limits";
import { refuseProps } from "../common/props";

export interface WebFirewallProps {
  /** Name of the web ACL and prefix of its metrics, e.g. `ecg-prod-api`. */
  readonly name: string;
  /** ARN of the regional resource to protect (an ALB). CloudFront instead names the ACL in its distribution. @default - not associated here */
  readonly resourceArn?: string;
  /** `CLOUDFRONT` ACLs live in us-east-1 (pass that region's provider). @default "REGIONAL" */
  readonly scope?: "REGIONAL" | "CLOUDFRONT";
  /** @default - the stack's default provider */
  readonly provider?: TerraformProvider;
  /** Requests one IP may send in 5 minutes before it is blocked (SEC-3). @default 1000 */
  readonly rateLimitPer5Minutes?: number;
  /** ISO 3166 country codes that may reach the resource; all others are blocked (SEC-3). */
  readonly allowedCountries: readonly string[];
  /** KMS key of the WAF log group. */
  readonly logsKmsKeyArn: string;
  /** @default 365 */
  readonly logRetentionDays?: number;
}

/** AWS managed rule groups, in evaluation order after the geo and rate rules. */
export const MANAGED_RULE_GROUPS = [
  // Known-malicious sources first: cheapest to evaluate, blocks bots early.
  "AWSManagedRulesAmazonIpReputationList",
  // OWASP core set: XSS, path traversal, oversize bodies (SEC-3 "XSS protection").
  "AWSManagedRulesCommonRuleSet",
  // Log4j / Java deserialization and other known-bad payloads (CKV_AWS_192).
  "AWSManagedRulesKnownBadInputsRuleSet",
  // SQL injection (SEC-3).
  "AWSManagedRulesSQLiRuleSet",
] as const;

const visibility = (metricName: string) => ({ SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: metricName });

/**
 * A WAFv2 web ACL for an ALB or a CloudFront distribution (SEC-3): countries outside the
 * allow-list are blocked, an IP over the rate limit is blocked for the rest
 * of the 5-minute window, and AWS's managed rule groups screen what remains.
 * Every request decision is logged to a KMS-encrypted log group (CKV2_AWS_31)
 * with credentials redacted.
 */
export class WebFirewall extends Construct {
  readonly webAcl: Wafv2WebAcl;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    const limit = props.rateLimitPer5Minutes ?? 1000;
    const problems: string[] = [];
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(props.name ?? ""))
      problems.push(`name: "${props.name ?? ""}" must be 1-100 letters, digits, - or _`);
    // WAFv2 rate-based rules accept 10 to 2,000,000,000 requests per window.
    if (!(Number.isInteger(limit) && limit >= 10 && limit <= 2_000_000_000))
      problems.push(`rateLimitPer5Minutes: ${limit} must be a whole number from 10 to 2000000000 (WAF limit)`);
    if ((props.allowedCountries ?? []).length === 0)
      problems.push("allowedCountries: list at least one country, or nobody can reach the resource");
    for (const code of props.allowedCountries ?? []) {
      if (!/^[A-Z]{2}$/.test(code)) problems.push(`allowedCountries: "${code}" is not an ISO 3166 alpha-2 code`);
    }
    const retention = logRetentionProblem(props.logRetentionDays ?? 365);
    if (retention) problems.push(`logRetentionDays: ${retention}`);
    refuseProps("WebFirewall", id, problems);

    const metric = (suffix: string) => `${props.name}-${suffix}`;
    const rules = [
      {
        Name: "allowed-countries-only",
        Priority: 0,
        Action: { Block: {} },
        Statement: { NotStatement: { Statement: { GeoMatchStatement: { CountryCodes: [...props.allowedCountries] } } } },
        VisibilityConfig: visibility(metric("geo-blocked")),
      },
      {
        Name: "rate-limit-per-ip",
        Priority: 1,
        Action: { Block: {} },
        Statement: { RateBasedStatement: { Limit: limit, AggregateKeyType: "IP", EvaluationWindowSec: 300 } },
        VisibilityConfig: visibility(metric("rate-limited")),
      },
      ...MANAGED_RULE_GROUPS.map((group, i) => ({
        Name: group,
        Priority: 10 + i,
        OverrideAction: { None: {} },
        Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name: group } },
        VisibilityConfig: visibility(metric(group)),
      })),
    ];
    const provider = props.provider;
    this.webAcl = new Wafv2WebAcl(this, "web-acl", {
      provider,
      name: props.name,
      description: "Geo allow-list, per-IP rate limit and AWS managed rules (SEC-3)",
      scope: props.scope ?? "REGIONAL",
      defaultAction: { allow: {} },
      // The typed `rule` blocks of the bindings stop before `statement`; the
      // provider's rule_json takes the WAFv2 API's own shape instead.
      ruleJson: JSON.stringify(rules),
      visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: props.name },
    });
    if (props.resourceArn)
      new Wafv2WebAclAssociation(this, "association", { provider, resourceArn: props.resourceArn, webAclArn: this.webAcl.arn });

    // WAF delivers to CloudWatch Logs only into groups named aws-waf-logs-*.
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      provider,
      name: `aws-waf-logs-${props.name}`,
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: props.logsKmsKeyArn,
    });
    new Wafv2WebAclLoggingConfiguration(this, "logging", {
      provider,
      resourceArn: this.webAcl.arn,
      logDestinationConfigs: [this.logGroup.arn],
      redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
    });
  }
}
