import {
  GlobalacceleratorAccelerator,
  type GlobalacceleratorAcceleratorIpSetsList,
} from "@cdktf/provider-aws/lib/globalaccelerator-accelerator";
import { GlobalacceleratorEndpointGroup } from "@cdktf/provider-aws/lib/globalaccelerator-endpoint-group";
import { GlobalacceleratorListener } from "@cdktf/provider-aws/lib/globalaccelerator-listener";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { ComponentTags } from "../common/component-tags";
import { refuseProps } from "../common/props";
import type { SecureBucket } from "../secure-bucket";
import { arnRegion, isLiteral, isWhole, providerRegionProblem, regionProblem } from "./checks";

/** The Global Accelerator API (and its CloudWatch metrics) exist only in US West (Oregon). */
export const GLOBAL_ACCELERATOR_API_REGION = "us-west-2";

/** GA's default endpoint weight. */
const DEFAULT_WEIGHT = 128;

/** One region behind the accelerator: its ALB as the endpoint group's only endpoint. */
interface AcceleratedRegion {
  /** Region of the ALB, e.g. `ap-northeast-2`. */
  readonly region: string;
  /** ARN of the region's ALB (`aws_lb.arn`). */
  readonly loadBalancerArn: string;
  /**
   * Endpoint weight, 0-255. GA fails over only to endpoints of weight > 0, so
   * the secondary must keep one; setting the primary's to 0 is a manual
   * failover (its traffic goes to the secondary's group).
   * @default 128
   */
  readonly weight?: number;
  /**
   * Share (0-100) of the traffic GA would send to this region that it does
   * send. The dial shapes normal routing only: when a group has no healthy
   * endpoint of weight > 0, GA fails over to the next group ignoring that
   * group's dial, so a standby at 0 still takes over.
   * @default 100 for the primary, 0 for the secondary (pilot light)
   */
  readonly trafficDialPercentage?: number;
}

/**
 * GA's own health-check settings. For ALB endpoints GA goes by the load
 * balancer's target health (the target group's health check), and uses these
 * only for EC2 instance and Elastic IP endpoints; they are set to the ALB's
 * public check so the group stays right if an endpoint type changes.
 */
interface AcceleratorHealthCheck {
  /** @default "/health" */
  readonly path?: string;
  /** @default 443 */
  readonly port?: number;
  /** @default "HTTPS" */
  readonly protocol?: "HTTPS" | "HTTP" | "TCP";
  /** @default 30 */
  readonly intervalSeconds?: 10 | 30;
  /** Consecutive checks that flip an endpoint's state, 1-10. @default 3 */
  readonly thresholdCount?: number;
}

export interface GlobalEntryPointProps {
  /** Accelerator name: 1-64 letters, digits, periods or hyphens, not starting or ending with a period or hyphen. */
  readonly name: string;
  /** An AWS provider for us-west-2: every Global Accelerator resource is managed through that region's API. */
  readonly provider: TerraformProvider;
  /** Takes all traffic while healthy (Seoul, DR-3). */
  readonly primary: AcceleratedRegion;
  /** Takes the traffic when the primary has no healthy endpoint (Tokyo, DR-3). */
  readonly secondary: AcceleratedRegion;
  /**
   * SOURCE_IP keeps every connection of one client on one endpoint (hash of
   * source and destination IP, not the 5-tuple). Sessions and render progress
   * live in each region's own Redis (RED-3), so a client whose connections
   * were spread over both regions while both dials are open (a failback, a
   * canary of the standby) would lose its session half the time.
   * @default "SOURCE_IP"
   */
  readonly clientAffinity?: "SOURCE_IP" | "NONE";
  /** @default - see AcceleratorHealthCheck */
  readonly healthCheck?: AcceleratorHealthCheck;
  /**
   * Flow logs to `bucket` under `prefix`/AWSLogs/<account>/ (delivered by the
   * log-delivery service, which the bucket policy admits for this account
   * only). The bucket must be in the same stack.
   * @default - no flow logs
   */
  readonly flowLogs?: { readonly bucket: SecureBucket; readonly prefix: string; readonly account: AwsAccount };
}

/**
 * Global Accelerator in front of the regional entry points (SC-2, DR-3): two
 * static anycast IPv4 addresses, a TCP listener on 443 (TLS stays end to end:
 * the ALBs terminate it), and an endpoint group per region with that region's
 * ALB, client IP preservation on.
 *
 * Active-passive by default: the primary's dial at 100 and the secondary's at
 * 0 keep all traffic in the primary region, even for clients nearer the
 * secondary. When the primary ALB has no healthy targets, GA fails over to the
 * secondary regardless of its dial (the dial does not apply to failover), and
 * moves back about 30 s after the primary recovers; established connections
 * stay where they are until they close. Failover at the network layer
 * needs no DNS change, so it does not wait for resolver caches as Route 53
 * failover does.
 */
export class GlobalEntryPoint extends Construct {
  readonly accelerator: GlobalacceleratorAccelerator;
  readonly listener: GlobalacceleratorListener;
  readonly primaryGroup: GlobalacceleratorEndpointGroup;
  readonly secondaryGroup: GlobalacceleratorEndpointGroup;
  /** The accelerator's DNS name (`<id>.awsglobalaccelerator.com`). */
  readonly dnsName: string;
  /** Route 53 zone of the accelerator, for an alias record at it. */
  readonly hostedZoneId: string;
  /** The accelerator's IP sets (one for IPv4). */
  readonly ipSets: GlobalacceleratorAcceleratorIpSetsList;
  /** The two static IPv4 addresses (allow-lists, clients that cannot use DNS). */
  readonly staticIpAddresses: string[];

  constructor(scope: Construct, id: string, props: GlobalEntryPointProps) {
    super(scope, id);
    refuseProps("GlobalEntryPoint", id, problemsOf(props));
    const { provider, name } = props;

    let attributes: { flowLogsEnabled: boolean; flowLogsS3Bucket: string; flowLogsS3Prefix: string } | undefined;
    if (props.flowLogs) {
      const { bucket, account } = props.flowLogs;
      const prefix = props.flowLogs.prefix.replace(/\/+$/, "");
      const sid = `GlobalAcceleratorFlowLogs${name.replace(/[^A-Za-z0-9]/g, "")}`;
      // GA flow logs are "vended logs": delivery.logs.amazonaws.com writes them
      // with the bucket-owner-full-control ACL after reading the bucket ACL.
      // aws:SourceAccount keeps other accounts' deliveries out (confused deputy).
      const thisAccount = { test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] };
      const logDelivery = [{ type: "Service", identifiers: ["delivery.logs.amazonaws.com"] }];
      bucket.addToPolicy({
        sid,
        principals: logDelivery,
        actions: ["s3:PutObject"],
        resources: [`${bucket.bucket.arn}/${prefix}/AWSLogs/${account.accountId}/*`],
        condition: [thisAccount, { test: "StringEquals", variable: "s3:x-amz-acl", values: ["bucket-owner-full-control"] }],
      });
      bucket.addToPolicy({
        sid: `${sid}AclCheck`,
        principals: logDelivery,
        actions: ["s3:GetBucketAcl"],
        resources: [bucket.bucket.arn],
        condition: [thisAccount],
      });
      attributes = { flowLogsEnabled: true, flowLogsS3Bucket: bucket.bucket.bucket, flowLogsS3Prefix: prefix };
    }

    this.accelerator = new GlobalacceleratorAccelerator(this, "accelerator", {
      provider,
      name,
      ipAddressType: "IPV4",
      enabled: true,
      attributes,
      // GA checks the bucket policy when flow logs are switched on.
      dependsOn: props.flowLogs ? [props.flowLogs.bucket.policy] : undefined,
      tags: { Name: name },
    });

    this.listener = new GlobalacceleratorListener(this, "listener", {
      provider,
      acceleratorArn: this.accelerator.arn,
      // TCP, not TLS termination: the ALBs hold the certificates, WAF and the
      // HTTPS listener (CMP-6, SEC-3); GA only carries the connection.
      protocol: "TCP",
      portRange: [{ fromPort: 443, toPort: 443 }],
      clientAffinity: props.clientAffinity ?? "SOURCE_IP",
    });

    const health = props.healthCheck ?? {};
    const group = (key: string, region: AcceleratedRegion, defaultDial: number) =>
      new GlobalacceleratorEndpointGroup(this, key, {
        provider,
        listenerArn: this.listener.arn,
        endpointGroupRegion: region.region,
        trafficDialPercentage: region.trafficDialPercentage ?? defaultDial,
        healthCheckProtocol: health.protocol ?? "HTTPS",
        healthCheckPort: health.port ?? 443,
        healthCheckPath: (health.protocol ?? "HTTPS") === "TCP" ? undefined : (health.path ?? "/health"),
        healthCheckIntervalSeconds: health.intervalSeconds ?? 30,
        thresholdCount: health.thresholdCount ?? 3,
        endpointConfiguration: [
          {
            endpointId: region.loadBalancerArn,
            weight: region.weight ?? DEFAULT_WEIGHT,
            // The ALB and its WAF then see the client's address instead of
            // GA's: the per-IP rate limit and the country allow-list (SEC-3)
            // keep working, and access logs name the real client. The ALB-SG
            // already admits 443 from anywhere (NET-4).
            clientIpPreservationEnabled: true,
          },
        ],
      });
    this.primaryGroup = group("primary", props.primary, 100);
    this.secondaryGroup = group("secondary", props.secondary, 0);

    this.dnsName = this.accelerator.dnsName;
    this.hostedZoneId = this.accelerator.hostedZoneId;
    this.ipSets = this.accelerator.ipSets;
    this.staticIpAddresses = this.accelerator.ipSets.get(0).ipAddresses;
    ComponentTags.apply(this, "global-entry-point");
  }
}

// ---------------------------------------------------------------- validation

function regionProblems(field: string, region: AcceleratedRegion | undefined): string[] {
  if (!region) return [`${field}: is required`];
  const problems: string[] = [];
  const code = regionProblem(`${field}.region`, region.region);
  if (code) problems.push(code);
  const arn = region.loadBalancerArn;
  if (!arn) problems.push(`${field}.loadBalancerArn: is required`);
  else if (isLiteral(arn)) {
    if (!/^arn:[a-z-]+:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/(app|net)\/[^/]+\/[0-9a-f]+$/.test(arn)) {
      problems.push(`${field}.loadBalancerArn: "${arn}" is not an Application or Network Load Balancer ARN`);
    } else if (!code && arnRegion(arn) !== region.region) {
      problems.push(`${field}.loadBalancerArn: the load balancer is in ${arnRegion(arn)}, not in ${field}.region ${region.region}`);
    }
  }
  if (region.weight !== undefined && !isWhole(region.weight, 0, 255))
    problems.push(`${field}.weight: ${region.weight} must be a whole number from 0 to 255`);
  const dial = region.trafficDialPercentage;
  if (dial !== undefined && !(typeof dial === "number" && dial >= 0 && dial <= 100))
    problems.push(`${field}.trafficDialPercentage: ${dial} must be from 0 to 100`);
  return problems;
}

function problemsOf(props: GlobalEntryPointProps): string[] {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,62}[A-Za-z0-9])?$/.test(props.name ?? "")) {
    problems.push(
      `name: "${props.name ?? ""}" must be 1-64 letters, digits, periods or hyphens, not starting or ending with a period or hyphen`,
    );
  }
  const provider = providerRegionProblem(
    "provider",
    props.provider,
    GLOBAL_ACCELERATOR_API_REGION,
    "the Global Accelerator API is served from us-west-2 only",
  );
  if (provider) problems.push(provider);
  problems.push(...regionProblems("primary", props.primary), ...regionProblems("secondary", props.secondary));
  const { primary, secondary } = props;
  if (primary && secondary && primary.region === secondary.region) {
    problems.push(
      `secondary.region: "${secondary.region}" is the primary's region too; a listener has one endpoint group per region, and failover needs a second region`,
    );
  }
  if (secondary?.weight === 0)
    problems.push("secondary.weight: 0 would make the standby unreachable: GA fails over only to endpoints of weight > 0");
  if ((primary?.trafficDialPercentage ?? 100) === 0 && (secondary?.trafficDialPercentage ?? 0) === 0) {
    problems.push("trafficDialPercentage: both regions at 0; at least one endpoint group must take traffic");
  }
  if (props.clientAffinity !== undefined && props.clientAffinity !== "SOURCE_IP" && props.clientAffinity !== "NONE") {
    problems.push(`clientAffinity: "${props.clientAffinity}" must be SOURCE_IP or NONE`);
  }
  const h = props.healthCheck ?? {};
  if (h.path !== undefined && !h.path.startsWith("/")) problems.push(`healthCheck.path: "${h.path}" must start with /`);
  if (h.port !== undefined && !isWhole(h.port, 1, 65535)) problems.push(`healthCheck.port: ${h.port} is not a TCP port (1-65535)`);
  if (h.protocol !== undefined && !["HTTPS", "HTTP", "TCP"].includes(h.protocol))
    problems.push(`healthCheck.protocol: "${h.protocol}" must be HTTPS, HTTP or TCP`);
  if (h.intervalSeconds !== undefined && h.intervalSeconds !== 10 && h.intervalSeconds !== 30) {
    problems.push(`healthCheck.intervalSeconds: ${h.intervalSeconds} must be 10 or 30 (the only intervals Global Accelerator offers)`);
  }
  if (h.thresholdCount !== undefined && !isWhole(h.thresholdCount, 1, 10))
    problems.push(`healthCheck.thresholdCount: ${h.thresholdCount} must be a whole number from 1 to 10`);
  if (props.flowLogs) {
    const prefix = props.flowLogs.prefix ?? "";
    if (!prefix.replace(/\/+$/, "") || prefix.startsWith("/"))
      problems.push(`flowLogs.prefix: "${prefix}" must be a non-empty key prefix without a leading /`);
    else if (prefix.includes("AWSLogs")) problems.push(`flowLogs.prefix: "${prefix}" must not contain AWSLogs (log delivery adds it)`);
  }
  return problems;
}
