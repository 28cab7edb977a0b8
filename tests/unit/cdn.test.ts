import { environments } from "../../environments";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { TerraformOutput, Testing } from "cdktf";
import type { IConstruct } from "constructs";
import { Cdn, type CdnProps, SECURITY_HEADERS_POLICY } from "../../modules/cdn";
import { MANAGED_RULE_GROUPS } from "../../modules/ingress";
import { SecureBucket } from "../../modules/secure-bucket";
import {
  bucketId,
  errorOf,
  ofBucket,
  only,
  referencedId,
  resourcesOf,
  statementsOf,
  type SynthesizedStack,
  synthJson,
  TEST_ACCOUNT,
} from "../helpers";

/** The metadata type `suppress` (modules/policy/engine.ts) records a suppression under. */
const SUPPRESSION = "ecg:policy-suppression";
/** The canonical user CloudFront writes standard logs as (awslogsdelivery). */
const CLOUDFRONT_LOG_DELIVERY = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0";

/** Props without the origin bucket and the global provider, which have to be created inside the test scope. */
type Overrides = Partial<Omit<CdnProps, "origin" | "globalProvider">>;

const LOG_BUCKET = "ecg-test-cdn-logs-123456789012";
const [SIGNING_KEY] = environments[0].ingress.cdnSigningPublicKeys;
const [NEXT_KEY] = environments[1].ingress.cdnSigningPublicKeys;

function synthWith(overrides: Overrides = {}): { stack: SynthesizedStack; cdn: Cdn } {
  let cdn: Cdn | undefined;
  const stack = synthJson(
    Testing.synthScope((scope) => {
      const global = new AwsProvider(scope, "global", { region: "us-east-1", alias: "global" });
      const origin = new SecureBucket(scope, "videos", { bucketName: "ecg-test-videos" });
      cdn = new Cdn(scope, "cdn", {
        name: "ecg-test",
        account: TEST_ACCOUNT,
        origin,
        originPrefix: "rendered/",
        domainName: "cdn.example.com",
        hostedZoneId: "Z0HOSTEDZONE",
        globalProvider: global,
        allowedCountries: ["KR", "US"],
        signingPublicKeys: [SIGNING_KEY],
        ...overrides,
      });
      new TerraformOutput(scope, "url", { value: cdn.url });
    }),
  );
  return { stack, cdn: cdn! };
}
const synth = (overrides: Overrides = {}) => synthWith(overrides).stack;

describe("Cdn module", () => {
  const { stack, cdn } = synthWith();
  const [distributionId, distribution] = only(stack, "aws_cloudfront_distribution");
  const originId = bucketId(stack, "ecg-test-videos");
  const logsId = bucketId(stack, LOG_BUCKET);
  const distributionArn = `\${aws_cloudfront_distribution.${distributionId}.arn}`;

  it("[S3-4] serves the origin bucket through origin access control (SigV4, always signed, s3)", () => {
    const [accessId, access] = only(stack, "aws_cloudfront_origin_access_control");
    expect(access).toMatchObject({
      name: "ecg-test-videos",
      origin_access_control_origin_type: "s3",
      signing_behavior: "always",
      signing_protocol: "sigv4",
    });
    expect(distribution.origin).toHaveLength(1);
    expect(distribution.origin[0]).toMatchObject({
      domain_name: `\${aws_s3_bucket.${originId}.bucket_regional_domain_name}`,
      origin_access_control_id: `\${aws_cloudfront_origin_access_control.${accessId}.id}`,
    });
    expect(distribution.enabled).toBe(true);
    expect(distribution.default_cache_behavior.target_origin_id).toBe(distribution.origin[0].origin_id);
  });

  it("[S3-4] serves only the origin prefix: origin_path is /<prefix> without its trailing slash", () => {
    expect(distribution.origin[0].origin_path).toBe("/rendered");
    const [, other] = only(synth({ originPrefix: "videos/" }), "aws_cloudfront_distribution");
    expect(other.origin[0].origin_path).toBe("/videos");
  });

  it("[S3-4] lets CloudFront read <bucket>/<prefix>* of the origin bucket for this distribution only, next to the TLS-only denies", () => {
    const [, policy] = ofBucket(stack, "aws_s3_bucket_policy", originId);
    const statements = statementsOf(stack, policy.policy);
    expect(statements.map((s) => s.sid)).toEqual(["DenyInsecureTransport", "DenyTlsBelow12", "CloudFrontReadsRenderedVideos"]);
    const grant = statements[2];
    expect(grant.effect ?? "Allow").toBe("Allow");
    expect(grant.principals).toEqual([{ type: "Service", identifiers: ["cloudfront.amazonaws.com"] }]);
    expect(grant.actions).toEqual(["s3:GetObject"]);
    expect(grant.resources).toEqual([`\${aws_s3_bucket.${originId}.arn}/rendered/*`]);
    expect(grant.condition).toEqual([{ test: "StringEquals", variable: "AWS:SourceArn", values: [distributionArn] }]);
  });

  it("[S3-4] grants reads of the prefix it is given", () => {
    const other = synth({ originPrefix: "videos/" });
    const id = bucketId(other, "ecg-test-videos");
    const [, policy] = ofBucket(other, "aws_s3_bucket_policy", id);
    expect(statementsOf(other, policy.policy)[2].resources).toEqual([`\${aws_s3_bucket.${id}.arn}/videos/*`]);
  });

  it("[#17] [CloudFront Developer Guide, signed URLs: a trusted key group of public keys] serves nothing without a URL (or cookie) signed by the key group's key pair", () => {
    const [publicKeyId, publicKey] = only(stack, "aws_cloudfront_public_key");
    expect(publicKey).toMatchObject({ name: expect.stringMatching(/^ecg-test-signing-[0-9a-f]{12}$/), encoded_key: SIGNING_KEY });
    const [keyGroupId, keyGroup] = only(stack, "aws_cloudfront_key_group");
    expect(keyGroup.items).toEqual([`\${aws_cloudfront_public_key.${publicKeyId}.id}`]);
    expect(distribution.default_cache_behavior.trusted_key_groups).toEqual([`\${aws_cloudfront_key_group.${keyGroupId}.id}`]);
    expect(distribution.ordered_cache_behavior).toBeUndefined();
  });

  it("[#17] trusts a second key pair during a replacement, each public key named after its content (a new key never renames the old one)", () => {
    const both = synth({ signingPublicKeys: [NEXT_KEY, SIGNING_KEY] });
    const keys = resourcesOf(both, "aws_cloudfront_public_key").map(([id, k]) => ({ id, ...k }));
    expect(keys.map((k) => k.encoded_key).sort()).toEqual([NEXT_KEY, SIGNING_KEY].sort());
    const [, group] = only(both, "aws_cloudfront_key_group");
    expect(group.items).toHaveLength(2);
    const [[, alone]] = resourcesOf(stack, "aws_cloudfront_public_key");
    expect(keys.find((k) => k.encoded_key === SIGNING_KEY)!.name).toBe(alone.name);
  });

  it("[#17] [CloudFront Developer Guide, managed response headers policies: SecurityHeadersPolicy] adds HSTS and the other security headers to every response", () => {
    expect(SECURITY_HEADERS_POLICY).toBe("67f7725c-6f97-4210-82d7-5512b31e9d03");
    expect(distribution.default_cache_behavior.response_headers_policy_id).toBe(SECURITY_HEADERS_POLICY);
  });

  it("[S3-4] serves viewers over HTTPS only", () => {
    expect(distribution.default_cache_behavior.viewer_protocol_policy).toBe("https-only");
    expect(distribution.default_cache_behavior.allowed_methods).toEqual(["GET", "HEAD", "OPTIONS"]);
  });

  it("[S3-4] uses TLS 1.2+ (TLSv1.2_2021) with SNI and a certificate for the domain issued in us-east-1 once it is validated", () => {
    expect(distribution.aliases).toEqual(["cdn.example.com"]);
    const [certificateId, certificate] = only(stack, "aws_acm_certificate");
    expect(certificate).toMatchObject({ domain_name: "cdn.example.com", validation_method: "DNS", provider: "aws.global" });
    const [validationId, validation] = only(stack, "aws_acm_certificate_validation");
    expect(validation.provider).toBe("aws.global");
    expect(referencedId(validation.certificate_arn)).toBe(certificateId);
    expect(distribution.viewer_certificate).toEqual({
      acm_certificate_arn: `\${aws_acm_certificate_validation.${validationId}.certificate_arn}`,
      ssl_support_method: "sni-only",
      minimum_protocol_version: "TLSv1.2_2021",
    });
  });

  it("[S3-4] validates the certificate through a DNS record in the hosted zone", () => {
    const [certificateId] = only(stack, "aws_acm_certificate");
    const [, validation] = only(stack, "aws_acm_certificate_validation");
    const records = resourcesOf(stack, "aws_route53_record").filter(([, r]) => r.type !== "A");
    expect(records).toHaveLength(1);
    const [recordId, record] = records[0];
    const option = `tolist(aws_acm_certificate.${certificateId}.domain_validation_options).0`;
    expect(record).toMatchObject({
      zone_id: "Z0HOSTEDZONE",
      name: `\${${option}.resource_record_name}`,
      type: `\${${option}.resource_record_type}`,
      records: [`\${${option}.resource_record_value}`],
    });
    expect(validation.validation_record_fqdns).toEqual([`\${aws_route53_record.${recordId}.fqdn}`]);
  });

  it("[S3-4] points an alias record for the domain at the distribution and exposes the https URL", () => {
    const alias = resourcesOf(stack, "aws_route53_record").filter(([, r]) => r.type === "A");
    expect(alias).toHaveLength(1);
    expect(alias[0][1]).toMatchObject({
      zone_id: "Z0HOSTEDZONE",
      name: "cdn.example.com",
      alias: {
        name: `\${aws_cloudfront_distribution.${distributionId}.domain_name}`,
        zone_id: `\${aws_cloudfront_distribution.${distributionId}.hosted_zone_id}`,
        evaluate_target_health: false,
      },
    });
    // The URL follows the alias record, so it exists only once the name does.
    expect(stack.output!.url.value).toBe(`https://\${aws_route53_record.${alias[0][0]}.fqdn}`);
  });

  it("[SEC-3] lets in only the allowed countries (geo restriction whitelist)", () => {
    expect(distribution.restrictions.geo_restriction).toEqual({ restriction_type: "whitelist", locations: ["KR", "US"] });
    const [, other] = only(synth({ allowedCountries: ["JP"] }), "aws_cloudfront_distribution");
    expect(other.restrictions.geo_restriction).toEqual({ restriction_type: "whitelist", locations: ["JP"] });
  });

  it("[SEC-3] screens requests with a CLOUDFRONT-scoped web ACL of its own in us-east-1, named by the distribution", () => {
    const [aclId, acl] = only(stack, "aws_wafv2_web_acl");
    expect(acl).toMatchObject({ name: "ecg-test-cdn", scope: "CLOUDFRONT", provider: "aws.global", default_action: { allow: {} } });
    expect(distribution.web_acl_id).toBe(`\${aws_wafv2_web_acl.${aclId}.arn}`);
    // CloudFront names its ACL itself; a WAF association is for regional resources.
    expect(resourcesOf(stack, "aws_wafv2_web_acl_association")).toEqual([]);
    const rules = JSON.parse(acl.rule_json);
    expect(
      rules.find((r: any) => r.Name === "allowed-countries-only").Statement.NotStatement.Statement.GeoMatchStatement.CountryCodes,
    ).toEqual(["KR", "US"]);
    expect(rules.find((r: any) => r.Name === "rate-limit-per-ip").Statement.RateBasedStatement.Limit).toBe(1000);
    for (const group of MANAGED_RULE_GROUPS) expect(rules.some((r: any) => r.Name === group)).toBe(true);
  });

  it("[SEC-3] logs the web ACL to a us-east-1 log group encrypted with a us-east-1 KMS key that CloudWatch Logs of us-east-1 may use", () => {
    const [aclId] = only(stack, "aws_wafv2_web_acl");
    const [groupId, group] = only(stack, "aws_cloudwatch_log_group");
    const [keyId, key] = only(stack, "aws_kms_key");
    expect(group).toMatchObject({
      name: "aws-waf-logs-ecg-test-cdn",
      provider: "aws.global",
      retention_in_days: 365,
      kms_key_id: `\${aws_kms_key.${keyId}.arn}`,
    });
    expect(key).toMatchObject({ provider: "aws.global", enable_key_rotation: true });
    const [, alias] = only(stack, "aws_kms_alias");
    expect(alias).toMatchObject({ name: "alias/ecg-test/cdn-logs", provider: "aws.global" });
    const logsGrant = statementsOf(stack, key.policy).find((s) => s.sid === "CloudWatchLogsEncryptsThisAccountsLogGroups");
    expect(logsGrant).toBeDefined();
    expect(logsGrant.principals).toEqual([{ type: "Service", identifiers: ["logs.us-east-1.amazonaws.com"] }]);
    expect(logsGrant.condition).toEqual([
      { test: "ArnLike", variable: "kms:EncryptionContext:aws:logs:arn", values: ["arn:aws:logs:us-east-1:123456789012:log-group:*"] },
    ]);
    const [, logging] = only(stack, "aws_wafv2_web_acl_logging_configuration");
    expect(logging).toMatchObject({
      provider: "aws.global",
      resource_arn: `\${aws_wafv2_web_acl.${aclId}.arn}`,
      log_destination_configs: [`\${aws_cloudwatch_log_group.${groupId}.arn}`],
    });
  });

  it("[SEC-3] takes a custom rate limit and log retention for the firewall and the logs", () => {
    const custom = synth({ rateLimitPer5Minutes: 500, logRetentionDays: 90 });
    const [, acl] = only(custom, "aws_wafv2_web_acl");
    expect(JSON.parse(acl.rule_json).find((r: any) => r.Name === "rate-limit-per-ip").Statement.RateBasedStatement.Limit).toBe(500);
    expect(only(custom, "aws_cloudwatch_log_group")[1].retention_in_days).toBe(90);
    const [, lifecycle] = ofBucket(custom, "aws_s3_bucket_lifecycle_configuration", bucketId(custom, LOG_BUCKET));
    expect(lifecycle.rule[0].expiration).toEqual([{ days: 90 }]);
  });

  it("writes standard access logs (without cookies) to its log bucket under cloudfront/", () => {
    expect(distribution.logging_config).toEqual({
      bucket: `\${aws_s3_bucket.${logsId}.bucket_domain_name}`,
      prefix: "cloudfront/",
      include_cookies: false,
    });
  });

  it("keeps the access logs 365 days by default and superseded versions 7 days", () => {
    const [, lifecycle] = ofBucket(stack, "aws_s3_bucket_lifecycle_configuration", logsId);
    expect(lifecycle.rule[0]).toMatchObject({ expiration: [{ days: 365 }], noncurrent_version_expiration: [{ noncurrent_days: 7 }] });
  });

  it("lets CloudFront's log delivery write through ACLs: owner-preferred ownership and FULL_CONTROL for the awslogsdelivery canonical user", () => {
    const [ownershipId, ownership] = ofBucket(stack, "aws_s3_bucket_ownership_controls", logsId);
    expect(ownership.rule).toEqual({ object_ownership: "BucketOwnerPreferred" });
    const [, acl] = only(stack, "aws_s3_bucket_acl");
    expect(acl.bucket).toBe(`\${aws_s3_bucket.${logsId}.id}`);
    const [ownerId] = Object.keys(stack.data!.aws_canonical_user_id);
    const owner = `\${data.aws_canonical_user_id.${ownerId}.id}`;
    expect(acl.access_control_policy).toEqual({
      owner: { id: owner },
      grant: [
        { grantee: { type: "CanonicalUser", id: owner }, permission: "FULL_CONTROL" },
        { grantee: { type: "CanonicalUser", id: CLOUDFRONT_LOG_DELIVERY }, permission: "FULL_CONTROL" },
      ],
    });
    // S3 refuses ACLs while ownership is still BucketOwnerEnforced.
    expect(acl.depends_on).toEqual([`aws_s3_bucket_ownership_controls.${ownershipId}`]);
  });

  it("keeps ACLs off on the origin bucket", () => {
    expect(ofBucket(stack, "aws_s3_bucket_ownership_controls", originId)[1].rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
    expect(resourcesOf(stack, "aws_s3_bucket_acl").map(([, a]) => a.bucket)).toEqual([`\${aws_s3_bucket.${logsId}.id}`]);
  });

  it("suppresses exactly what ACL-based log delivery breaks: CKV2_AWS_65 on the log bucket's ownership controls, ECG_S3_OWNERSHIP_ENFORCED and CKV_AWS_18 on the log bucket, with reasons", () => {
    const suppressed = cdn.node
      .findAll()
      .flatMap((node: IConstruct) =>
        node.node.metadata.filter((m) => m.type === SUPPRESSION).map((m) => ({ node, ...(m.data as { rule: string; reason: string }) })),
      );
    const onBucket = (node: IConstruct) => node instanceof S3Bucket && node.bucketInput === LOG_BUCKET;
    const onOwnership = (node: IConstruct) =>
      node instanceof S3BucketOwnershipControls && node.ruleInput?.objectOwnership === "BucketOwnerPreferred";
    expect(suppressed.map((s) => [s.rule, onBucket(s.node) ? "bucket" : onOwnership(s.node) ? "ownership" : "other"]).sort()).toEqual([
      ["CKV2_AWS_65", "ownership"],
      ["CKV_AWS_18", "bucket"],
      ["ECG_S3_OWNERSHIP_ENFORCED", "bucket"],
    ]);
    for (const { reason } of suppressed) expect(reason.length).toBeGreaterThanOrEqual(20);
  });

  it("lets Terraform empty the log bucket on destroy by default, and protects the log bucket and the WAF logs key with preventDestroy", () => {
    expect(stack.resource.aws_s3_bucket[logsId].force_destroy).toBe(true);
    const kept = synth({ preventDestroy: true });
    const keptLogs = kept.resource.aws_s3_bucket[bucketId(kept, LOG_BUCKET)];
    expect(keptLogs.lifecycle).toEqual({ prevent_destroy: true });
    expect(keptLogs.force_destroy).toBeFalsy();
    expect(only(kept, "aws_kms_key")[1].lifecycle).toEqual({ prevent_destroy: true });
    expect(only(stack, "aws_kms_key")[1].lifecycle).toBeUndefined();
  });

  it("[ENV-4] tags its resources with Component=cdn, and leaves the caller's origin bucket alone", () => {
    for (const type of [
      "aws_cloudfront_distribution",
      "aws_acm_certificate",
      "aws_wafv2_web_acl",
      "aws_cloudwatch_log_group",
      "aws_kms_key",
    ]) {
      expect(only(stack, type)[1].tags).toEqual({ Component: "cdn" });
    }
    expect(stack.resource.aws_s3_bucket[logsId].tags).toEqual({ Component: "cdn" });
    expect(stack.resource.aws_s3_bucket[originId].tags).toBeUndefined();
  });

  it.each<[Overrides, string]>([
    [{ originPrefix: "" }, 'originPrefix: "" must be a key prefix ending with /'],
    [{ originPrefix: "rendered" }, 'originPrefix: "rendered" must be a key prefix ending with /'],
    [{ originPrefix: "/rendered/" }, 'originPrefix: "/rendered/" must be a key prefix ending with /'],
    [{ originPrefix: "Rendered/" }, 'originPrefix: "Rendered/" must be a key prefix ending with /'],
    [{ domainName: "" }, 'domainName: "" is not a lower-case DNS name'],
    [{ domainName: "CDN.example.com" }, 'domainName: "CDN.example.com" is not a lower-case DNS name'],
    [{ domainName: "localhost" }, 'domainName: "localhost" is not a lower-case DNS name'],
    [{ domainName: "https://cdn.example.com" }, 'domainName: "https://cdn.example.com" is not a lower-case DNS name'],
    [{ allowedCountries: [] }, "allowedCountries: list at least one country"],
  ])("refuses %j", (overrides, problem) => {
    const message = errorOf(() => synth(overrides));
    expect(message).toMatch(/^Cdn "cdn" is misconfigured:\n/);
    expect(message.split("\n")).toContain(`  - ${problem}`);
  });

  it("reports every problem of its props at once", () => {
    const message = errorOf(() => synth({ originPrefix: "/", domainName: "Bad", allowedCountries: [] }));
    expect(message).toMatch(/^Cdn "cdn" is misconfigured:\n/);
    expect(message.split("\n").filter((line) => line.startsWith("  - "))).toEqual([
      '  - originPrefix: "/" must be a key prefix ending with /',
      '  - domainName: "Bad" is not a lower-case DNS name',
      "  - allowedCountries: list at least one country",
    ]);
  });

  it.each<[Overrides, string]>([
    [{ allowedCountries: ["kr"] }, 'allowedCountries: "kr" is not an ISO 3166 alpha-2 code'],
    [{ rateLimitPer5Minutes: 5 }, "rateLimitPer5Minutes: 5 must be a whole number from 10 to 2000000000 (WAF limit)"],
    [{ logRetentionDays: 10 }, "logRetentionDays: 10 is not a CloudWatch Logs retention value"],
  ])("passes %j on to its web firewall, which refuses it", (overrides, problem) => {
    const message = errorOf(() => synth(overrides));
    expect(message).toMatch(/^WebFirewall "waf" is misconfigured:\n/);
    expect(message).toContain(`  - ${problem}`);
  });
});
