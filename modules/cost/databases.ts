import type { ResourceView } from "../policy/model";
import { isTrue } from "../policy/rules/helpers";
import { HOURS_PER_MONTH, type LineItem, lineItem, type PricingContext } from "./line-items";

const num = (value: unknown) => (value === undefined || value === null || value === "" ? undefined : Number(value));

/**
 * gp3's included performance on RDS: 3,000 IOPS and 125 MiB/s below 400 GiB,
 * 12,000 IOPS and 500 MiB/s from 400 GiB (the volume is striped across four);
 * only what is provisioned above it is billed (RDS User Guide, "gp3 storage").
 */
export function gp3Baseline(storageGiB: number): { iops: number; throughput: number } {
  return storageGiB >= 400 ? { iops: 12000, throughput: 500 } : { iops: 3000, throughput: 125 };
}

/** The source of a read replica: a reference in this stack, or an identifier/ARN of the program's. */
function sourceOf(ctx: PricingContext, replica: ResourceView): ResourceView | undefined {
  const source = replica.config.replicate_source_db;
  if (source === undefined || source === null) return undefined;
  const referenced = ctx.model.referenced(source);
  if (referenced) return referenced;
  const identifier = String(source).split(":db:").pop() ?? "";
  return ctx.dbInstance(identifier);
}

/** An RDS instance: instance-hours (Multi-AZ at its own rate), gp3 storage and what is provisioned above gp3's baseline. */
export function dbInstanceLines(ctx: PricingContext, db: ResourceView): LineItem[] {
  const source = sourceOf(ctx, db);
  const setting = (key: string) => db.config[key] ?? source?.config[key];
  const engine = String(setting("engine") ?? "postgres");
  const az = isTrue(db.config.multi_az) ? "multi-az" : "single-az";
  const role = source ? "read replica" : "primary";
  const lines = [
    lineItem(ctx, db, "data", {
      what: `${engine} ${db.config.instance_class} ${az === "multi-az" ? "Multi-AZ" : "Single-AZ"} (${role})`,
      quantity: HOURS_PER_MONTH,
      unit: "instance-hour",
      item: `rds:${engine}:${db.config.instance_class}:${az}`,
    }),
  ];
  const storage = num(setting("allocated_storage"));
  if (storage === undefined) {
    const note =
      db.config.replicate_source_db === undefined || db.config.replicate_source_db === null
        ? "no allocated_storage in its configuration (a promoted replica keeps its source's size): storage not counted"
        : "its source is not in this input: storage not counted";
    return [{ ...lines[0], note }];
  }
  const type = String(setting("storage_type") ?? "gp2");
  lines.push(
    lineItem(ctx, db, "data", {
      what: `${type} storage, ${storage} GiB`,
      quantity: storage,
      unit: "GB-month",
      item: `rds:${type}-storage:${az}`,
    }),
  );
  if (type !== "gp3") return lines;
  const baseline = gp3Baseline(storage);
  const iops = num(setting("iops")) ?? baseline.iops;
  const throughput = num(setting("storage_throughput")) ?? baseline.throughput;
  if (iops > baseline.iops)
    lines.push(
      lineItem(ctx, db, "data", {
        what: `gp3 IOPS above the ${baseline.iops} included`,
        quantity: iops - baseline.iops,
        unit: "IOPS-month",
        item: `rds:gp3-iops:${az}`,
      }),
    );
  if (throughput > baseline.throughput)
    lines.push(
      lineItem(ctx, db, "data", {
        what: `gp3 throughput above the ${baseline.throughput} MiB/s included`,
        quantity: throughput - baseline.throughput,
        unit: "MiBps-month",
        item: `rds:gp3-throughput:${az}`,
      }),
    );
  return lines;
}

/** A replication group: shards × (replicas + 1) nodes, or its cache clusters. */
export function replicationGroupLines(ctx: PricingContext, group: ResourceView): LineItem[] {
  const shards = num(group.config.num_node_groups);
  const replicas = num(group.config.replicas_per_node_group) ?? 0;
  const nodes = shards !== undefined ? shards * (replicas + 1) : (num(group.config.num_cache_clusters) ?? 1);
  const engine = String(group.config.engine ?? "redis");
  const layout = shards !== undefined ? `${shards} shards × (${replicas} replicas + 1)` : `${nodes} nodes`;
  return [
    lineItem(ctx, group, "data", {
      what: `${engine} ${group.config.node_type} nodes: ${layout}`,
      quantity: nodes * HOURS_PER_MONTH,
      unit: "node-hour",
      item: `elasticache:${engine}:${group.config.node_type}`,
    }),
  ];
}
