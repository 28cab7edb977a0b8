/**
 * The pieces around the network and the links between them: buckets and
 * their replication, CloudFront and its origins, Route 53 failover records,
 * Global Accelerator endpoints, RDS replicas and backup copies. What a link
 * points at outside the stack (a data source, an ARN) is a node of its own.
 */
import type { Canvas } from "./canvas";
import { humanize, readable } from "./labels";
import { describe, describeWaf, subnetsOf } from "./members";
import { GLOBAL, type Places, TOP } from "./places";
import {
  blocks,
  compare,
  isDefined,
  lookup,
  nameOf,
  plainReference,
  type Resource,
  referencedOf,
  referrers,
  resourcesOf,
  type StackJson,
  scalar,
  strings,
  text,
} from "./terraform";

// arn:partition:service:region:account:type/name (or type:name)
const ARN = /^arn:[^:]*:([^:]+):([^:]*):[^:]*:([^:/]+)[:/](.+)$/;

interface Context {
  readonly stack: StackJson;
  readonly canvas: Canvas;
  readonly places: Places;
}

function nodeOfResource({ stack, canvas, places }: Context, resource: Resource): string {
  const placed = canvas.idOf(resource.address);
  if (placed) return placed;
  if (resource.address.startsWith("data.")) {
    const title = `${humanize(resource.type.replace(/^aws_/, ""))} ${nameOf(resource)}`;
    const spec = { kind: "external" as const, address: resource.address, title, details: ["outside this stack"] };
    return canvas.add(spec, places.regionOfConfig(resource.config), `external ${title}`);
  }
  const [title, ...details] = describe(stack, resource);
  const placement = places.ofSubnets(subnetsOf(stack, resource), places.regionOfConfig(resource.config));
  return canvas.add({ kind: "resource", address: resource.address, title, details }, placement, title);
}

/** The node a reference, an ARN or a name points at; made when it is not on the canvas yet. */
function nodeFor(context: Context, value: unknown): string {
  const { stack, canvas, places } = context;
  const target = lookup(stack, plainReference(value)?.address ?? "");
  if (target) return nodeOfResource(context, target);
  const written = text(value) ?? JSON.stringify(value) ?? "(missing)";
  const arn = ARN.exec(written);
  if (arn) {
    const [, service, region, type, name] = arn;
    const title = `${humanize(service)} ${humanize(type)} ${readable(stack, name)}`;
    const spec = { kind: "external" as const, address: written, title, details: ["outside this stack"] };
    return canvas.add(spec, region ? places.region(region) : TOP, `external ${title}`);
  }
  if (!written.includes("${"))
    return canvas.add({ kind: "external", address: written, title: written, details: ["outside this stack"] }, TOP, `external ${written}`);
  return canvas.add(
    { kind: "unresolved", address: written, title: "Unresolved reference", details: [written] },
    TOP,
    `unresolved ${written}`,
  );
}

function addBuckets({ stack, canvas, places }: Context): void {
  for (const bucket of resourcesOf(stack, "aws_s3_bucket")) {
    const name = text(bucket.config.bucket) ?? text(bucket.config.bucket_prefix) ?? nameOf(bucket);
    const title = `S3 ${readable(stack, name)}`;
    canvas.add({ kind: "resource", address: bucket.address, title, details: [] }, places.regionOfConfig(bucket.config), title);
  }
}

function addBucketReplication(context: Context): void {
  for (const { config } of resourcesOf(context.stack, "aws_s3_bucket_replication_configuration")) {
    const from = nodeFor(context, config.bucket);
    const prefixes = new Map<string, string[]>();
    for (const rule of blocks(config.rule).filter((r) => r.status !== "Disabled")) {
      const to = nodeFor(context, blocks(rule.destination)[0]?.bucket);
      const prefix = (text(blocks(rule.filter)[0]?.prefix) ?? text(rule.prefix)) || "all objects";
      prefixes.set(to, [...(prefixes.get(to) ?? []), prefix]);
    }
    for (const [to, list] of prefixes)
      context.canvas.connect({ kind: "link", from, to, label: `replication ${list.sort(compare).join(" ")}` });
  }
}

function addDistributions(context: Context): void {
  const { stack, canvas } = context;
  for (const cdn of resourcesOf(stack, "aws_cloudfront_distribution")) {
    const title = `CloudFront ${strings(cdn.config.aliases).join(", ") || cdn.name}`;
    const details = referencedOf(stack, cdn.config.web_acl_id, "aws_wafv2_web_acl").map(describeWaf);
    const id = canvas.add({ kind: "resource", address: cdn.address, title, details }, GLOBAL, title);
    for (const origin of blocks(cdn.config.origin))
      canvas.connect({
        kind: "link",
        from: id,
        to: nodeFor(context, origin.domain_name),
        label: `origin ${text(origin.origin_path) || "/"}`,
      });
  }
}

function addFailoverRecords(context: Context): void {
  const { stack, canvas } = context;
  for (const record of resourcesOf(stack, "aws_route53_record")) {
    const [policy] = blocks(record.config.failover_routing_policy);
    if (!policy) continue;
    const checks = referencedOf(stack, record.config.health_check_id, "aws_route53_health_check").map(
      ({ config }) => `health check ${text(config.type) ?? ""} ${text(config.fqdn) ?? ""}${text(config.resource_path) ?? ""}`,
    );
    const title = `Route 53 ${readable(stack, text(record.config.name) ?? record.name)}`;
    const details = [text(record.config.set_identifier), ...checks].filter(isDefined);
    const id = canvas.add({ kind: "resource", address: record.address, title, details }, GLOBAL, `${title} ${details[0] ?? ""}`);
    for (const alias of blocks(record.config.alias))
      canvas.connect({ kind: "link", from: id, to: nodeFor(context, alias.name), label: `failover ${text(policy.type) ?? ""}`.trim() });
  }
}

function addAccelerators(context: Context): void {
  const { stack, canvas } = context;
  for (const accelerator of resourcesOf(stack, "aws_globalaccelerator_accelerator")) {
    const listeners = referrers(stack, "aws_globalaccelerator_listener", accelerator);
    const details = listeners.map(({ config }) => {
      const ports = blocks(config.port_range).map((range) => {
        const [low, high] = [scalar(range.from_port), scalar(range.to_port)];
        return low === high ? low : `${low}-${high}`;
      });
      return `listener ${text(config.protocol) ?? ""} ${ports.join(", ")}`;
    });
    const title = `Global Accelerator ${nameOf(accelerator)}`;
    const id = canvas.add({ kind: "resource", address: accelerator.address, title, details }, GLOBAL, title);
    for (const group of listeners.flatMap((listener) => referrers(stack, "aws_globalaccelerator_endpoint_group", listener))) {
      const label = `${text(group.config.endpoint_group_region) ?? ""} · dial ${scalar(group.config.traffic_dial_percentage) ?? "100"}%`;
      for (const endpoint of blocks(group.config.endpoint_configuration))
        canvas.connect({ kind: "link", from: id, to: nodeFor(context, endpoint.endpoint_id), label });
    }
  }
}

function addDatabaseCopies(context: Context): void {
  const { stack, canvas, places } = context;
  for (const db of resourcesOf(stack, "aws_db_instance").filter(({ config }) => config.replicate_source_db !== undefined)) {
    const [from, to] = [nodeFor(context, db.config.replicate_source_db), nodeOfResource(context, db)];
    // A replica beside its primary is listed in the same node.
    if (from !== to) canvas.connect({ kind: "link", from, to, label: "replication" });
  }
  for (const copy of resourcesOf(stack, "aws_db_instance_automated_backups_replication")) {
    const retention = scalar(copy.config.retention_period);
    const spec = {
      kind: "resource" as const,
      address: copy.address,
      title: "RDS automated backups",
      details: retention ? [`kept ${retention} days`] : [],
    };
    const to = canvas.add(spec, places.regionOfConfig(copy.config), `${spec.title} ${copy.name}`);
    canvas.connect({ kind: "link", from: nodeFor(context, copy.config.source_db_instance_arn), to, label: "backup copy" });
  }
}

export function addLinks(stack: StackJson, canvas: Canvas, places: Places): void {
  const context: Context = { stack, canvas, places };
  addBuckets(context);
  addBucketReplication(context);
  addDistributions(context);
  addFailoverRecords(context);
  addAccelerators(context);
  addDatabaseCopies(context);
}
