import { createHash } from "node:crypto";
import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontKeyGroup } from "@cdktf/provider-aws/lib/cloudfront-key-group";
import { CloudfrontPublicKey } from "@cdktf/provider-aws/lib/cloudfront-public-key";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { DataAwsCanonicalUserId } from "@cdktf/provider-aws/lib/data-aws-canonical-user-id";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { S3BucketAcl } from "@cdktf/provider-aws/lib/s3-bucket-acl";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { DnsValidatedCertificate } from "../common/certificate";
import { ComponentTags } from "../common/component-tags";
import { isDnsName } from "../common/limits";
import { refuseProps } from "../common/props";
import { WebFirewall } from "../ingress/waf";
import { EncryptionKey } from "../kms";
import { suppress } from "../policy";
import { SecureBucket } from "../secure-bucket";

/** AWS's managed cache policy "CachingOptimized". */
const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/**
 * AWS's managed response headers policy "SecurityHeadersPolicy": HSTS (a
 * year), X-Content-Type-Options nosniff, X-Frame-Options SAMEORIGIN,
 * Referrer-Policy strict-origin-when-cross-origin (CloudFront Developer
 * Guide, "Use managed response headers policies").
 */
export const SECURITY_HEADERS_POLICY = "67f7725c-6f97-4210-82d7-5512b31e9d03";
/** The canonical user CloudFront writes standard logs as (awslogsdelivery). */
const CLOUDFRONT_LOG_DELIVERY = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0";

export interface CdnProps {
  /** Prefix of names, e.g. `ecg-prod`. */
  readonly name: string;
  readonly account: AwsAccount;
  /** The bucket CloudFront reads from (through origin access control only). */
  readonly origin: SecureBucket;
  /** The one prefix it serves, e.g. `rendered/`: nothing else of the bucket is reachable. */
  readonly originPrefix: string;
  /** Public name, e.g. `cdn.ecg-render.com`. */
  readonly domainName: string;
  readonly hostedZoneId: string;
  /** us-east-1: CloudFront's certificates and WAF ACLs live there. */
  readonly globalProvider: TerraformProvider;
  /** Countries that may watch (the same allow-list as the API). */
  readonly allowedCountries: readonly string[];
  /** Requests per IP per 5 minutes. @default 1000 */
  readonly rateLimitPer5Minutes?: number;
  /** Days the access logs are kept. @default 365 */
  readonly logRetentionDays?: number;
  /** @default false */
  readonly preventDestroy?: boolean;
  /**
   * The public halves (PEM, RSA 2048) of the key pairs whose signed URLs (or
   * cookies) the distribution accepts: viewers without a valid signature get
   * 403 (the rendered videos are health data). The first is the one to sign
   * with (`keyPairId`); a second one lets a replacement overlap.
   */
  readonly signingPublicKeys: readonly string[];
}

/**
 * A CloudFront distribution in front of the videos bucket (S3-4, SC-2): the
 * bucket stays private and grants reads to this distribution only (origin
 * access control, SigV4), for one prefix; viewers get HTTPS only with TLS 1.2+
 * on the environment's name, the countries of SEC-3, a WAF ACL of its own in
 * us-east-1, and standard access logs.
 */
export class Cdn extends Construct {
  readonly distribution: CloudfrontDistribution;
  readonly url: string;
  /** The key pair id a signed URL names (`Key-Pair-Id`): the public key's id. */
  readonly keyPairId: string;

  constructor(scope: Construct, id: string, props: CdnProps) {
    super(scope, id);
    const problems: string[] = [];
    if (!/^[a-z0-9][a-z0-9._-]*\/$/.test(props.originPrefix ?? ""))
      problems.push(`originPrefix: "${props.originPrefix ?? ""}" must be a key prefix ending with /`);
    if (!isDnsName(props.domainName)) problems.push(`domainName: "${props.domainName ?? ""}" is not a lower-case DNS name`);
    if (!(props.allowedCountries?.length > 0)) problems.push("allowedCountries: list at least one country");
    refuseProps("Cdn", id, problems);
    const global = props.globalProvider;

    const certificate = new DnsValidatedCertificate(this, "tls", {
      domainName: props.domainName,
      hostedZoneId: props.hostedZoneId,
      provider: global,
    });
    // WAF logs of a CLOUDFRONT ACL go to us-east-1, encrypted with a key there.
    const logsKey = new EncryptionKey(this, "logs-key", {
      alias: `${props.name}/cdn-logs`,
      description: `${props.name}: encrypts the CDN's WAF logs in us-east-1`,
      account: { ...props.account, region: "us-east-1" },
      allowCloudWatchLogs: true,
      provider: global,
      preventDestroy: props.preventDestroy,
    });
    const firewall = new WebFirewall(this, "waf", {
      name: `${props.name}-cdn`,
      scope: "CLOUDFRONT",
      provider: global,
      allowedCountries: props.allowedCountries,
      rateLimitPer5Minutes: props.rateLimitPer5Minutes,
      logsKmsKeyArn: logsKey.keyArn,
      logRetentionDays: props.logRetentionDays,
    });

    // CloudFront's standard logs are delivered through bucket ACLs.
    const logs = new SecureBucket(this, "logs", {
      bucketName: `${props.name}-cdn-logs-${props.account.accountId}`,
      objectOwnership: "BucketOwnerPreferred",
      expirationDays: props.logRetentionDays ?? 365,
      noncurrentVersionExpirationDays: 7,
      preventDestroy: props.preventDestroy,
      forceDestroy: !props.preventDestroy,
    });
    const whyAcls = "CloudFront standard logging writes through bucket ACLs, so this log bucket alone keeps them (owner preferred).";
    suppress(logs.ownership, "CKV2_AWS_65", whyAcls);
    suppress(logs.bucket, "ECG_S3_OWNERSHIP_ENFORCED", whyAcls);
    suppress(logs.bucket, "CKV_AWS_18", "This is the CDN's log bucket: logging its own access would log into itself.");
    const owner = new DataAwsCanonicalUserId(this, "owner");
    new S3BucketAcl(this, "logs-acl", {
      bucket: logs.bucket.id,
      accessControlPolicy: {
        owner: { id: owner.id },
        grant: [
          { grantee: { type: "CanonicalUser", id: owner.id }, permission: "FULL_CONTROL" },
          { grantee: { type: "CanonicalUser", id: CLOUDFRONT_LOG_DELIVERY }, permission: "FULL_CONTROL" },
        ],
      },
      dependsOn: [logs.ownership],
    });

    const access = new CloudfrontOriginAccessControl(this, "origin-access", {
      name: `${props.name}-videos`,
      description: `${props.name}: CloudFront signs its reads of the videos bucket`,
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    });
    // CloudFront Developer Guide, "Serve private content with signed URLs and signed cookies": a trusted key group.
    // Named after their content: a replaced key is a new resource beside the old one, never a rename of it.
    const publicKeys = props.signingPublicKeys.map((pem) => {
      const fingerprint = createHash("sha256").update(pem.trim()).digest("hex").slice(0, 12);
      return new CloudfrontPublicKey(this, `signing-public-key-${fingerprint}`, {
        name: `${props.name}-signing-${fingerprint}`,
        encodedKey: pem,
      });
    });
    const keyGroup = new CloudfrontKeyGroup(this, "signing-key-group", {
      name: `${props.name}-signing`,
      items: publicKeys.map((k) => k.id),
    });
    this.keyPairId = publicKeys[0].id;
    const originId = "videos";
    this.distribution = new CloudfrontDistribution(this, "distribution", {
      enabled: true,
      comment: `${props.name}: rendered videos`,
      aliases: [props.domainName],
      httpVersion: "http2and3",
      isIpv6Enabled: true,
      // North America, Europe, Asia (KR, JP): where the allowed viewers are.
      priceClass: "PriceClass_200",
      origin: [
        {
          originId,
          domainName: props.origin.bucket.bucketRegionalDomainName,
          originAccessControlId: access.id,
          originPath: `/${props.originPrefix.replace(/\/$/, "")}`,
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: originId,
        viewerProtocolPolicy: "https-only",
        allowedMethods: ["GET", "HEAD", "OPTIONS"],
        cachedMethods: ["GET", "HEAD"],
        cachePolicyId: CACHING_OPTIMIZED,
        responseHeadersPolicyId: SECURITY_HEADERS_POLICY,
        trustedKeyGroups: [keyGroup.id],
        compress: true,
      },
      restrictions: { geoRestriction: { restrictionType: "whitelist", locations: [...props.allowedCountries] } },
      viewerCertificate: {
        acmCertificateArn: certificate.certificateArn,
        sslSupportMethod: "sni-only",
        minimumProtocolVersion: "TLSv1.2_2021",
      },
      webAclId: firewall.webAcl.arn,
      loggingConfig: { bucket: logs.bucket.bucketDomainName, prefix: "cloudfront/", includeCookies: false },
    });
    // The bucket serves this distribution, for this prefix, and no one else.
    props.origin.addToPolicy({
      sid: "CloudFrontReadsRenderedVideos",
      principals: [{ type: "Service", identifiers: ["cloudfront.amazonaws.com"] }],
      actions: ["s3:GetObject"],
      resources: [`${props.origin.bucket.arn}/${props.originPrefix}*`],
      condition: [{ test: "StringEquals", variable: "AWS:SourceArn", values: [this.distribution.arn] }],
    });
    const alias = new Route53Record(this, "alias", {
      zoneId: props.hostedZoneId,
      name: props.domainName,
      type: "A",
      alias: { name: this.distribution.domainName, zoneId: this.distribution.hostedZoneId, evaluateTargetHealth: false },
    });
    // From the record, so the URL exists once the name does.
    this.url = `https://${alias.fqdn}`;
    ComponentTags.apply(this, "cdn");
  }
}
