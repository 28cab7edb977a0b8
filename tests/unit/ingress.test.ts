import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { TerraformOutput, Testing } from "cdktf";
import { DnsValidatedCertificate, type DnsValidatedCertificateProps } from "../../modules/common/certificate";
import {
  API_SECURITY_HEADERS,
  Ingress,
  type IngressProps,
  MANAGED_RULE_GROUPS,
  TLS_POLICY,
  WebFirewall,
  type WebFirewallProps,
} from "../../modules/ingress";
import { SecureBucket } from "../../modules/secure-bucket";
import { errorOf, only, referencedId, resourcesOf, type SynthesizedStack, synthJson, TEST_ACCOUNT } from "../helpers";

const LOGS_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/logs";
const firewall: IngressProps["firewall"] = { allowedCountries: ["KR", "US"], logsKmsKeyArn: LOGS_KEY };

/** Ingress props without the access-log bucket, which has to be created inside the test scope. */
type Overrides = Partial<Omit<IngressProps, "accessLogs">> & { readonly logPrefix?: string };

const baseProps = (bucket: SecureBucket, { logPrefix = "alb/api/", ...overrides }: Overrides = {}): IngressProps => ({
  name: "ecg-test-api",
  account: TEST_ACCOUNT,
  vpcId: "vpc-test",
  subnetIds: ["subnet-a", "subnet-c"],
  securityGroupId: "sg-alb",
  domainName: "api.example.com",
  hostedZoneId: "Z0HOSTEDZONE",
  target: { port: 8080 },
  accessLogs: { bucket, prefix: logPrefix },
  firewall,
  ...overrides,
});

const synth = (overrides: Overrides = {}) =>
  synthJson(
    Testing.synthScope((scope) => {
      const bucket = new SecureBucket(scope, "logs", { bucketName: "ecg-test-logs" });
      new Ingress(scope, "ingress", baseProps(bucket, overrides));
    }),
  );

const wafProps: WebFirewallProps = {
  name: "ecg-test-api",
  resourceArn: "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:loadbalancer/app/x/1",
  ...firewall,
};
const synthWaf = (overrides: Partial<WebFirewallProps> = {}) =>
  synthJson(Testing.synthScope((scope) => new WebFirewall(scope, "waf", { ...wafProps, ...overrides })));

/** The parsed rule_json of the stack's only web ACL. */
function rulesOf(stack: SynthesizedStack): any[] {
  const [, acl] = only(stack, "aws_wafv2_web_acl");
  expect(typeof acl.rule_json).toBe("string");
  return JSON.parse(acl.rule_json);
}

function policyStatements(stack: SynthesizedStack): any[] {
  const docs = Object.values<any>(stack.data?.aws_iam_policy_document ?? {});
  expect(docs).toHaveLength(1);
  return docs[0].statement;
}

describe("Ingress module", () => {
  const stack = synthJson(
    Testing.synthScope((scope) => {
      const bucket = new SecureBucket(scope, "logs", { bucketName: "ecg-test-logs" });
      new TerraformOutput(scope, "url", { value: new Ingress(scope, "ingress", baseProps(bucket)).url });
    }),
  );
  const json = JSON.stringify(stack);
  const [albId, alb] = only(stack, "aws_lb");
  const [bucketId] = only(stack, "aws_s3_bucket");

  it("[CMP-6] runs an internet-facing application load balancer across the given public subnets", () => {
    expect(json).toHaveResourceWithProperties(Lb, {
      name: "ecg-test-api",
      load_balancer_type: "application",
      internal: false,
      subnets: ["subnet-a", "subnet-c"],
      security_groups: ["sg-alb"],
    });
  });

  it("[CMP-6] [SEC-4] CKV_AWS_103: serves HTTPS on 443 only, with the TLS 1.2+ policy, forwarding to the target group", () => {
    expect(TLS_POLICY).toBe("ELBSecurityPolicy-TLS13-1-2-2021-06");
    const [, listener] = only(stack, "aws_lb_listener");
    const [targetGroupId] = only(stack, "aws_lb_target_group");
    expect(listener).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      load_balancer_arn: `\${aws_lb.${albId}.arn}`,
      default_action: [{ type: "forward", target_group_arn: `\${aws_lb_target_group.${targetGroupId}.arn}` }],
    });
  });

  it('[#17] [ELB User Guide, "HTTP header modification": the listener adds response headers] adds HSTS (a year, subdomains), nosniff and DENY framing to every API response', () => {
    const [, listener] = only(stack, "aws_lb_listener");
    expect(API_SECURITY_HEADERS).toEqual({
      routingHttpResponseStrictTransportSecurityHeaderValue: "max-age=31536000; includeSubDomains",
      routingHttpResponseXContentTypeOptionsHeaderValue: "nosniff",
      routingHttpResponseXFrameOptionsHeaderValue: "DENY",
    });
    expect(listener).toMatchObject({
      routing_http_response_strict_transport_security_header_value: "max-age=31536000; includeSubDomains",
      routing_http_response_x_content_type_options_header_value: "nosniff",
      routing_http_response_x_frame_options_header_value: "DENY",
    });
  });

  it("[CMP-6] uses an ACM certificate for the domain that is validated by DNS in the hosted zone before the listener uses it", () => {
    expect(json).toHaveResourceWithProperties(AcmCertificate, {
      domain_name: "api.example.com",
      validation_method: "DNS",
      lifecycle: { create_before_destroy: true },
    });
    const [certificateId] = only(stack, "aws_acm_certificate");
    const [validationId, validation] = only(stack, "aws_acm_certificate_validation");
    const records = resourcesOf(stack, "aws_route53_record");
    const validationRecord = records.find(([, r]) => r.type !== "A");
    expect(validationRecord).toBeDefined();
    const [recordId, record] = validationRecord!;
    const option = `tolist(aws_acm_certificate.${certificateId}.domain_validation_options).0`;
    expect(record).toMatchObject({
      zone_id: "Z0HOSTEDZONE",
      name: `\${${option}.resource_record_name}`,
      type: `\${${option}.resource_record_type}`,
      records: [`\${${option}.resource_record_value}`],
    });
    expect(referencedId(validation.certificate_arn)).toBe(certificateId);
    expect(validation.validation_record_fqdns).toEqual([`\${aws_route53_record.${recordId}.fqdn}`]);
    // The listener waits for the validation, not only for the certificate request.
    const [, listener] = only(stack, "aws_lb_listener");
    expect(listener.certificate_arn).toBe(`\${aws_acm_certificate_validation.${validationId}.certificate_arn}`);
  });

  it("[CMP-6] CKV_AWS_261: forwards to an ip target group on the API port with a health check on /health", () => {
    expect(json).toHaveResourceWithProperties(LbTargetGroup, {
      name: "ecg-test-api",
      vpc_id: "vpc-test",
      target_type: "ip",
      port: 8080,
      protocol: "HTTP",
      health_check: expect.objectContaining({ enabled: true, path: "/health", port: "traffic-port", protocol: "HTTP", matcher: "200" }),
    });
  });

  it("[CMP-6] health-checks the given path when one is set", () => {
    const custom = synth({ target: { port: 9000, healthCheckPath: "/ready" } });
    const [, targetGroup] = only(custom, "aws_lb_target_group");
    expect(targetGroup.port).toBe(9000);
    expect(targetGroup.health_check.path).toBe("/ready");
  });

  it("[CMP-6] points an alias record for the domain at the ALB and exposes the https URL", () => {
    const alias = resourcesOf(stack, "aws_route53_record").find(([, r]) => r.type === "A");
    expect(alias).toBeDefined();
    expect(alias![1]).toMatchObject({
      zone_id: "Z0HOSTEDZONE",
      name: "api.example.com",
      alias: { name: `\${aws_lb.${albId}.dns_name}`, zone_id: `\${aws_lb.${albId}.zone_id}`, evaluate_target_health: true },
    });
    // The URL follows the alias record, so it exists only once the name does.
    expect(stack.output!.url.value).toBe(`https://\${aws_route53_record.${alias![0]}.fqdn}`);
  });

  it("[SEC-4] CKV_AWS_131: drops invalid header fields", () => {
    expect(alb.drop_invalid_header_fields).toBe(true);
  });

  it("CKV_AWS_91: writes access logs to the bucket under the prefix without its trailing slash", () => {
    expect(alb.access_logs).toEqual({ bucket: `\${aws_s3_bucket.${bucketId}.id}`, prefix: "alb/api", enabled: true });
  });

  it("CKV_AWS_150: turns deletion protection on when asked, and leaves it off by default", () => {
    expect(alb.enable_deletion_protection).toBe(false);
    const [, protectedAlb] = only(synth({ deletionProtection: true }), "aws_lb");
    expect(protectedAlb.enable_deletion_protection).toBe(true);
  });

  it("grants the region's ELB account s3:PutObject under <prefix>/AWSLogs/<account>/ and keeps the TLS-only denies", () => {
    const [elbId] = Object.keys(stack.data!.aws_elb_service_account);
    const statements = policyStatements(stack);
    expect(statements.map((s) => s.sid)).toEqual(["DenyInsecureTransport", "DenyTlsBelow12", "AlbAccessLogsecgtestapi"]);
    expect(statements[0]).toMatchObject({
      effect: "Deny",
      actions: ["s3:*"],
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    });
    expect(statements[1]).toMatchObject({
      effect: "Deny",
      actions: ["s3:*"],
      condition: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }],
    });
    const grant = statements[2];
    expect(grant.effect ?? "Allow").toBe("Allow");
    expect(grant.principals).toEqual([{ type: "AWS", identifiers: [`\${data.aws_elb_service_account.${elbId}.arn}`] }]);
    expect(grant.actions).toEqual(["s3:PutObject"]);
    expect(grant.resources).toEqual([`\${aws_s3_bucket.${bucketId}.arn}/alb/api/AWSLogs/${TEST_ACCOUNT.accountId}/*`]);
  });

  it("strips every trailing slash of the prefix, and takes a prefix without one as it is", () => {
    for (const [given, expected] of [
      ["alb///", "alb"],
      ["alb", "alb"],
      ["logs/alb/api", "logs/alb/api"],
    ]) {
      const out = synth({ logPrefix: given });
      const [, lb] = only(out, "aws_lb");
      const [id] = only(out, "aws_s3_bucket");
      expect(lb.access_logs.prefix).toBe(expected);
      expect(policyStatements(out)[2].resources).toEqual([`\${aws_s3_bucket.${id}.arn}/${expected}/AWSLogs/123456789012/*`]);
    }
  });

  it("creates the ALB only after the bucket policy that lets ELB write its logs", () => {
    const [policyId, policy] = only(stack, "aws_s3_bucket_policy");
    const [documentId] = Object.keys(stack.data!.aws_iam_policy_document);
    expect(policy.policy).toBe(`\${data.aws_iam_policy_document.${documentId}.json}`);
    expect(alb.depends_on).toEqual([`aws_s3_bucket_policy.${policyId}`]);
  });

  it("adds one grant per ALB when two ingresses share a log bucket", () => {
    const shared = synthJson(
      Testing.synthScope((scope) => {
        const bucket = new SecureBucket(scope, "logs", { bucketName: "ecg-test-logs" });
        new Ingress(scope, "api", baseProps(bucket));
        new Ingress(scope, "admin", baseProps(bucket, { name: "ecg-test-admin", domainName: "admin.example.com", logPrefix: "alb/admin" }));
      }),
    );
    const [id] = only(shared, "aws_s3_bucket");
    const statements = policyStatements(shared);
    expect(statements.map((s) => s.sid)).toEqual([
      "DenyInsecureTransport",
      "DenyTlsBelow12",
      "AlbAccessLogsecgtestapi",
      "AlbAccessLogsecgtestadmin",
    ]);
    expect(statements[3].resources).toEqual([`\${aws_s3_bucket.${id}.arn}/alb/admin/AWSLogs/123456789012/*`]);
    // Both ALBs wait for the one bucket policy.
    const [policyId] = only(shared, "aws_s3_bucket_policy");
    for (const [, lb] of resourcesOf(shared, "aws_lb")) expect(lb.depends_on).toEqual([`aws_s3_bucket_policy.${policyId}`]);
  });

  it("[ENV-4] tags every taggable ingress resource with Component=ingress, and leaves the caller's bucket alone", () => {
    for (const type of [
      "aws_lb",
      "aws_lb_target_group",
      "aws_lb_listener",
      "aws_acm_certificate",
      "aws_wafv2_web_acl",
      "aws_cloudwatch_log_group",
    ]) {
      const [, resource] = only(stack, type);
      expect(resource.tags).toEqual({ Component: "ingress" });
    }
    const [, bucket] = only(stack, "aws_s3_bucket");
    expect(bucket.tags?.Component).toBeUndefined();
  });

  it("accepts the limits of its validation (1- and 32-character names, ports 1 and 65535)", () => {
    expect(() => synth({ name: "a" })).not.toThrow();
    expect(() => synth({ name: `${"a".repeat(16)}-${"b".repeat(15)}` })).not.toThrow();
    expect(() => synth({ target: { port: 1 } })).not.toThrow();
    expect(() => synth({ target: { port: 65535 } })).not.toThrow();
  });

  it.each<[Overrides, string]>([
    [{ name: "ecg_test_api" }, 'name: "ecg_test_api" must be 1-32 letters, digits or inner hyphens (ALB limit)'],
    [{ name: "-ecg-test" }, 'name: "-ecg-test" must be 1-32 letters, digits or inner hyphens (ALB limit)'],
    [{ name: "ecg-test-" }, 'name: "ecg-test-" must be 1-32 letters, digits or inner hyphens (ALB limit)'],
    [{ name: "a".repeat(33) }, `name: "${"a".repeat(33)}" must be 1-32 letters, digits or inner hyphens (ALB limit)`],
    [{ name: "" }, 'name: "" must be 1-32 letters, digits or inner hyphens (ALB limit)'],
    [{ name: "internal-api" }, 'name: "internal-api" must not start with internal- (reserved by ELB)'],
    [{ subnetIds: ["subnet-a"] }, "subnetIds: 1 distinct subnet(s) given; an ALB needs subnets in at least 2 AZs"],
    [{ subnetIds: ["subnet-a", "subnet-a"] }, "subnetIds: 1 distinct subnet(s) given; an ALB needs subnets in at least 2 AZs"],
    [{ subnetIds: [] }, "subnetIds: 0 distinct subnet(s) given; an ALB needs subnets in at least 2 AZs"],
    [{ domainName: "API.example.com" }, 'domainName: "API.example.com" is not a lower-case DNS name'],
    [{ domainName: "localhost" }, 'domainName: "localhost" is not a lower-case DNS name'],
    [{ domainName: "https://api.example.com" }, 'domainName: "https://api.example.com" is not a lower-case DNS name'],
    [{ target: { port: 0 } }, "target.port: 0 is not a TCP port"],
    [{ target: { port: 65536 } }, "target.port: 65536 is not a TCP port"],
    [{ target: { port: 80.5 } }, "target.port: 80.5 is not a TCP port"],
    [{ target: { port: 8080, healthCheckPath: "health" } }, 'target.healthCheckPath: "health" must start with /'],
    [{ target: { port: 8080, healthCheckPath: "" } }, 'target.healthCheckPath: "" must start with /'],
    [{ logPrefix: "" }, 'accessLogs.prefix: "" must be a non-empty key prefix without a leading /'],
    [{ logPrefix: "/" }, 'accessLogs.prefix: "/" must be a non-empty key prefix without a leading /'],
    [{ logPrefix: "/alb" }, 'accessLogs.prefix: "/alb" must be a non-empty key prefix without a leading /'],
    [{ logPrefix: "alb/AWSLogs" }, 'accessLogs.prefix: "alb/AWSLogs" must not contain AWSLogs (ELB adds it)'],
  ])("refuses %j", (overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });

  it("reports every problem of its props at once", () => {
    const message = errorOf(() =>
      synth({
        name: "bad_name",
        subnetIds: ["subnet-a"],
        domainName: "Bad",
        target: { port: 0, healthCheckPath: "health" },
        logPrefix: "/alb",
      }),
    );
    expect(message).toMatch(/^Ingress "ingress" is misconfigured:\n/);
    expect(message.split("\n").filter((line) => line.startsWith("  - "))).toEqual([
      '  - name: "bad_name" must be 1-32 letters, digits or inner hyphens (ALB limit)',
      "  - subnetIds: 1 distinct subnet(s) given; an ALB needs subnets in at least 2 AZs",
      '  - domainName: "Bad" is not a lower-case DNS name',
      "  - target.port: 0 is not a TCP port",
      '  - target.healthCheckPath: "health" must start with /',
      '  - accessLogs.prefix: "/alb" must be a non-empty key prefix without a leading /',
    ]);
  });

  it("passes its firewall props on to the web firewall, which refuses them", () => {
    expect(() => synth({ firewall: { ...firewall, allowedCountries: [] } })).toThrow(
      'WebFirewall "waf" is misconfigured:\n  - allowedCountries: list at least one country, or nobody can reach the resource',
    );
  });
});

describe("WebFirewall (through Ingress)", () => {
  const stack = synth();
  const json = JSON.stringify(stack);
  const rules = rulesOf(stack);
  const byName = (name: string) => rules.find((r) => r.Name === name);
  const [aclId] = only(stack, "aws_wafv2_web_acl");

  it("[SEC-3] creates a regional web ACL that allows by default", () => {
    expect(json).toHaveResourceWithProperties(Wafv2WebAcl, {
      name: "ecg-test-api",
      scope: "REGIONAL",
      default_action: { allow: {} },
      visibility_config: { cloudwatch_metrics_enabled: true, sampled_requests_enabled: true, metric_name: "ecg-test-api" },
    });
  });

  it("[SEC-3] gives every rule a unique priority and evaluates the geo and rate rules first", () => {
    const priorities = rules.map((r) => r.Priority);
    expect(priorities.every((p) => Number.isInteger(p) && p >= 0)).toBe(true);
    expect(new Set(priorities).size).toBe(rules.length);
    const ordered = [...rules].sort((a, b) => a.Priority - b.Priority).map((r) => r.Name);
    expect(ordered.slice(0, 2)).toEqual(["allowed-countries-only", "rate-limit-per-ip"]);
    expect(ordered.slice(2)).toEqual([...MANAGED_RULE_GROUPS]);
    expect(new Set(rules.map((r) => r.Name)).size).toBe(rules.length);
  });

  it("[SEC-3] blocks every country that is not on the allow-list", () => {
    expect(byName("allowed-countries-only")).toMatchObject({
      Action: { Block: {} },
      Statement: { NotStatement: { Statement: { GeoMatchStatement: { CountryCodes: ["KR", "US"] } } } },
    });
  });

  it("[SEC-3] blocks an IP over 1000 requests per 5 minutes by default", () => {
    expect(byName("rate-limit-per-ip")).toMatchObject({
      Action: { Block: {} },
      Statement: { RateBasedStatement: { Limit: 1000, AggregateKeyType: "IP", EvaluationWindowSec: 300 } },
    });
  });

  it("[SEC-3] CKV_AWS_192: screens requests with the SQLi, common (XSS), known-bad-inputs and IP-reputation managed groups", () => {
    for (const group of [
      "AWSManagedRulesSQLiRuleSet",
      "AWSManagedRulesCommonRuleSet",
      "AWSManagedRulesKnownBadInputsRuleSet",
      "AWSManagedRulesAmazonIpReputationList",
    ]) {
      const rule = byName(group);
      expect(rule).toBeDefined();
      expect(rule.Statement).toEqual({ ManagedRuleGroupStatement: { VendorName: "AWS", Name: group } });
      // A rule-group reference takes OverrideAction; WAF rejects an Action on it.
      expect(rule.OverrideAction).toEqual({ None: {} });
      expect(rule.Action).toBeUndefined();
    }
  });

  it("gives every rule its own metric under the ACL name", () => {
    for (const rule of rules) {
      expect(rule.VisibilityConfig).toMatchObject({ SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true });
      expect(rule.VisibilityConfig.MetricName).toMatch(/^ecg-test-api-/);
    }
    expect(new Set(rules.map((r) => r.VisibilityConfig.MetricName)).size).toBe(rules.length);
  });

  it("[SEC-3] CKV2_AWS_28: associates the web ACL with the ALB", () => {
    const [albId] = only(stack, "aws_lb");
    const [, association] = only(stack, "aws_wafv2_web_acl_association");
    expect(association.resource_arn).toBe(`\${aws_lb.${albId}.arn}`);
    expect(association.web_acl_arn).toBe(`\${aws_wafv2_web_acl.${aclId}.arn}`);
  });

  it("[SEC-3] [SEC-4] CKV2_AWS_31: logs to a KMS-encrypted aws-waf-logs-<name> group, with credentials redacted", () => {
    const [groupId, group] = only(stack, "aws_cloudwatch_log_group");
    expect(group).toMatchObject({ name: "aws-waf-logs-ecg-test-api", kms_key_id: LOGS_KEY, retention_in_days: 365 });
    const [, logging] = only(stack, "aws_wafv2_web_acl_logging_configuration");
    expect(logging.resource_arn).toBe(`\${aws_wafv2_web_acl.${aclId}.arn}`);
    expect(logging.log_destination_configs).toEqual([`\${aws_cloudwatch_log_group.${groupId}.arn}`]);
    expect(logging.redacted_fields).toEqual([{ single_header: { name: "authorization" } }, { single_header: { name: "cookie" } }]);
  });

  it("[SEC-3] takes a custom rate limit and log retention", () => {
    const custom = synth({ firewall: { ...firewall, rateLimitPer5Minutes: 2000, logRetentionDays: 90, allowedCountries: ["KR"] } });
    const customRules = rulesOf(custom);
    expect(customRules.find((r) => r.Name === "rate-limit-per-ip").Statement.RateBasedStatement).toEqual({
      Limit: 2000,
      AggregateKeyType: "IP",
      EvaluationWindowSec: 300,
    });
    expect(
      customRules.find((r) => r.Name === "allowed-countries-only").Statement.NotStatement.Statement.GeoMatchStatement.CountryCodes,
    ).toEqual(["KR"]);
    const [, group] = only(custom, "aws_cloudwatch_log_group");
    expect(group.retention_in_days).toBe(90);
  });
});

describe("WebFirewall module", () => {
  it("protects the resource ARN it is given", () => {
    const stack = synthWaf();
    const [, association] = only(stack, "aws_wafv2_web_acl_association");
    expect(association.resource_arn).toBe(wafProps.resourceArn);
  });

  it("accepts the limits of the WAF rate limit (10 and 2000000000) and a 100-character name", () => {
    expect(rulesOf(synthWaf({ rateLimitPer5Minutes: 10 }))[1].Statement.RateBasedStatement.Limit).toBe(10);
    expect(rulesOf(synthWaf({ rateLimitPer5Minutes: 2_000_000_000 }))[1].Statement.RateBasedStatement.Limit).toBe(2_000_000_000);
    expect(() => synthWaf({ name: "a_".repeat(50) })).not.toThrow();
  });

  it.each<[Partial<WebFirewallProps>, string]>([
    [{ name: "ecg test" }, 'name: "ecg test" must be 1-100 letters, digits, - or _'],
    [{ name: "" }, 'name: "" must be 1-100 letters, digits, - or _'],
    [{ name: "a".repeat(101) }, `name: "${"a".repeat(101)}" must be 1-100 letters, digits, - or _`],
    [{ rateLimitPer5Minutes: 9 }, "rateLimitPer5Minutes: 9 must be a whole number from 10 to 2000000000 (WAF limit)"],
    [{ rateLimitPer5Minutes: 2_000_000_001 }, "rateLimitPer5Minutes: 2000000001 must be a whole number from 10 to 2000000000 (WAF limit)"],
    [{ rateLimitPer5Minutes: 100.5 }, "rateLimitPer5Minutes: 100.5 must be a whole number from 10 to 2000000000 (WAF limit)"],
    [{ allowedCountries: [] }, "allowedCountries: list at least one country, or nobody can reach the resource"],
    [{ allowedCountries: ["KR", "kr"] }, 'allowedCountries: "kr" is not an ISO 3166 alpha-2 code'],
    [{ allowedCountries: ["KOR"] }, 'allowedCountries: "KOR" is not an ISO 3166 alpha-2 code'],
    [{ logRetentionDays: 10 }, "logRetentionDays: 10 is not a CloudWatch Logs retention value"],
  ])("refuses %j", (overrides, message) => {
    expect(() => synthWaf(overrides)).toThrow(message);
  });

  it("reports every problem of its props at once", () => {
    const message = errorOf(() =>
      synthWaf({ name: "ecg test", rateLimitPer5Minutes: 5, allowedCountries: ["kr", "USA"], logRetentionDays: 10 }),
    );
    expect(message).toMatch(/^WebFirewall "waf" is misconfigured:\n/);
    const problems = message.split("\n").filter((line) => line.startsWith("  - "));
    expect(problems).toHaveLength(5);
    expect(problems.slice(0, 4)).toEqual([
      '  - name: "ecg test" must be 1-100 letters, digits, - or _',
      "  - rateLimitPer5Minutes: 5 must be a whole number from 10 to 2000000000 (WAF limit)",
      '  - allowedCountries: "kr" is not an ISO 3166 alpha-2 code',
      '  - allowedCountries: "USA" is not an ISO 3166 alpha-2 code',
    ]);
    expect(problems[4]).toContain("logRetentionDays: 10 is not a CloudWatch Logs retention value");
  });
});

describe("SecureBucket as an access-log target", () => {
  const statementsAfter = (add: (bucket: SecureBucket) => void) =>
    policyStatements(
      synthJson(
        Testing.synthScope((scope) => {
          add(new SecureBucket(scope, "logs", { bucketName: "ecg-test-logs" }));
        }),
      ),
    );

  it("adds a statement with a new sid to the bucket policy", () => {
    const statements = statementsAfter((bucket) =>
      bucket.addToPolicy({
        sid: "Extra",
        actions: ["s3:GetObject"],
        resources: ["*"],
        principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }],
      }),
    );
    expect(statements.map((s) => s.sid)).toEqual(["DenyInsecureTransport", "DenyTlsBelow12", "Extra"]);
  });

  it.each<[string, string | undefined]>([
    ["without a sid", undefined],
    ["with an empty sid", ""],
    ["with the sid of a built-in statement", "DenyInsecureTransport"],
  ])("addToPolicy refuses a statement %s and leaves the policy as it was", (_, sid) => {
    const statements = statementsAfter((bucket) => {
      expect(() => bucket.addToPolicy({ sid, actions: ["s3:PutObject"], resources: ["*"] })).toThrow("every statement needs a unique sid");
    });
    expect(statements.map((s) => s.sid)).toEqual(["DenyInsecureTransport", "DenyTlsBelow12"]);
  });

  it("addToPolicy refuses a second statement with a sid it already added", () => {
    const statements = statementsAfter((bucket) => {
      bucket.addToPolicy({ sid: "Grant", actions: ["s3:PutObject"], resources: ["*"] });
      expect(() => bucket.addToPolicy({ sid: "Grant", actions: ["s3:GetObject"], resources: ["*"] })).toThrow(
        'addToPolicy: every statement needs a unique sid (got "Grant")',
      );
    });
    expect(statements.map((s) => s.sid)).toEqual(["DenyInsecureTransport", "DenyTlsBelow12", "Grant"]);
    expect(statements[2].actions).toEqual(["s3:PutObject"]);
  });

  it("sets force_destroy only when forceDestroy is asked for", () => {
    const bucketOf = (props: { forceDestroy?: boolean }) =>
      only(
        synthJson(Testing.synthScope((scope) => new SecureBucket(scope, "logs", { bucketName: "ecg-test-logs", ...props }))),
        "aws_s3_bucket",
      )[1];
    expect(bucketOf({ forceDestroy: true }).force_destroy).toBe(true);
    expect(bucketOf({}).force_destroy).toBeUndefined();
  });

  it("refuses forceDestroy together with preventDestroy", () => {
    expect(() =>
      Testing.synthScope(
        (scope) => new SecureBucket(scope, "logs", { bucketName: "ecg-test-logs", forceDestroy: true, preventDestroy: true }),
      ),
    ).toThrow("contradict");
  });
});

describe("Ingress module with a blue/green test listener", () => {
  const stack = synth({ testListenerPort: 8443 });

  it("[CI-3] adds a green target group like the blue one and a TLS test listener on the given port that forwards to it", () => {
    const groups = Object.fromEntries(resourcesOf(stack, "aws_lb_target_group").map(([, tg]) => [tg.name, tg]));
    expect(Object.keys(groups).sort()).toEqual(["ecg-test-api", "ecg-test-api-green"]);
    const { name: _blue, ...blue } = groups["ecg-test-api"];
    const { name: _green, ...green } = groups["ecg-test-api-green"];
    expect(green).toEqual(blue);
    const listeners = Object.fromEntries(resourcesOf(stack, "aws_lb_listener").map(([id, l]) => [l.port, { id, ...l }]));
    expect(Object.keys(listeners).sort()).toEqual(["443", "8443"]);
    expect(listeners[8443]).toMatchObject({ protocol: "HTTPS", ssl_policy: TLS_POLICY, certificate_arn: listeners[443].certificate_arn });
    const [greenId] = resourcesOf(stack, "aws_lb_target_group").find(([, tg]) => tg.name === "ecg-test-api-green")!;
    expect(listeners[8443].default_action).toEqual([{ type: "forward", target_group_arn: `\${aws_lb_target_group.${greenId}.arn}` }]);
  });

  it("[CI-3] leaves the listeners' target groups to CodeDeploy after creation", () => {
    for (const [, listener] of resourcesOf(stack, "aws_lb_listener"))
      expect(listener.lifecycle).toEqual({ ignore_changes: ["default_action"] });
    for (const [, listener] of resourcesOf(synth(), "aws_lb_listener")) expect(listener.lifecycle).toBeUndefined();
  });

  it.each([
    [{ testListenerPort: 443 }, "testListenerPort: 443 must be a TCP port other than 443"],
    [{ testListenerPort: 70000 }, "testListenerPort: 70000 must be a TCP port"],
    [
      { testListenerPort: 8443, name: "ecg-a-very-long-api-name-27" },
      'name: "ecg-a-very-long-api-name-27" must be at most 26 characters with testListenerPort',
    ],
  ])("refuses %j", (overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });
});

/** Validation records in the order of the domain_validation_options entry each one reads (the JSON orders them by logical id). */
function byOption(records: [string, any][]): [string, any][] {
  const index = ([, r]: [string, any]) => Number(/domain_validation_options\)\.(\d+)\./.exec(r.name)?.[1] ?? NaN);
  return [...records].sort((a, b) => index(a) - index(b));
}

describe("Ingress module under DNS failover (publicRecord, regionalDomainName)", () => {
  const REGIONAL = "api-ap-northeast-2.example.com";

  /** Synthesizes an Ingress with its url (and regionalUrl, when set) as outputs; returns the construct too. */
  function synthWithUrls(overrides: Overrides = {}): { stack: SynthesizedStack; ingress: Ingress } {
    let ingress: Ingress | undefined;
    const stack = synthJson(
      Testing.synthScope((scope) => {
        const bucket = new SecureBucket(scope, "logs", { bucketName: "ecg-test-logs" });
        ingress = new Ingress(scope, "ingress", baseProps(bucket, overrides));
        new TerraformOutput(scope, "url", { value: ingress.url });
        if (ingress.regionalUrl !== undefined) new TerraformOutput(scope, "regional_url", { value: ingress.regionalUrl });
      }),
    );
    return { stack, ingress: ingress! };
  }
  const aliasRecords = (stack: SynthesizedStack) => resourcesOf(stack, "aws_route53_record").filter(([, r]) => r.type === "A");
  const validationRecords = (stack: SynthesizedStack) =>
    byOption(resourcesOf(stack, "aws_route53_record").filter(([, r]) => r.type !== "A"));

  const failover = synthWithUrls({ publicRecord: false });
  const regional = synthWithUrls({ regionalDomainName: REGIONAL });
  const both = synthWithUrls({ publicRecord: false, regionalDomainName: REGIONAL });

  it("[DR-3] publicRecord defaults to true: the simple alias record for domainName exists and url follows it", () => {
    const { stack, ingress } = synthWithUrls();
    const aliases = aliasRecords(stack);
    expect(aliases.map(([, r]) => r.name)).toEqual(["api.example.com"]);
    expect(stack.output!.url.value).toBe(`https://\${aws_route53_record.${aliases[0][0]}.fqdn}`);
    expect(ingress.regionalUrl).toBeUndefined();
    expect(stack.output!.regional_url).toBeUndefined();
  });

  it("[DR-3] with publicRecord false: no A record for domainName (failover records own it), url is the literal https://<domainName>", () => {
    expect(aliasRecords(failover.stack)).toEqual([]);
    expect(resourcesOf(failover.stack, "aws_route53_record").some(([, r]) => r.name === "api.example.com")).toBe(false);
    expect(failover.ingress.url).toBe("https://api.example.com");
    expect(failover.stack.output!.url.value).toBe("https://api.example.com");
  });

  it("[DR-3] [CMP-6] with publicRecord false: still serves domainName with a certificate validated by exactly one DNS record", () => {
    const [certificateId, certificate] = only(failover.stack, "aws_acm_certificate");
    expect(certificate.domain_name).toBe("api.example.com");
    expect(certificate.subject_alternative_names).toBeUndefined();
    const records = validationRecords(failover.stack);
    expect(records).toHaveLength(1);
    expect(records[0][1].name).toBe(`\${tolist(aws_acm_certificate.${certificateId}.domain_validation_options).0.resource_record_name}`);
    const [, validation] = only(failover.stack, "aws_acm_certificate_validation");
    expect(validation.validation_record_fqdns).toEqual([`\${aws_route53_record.${records[0][0]}.fqdn}`]);
    const [, listener] = only(failover.stack, "aws_lb_listener");
    expect(listener.port).toBe(443);
  });

  it("[DR-3] [CMP-6] with regionalDomainName: the certificate covers it as a subject alternative name", () => {
    const [, certificate] = only(regional.stack, "aws_acm_certificate");
    expect(certificate).toMatchObject({ domain_name: "api.example.com", subject_alternative_names: [REGIONAL], validation_method: "DNS" });
  });

  it("[DR-3] with regionalDomainName: one DNS validation record per name, both awaited by the certificate validation", () => {
    const [certificateId] = only(regional.stack, "aws_acm_certificate");
    const records = validationRecords(regional.stack);
    expect(records).toHaveLength(2);
    const options = [0, 1].map((i) => `tolist(aws_acm_certificate.${certificateId}.domain_validation_options).${i}`);
    expect(records.map(([, r]) => r)).toEqual(
      options.map((option) => ({
        zone_id: "Z0HOSTEDZONE",
        name: `\${${option}.resource_record_name}`,
        type: `\${${option}.resource_record_type}`,
        records: [`\${${option}.resource_record_value}`],
        ttl: 300,
        allow_overwrite: true,
      })),
    );
    const [, validation] = only(regional.stack, "aws_acm_certificate_validation");
    expect(validation.validation_record_fqdns).toEqual(records.map(([id]) => `\${aws_route53_record.${id}.fqdn}`));
  });

  it("[DR-3] with regionalDomainName: a simple alias A record points the regional name at this ALB, with evaluate_target_health, and regionalUrl follows it", () => {
    const [albId] = only(regional.stack, "aws_lb");
    const aliases = aliasRecords(regional.stack);
    expect(aliases.map(([, r]) => r.name).sort()).toEqual(["api.example.com", REGIONAL].sort());
    const [regionalId, record] = aliases.find(([, r]) => r.name === REGIONAL)!;
    expect(record).toEqual({
      zone_id: "Z0HOSTEDZONE",
      name: REGIONAL,
      type: "A",
      alias: { name: `\${aws_lb.${albId}.dns_name}`, zone_id: `\${aws_lb.${albId}.zone_id}`, evaluate_target_health: true },
    });
    // A simple record: no routing policy, no health check, no set identifier.
    expect(record.failover_routing_policy).toBeUndefined();
    expect(record.set_identifier).toBeUndefined();
    expect(regional.stack.output!.regional_url.value).toBe(`https://\${aws_route53_record.${regionalId}.fqdn}`);
    const [publicId] = aliases.find(([, r]) => r.name === "api.example.com")!;
    expect(regional.stack.output!.url.value).toBe(`https://\${aws_route53_record.${publicId}.fqdn}`);
  });

  it("[DR-3] with publicRecord false and regionalDomainName: only the regional alias record, url literal, regionalUrl on its record", () => {
    const aliases = aliasRecords(both.stack);
    expect(aliases.map(([, r]) => r.name)).toEqual([REGIONAL]);
    expect(both.stack.output!.url.value).toBe("https://api.example.com");
    expect(both.stack.output!.regional_url.value).toBe(`https://\${aws_route53_record.${aliases[0][0]}.fqdn}`);
    expect(validationRecords(both.stack)).toHaveLength(2);
    expect(only(both.stack, "aws_acm_certificate")[1].subject_alternative_names).toEqual([REGIONAL]);
  });

  it.each<[Overrides, string]>([
    [
      { regionalDomainName: "API-ap-northeast-2.example.com" },
      'regionalDomainName: "API-ap-northeast-2.example.com" is not a lower-case DNS name',
    ],
    [
      { regionalDomainName: "https://api-ap-northeast-2.example.com" },
      'regionalDomainName: "https://api-ap-northeast-2.example.com" is not a lower-case DNS name',
    ],
    [{ regionalDomainName: "localhost" }, 'regionalDomainName: "localhost" is not a lower-case DNS name'],
    [{ regionalDomainName: "" }, 'regionalDomainName: "" is not a lower-case DNS name'],
    [{ regionalDomainName: "api.example.com" }, "regionalDomainName: must differ from domainName (it names this region's ALB alone)"],
  ])("[DR-3] refuses %j", (overrides, problem) => {
    expect(errorOf(() => synth(overrides))).toBe(`Ingress "ingress" is misconfigured:\n  - ${problem}`);
  });
});

describe("DnsValidatedCertificate", () => {
  const synthCertificate = (props: Partial<DnsValidatedCertificateProps> = {}) =>
    synthJson(
      Testing.synthScope((scope) => {
        new DnsValidatedCertificate(scope, "tls", { domainName: "www.example.com", hostedZoneId: "Z0HOSTEDZONE", ...props });
      }),
    );

  it("[CMP-6] refuses a name listed twice (ACM drops repeats, so a validation record per listed name would index past ACM's list)", () => {
    expect(() => synthCertificate({ subjectAlternativeNames: ["www.example.com"] })).toThrow(
      'DnsValidatedCertificate "tls": subjectAlternativeNames: www.example.com listed twice (or equal to domainName)',
    );
    expect(() => synthCertificate({ subjectAlternativeNames: ["a.example.com", "a.example.com"] })).toThrow(
      "subjectAlternativeNames: a.example.com listed twice",
    );
  });

  it("[CMP-6] without subject alternative names: exactly one validation record, awaited by the validation", () => {
    for (const stack of [synthCertificate(), synthCertificate({ subjectAlternativeNames: [] })]) {
      const [certificateId, certificate] = only(stack, "aws_acm_certificate");
      expect(certificate.domain_name).toBe("www.example.com");
      expect(certificate.subject_alternative_names).toBeUndefined();
      const [recordId, record] = only(stack, "aws_route53_record");
      expect(record.name).toBe(`\${tolist(aws_acm_certificate.${certificateId}.domain_validation_options).0.resource_record_name}`);
      const [, validation] = only(stack, "aws_acm_certificate_validation");
      expect(validation.validation_record_fqdns).toEqual([`\${aws_route53_record.${recordId}.fqdn}`]);
    }
  });

  it("[CMP-6] with two subject alternative names: three validation records, one per domain_validation_options entry", () => {
    const stack = synthCertificate({ subjectAlternativeNames: ["a.example.com", "b.example.com"] });
    const [certificateId, certificate] = only(stack, "aws_acm_certificate");
    expect(certificate.subject_alternative_names).toEqual(["a.example.com", "b.example.com"]);
    const records = byOption(resourcesOf(stack, "aws_route53_record"));
    expect(records.map(([, r]) => r.name)).toEqual(
      [0, 1, 2].map((i) => `\${tolist(aws_acm_certificate.${certificateId}.domain_validation_options).${i}.resource_record_name}`),
    );
    expect(only(stack, "aws_acm_certificate_validation")[1].validation_record_fqdns).toEqual(
      records.map(([id]) => `\${aws_route53_record.${id}.fqdn}`),
    );
  });

  it("puts the certificate and its validation in the given provider's region, and the records in the (global) zone", () => {
    const stack = synthJson(
      Testing.synthScope((scope) => {
        const provider = new AwsProvider(scope, "us-east-1", { region: "us-east-1", alias: "us-east-1" });
        new DnsValidatedCertificate(scope, "tls", {
          domainName: "www.example.com",
          hostedZoneId: "Z0HOSTEDZONE",
          subjectAlternativeNames: ["cdn.example.com"],
          provider,
        });
      }),
    );
    expect(only(stack, "aws_acm_certificate")[1].provider).toBe("aws.us-east-1");
    expect(only(stack, "aws_acm_certificate_validation")[1].provider).toBe("aws.us-east-1");
    const records = resourcesOf(stack, "aws_route53_record");
    expect(records).toHaveLength(2);
    for (const [, record] of records) expect(record.provider).toBeUndefined();
  });
});
