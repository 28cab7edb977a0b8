import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { Construct } from "constructs";
import type { EnvironmentConfig } from "../../environments/types";
import type { AwsAccount } from "../../modules/common/aws-account";
import { ComponentTags } from "../../modules/common/component-tags";
import { FailoverRecord, type FailoverRole } from "../../modules/failover";
import { Ingress } from "../../modules/ingress";
import type { Network, ServicePorts } from "../../modules/network";
import { suppress } from "../../modules/policy";
import { SecureBucket } from "../../modules/secure-bucket";
import { albName } from "../support/contracts";

/**
 * The name that reaches one region's ALB alone, next to the public name:
 * `api.ecg-render.com` in ap-northeast-2 is `api-ap-northeast-2.ecg-render.com`.
 * Route 53 checks each region through it (DR-3).
 */
const regionalDomainName = (domainName: string, region: string) => {
  const [first, ...rest] = domainName.split(".");
  return [`${first}-${region}`, ...rest].join(".");
};

export interface ApiEntryPointProps {
  /** The stack's name: prefix of the ALB, bucket and WAF names. */
  readonly stackName: string;
  readonly config: EnvironmentConfig;
  readonly account: AwsAccount;
  /** Region of this entry point, as a literal (names and the health check's record derive from it). */
  readonly region: string;
  readonly network: Network;
  readonly ports: ServicePorts;
  readonly logsKmsKeyArn: string;
  /** Other buckets whose access logs the log bucket takes (the videos bucket). @default - none */
  readonly logSourceBuckets?: readonly string[];
  /** The blue/green test listener's port (CI-3). @default - no test listener */
  readonly testListenerPort?: number;
  /**
   * This region's side of DNS failover for `ingress.domainName` (DR-3): a
   * Route 53 health check of the regional name and the failover record, in
   * place of the simple alias.
   * @default - a simple alias record: the name answers with this region only
   */
  readonly failoverRole?: FailoverRole;
}

/**
 * The API's public entry point in one region (CMP-6, SEC-3): the log bucket
 * for ALB (and other) access logs, the ALB with its certificate and WAF, and
 * the DNS: the public name (simple alias, or this region's failover record)
 * and, with failover, the regional name its health check uses.
 */
export class ApiEntryPoint extends Construct {
  readonly logsBucket: SecureBucket;
  readonly zone: DataAwsRoute53Zone;
  readonly ingress: Ingress;
  /** With `failoverRole` only. */
  readonly failover?: FailoverRecord;

  constructor(scope: Construct, id: string, props: ApiEntryPointProps) {
    super(scope, id);
    const { stackName, config, account } = props;
    // ALB and other access logs (SSE-S3: the only encryption ELB log delivery accepts).
    this.logsBucket = new SecureBucket(this, "logs-bucket", {
      bucketName: `${stackName}-logs-${account.accountId}`,
      logDelivery: props.logSourceBuckets?.length
        ? { accountId: account.accountId, partition: account.partition, sourceBucketNames: [...props.logSourceBuckets] }
        : undefined,
      expirationDays: config.ingress.logRetentionDays,
      noncurrentVersionExpirationDays: 7,
      // Production keeps its audit trail; other environments' logs go with them.
      preventDestroy: config.production,
      forceDestroy: !config.production,
    });
    suppress(this.logsBucket.bucket, "CKV_AWS_18", "This is the environment's log bucket: logging its own access would log into itself.");
    ComponentTags.apply(this.logsBucket, "logging");

    this.zone = new DataAwsRoute53Zone(this, "public-zone", { name: config.ingress.hostedZoneName, privateZone: false });
    const regionalName = props.failoverRole ? regionalDomainName(config.ingress.domainName, props.region) : undefined;
    this.ingress = new Ingress(this, "ingress", {
      name: albName(stackName),
      account,
      vpcId: props.network.vpcId,
      subnetIds: props.network.subnetIds.public,
      securityGroupId: props.network.securityGroupIds.alb,
      domainName: config.ingress.domainName,
      hostedZoneId: this.zone.zoneId,
      publicRecord: !props.failoverRole,
      regionalDomainName: regionalName,
      target: { port: props.ports.api, healthCheckPath: "/health" },
      accessLogs: { bucket: this.logsBucket, prefix: "alb" },
      deletionProtection: config.production,
      testListenerPort: props.testListenerPort,
      firewall: {
        rateLimitPer5Minutes: config.ingress.rateLimitPer5Minutes,
        allowedCountries: config.ingress.allowedCountries,
        logsKmsKeyArn: props.logsKmsKeyArn,
        logRetentionDays: config.ingress.logRetentionDays,
      },
    });

    if (props.failoverRole && regionalName) {
      this.failover = new FailoverRecord(this, "failover", {
        zoneId: this.zone.zoneId,
        name: config.ingress.domainName,
        role: props.failoverRole,
        endpoint: {
          region: props.region,
          aliasName: this.ingress.loadBalancer.dnsName,
          aliasZoneId: this.ingress.loadBalancer.zoneId,
          healthCheckFqdn: regionalName,
        },
      });
    }
  }
}
