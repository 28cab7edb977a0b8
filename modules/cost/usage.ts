/**
 * What an environment uses in a month, for the prices that depend on traffic
 * rather than on what is deployed (like Infracost's usage file):
 * pricing/usage/<environment>.json. Every key is optional; an absent one is
 * 0, and the report lists each usage-based line apart so a reader sees what
 * is assumed. Usage applies to the environment's primary stack (`ecg-<env>`):
 * a pilot-light standby serves nothing.
 */

/** Each key: what it measures (docs/cost.md lists them with the defaults). */
const USAGE_KEYS = {
  s3StandardGiB: "S3 Standard storage in the primary region, GiB-month (videos, logs, artifacts)",
  s3IntelligentTieringGiB: "S3 Intelligent-Tiering storage, GiB-month (analyzed/ after its transition)",
  s3GlacierIrGiB: "S3 Glacier Instant Retrieval storage, GiB-month (uploads/ and rendered/ after 30 and 90 days)",
  s3DeepArchiveGiB: "S3 Glacier Deep Archive storage, GiB-month (uploads/ after 90 days)",
  s3PutRequests: "S3 PUT, COPY, POST and LIST requests per month",
  s3GetRequests: "S3 GET and other requests per month",
  s3AcceleratedGiB: "GiB uploaded through S3 Transfer Acceleration per month",
  s3ReplicatedGiB: "GiB replicated to the replica region per month (inter-region transfer)",
  s3ReplicaGiB: "Storage of the replica bucket, GiB-month (Glacier Instant Retrieval after 30 days)",
  cloudfrontTransferOutGiB: "CloudFront data transfer to viewers, GiB per month",
  cloudfrontHttpsRequests: "CloudFront HTTPS requests per month",
  internetTransferOutGiB: "Data transfer from the region to the internet (API responses), GiB per month",
  natProcessedGiB: "Data processed by the NAT gateways, GiB per month",
  endpointProcessedGiB: "Data processed by the interface endpoints, GiB per month",
  logsIngestedGiB: "CloudWatch Logs ingested (services, flow logs, WAF, Container Insights), GiB per month",
  albLcus: "Application Load Balancer capacity units, average per hour",
  wafRequests: "Requests inspected by the regional web ACL per month",
  backupCopyGiB: "RDS automated backups copied to the failover region, GiB stored there",
  pipelineActionMinutes: "CodePipeline V2 action execution minutes per month",
  buildMinutes: "CodeBuild build minutes per month (general1.medium)",
} as const;

export type UsageKey = keyof typeof USAGE_KEYS;

export interface Usage {
  readonly values: Readonly<Record<UsageKey, number>>;
  /** Fraction of the On-Demand price Spot saves, per instance type: overrides the table. */
  readonly spotDiscount: Readonly<Record<string, number>>;
  /** Where it was read from, for messages. */
  readonly source: string;
}

/** A usage file that says something the model cannot use: names the file, the key and the reason. */
export class UsageError extends Error {}

export const noUsage = (source = "no usage file"): Usage => ({
  values: Object.fromEntries(Object.keys(USAGE_KEYS).map((k) => [k, 0])) as Record<UsageKey, number>,
  spotDiscount: {},
  source,
});

/** Validates a parsed usage file (`{ "usage": {...}, "spotDiscount": {...} }`). */
export function parseUsage(json: unknown, source: string): Usage {
  const fail = (why: string): never => {
    throw new UsageError(`${source}: ${why}`);
  };
  if (typeof json !== "object" || json === null || Array.isArray(json)) fail("expected an object with `usage` and `spotDiscount`");
  const { usage = {}, spotDiscount = {}, ...rest } = json as Record<string, unknown>;
  const stray = Object.keys(rest).filter((k) => k !== "$comment");
  if (stray.length) fail(`unknown key ${stray.map((k) => `"${k}"`).join(", ")} (known: usage, spotDiscount)`);
  const values = { ...noUsage().values };
  for (const [key, value] of Object.entries(usage as Record<string, unknown>)) {
    if (!(key in USAGE_KEYS)) fail(`usage.${key} is not a usage key (known: ${Object.keys(USAGE_KEYS).join(", ")})`);
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) fail(`usage.${key} is ${JSON.stringify(value)}: a number >= 0`);
    values[key as UsageKey] = value as number;
  }
  const discounts: Record<string, number> = {};
  for (const [type, value] of Object.entries(spotDiscount as Record<string, unknown>)) {
    if (!/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(type)) fail(`spotDiscount."${type}" is not an instance type (e.g. g4dn.xlarge)`);
    if (typeof value !== "number" || !(value >= 0 && value < 1))
      fail(`spotDiscount."${type}" is ${JSON.stringify(value)}: a fraction 0 <= x < 1 of the On-Demand price`);
    discounts[type] = value as number;
  }
  return { values, spotDiscount: discounts, source };
}

/** The usage with only `keys` kept (the others 0): what one stack of an environment carries. */
export function usageOnly(usage: Usage, keys: ReadonlySet<string>): Usage {
  const values = Object.fromEntries(Object.entries(usage.values).map(([k, v]) => [k, keys.has(k) ? v : 0])) as Record<UsageKey, number>;
  return { ...usage, values };
}
