/**
 * What a security group protects: the resources that reference it (a launch
 * template's group belongs to the Auto Scaling groups launching it), each
 * described in a line or two, and the subnets they run in.
 */
import { humanize, plural, readable, wrap } from "./labels";
import { RULE_TYPES, SECURITY_GROUP_TYPES } from "./security-groups";
import {
  allResources,
  blocks,
  compare,
  isDefined,
  lookup,
  nameOf,
  plainReference,
  type Resource,
  referencedOf,
  referencesIn,
  referrers,
  scalar,
  type StackJson,
  text,
} from "./terraform";

type Describe = (stack: StackJson, resource: Resource) => string[];

const ENGINE_NAMES: Readonly<Record<string, string>> = { postgres: "PostgreSQL", mysql: "MySQL", redis: "Redis", valkey: "Valkey" };
const CAPACITY_NAMES: Readonly<Record<string, string>> = { FARGATE: "Fargate", FARGATE_SPOT: "Fargate Spot", EC2: "ECS on EC2" };
const ENDPOINT_LINE_WIDTH = 48;

const joined = (parts: readonly (string | undefined)[]) => parts.filter((part) => part).join(" · ");

function describeLoadBalancer(stack: StackJson, lb: Resource): string[] {
  const listeners = referrers(stack, "aws_lb_listener", lb)
    .map(({ config }) => ({ port: Number(scalar(config.port)), protocol: text(config.protocol) ?? "" }))
    .sort((a, b) => a.port - b.port)
    .map(({ port, protocol }) => `${protocol} :${port}`);
  const wafs = referrers(stack, "aws_wafv2_web_acl_association", lb)
    .flatMap(({ config }) => referencedOf(stack, config.web_acl_arn, "aws_wafv2_web_acl"))
    .map(describeWaf);
  const kind = lb.config.internal === true ? "internal" : "internet-facing";
  return [`ALB ${nameOf(lb)} · ${kind}`, joined(listeners), ...wafs];
}

/** "WAF ecg-prod-api · 5 rules". */
export function describeWaf(acl: Resource): string {
  let rules = blocks(acl.config.rule).length;
  try {
    rules += (JSON.parse(text(acl.config.rule_json) ?? "[]") as unknown[]).length;
  } catch {
    // A rule_json that is an expression: its rules are not known before apply.
  }
  return `WAF ${nameOf(acl)} · ${plural(rules, "rule")}`;
}

interface Container {
  readonly name?: string;
  readonly essential?: boolean;
  readonly portMappings?: readonly { readonly containerPort?: number }[];
  readonly resourceRequirements?: readonly { readonly type?: string }[];
}

function containersOf(stack: StackJson, service: Resource): string[] {
  const [task] = referencedOf(stack, service.config.task_definition, "aws_ecs_task_definition");
  let containers: Container[] = [];
  try {
    const definitions = task?.config.container_definitions;
    containers = typeof definitions === "string" ? JSON.parse(definitions) : [];
  } catch {
    // Definitions that are an expression: nothing to list.
  }
  // Sidecars (essential: false) are the same in every service: left out.
  return containers
    .filter((container) => container.essential !== false && container.name)
    .map((container) => {
      const ports = (container.portMappings ?? []).map((mapping) => ` :${mapping.containerPort}`).join("");
      const gpu = (container.resourceRequirements ?? []).some((requirement) => requirement.type === "GPU") ? " (GPU)" : "";
      return `${container.name}${ports}${gpu}`;
    });
}

function describeService(stack: StackJson, service: Resource): string[] {
  const { config } = service;
  const providers = blocks(config.capacity_provider_strategy).map((strategy) => text(strategy.capacity_provider));
  const launch = (providers.length > 0 ? providers : [text(config.launch_type) ?? "EC2"])
    .filter(isDefined)
    .map((name) => CAPACITY_NAMES[name] ?? name)
    .join(" + ");
  const daemon = config.scheduling_strategy === "DAEMON" ? "one task per host" : undefined;
  const containers = containersOf(stack, service);
  return [`ECS service ${nameOf(service)}`, joined([launch, daemon]), containers.length > 0 ? `containers ${containers.join(", ")}` : ""];
}

function describeAutoScalingGroup(stack: StackJson, group: Resource): string[] {
  const { config } = group;
  const [min, max] = [scalar(config.min_size), scalar(config.max_size)];
  const overrides = blocks(config.mixed_instances_policy)
    .flatMap((policy) => blocks(policy.launch_template))
    .flatMap((template) => blocks(template.override))
    .map((override) => text(override.instance_type));
  const templates = referencedOf(stack, config, "aws_launch_template").map((template) => text(template.config.instance_type));
  const types = [...overrides, ...templates].filter(isDefined);
  const hosts = min === max ? plural(min ?? "?", "host") : `${min}-${max} hosts`;
  return [`Auto Scaling group ${nameOf(group)}`, joined([hosts, types.join(" / ")])];
}

function describeDatabase(stack: StackJson, db: Resource): string[] {
  const size = joined([text(db.config.instance_class), db.config.multi_az === true ? "Multi-AZ" : undefined]);
  if (db.config.replicate_source_db !== undefined) return [`read replica ${nameOf(db)}`, size];
  const engine = text(db.config.engine) ?? "";
  const isSource = referrers(stack, "aws_db_instance", db).some(({ config }) => config.replicate_source_db !== undefined);
  return [
    joined([
      `${ENGINE_NAMES[engine] ?? engine} ${scalar(db.config.engine_version) ?? ""}`.trim(),
      isSource ? "primary" : undefined,
      nameOf(db),
    ]),
    size,
  ];
}

function describeCache(_stack: StackJson, cache: Resource): string[] {
  const { config } = cache;
  const engine = text(config.engine) ?? "redis";
  const shards = scalar(config.num_node_groups);
  const clusters = scalar(config.num_cache_clusters);
  const layout = shards
    ? `${plural(shards, "shard")} × ${plural(scalar(config.replicas_per_node_group) ?? 0, "replica")}`
    : clusters && plural(clusters, "node");
  const id = text(config.replication_group_id) ?? cache.name;
  return [
    `ElastiCache ${ENGINE_NAMES[engine] ?? engine} ${scalar(config.engine_version) ?? ""} ${id}`,
    joined([text(config.node_type), layout]),
  ];
}

/** The service of an endpoint: "com.amazonaws.${region}.ecr.api" → "ecr.api". */
export const serviceOf = (endpoint: Resource): string =>
  (text(endpoint.config.service_name) ?? endpoint.name).replace(/^com\.amazonaws\.(\$\{[^}]*\}|[a-z0-9-]+)\./, "");

function describeEndpoints(endpoints: readonly Resource[]): string[] {
  const services = endpoints.map(serviceOf).sort(compare);
  return [plural(services.length, "interface endpoint"), ...wrap(services, ENDPOINT_LINE_WIDTH)];
}

const describeOther: Describe = (stack, resource) => [
  `${humanize(resource.type.replace(/^aws_/, ""))} ${readable(stack, nameOf(resource))}`,
];

// Listed in this order within a group's node.
const DESCRIBERS: readonly (readonly [string, Describe])[] = [
  ["aws_lb", describeLoadBalancer],
  ["aws_ecs_service", describeService],
  ["aws_autoscaling_group", describeAutoScalingGroup],
  ["aws_db_instance", describeDatabase],
  ["aws_elasticache_replication_group", describeCache],
];

const rank = (resource: Resource) => {
  const index = DESCRIBERS.findIndex(([type]) => type === resource.type);
  return index < 0 ? DESCRIBERS.length : index;
};

// Primaries before their replicas, then by name.
const memberOrder = (a: Resource, b: Resource) =>
  rank(a) - rank(b) ||
  Number(a.config.replicate_source_db !== undefined) - Number(b.config.replicate_source_db !== undefined) ||
  compare(a.address, b.address);

/** A resource in a line or more, most telling first. */
export function describe(stack: StackJson, resource: Resource): string[] {
  const describer = DESCRIBERS.find(([type]) => type === resource.type)?.[1] ?? describeOther;
  return describer(stack, resource).filter((line) => line.length > 0);
}

/** The lines of a group's members; its interface endpoints (a dozen alike) as one list. */
export function describeMembers(stack: StackJson, members: readonly Resource[]): string[] {
  const endpoints = members.filter((member) => member.type === "aws_vpc_endpoint");
  const others = members.filter((member) => member.type !== "aws_vpc_endpoint");
  return [...others.flatMap((member) => describe(stack, member)), ...(endpoints.length > 0 ? describeEndpoints(endpoints) : [])];
}

/** Security group address → the resources it protects, in display order. */
export function membersBySecurityGroup(stack: StackJson): Map<string, Resource[]> {
  const members = new Map<string, Resource[]>();
  const skipped = new Set([...SECURITY_GROUP_TYPES, ...RULE_TYPES]);
  for (const resource of allResources(stack)) {
    if (skipped.has(resource.type)) continue;
    const groups = new Set(
      referencesIn(resource.config)
        .filter((reference) => SECURITY_GROUP_TYPES.includes(reference.type))
        .map((reference) => reference.address),
    );
    const launching = resource.type === "aws_launch_template" ? referrers(stack, "aws_autoscaling_group", resource) : [];
    const protectedResources = launching.length > 0 ? launching : [resource];
    for (const group of groups) members.set(group, [...(members.get(group) ?? []), ...protectedResources]);
  }
  for (const list of members.values()) list.sort(memberOrder);
  return members;
}

/**
 * The subnets a resource runs in: those it names, directly or through a
 * subnet group; a read replica that names none runs where its source does.
 */
export function subnetsOf(stack: StackJson, resource: Resource, followReplica = true): string[] {
  const references = referencesIn(resource.config).filter((reference) => !reference.isData);
  const direct = references.filter((reference) => reference.type === "aws_subnet").map((reference) => reference.address);
  const viaGroups = references
    .filter((reference) => reference.type.endsWith("_subnet_group"))
    .map((reference) => lookup(stack, reference.address))
    .filter(isDefined)
    .flatMap((group) => subnetsOf(stack, group, false));
  const found = [...new Set([...direct, ...viaGroups])].sort(compare);
  const source = plainReference(resource.config.replicate_source_db);
  const sourceResource = followReplica && found.length === 0 && source ? lookup(stack, source.address) : undefined;
  return sourceResource ? subnetsOf(stack, sourceResource, false) : found;
}
