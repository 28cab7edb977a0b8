import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack, Testing } from "cdktf";
import type { Construct } from "constructs";
import {
  DEFAULT_CHECKER_REGIONS,
  DnsFailover,
  type DnsFailoverProps,
  FailoverRecord,
  type FailoverRecordProps,
  GlobalEntryPoint,
  type GlobalEntryPointProps,
  type RegionalEndpoint,
} from "../../modules/failover";
import { WebFirewall } from "../../modules/ingress";
import { ALL_RULES, evaluate, suppress } from "../../modules/policy";
import { SecureBucket } from "../../modules/secure-bucket";
import { errorOf, only, referencedId, resourcesOf, type SynthesizedStack, statementsOf, synthJson, TEST_ACCOUNT } from "../helpers";
import { KEY_ARN, loadBalancer } from "./policy-fixtures";

// ---------------------------------------------------------------- fixtures

const SEOUL: RegionalEndpoint = {
  region: "ap-northeast-2",
  aliasName: "ecg-prod-api-1234567890.ap-northeast-2.elb.amazonaws.com",
  aliasZoneId: "ZWKZPGTI48KDX",
  healthCheckFqdn: "api-ap-northeast-2.example.com",
};
const TOKYO: RegionalEndpoint = {
  region: "ap-northeast-1",
  aliasName: "ecg-prod-api-0987654321.ap-northeast-1.elb.amazonaws.com",
  aliasZoneId: "Z14GRHDCWA56QT",
  healthCheckFqdn: "api-ap-northeast-1.example.com",
};
const dnsProps = (overrides: Partial<DnsFailoverProps> = {}): DnsFailoverProps => ({
  zoneId: "Z0HOSTEDZONE",
  name: "api.example.com",
  primary: SEOUL,
  secondary: TOKYO,
  ...overrides,
});

const TOPIC = "arn:aws:sns:us-east-1:123456789012:ecg-prod-critical";
const usEast1 = (scope: Construct) => new AwsProvider(scope, "us-east-1", { region: "us-east-1", alias: "us-east-1" });
const usWest2 = (scope: Construct) => new AwsProvider(scope, "us-west-2", { region: "us-west-2", alias: "us-west-2" });

const SEOUL_ALB = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:loadbalancer/app/ecg-prod-api/0123456789abcdef";
const TOKYO_ALB = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/ecg-prod-api/fedcba9876543210";

/** GlobalEntryPoint props for `scope` (which receives the us-west-2 provider). */
const gaProps = (scope: Construct, overrides: Partial<GlobalEntryPointProps> = {}): GlobalEntryPointProps => ({
  name: "ecg-prod-api",
  provider: usWest2(scope),
  primary: { region: "ap-northeast-2", loadBalancerArn: SEOUL_ALB },
  secondary: { region: "ap-northeast-1", loadBalancerArn: TOKYO_ALB },
  ...overrides,
});

const synthDns = (overrides: Partial<DnsFailoverProps> = {}, build?: (scope: Construct) => Partial<DnsFailoverProps>) =>
  synthJson(Testing.synthScope((scope) => new DnsFailover(scope, "failover", dnsProps({ ...overrides, ...(build ? build(scope) : {}) }))));

const synthGa = (overrides: (scope: Construct) => Partial<GlobalEntryPointProps> = () => ({})) =>
  synthJson(Testing.synthScope((scope) => new GlobalEntryPoint(scope, "ga", gaProps(scope, overrides(scope)))));

/** The one health check whose fqdn is `fqdn`, as [logical id, config]. */
function checkFor(stack: SynthesizedStack, fqdn: string): [string, any] {
  const found = resourcesOf(stack, "aws_route53_health_check").filter(([, c]) => c.fqdn === fqdn);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The one record with failover type `role`. */
function recordFor(stack: SynthesizedStack, role: string): any {
  const found = resourcesOf(stack, "aws_route53_record").filter(([, r]) => r.failover_routing_policy?.type === role);
  expect(found).toHaveLength(1);
  return found[0][1];
}

/** The endpoint group of `region`. */
function groupIn(stack: SynthesizedStack, region: string): any {
  const found = resourcesOf(stack, "aws_globalaccelerator_endpoint_group").filter(([, g]) => g.endpoint_group_region === region);
  expect(found).toHaveLength(1);
  return found[0][1];
}

// ---------------------------------------------------------------- DNS failover

describe("DnsFailover", () => {
  const stack = synthDns();

  it("[DR-3] health-checks each region's own entry point over HTTPS with SNI on /health:443 every 30 s, threshold 3, latency measured", () => {
    const checks = resourcesOf(stack, "aws_route53_health_check");
    expect(checks).toHaveLength(2);
    for (const endpoint of [SEOUL, TOKYO]) {
      const [, check] = checkFor(stack, endpoint.healthCheckFqdn);
      expect(check).toMatchObject({
        type: "HTTPS",
        port: 443,
        resource_path: "/health",
        enable_sni: true,
        request_interval: 30,
        failure_threshold: 3,
        measure_latency: true,
        regions: [...DEFAULT_CHECKER_REGIONS],
      });
      expect(check.tags).toMatchObject({ Component: "failover" });
      expect(check.tags.Name).toContain(endpoint.region);
    }
  });

  it("[DR-3] [SEC-3] checks from US and Tokyo checkers only by default: the WAF admits KR, US and JP, and Route 53 needs at least three regions", () => {
    expect([...DEFAULT_CHECKER_REGIONS].sort()).toEqual(["ap-northeast-1", "us-east-1", "us-west-1", "us-west-2"]);
  });

  it("[DR-3] answers PRIMARY with the Seoul ALB under the Seoul check and SECONDARY with the Tokyo ALB under the Tokyo check", () => {
    const sides = [
      { role: "PRIMARY", endpoint: SEOUL, setIdentifier: "primary-ap-northeast-2" },
      { role: "SECONDARY", endpoint: TOKYO, setIdentifier: "secondary-ap-northeast-1" },
    ];
    for (const { role, endpoint, setIdentifier } of sides) {
      const record = recordFor(stack, role);
      expect(record).toMatchObject({
        zone_id: "Z0HOSTEDZONE",
        name: "api.example.com",
        type: "A",
        set_identifier: setIdentifier,
        alias: { name: endpoint.aliasName, zone_id: endpoint.aliasZoneId, evaluate_target_health: true },
      });
      expect(referencedId(record.health_check_id)).toBe(checkFor(stack, endpoint.healthCheckFqdn)[0]);
    }
    const primary = recordFor(stack, "PRIMARY");
    // Alias records take the target's TTL; a ttl here would be refused by Route 53.
    expect(primary.ttl).toBeUndefined();
    expect(resourcesOf(stack, "aws_route53_record")).toHaveLength(2);
  });

  it("[DR-3] creates no alarm unless asked, and exposes both health check ids and the URL", () => {
    expect(resourcesOf(stack, "aws_cloudwatch_metric_alarm")).toEqual([]);
    const out = synthJson(
      Testing.synthScope((scope) => {
        const failover = new DnsFailover(scope, "failover", dnsProps());
        new TerraformOutput(scope, "primary-check", { value: failover.primary.healthCheckId });
        new TerraformOutput(scope, "secondary-check", { value: failover.secondary.healthCheckId });
        new TerraformOutput(scope, "url", { value: failover.url });
      }),
    );
    const [seoulCheck] = checkFor(out, SEOUL.healthCheckFqdn);
    const [tokyoCheck] = checkFor(out, TOKYO.healthCheckFqdn);
    expect(out.output!["primary-check"].value).toBe(`\${aws_route53_health_check.${seoulCheck}.id}`);
    expect(out.output!["secondary-check"].value).toBe(`\${aws_route53_health_check.${tokyoCheck}.id}`);
    expect(out.output!.url.value).toBe("https://api.example.com");
  });

  it("[DR-1] takes the check's path, port, 10 s interval, threshold, latency setting and checker regions", () => {
    const custom = synthDns({
      healthCheck: {
        resourcePath: "/ready",
        port: 8443,
        requestInterval: 10,
        failureThreshold: 1,
        measureLatency: false,
        regions: ["us-east-1", "eu-west-1", "ap-southeast-1"],
      },
    });
    for (const [, check] of resourcesOf(custom, "aws_route53_health_check")) {
      expect(check).toMatchObject({
        resource_path: "/ready",
        port: 8443,
        request_interval: 10,
        failure_threshold: 1,
        measure_latency: false,
        regions: ["us-east-1", "eu-west-1", "ap-southeast-1"],
      });
    }
  });

  it("[DR-3] alarms in us-east-1 when a side's HealthCheckStatus drops below 1, notifying the topic on ALARM and OK", () => {
    const alarmed = synthDns({}, (scope) => ({ alarm: { provider: usEast1(scope), topicArn: TOPIC } }));
    const alarms = resourcesOf(alarmed, "aws_cloudwatch_metric_alarm");
    expect(alarms).toHaveLength(2);
    const checks = [checkFor(alarmed, SEOUL.healthCheckFqdn)[0], checkFor(alarmed, TOKYO.healthCheckFqdn)[0]];
    for (const [, alarm] of alarms) {
      expect(alarm).toMatchObject({
        provider: "aws.us-east-1",
        namespace: "AWS/Route53",
        metric_name: "HealthCheckStatus",
        statistic: "Minimum",
        period: 60,
        threshold: 1,
        comparison_operator: "LessThanThreshold",
        treat_missing_data: "breaching",
        alarm_actions: [TOPIC],
        ok_actions: [TOPIC],
      });
    }
    expect(alarms.map(([, a]) => referencedId(a.dimensions.HealthCheckId)).sort()).toEqual([...checks].sort());
    // Route 53 itself is global: checks and records stay on the default provider.
    for (const type of ["aws_route53_health_check", "aws_route53_record"]) {
      for (const [, r] of resourcesOf(alarmed, type)) expect(r.provider).toBeUndefined();
    }
  });

  it("[DR-3] accepts Terraform references (an ALB's dns_name and zone_id) as alias targets", () => {
    const stack = synthJson(
      Testing.synthScope((scope) => {
        const alb = loadBalancer(scope as TerraformStack);
        new DnsFailover(scope, "failover", dnsProps({ primary: { ...SEOUL, aliasName: alb.dnsName, aliasZoneId: alb.zoneId } }));
      }),
    );
    const [albId] = only(stack, "aws_lb");
    expect(recordFor(stack, "PRIMARY").alias).toMatchObject({
      name: `\${aws_lb.${albId}.dns_name}`,
      zone_id: `\${aws_lb.${albId}.zone_id}`,
    });
  });
});

describe("FailoverRecord", () => {
  const recordProps = (overrides: Partial<FailoverRecordProps> = {}): FailoverRecordProps => ({
    zoneId: "Z0HOSTEDZONE",
    name: "api.example.com",
    role: "SECONDARY",
    endpoint: TOKYO,
    ...overrides,
  });
  const synthRecord = (overrides: Partial<FailoverRecordProps> = {}) =>
    synthJson(Testing.synthScope((scope) => new FailoverRecord(scope, "standby", recordProps(overrides))));

  it("[DR-3] builds one region's side alone (its own stack, deployable while the other region is down): one check, one SECONDARY record, nothing of the primary", () => {
    const stack = synthRecord();
    const [checkId, check] = only(stack, "aws_route53_health_check");
    const [, record] = only(stack, "aws_route53_record");
    expect(check.fqdn).toBe(TOKYO.healthCheckFqdn);
    expect(record).toMatchObject({
      failover_routing_policy: { type: "SECONDARY" },
      set_identifier: "secondary-ap-northeast-1",
      alias: { name: TOKYO.aliasName },
    });
    expect(referencedId(record.health_check_id)).toBe(checkId);
    expect(JSON.stringify(stack)).not.toContain(SEOUL.region);
  });

  it("[DR-3] a PRIMARY side pairs with a SECONDARY side built in another stack by name and set identifier", () => {
    const seoul = synthRecord({ role: "PRIMARY", endpoint: SEOUL });
    const tokyo = synthRecord();
    const [, primary] = only(seoul, "aws_route53_record");
    const [, secondary] = only(tokyo, "aws_route53_record");
    expect(primary.name).toBe(secondary.name);
    expect(primary.failover_routing_policy.type).toBe("PRIMARY");
    expect(primary.set_identifier).not.toBe(secondary.set_identifier);
  });

  it("[DR-3] accepts an ALB DNS name with the upper-case letters of its load balancer's name (DNS ignores case)", () => {
    const stack = synthRecord({ endpoint: { ...TOKYO, aliasName: "ECG-Prod-api-0987654321.ap-northeast-1.elb.amazonaws.com" } });
    expect(only(stack, "aws_route53_record")[1].alias.name).toBe("ECG-Prod-api-0987654321.ap-northeast-1.elb.amazonaws.com");
  });

  it("[DR-3] refuses a role other than PRIMARY or SECONDARY", () => {
    expect(errorOf(() => synthRecord({ role: "TERTIARY" as never }))).toContain('role: "TERTIARY" must be PRIMARY or SECONDARY');
  });

  it("[DR-3] names endpoint.* fields in its errors", () => {
    expect(errorOf(() => synthRecord({ endpoint: { ...TOKYO, region: "tokyo" } }))).toContain(
      'endpoint.region: "tokyo" is not an AWS region code',
    );
  });
});

describe("DnsFailover validation", () => {
  const refused = (overrides: Partial<DnsFailoverProps>, build?: (scope: Construct) => Partial<DnsFailoverProps>) =>
    errorOf(() => synthDns(overrides, build));

  it.each<[string, Partial<DnsFailoverProps>, string]>([
    ["a name that is not a DNS name", { name: "API.Example.com" }, 'name: "API.Example.com" is not a lower-case DNS name'],
    ["a missing zone", { zoneId: "" }, "zoneId: is required"],
    ["a region that is not a region code", { primary: { ...SEOUL, region: "seoul" } }, 'primary.region: "seoul" is not an AWS region code'],
    [
      "both sides in one region",
      { secondary: { ...TOKYO, region: "ap-northeast-2" } },
      'secondary.region: "ap-northeast-2" is the primary\'s region too',
    ],
    [
      "an alias target that is not a DNS name",
      { secondary: { ...TOKYO, aliasName: "not a name" } },
      'secondary.aliasName: "not a name" is not a lower-case DNS name',
    ],
    ["a missing alias zone", { primary: { ...SEOUL, aliasZoneId: "" } }, "primary.aliasZoneId: is required"],
    [
      "a check name that is not a DNS name",
      { primary: { ...SEOUL, healthCheckFqdn: "api_seoul" } },
      'primary.healthCheckFqdn: "api_seoul" is not a lower-case DNS name',
    ],
    [
      "checking the failover name itself",
      { primary: { ...SEOUL, healthCheckFqdn: "api.example.com" } },
      'primary.healthCheckFqdn: "api.example.com" is the failover name itself',
    ],
    [
      "one check name for both regions",
      { secondary: { ...TOKYO, healthCheckFqdn: SEOUL.healthCheckFqdn } },
      'secondary.healthCheckFqdn: "api-ap-northeast-2.example.com" is the primary\'s too',
    ],
    ["a path without a leading /", { healthCheck: { resourcePath: "health" } }, 'healthCheck.resourcePath: "health" must start with /'],
    ["a port out of range", { healthCheck: { port: 0 } }, "healthCheck.port: 0 is not a TCP port"],
    [
      "an interval Route 53 does not offer",
      { healthCheck: { requestInterval: 20 as never } },
      "healthCheck.requestInterval: 20 must be 10 or 30",
    ],
    [
      "a failure threshold of 0",
      { healthCheck: { failureThreshold: 0 } },
      "healthCheck.failureThreshold: 0 must be a whole number from 1 to 10",
    ],
    [
      "a failure threshold of 11",
      { healthCheck: { failureThreshold: 11 } },
      "healthCheck.failureThreshold: 11 must be a whole number from 1 to 10",
    ],
    [
      "fewer than three checker regions",
      { healthCheck: { regions: ["us-east-1", "us-west-2", "us-west-2"] } },
      "healthCheck.regions: 2 distinct region(s); Route 53 needs at least 3",
    ],
    [
      "a region without Route 53 checkers",
      { healthCheck: { regions: ["us-east-1", "us-west-2", "ap-northeast-2"] } },
      "healthCheck.regions: ap-northeast-2 not Route 53 checker regions",
    ],
  ])("[DR-3] refuses %s, naming the field and the reason", (_, overrides, message) => {
    expect(refused(overrides)).toContain(message);
  });

  it("[DR-3] refuses an alarm provider outside us-east-1, where the HealthCheckStatus metric is", () => {
    const message = refused({}, (scope) => ({
      alarm: { provider: new AwsProvider(scope, "seoul", { region: "ap-northeast-2", alias: "seoul" }), topicArn: TOPIC },
    }));
    expect(message).toContain("alarm.provider: is configured for ap-northeast-2, but must be for us-east-1");
  });

  it("[DR-3] refuses an alarm topic outside us-east-1, and an ARN that is not a topic's", () => {
    const seoulTopic = "arn:aws:sns:ap-northeast-2:123456789012:ecg-prod-critical";
    expect(refused({}, (scope) => ({ alarm: { provider: usEast1(scope), topicArn: seoulTopic } }))).toContain(
      "alarm.topicArn: the topic is in ap-northeast-2; an alarm in us-east-1 can notify only a topic in us-east-1",
    );
    expect(refused({}, (scope) => ({ alarm: { provider: usEast1(scope), topicArn: "arn:aws:sqs:us-east-1:123456789012:q" } }))).toContain(
      "is not an SNS topic ARN",
    );
  });

  it("[DR-3] reports every problem at once under the construct's id", () => {
    const message = refused({ name: "Bad Name", healthCheck: { failureThreshold: 0, requestInterval: 15 as never } });
    expect(message).toMatch(/^DnsFailover "failover" is misconfigured:/);
    expect(message.split("\n").filter((line) => line.startsWith("  - "))).toHaveLength(3);
  });
});

// ---------------------------------------------------------------- Global Accelerator

describe("GlobalEntryPoint", () => {
  const stack = synthGa();
  const [acceleratorId, accelerator] = only(stack, "aws_globalaccelerator_accelerator");
  const [listenerId, listener] = only(stack, "aws_globalaccelerator_listener");

  it("[SC-2] creates an enabled IPv4 accelerator through the us-west-2 provider, without flow logs unless asked", () => {
    expect(accelerator).toMatchObject({ name: "ecg-prod-api", ip_address_type: "IPV4", enabled: true, provider: "aws.us-west-2" });
    expect(accelerator.attributes).toBeUndefined();
    expect(accelerator.tags).toMatchObject({ Name: "ecg-prod-api", Component: "global-entry-point" });
  });

  it("[SC-2] listens on TCP 443 with SOURCE_IP client affinity by default", () => {
    expect(listener).toMatchObject({
      accelerator_arn: `\${aws_globalaccelerator_accelerator.${acceleratorId}.arn}`,
      protocol: "TCP",
      port_range: [{ from_port: 443, to_port: 443 }],
      client_affinity: "SOURCE_IP",
      provider: "aws.us-west-2",
    });
  });

  it("[SC-2] [DR-3] puts each region's ALB in its own endpoint group, client IP preserved, health-checked on HTTPS /health:443", () => {
    expect(resourcesOf(stack, "aws_globalaccelerator_endpoint_group")).toHaveLength(2);
    for (const [region, arn] of [
      ["ap-northeast-2", SEOUL_ALB],
      ["ap-northeast-1", TOKYO_ALB],
    ]) {
      expect(groupIn(stack, region)).toMatchObject({
        provider: "aws.us-west-2",
        listener_arn: `\${aws_globalaccelerator_listener.${listenerId}.arn}`,
        endpoint_configuration: [{ endpoint_id: arn, weight: 128, client_ip_preservation_enabled: true }],
        health_check_protocol: "HTTPS",
        health_check_path: "/health",
        health_check_port: 443,
        health_check_interval_seconds: 30,
        threshold_count: 3,
      });
    }
  });

  it("[SC-2] [DR-3] is active-passive by default: Seoul's dial at 100, Tokyo's at 0 with a weight above 0 so failover can still reach it", () => {
    expect(groupIn(stack, "ap-northeast-2").traffic_dial_percentage).toBe(100);
    const tokyo = groupIn(stack, "ap-northeast-1");
    expect(tokyo.traffic_dial_percentage).toBe(0);
    expect(tokyo.endpoint_configuration[0].weight).toBeGreaterThan(0);
  });

  it("[SC-2] takes weights, dials, client affinity and health-check settings", () => {
    const custom = synthGa(() => ({
      primary: { region: "ap-northeast-2", loadBalancerArn: SEOUL_ALB, weight: 200, trafficDialPercentage: 90 },
      secondary: { region: "ap-northeast-1", loadBalancerArn: TOKYO_ALB, weight: 1, trafficDialPercentage: 10 },
      clientAffinity: "NONE",
      healthCheck: { path: "/ready", port: 8443, protocol: "HTTP", intervalSeconds: 10, thresholdCount: 5 },
    }));
    expect(only(custom, "aws_globalaccelerator_listener")[1].client_affinity).toBe("NONE");
    expect(groupIn(custom, "ap-northeast-2")).toMatchObject({ traffic_dial_percentage: 90, endpoint_configuration: [{ weight: 200 }] });
    expect(groupIn(custom, "ap-northeast-1")).toMatchObject({
      traffic_dial_percentage: 10,
      endpoint_configuration: [{ weight: 1 }],
      health_check_path: "/ready",
      health_check_port: 8443,
      health_check_protocol: "HTTP",
      health_check_interval_seconds: 10,
      threshold_count: 5,
    });
  });

  it("[SC-2] exposes the accelerator's DNS name, hosted zone and static IP addresses", () => {
    const out = synthJson(
      Testing.synthScope((scope) => {
        const ga = new GlobalEntryPoint(scope, "ga", gaProps(scope));
        new TerraformOutput(scope, "dns", { value: ga.dnsName });
        new TerraformOutput(scope, "zone", { value: ga.hostedZoneId });
        new TerraformOutput(scope, "ips", { value: ga.staticIpAddresses });
        new TerraformOutput(scope, "ip-sets", { value: ga.ipSets });
      }),
    );
    const [id] = only(out, "aws_globalaccelerator_accelerator");
    expect(out.output!.dns.value).toBe(`\${aws_globalaccelerator_accelerator.${id}.dns_name}`);
    expect(out.output!.zone.value).toBe(`\${aws_globalaccelerator_accelerator.${id}.hosted_zone_id}`);
    expect(out.output!.ips.value).toBe(`\${aws_globalaccelerator_accelerator.${id}.ip_sets[0].ip_addresses}`);
    expect(out.output!["ip-sets"].value).toBe(`\${aws_globalaccelerator_accelerator.${id}.ip_sets}`);
  });

  it("[SC-2] writes flow logs to the bucket under the prefix, after the bucket policy admits log delivery for this account only", () => {
    const logged = synthJson(
      Testing.synthScope((scope) => {
        const bucket = new SecureBucket(scope, "logs", { bucketName: "ecg-test-logs" });
        new GlobalEntryPoint(scope, "ga", gaProps(scope, { flowLogs: { bucket, prefix: "ga/api/", account: TEST_ACCOUNT } }));
      }),
    );
    const [, acc] = only(logged, "aws_globalaccelerator_accelerator");
    const [bucketId] = only(logged, "aws_s3_bucket");
    const [policyId, policy] = only(logged, "aws_s3_bucket_policy");
    expect(acc.attributes).toEqual({
      flow_logs_enabled: true,
      flow_logs_s3_bucket: `\${aws_s3_bucket.${bucketId}.bucket}`,
      flow_logs_s3_prefix: "ga/api",
    });
    expect(acc.depends_on).toContain(`aws_s3_bucket_policy.${policyId}`);
    const statements = statementsOf(logged, policy.policy);
    const write = statements.find(
      (s) => s.actions?.includes("s3:PutObject") && s.principals?.[0]?.identifiers?.includes("delivery.logs.amazonaws.com"),
    );
    expect(write).toMatchObject({
      resources: [`\${aws_s3_bucket.${bucketId}.arn}/ga/api/AWSLogs/123456789012/*`],
      condition: expect.arrayContaining([
        { test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] },
        { test: "StringEquals", variable: "s3:x-amz-acl", values: ["bucket-owner-full-control"] },
      ]),
    });
    expect(write.effect ?? "Allow").toBe("Allow");
    const aclCheck = statements.find((s) => s.actions?.includes("s3:GetBucketAcl"));
    expect(aclCheck).toMatchObject({
      resources: [`\${aws_s3_bucket.${bucketId}.arn}`],
      condition: [{ variable: "aws:SourceAccount", values: ["123456789012"] }],
    });
  });
});

describe("GlobalEntryPoint validation", () => {
  const refused = (overrides: (scope: Construct) => Partial<GlobalEntryPointProps>) => errorOf(() => synthGa(overrides));
  const primary = { region: "ap-northeast-2", loadBalancerArn: SEOUL_ALB };
  const secondary = { region: "ap-northeast-1", loadBalancerArn: TOKYO_ALB };

  it.each<[string, Partial<GlobalEntryPointProps>, string]>([
    ["a name with a trailing hyphen", { name: "ecg-api-" }, 'name: "ecg-api-" must be 1-64 letters, digits, periods or hyphens'],
    ["a name over 64 characters", { name: "a".repeat(65) }, `name: "${"a".repeat(65)}" must be 1-64`],
    [
      "both regions alike",
      { secondary: { ...secondary, region: "ap-northeast-2", loadBalancerArn: SEOUL_ALB } },
      'secondary.region: "ap-northeast-2" is the primary\'s region too',
    ],
    [
      "a region that is not a region code",
      { primary: { ...primary, region: "seoul" } },
      'primary.region: "seoul" is not an AWS region code',
    ],
    [
      "an ALB of another region than the group's",
      { secondary: { ...secondary, loadBalancerArn: SEOUL_ALB } },
      "secondary.loadBalancerArn: the load balancer is in ap-northeast-2, not in secondary.region ap-northeast-1",
    ],
    [
      "an ARN that is not a load balancer's",
      { primary: { ...primary, loadBalancerArn: "arn:aws:ec2:ap-northeast-2:123456789012:instance/i-0123" } },
      'primary.loadBalancerArn: "arn:aws:ec2:ap-northeast-2:123456789012:instance/i-0123" is not an Application or Network Load Balancer ARN',
    ],
    ["a weight above 255", { primary: { ...primary, weight: 256 } }, "primary.weight: 256 must be a whole number from 0 to 255"],
    ["a negative weight", { primary: { ...primary, weight: -1 } }, "primary.weight: -1 must be a whole number from 0 to 255"],
    [
      "a dial above 100",
      { primary: { ...primary, trafficDialPercentage: 101 } },
      "primary.trafficDialPercentage: 101 must be from 0 to 100",
    ],
    [
      "a negative dial",
      { secondary: { ...secondary, trafficDialPercentage: -5 } },
      "secondary.trafficDialPercentage: -5 must be from 0 to 100",
    ],
    [
      "a standby of weight 0",
      { secondary: { ...secondary, weight: 0 } },
      "secondary.weight: 0 would make the standby unreachable: GA fails over only to endpoints of weight > 0",
    ],
    ["both dials at 0", { primary: { ...primary, trafficDialPercentage: 0 } }, "trafficDialPercentage: both regions at 0"],
    ["a client affinity GA does not know", { clientAffinity: "COOKIE" as never }, 'clientAffinity: "COOKIE" must be SOURCE_IP or NONE'],
    ["a health-check path without a leading /", { healthCheck: { path: "health" } }, 'healthCheck.path: "health" must start with /'],
    ["a health-check port out of range", { healthCheck: { port: 70000 } }, "healthCheck.port: 70000 is not a TCP port"],
    [
      "a health-check protocol GA does not know",
      { healthCheck: { protocol: "UDP" as never } },
      'healthCheck.protocol: "UDP" must be HTTPS, HTTP or TCP',
    ],
    [
      "a health-check interval GA does not offer",
      { healthCheck: { intervalSeconds: 60 as never } },
      "healthCheck.intervalSeconds: 60 must be 10 or 30",
    ],
    ["a threshold of 0", { healthCheck: { thresholdCount: 0 } }, "healthCheck.thresholdCount: 0 must be a whole number from 1 to 10"],
    ["a threshold of 11", { healthCheck: { thresholdCount: 11 } }, "healthCheck.thresholdCount: 11 must be a whole number from 1 to 10"],
  ])("[SC-2] refuses %s, naming the field and the reason", (_, overrides, message) => {
    expect(refused(() => overrides)).toContain(message);
  });

  it("[SC-2] refuses a provider that is not configured for us-west-2, or none", () => {
    const seoulProvider = (scope: Construct) => new AwsProvider(scope, "seoul", { region: "ap-northeast-2", alias: "seoul" });
    expect(refused((scope) => ({ provider: seoulProvider(scope) }))).toContain(
      "provider: is configured for ap-northeast-2, but must be for us-west-2 (the Global Accelerator API is served from us-west-2 only)",
    );
    expect(refused(() => ({ provider: undefined as never }))).toContain("provider: is required (a provider for us-west-2");
  });

  it.each([
    ["/ga", 'flowLogs.prefix: "/ga" must be a non-empty key prefix without a leading /'],
    ["/", 'flowLogs.prefix: "/" must be a non-empty key prefix without a leading /'],
    ["ga/AWSLogs/", 'flowLogs.prefix: "ga/AWSLogs/" must not contain AWSLogs'],
  ])("[SC-2] refuses the flow-log prefix %j", (prefix, message) => {
    const message_ = errorOf(() =>
      Testing.synthScope((scope) => {
        const bucket = new SecureBucket(scope, "logs", { bucketName: "ecg-test-logs" });
        new GlobalEntryPoint(scope, "ga", gaProps(scope, { flowLogs: { bucket, prefix, account: TEST_ACCOUNT } }));
      }),
    );
    expect(message_).toContain(message);
  });
});

// ---------------------------------------------------------------- the policy pack

describe("failover under the policy pack", () => {
  /** A production-like stack: both regions' ALBs, DNS failover with alarms, the accelerator with flow logs into the log bucket. */
  function failoverStack(suppressLogBucketLogging = true): TerraformStack {
    const stack = new TerraformStack(Testing.app(), "failover-policy");
    new AwsProvider(stack, "aws", { region: "ap-northeast-2" });
    const tokyo = new AwsProvider(stack, "tokyo", { region: "ap-northeast-1", alias: "tokyo" });
    const seoulAlb = loadBalancer(stack, {}, "alb-seoul");
    const tokyoAlb = loadBalancer(stack, { provider: tokyo }, "alb-tokyo");
    // Internet-facing ALBs need their WAF (SEC-3, CKV2_AWS_28), as Ingress gives them.
    const waf = { allowedCountries: ["KR", "US", "JP"], logsKmsKeyArn: KEY_ARN };
    new WebFirewall(stack, "waf-seoul", { ...waf, name: "ecg-seoul", resourceArn: seoulAlb.arn });
    new WebFirewall(stack, "waf-tokyo", { ...waf, name: "ecg-tokyo", resourceArn: tokyoAlb.arn, provider: tokyo });
    const logs = new SecureBucket(stack, "logs", { bucketName: "ecg-prod-logs", preventDestroy: true });
    if (suppressLogBucketLogging)
      suppress(logs.bucket, "CKV_AWS_18", "This is the environment's log bucket: logging its own access would log into itself.");
    new DnsFailover(stack, "failover", {
      zoneId: "Z0HOSTEDZONE",
      name: "api.example.com",
      primary: { ...SEOUL, aliasName: seoulAlb.dnsName, aliasZoneId: seoulAlb.zoneId },
      secondary: { ...TOKYO, aliasName: tokyoAlb.dnsName, aliasZoneId: tokyoAlb.zoneId },
      alarm: { provider: usEast1(stack), topicArn: TOPIC },
    });
    new GlobalEntryPoint(stack, "ga", {
      name: "ecg-prod-api",
      provider: usWest2(stack),
      primary: { region: "ap-northeast-2", loadBalancerArn: seoulAlb.arn },
      secondary: { region: "ap-northeast-1", loadBalancerArn: tokyoAlb.arn },
      flowLogs: { bucket: logs, prefix: "ga", account: TEST_ACCOUNT },
    });
    return stack;
  }

  it("[DR-3] [SC-2] passes every rule of the pack in production", () => {
    const stack = failoverStack();
    const types = Object.keys(stack.toTerraform().resource);
    // Not vacuous: the stack holds resources the pack checks (ALBs, the bucket and its policy).
    expect(types).toEqual(
      expect.arrayContaining([
        "aws_lb",
        "aws_s3_bucket",
        "aws_s3_bucket_policy",
        "aws_globalaccelerator_accelerator",
        "aws_route53_record",
      ]),
    );
    const report = evaluate(stack, { rules: ALL_RULES, production: true });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
  });

  it("[DR-3] [SC-2] the same evaluation does find errors in this stack when there are some (the log bucket's own logging, unsuppressed)", () => {
    const report = evaluate(failoverStack(false), { rules: ALL_RULES, production: true });
    expect(report.findings.filter((f) => f.severity === "error").map((f) => f.rule)).toEqual(["CKV_AWS_18"]);
  });
});
