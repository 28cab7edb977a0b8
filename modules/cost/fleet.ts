import type { ResourceView } from "../policy/model";
import { blocks, isObject } from "../policy/rules/helpers";
import { HOURS_PER_MONTH, type LineItem, lineItem, type PricingContext } from "./line-items";
import { HOURS_PER_WEEK, hoursAtMinimums, type RecurringMinimum } from "./schedule";

const num = (value: unknown, fallback = 0) => (value === undefined || value === null || value === "" ? fallback : Number(value));
const literal = (value: unknown) => (typeof value === "string" && !value.includes("${") ? value : undefined);

/** Resources of `type` linked to `target` by a reference, or by its literal name (a plan's prior state). */
function linked(ctx: PricingContext, target: ResourceView, type: string, attribute: string): ResourceView[] {
  const name = literal(target.config.name);
  const byReference = ctx.model.referencing(target, type);
  const byName = name ? ctx.model.ofType(type).filter((r) => r.config[attribute] === name) : [];
  return [...new Set([...byReference, ...byName])];
}

/** On-Demand capacity of a mixed-instances group at `n` units: the base, then the share above it (rounded towards On-Demand). */
export const onDemandAt = (n: number, base: number, percentAboveBase: number) =>
  Math.min(n, base) + Math.ceil(((n - Math.min(n, base)) * percentAboveBase) / 100);

interface FleetShape {
  readonly types: readonly { readonly type: string; readonly weight: number }[];
  readonly base: number;
  readonly percentAboveBase: number;
  readonly launchTemplate?: ResourceView;
}

function shapeOf(ctx: PricingContext, asg: ResourceView): FleetShape {
  const mixed = blocks(asg.config.mixed_instances_policy)[0];
  const template = (spec: unknown) => ctx.model.referenced(blocks(spec)[0]?.launch_template_id ?? blocks(spec)[0]?.id);
  if (mixed) {
    const distribution = blocks(mixed.instances_distribution)[0] ?? {};
    const lt = blocks(mixed.launch_template)[0] ?? {};
    const launchTemplate = template(lt.launch_template_specification);
    const overrides = blocks(lt.override).filter((o) => isObject(o) && typeof o.instance_type === "string");
    const types = overrides.length
      ? overrides.map((o) => ({ type: o.instance_type as string, weight: num(o.weighted_capacity, 1) }))
      : [{ type: String(launchTemplate?.config.instance_type), weight: 1 }];
    // The provider's defaults: on_demand_percentage_above_base_capacity 100, base 0.
    return {
      types,
      base: num(distribution.on_demand_base_capacity),
      percentAboveBase: num(distribution.on_demand_percentage_above_base_capacity, 100),
      launchTemplate,
    };
  }
  const launchTemplate = template(asg.config.launch_template);
  return { types: [{ type: String(launchTemplate?.config.instance_type), weight: 1 }], base: 0, percentAboveBase: 100, launchTemplate };
}

/**
 * Root and data volumes of one host from its launch template, GB by volume
 * type, and how many take their size from the AMI's snapshot (not counted).
 */
function volumesOf(template: ResourceView | undefined): { sizes: Map<string, number>; unsized: number } {
  const sizes = new Map<string, number>();
  let unsized = 0;
  for (const mapping of blocks(template?.config.block_device_mappings)) {
    const ebs = blocks(mapping.ebs)[0];
    if (!ebs) continue;
    if (ebs.volume_size === undefined || ebs.volume_size === null) {
      unsized++;
      continue;
    }
    // No type: the AMI's mapping decides; gp2, the EBS API's default, is assumed (and named in the line).
    const type = String(ebs.volume_type ?? "gp2");
    sizes.set(type, (sizes.get(type) ?? 0) + num(ebs.volume_size));
  }
  return { sizes, unsized };
}

/** A fleet as priced: its cheapest type, the On-Demand/Spot split and its schedule. */
export interface Fleet {
  readonly type: string;
  readonly types: readonly string[];
  readonly onDemandUsd: number;
  readonly spotDiscount: number;
  /** Where the discount comes from: the usage file, or the table. */
  readonly discountSource: string;
  readonly schedules: readonly RecurringMinimum[];
  readonly minSize: number;
  readonly maxSize: number;
  /** Hosts for `capacity` units of the group (the chosen type's weight). */
  /**
   * On-Demand and Spot hosts of the chosen type at `capacity` units. The
   * distribution is in capacity units (EC2 Auto Scaling User Guide, instance
   * weighting): the On-Demand part is filled first, each host bringing its
   * weight, and Spot hosts fill what is left.
   */
  readonly hostsAt: (capacity: number) => { readonly onDemand: number; readonly spot: number };
  /** USD per hour at `capacity` units. */
  readonly hourlyAt: (capacity: number) => number;
  readonly launchTemplate?: ResourceView;
}

export function fleetOf(ctx: PricingContext, asg: ResourceView): Fleet {
  const region = ctx.regionOf(asg);
  const shape = shapeOf(ctx, asg);
  const priced = shape.types.map((t) => ({ ...t, entry: ctx.prices.get(`ec2:${t.type}`, region) }));
  const cheapest = priced.reduce((a, b) => (b.entry.usd / b.weight < a.entry.usd / a.weight ? b : a));
  const override = ctx.usage.spotDiscount[cheapest.type];
  const spotDiscount = override ?? ctx.prices.get(`ec2-spot-discount:${cheapest.type}`, region).usd;
  const hostsAt = (capacity: number) => {
    const onDemand = Math.ceil(onDemandAt(capacity, shape.base, shape.percentAboveBase) / cheapest.weight);
    return { onDemand, spot: Math.ceil(Math.max(0, capacity - onDemand * cheapest.weight) / cheapest.weight) };
  };
  return {
    type: cheapest.type,
    types: shape.types.map((t) => t.type),
    onDemandUsd: cheapest.entry.usd,
    spotDiscount,
    discountSource: override === undefined ? "pricing/prices.json" : ctx.usage.source,
    schedules: linked(ctx, asg, "aws_autoscaling_schedule", "autoscaling_group_name")
      .filter((s) => typeof s.config.recurrence === "string")
      .map((s) => ({ name: s.name, recurrence: s.config.recurrence, minSize: num(s.config.min_size) })),
    minSize: num(asg.config.min_size),
    maxSize: num(asg.config.max_size),
    hostsAt,
    hourlyAt: (capacity) => {
      const { onDemand, spot } = hostsAt(capacity);
      return onDemand * cheapest.entry.usd + spot * cheapest.entry.usd * (1 - spotDiscount);
    },
    launchTemplate: shape.launchTemplate,
  };
}

/**
 * A GPU fleet: host-hours at each scheduled minimum (the floor a month
 * cannot go below) and at the group's maximum, split into On-Demand and Spot
 * by the instances distribution, on the cheapest type of the list, plus the
 * hosts' EBS volumes.
 */
export function fleetLines(ctx: PricingContext, asg: ResourceView): LineItem[] {
  const fleet = fleetOf(ctx, asg);
  const month = HOURS_PER_MONTH / HOURS_PER_WEEK;
  let onDemandHours = 0;
  let spotHours = 0;
  for (const [minimum, hours] of hoursAtMinimums(fleet.minSize, fleet.schedules)) {
    const { onDemand, spot } = fleet.hostsAt(minimum);
    onDemandHours += onDemand * hours * month;
    spotHours += spot * hours * month;
  }
  const atMax = fleet.hostsAt(fleet.maxSize);
  const ec2 = `ec2:${fleet.type}`;
  const scheduleNote = fleet.schedules.length ? `at its ${fleet.schedules.length} scheduled minimums` : "at its minimum";
  const lines = [
    lineItem(ctx, asg, "compute", {
      what: `On-Demand host-hours (${fleet.type})`,
      quantity: onDemandHours,
      maxQuantity: atMax.onDemand * HOURS_PER_MONTH,
      unit: "instance-hour",
      item: ec2,
      note: `${scheduleNote}; ${fleet.type}, the cheapest type of [${fleet.types.join(", ")}], assumed`,
    }),
    lineItem(ctx, asg, "compute", {
      what: `Spot host-hours (${fleet.type})`,
      quantity: spotHours,
      maxQuantity: atMax.spot * HOURS_PER_MONTH,
      unit: "instance-hour",
      item: [ec2, `ec2-spot-discount:${fleet.type}`],
      unitPrice: () => fleet.onDemandUsd * (1 - fleet.spotDiscount),
      note: `Spot at ${Math.round(fleet.spotDiscount * 100)} % below On-Demand (${fleet.discountSource})`,
    }),
  ];
  const hostHours = onDemandHours + spotHours;
  const volumes = volumesOf(fleet.launchTemplate);
  if (volumes.unsized) lines[0] = { ...lines[0], note: `${lines[0].note}; ${volumes.unsized} volume(s) sized by the AMI: not counted` };
  for (const [type, gb] of volumes.sizes) {
    lines.push(
      lineItem(ctx, asg, "compute", {
        what: `host EBS volumes (${type}, ${gb} GB each)`,
        quantity: (gb * hostHours) / HOURS_PER_MONTH,
        maxQuantity: gb * (atMax.onDemand + atMax.spot),
        unit: "GB-month",
        item: `ebs:${type}-storage`,
      }),
    );
  }
  return lines;
}

/** A Fargate service at its scaling target's minimum and maximum; EC2 services cost their fleet's hosts. */
export function fargateLines(ctx: PricingContext, service: ResourceView): LineItem[] {
  const strategy = blocks(service.config.capacity_provider_strategy).filter(isObject);
  const fargate = strategy.filter((s) => s.capacity_provider === "FARGATE" || s.capacity_provider === "FARGATE_SPOT");
  if (service.config.launch_type !== "FARGATE" && fargate.length === 0) return [];
  const total = fargate.reduce((sum, s) => sum + num(s.weight, 1), 0);
  const spotShare = fargate.length
    ? fargate.filter((s) => s.capacity_provider === "FARGATE_SPOT").reduce((sum, s) => sum + num(s.weight, 1), 0) / total
    : 0;
  const task = ctx.model.referenced(service.config.task_definition);
  const target =
    linked(ctx, service, "aws_appautoscaling_target", "resource_id")[0] ??
    ctx.model
      .ofType("aws_appautoscaling_target")
      .find((t) => literal(service.config.name) && String(t.config.resource_id).endsWith(`/${service.config.name}`));
  const min = target ? num(target.config.min_capacity) : num(service.config.desired_count);
  const max = target ? num(target.config.max_capacity) : min;
  const vcpu = num(task?.config.cpu) / 1024;
  const gb = num(task?.config.memory) / 1024;
  const arch = blocks(task?.config.runtime_platform)[0]?.cpu_architecture === "ARM64" ? "-arm" : "";
  const lines: LineItem[] = [];
  for (const [kind, share] of [
    ["fargate", 1 - spotShare],
    ["fargate-spot", spotShare],
  ] as const) {
    if (share === 0) continue;
    const label = kind === "fargate" ? "Fargate" : "Fargate Spot";
    const tasks = `${min}${max === min ? "" : `-${max}`} task(s) of ${vcpu} vCPU / ${gb} GB`;
    lines.push(
      lineItem(ctx, service, "compute", {
        what: `${label} vCPU-hours (${tasks})`,
        quantity: min * share * vcpu * HOURS_PER_MONTH,
        maxQuantity: max * share * vcpu * HOURS_PER_MONTH,
        unit: "vCPU-hour",
        item: `${kind}${arch}:vcpu-hour`,
      }),
      lineItem(ctx, service, "compute", {
        what: `${label} GB-hours`,
        quantity: min * share * gb * HOURS_PER_MONTH,
        maxQuantity: max * share * gb * HOURS_PER_MONTH,
        unit: "GB-hour",
        item: `${kind}${arch}:gb-hour`,
      }),
    );
  }
  return lines;
}
