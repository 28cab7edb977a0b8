import type { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { DataAwsElbServiceAccount } from "@cdktf/provider-aws/lib/data-aws-elb-service-account";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { DnsValidatedCertificate } from "../common/certificate";
import { ComponentTags } from "../common/component-tags";
import { isDnsName } from "../common/limits";
import { refuseProps } from "../common/props";
import type { SecureBucket } from "../secure-bucket";
import { WebFirewall, type WebFirewallProps } from "./waf";

/**
 * What every API response carries, set by the ALB (ELB User Guide, "HTTP
 * header modification"): HSTS for a year with subdomains (the API's names are
 * HTTPS only), no MIME sniffing, never framed.
 */
export const API_SECURITY_HEADERS = {
  routingHttpResponseStrictTransportSecurityHeaderValue: "max-age=31536000; includeSubDomains",
  routingHttpResponseXContentTypeOptionsHeaderValue: "nosniff",
  routingHttpResponseXFrameOptionsHeaderValue: "DENY",
} as const;
export { MANAGED_RULE_GROUPS, WebFirewall, type WebFirewallProps } from "./waf";

/** TLS 1.3 and 1.2 only, forward-secret ciphers (CKV_AWS_103). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

export interface IngressProps {
  /** Name of the ALB, target group and web ACL, e.g. `ecg-prod-api` (ALB names: at most 32 characters). */
  readonly name: string;
  readonly account: AwsAccount;
  readonly vpcId: string;
  /** Public subnets, one per AZ: an ALB needs at least two AZs (seed conflict 1). */
  readonly subnetIds: readonly string[];
  /** ALB-SG of the NET-4 matrix. */
  readonly securityGroupId: string;
  /** Public name of the API; the certificate is issued for it and an alias record points it at the ALB (CMP-6). */
  readonly domainName: string;
  /** Public Route 53 hosted zone that holds `domainName` (certificate validation and the alias). */
  readonly hostedZoneId: string;
  /**
   * Point `domainName` at this ALB with a simple alias record. Off where DNS
   * failover owns the name (a simple record and failover records cannot share
   * a name): the stack then writes the failover record.
   * @default true
   */
  readonly publicRecord?: boolean;
  /**
   * A second name, in the same zone, that always reaches this ALB alone, e.g.
   * `api-ap-northeast-2.ecg-render.com`: the certificate covers it and a
   * simple alias record points it here. Route 53 health checks of one region
   * need it (a check of `domainName` would test whichever region answers).
   * @default - none
   */
  readonly regionalDomainName?: string;
  /** The service behind the ALB. */
  readonly target: {
    readonly port: number;
    /** @default "/health" */
    readonly healthCheckPath?: string;
  };
  /** Bucket (SSE-S3: the only encryption ALB log delivery supports) and prefix of the access logs (CKV_AWS_91). */
  readonly accessLogs: { readonly bucket: SecureBucket; readonly prefix: string };
  /**
   * Blue/green deployments by CodeDeploy (CI-3): a second ("green") target
   * group and a test listener on this port that forwards to it. CodeDeploy
   * then owns which group each listener forwards to, so Terraform ignores the
   * listeners' default actions from then on.
   * @default - one target group, no test listener
   */
  readonly testListenerPort?: number;
  /** Refuse deletion of the ALB (production, CKV_AWS_150). @default false */
  readonly deletionProtection?: boolean;
  /** The WAF in front of the ALB (SEC-3). */
  readonly firewall: Omit<WebFirewallProps, "name" | "resourceArn">;
}

/** The second target group and the listener CodeDeploy tests replacement tasks through (CI-3). */
export interface BlueGreenTargets {
  /** The replacement tasks' target group. */
  readonly greenTargetGroup: LbTargetGroup;
  /** Forwards `testListenerPort` to the replacement tasks during a deployment. */
  readonly testListener: LbListener;
}

/**
 * The public entry point of the API (CMP-6, SEC-3): an internet-facing ALB
 * across the public subnets that serves HTTPS only (TLS 1.2+, an ACM
 * certificate validated through Route 53), drops invalid headers, writes
 * access logs, forwards to the API's target group with a health check, and
 * sits behind a WAFv2 web ACL. There is no port-80 listener: NET-4 opens 443
 * only, so a redirect could never be reached.
 */
export class Ingress extends Construct {
  readonly loadBalancer: Lb;
  /** The target group the service starts in ("blue" under blue/green). */
  readonly targetGroup: LbTargetGroup;
  readonly listener: LbListener;
  /** What blue/green deployments add, with `testListenerPort` only. */
  readonly blueGreen?: BlueGreenTargets;
  readonly certificate: AcmCertificate;
  readonly firewall: WebFirewall;
  /** `https://<domainName>` (served once its alias or failover record exists). */
  readonly url: string;
  /** `https://<regionalDomainName>`, with `regionalDomainName` only. */
  readonly regionalUrl?: string;

  constructor(scope: Construct, id: string, props: IngressProps) {
    super(scope, id);
    validate(id, props);
    const { name, account } = props;

    const certificate = new DnsValidatedCertificate(this, "tls", {
      domainName: props.domainName,
      subjectAlternativeNames: props.regionalDomainName ? [props.regionalDomainName] : undefined,
      hostedZoneId: props.hostedZoneId,
    });
    this.certificate = certificate.certificate;

    // ALB access logs are written by the region's Elastic Load Balancing account.
    const elb = new DataAwsElbServiceAccount(this, "elb-account");
    const prefix = props.accessLogs.prefix.replace(/\/+$/, "");
    props.accessLogs.bucket.addToPolicy({
      sid: `AlbAccessLogs${name.replace(/[^A-Za-z0-9]/g, "")}`,
      principals: [{ type: "AWS", identifiers: [elb.arn] }],
      actions: ["s3:PutObject"],
      resources: [`${props.accessLogs.bucket.bucket.arn}/${prefix}/AWSLogs/${account.accountId}/*`],
    });

    this.loadBalancer = new Lb(this, "alb", {
      name,
      loadBalancerType: "application",
      internal: false,
      subnets: [...props.subnetIds],
      securityGroups: [props.securityGroupId],
      dropInvalidHeaderFields: true,
      enableDeletionProtection: props.deletionProtection ?? false,
      accessLogs: { bucket: props.accessLogs.bucket.bucket.id, prefix, enabled: true },
      // ELB checks at creation that it may write to the bucket.
      dependsOn: [props.accessLogs.bucket.policy],
    });
    const targetGroup = (key: string, groupName: string) =>
      new LbTargetGroup(this, key, {
        name: groupName,
        vpcId: props.vpcId,
        // Fargate tasks (awsvpc) register by IP.
        targetType: "ip",
        port: props.target.port,
        protocol: "HTTP",
        deregistrationDelay: "30",
        healthCheck: {
          enabled: true,
          path: props.target.healthCheckPath ?? "/health",
          port: "traffic-port",
          protocol: "HTTP",
          matcher: "200",
          interval: 15,
          timeout: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        },
      });
    const blueGreen = props.testListenerPort !== undefined;
    const listener = (key: string, port: number, group: LbTargetGroup) =>
      new LbListener(this, key, {
        loadBalancerArn: this.loadBalancer.arn,
        port,
        protocol: "HTTPS",
        sslPolicy: TLS_POLICY,
        certificateArn: certificate.certificateArn,
        defaultAction: [{ type: "forward", targetGroupArn: group.arn }],
        // Security headers the ALB adds to every response (HTTPS listeners' response header modification).
        ...API_SECURITY_HEADERS,
        // CodeDeploy swaps the groups behind the listeners at every deployment;
        // Terraform must not swap them back.
        lifecycle: blueGreen ? { ignoreChanges: ["default_action"] } : undefined,
      });
    this.targetGroup = targetGroup("target-group", name);
    this.listener = listener("https", 443, this.targetGroup);
    if (props.testListenerPort !== undefined) {
      const greenTargetGroup = targetGroup("green-target-group", `${name}-green`);
      this.blueGreen = { greenTargetGroup, testListener: listener("test-https", props.testListenerPort, greenTargetGroup) };
    }
    const alias = (key: string, recordName: string) =>
      new Route53Record(this, key, {
        zoneId: props.hostedZoneId,
        name: recordName,
        type: "A",
        alias: { name: this.loadBalancer.dnsName, zoneId: this.loadBalancer.zoneId, evaluateTargetHealth: true },
      });
    // The URLs follow their records where this construct writes them, so they exist only once the names do.
    const record = (props.publicRecord ?? true) ? alias("alias", props.domainName) : undefined;
    this.url = `https://${record ? record.fqdn : props.domainName}`;
    if (props.regionalDomainName) this.regionalUrl = `https://${alias("regional-alias", props.regionalDomainName).fqdn}`;
    this.firewall = new WebFirewall(this, "waf", { ...props.firewall, name, resourceArn: this.loadBalancer.arn });
    ComponentTags.apply(this, "ingress");
  }
}

function validate(id: string, props: IngressProps): void {
  const problems: string[] = [];
  // ALB and target group names: 1-32 alphanumerics or hyphens, not starting or ending with a hyphen.
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(props.name ?? ""))
    problems.push(`name: "${props.name ?? ""}" must be 1-32 letters, digits or inner hyphens (ALB limit)`);
  else if (props.name.toLowerCase().startsWith("internal-"))
    problems.push(`name: "${props.name}" must not start with internal- (reserved by ELB)`);
  const subnets = new Set(props.subnetIds ?? []).size;
  if (subnets < 2) problems.push(`subnetIds: ${subnets} distinct subnet(s) given; an ALB needs subnets in at least 2 AZs`);
  if (!isDnsName(props.domainName)) problems.push(`domainName: "${props.domainName ?? ""}" is not a lower-case DNS name`);
  if (props.regionalDomainName !== undefined) {
    if (!isDnsName(props.regionalDomainName))
      problems.push(`regionalDomainName: "${props.regionalDomainName}" is not a lower-case DNS name`);
    else if (props.regionalDomainName === props.domainName)
      problems.push("regionalDomainName: must differ from domainName (it names this region's ALB alone)");
  }
  const port = props.target?.port;
  if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) problems.push(`target.port: ${port} is not a TCP port`);
  const path = props.target?.healthCheckPath ?? "/health";
  if (!path.startsWith("/")) problems.push(`target.healthCheckPath: "${path}" must start with /`);
  if (!props.accessLogs?.prefix?.replace(/\/+$/, "") || props.accessLogs.prefix.startsWith("/"))
    problems.push(`accessLogs.prefix: "${props.accessLogs?.prefix ?? ""}" must be a non-empty key prefix without a leading /`);
  else if (props.accessLogs.prefix.includes("AWSLogs"))
    problems.push(`accessLogs.prefix: "${props.accessLogs.prefix}" must not contain AWSLogs (ELB adds it)`);
  const test = props.testListenerPort;
  if (test !== undefined) {
    if (!(Number.isInteger(test) && test >= 1 && test <= 65535) || test === 443)
      problems.push(`testListenerPort: ${test} must be a TCP port other than 443 (the production listener)`);
    // The green group is named <name>-green: target group names have the ALB's 32-character limit.
    if ((props.name ?? "").length > 26)
      problems.push(
        `name: "${props.name}" must be at most 26 characters with testListenerPort (its green target group is <name>-green, 32 at most)`,
      );
  }
  refuseProps("Ingress", id, problems);
}
