/**
 * Summaries of one stack's Terraform plan (PLT-6): from the JSON of
 * `terraform show -json <planfile>` (S3 backend) or from the text of
 * `terraform plan -no-color` (Terraform Cloud speculative plans, which cannot
 * be saved and so have no JSON on the runner: see plan-tfc.yml).
 */

/**
 * Resource types whose destroy or replacement loses data (or, for KMS keys and
 * hosted zones, makes data or delegations unusable), so the comment lists them
 * under a warning of their own. A trailing `*` matches every type with that
 * prefix (`aws_rds_cluster*`: clusters, instances, global clusters, ...).
 * Deliberately left out: things Terraform recreates identically from code
 * (roles, security groups, task definitions) and secret *versions*, whose
 * value belongs to their secret (listed).
 */
export const STATEFUL_RESOURCE_TYPES: readonly string[] = [
  "aws_db_instance",
  "aws_rds_cluster*",
  "aws_rds_global_cluster",
  "aws_elasticache_replication_group",
  "aws_elasticache_cluster",
  "aws_elasticache_serverless_cache",
  "aws_s3_bucket",
  "aws_kms_key",
  "aws_kms_replica_key",
  "aws_secretsmanager_secret",
  "aws_dynamodb_table",
  "aws_efs_file_system",
  "aws_ebs_volume",
  "aws_ecr_repository",
  "aws_cloudwatch_log_group",
  "aws_route53_zone",
  "aws_backup_vault",
  "aws_sqs_queue",
  "aws_kinesis_stream",
  "aws_opensearch_domain",
];

/** Whether a resource type is on STATEFUL_RESOURCE_TYPES. */
export function isStatefulType(type: string): boolean {
  return STATEFUL_RESOURCE_TYPES.some((entry) => (entry.endsWith("*") ? type.startsWith(entry.slice(0, -1)) : type === entry));
}

/**
 * What happens to one resource instance. A replacement (`delete`+`create`
 * in either order) is its own kind and is NOT counted again as an add and a
 * destroy. `forget` (a `removed` block with `destroy = false`) leaves the
 * object alone and only drops it from state.
 */
export type ChangeKind = "add" | "change" | "replace" | "destroy" | "forget";

export interface ResourceChangeSummary {
  readonly address: string;
  /** Resource type; from the text of a plan it is read off the address. */
  readonly type: string;
  readonly kind: ChangeKind;
  readonly stateful: boolean;
  /** The top-level attributes an update or replacement changes (names only, never values). @default - none known */
  readonly changed?: readonly string[];
}

export interface StackSummary {
  /** Where the summary was read from: plan JSON, or the plan's text output. */
  readonly source: "json" | "text";
  readonly adds: number;
  readonly changes: number;
  readonly replaces: number;
  readonly destroys: number;
  readonly forgets: number;
  /** Resources the plan imports (`import` blocks); they are also counted by kind when they change. */
  readonly imports: number;
  /** Root module outputs that change (JSON only; text plans report 0). */
  readonly outputChanges: number;
  /** Every managed resource that changes, in the plan's order (Terraform sorts by address). */
  readonly resources: readonly ResourceChangeSummary[];
  /** Destroys and replacements of stateful resources (see STATEFUL_RESOURCE_TYPES). */
  readonly statefulAtRisk: readonly ResourceChangeSummary[];
  /**
   * False for a partial plan: `-target`, or changes deferred to a later run.
   * Terraform sets `complete: false` then; an absent field (older Terraform) counts as complete.
   */
  readonly complete: boolean;
  /** Terraform reported errors while planning (`errored: true`): the summary shows what it got to. */
  readonly errored: boolean;
}

/** The part of `terraform show -json` this module reads (format_version 1.x). */
export interface PlanJson {
  readonly format_version?: string;
  readonly resource_changes?: readonly {
    readonly address: string;
    readonly type: string;
    readonly mode?: string;
    readonly change: {
      readonly actions: readonly string[];
      readonly importing?: unknown;
      /** The reduced plan's changed attribute names (plan.yml's filter). */
      readonly changed?: readonly string[];
      readonly before?: unknown;
      readonly after?: unknown;
      readonly after_unknown?: unknown;
      readonly replace_paths?: unknown;
    };
  }[];
  readonly output_changes?: Readonly<Record<string, { readonly actions: readonly string[] }>>;
  readonly complete?: boolean;
  readonly errored?: boolean;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * What a change is about, by top-level attribute name: for an update, the
 * attributes whose value differs between `before` and `after` or becomes
 * known only at apply; for a replacement, those that force it
 * (`replace_paths`), as every computed attribute of the new object is unknown.
 * The same rule as plan.yml's jq filter, which sends only these names.
 */
function changedAttributes(
  kind: ChangeKind,
  change: { readonly before?: unknown; readonly after?: unknown; readonly after_unknown?: unknown; readonly replace_paths?: unknown },
): string[] {
  if (kind === "replace") {
    const paths = Array.isArray(change.replace_paths) ? change.replace_paths : [];
    return [...new Set(paths.map((p) => (Array.isArray(p) ? String(p[0]) : String(p))))].sort();
  }
  const before = asRecord(change.before);
  const after = asRecord(change.after);
  const unknown = asRecord(change.after_unknown);
  const names = [...new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)])].sort();
  // A missing attribute and a null one are the same to jq, and to Terraform.
  return names.filter((n) => JSON.stringify(before[n] ?? null) !== JSON.stringify(after[n] ?? null) || unknown[n] === true);
}

/** Maps a Terraform action list to a kind; undefined for no-op and data reads. */
function changeKind(actions: readonly string[]): ChangeKind | undefined {
  const key = actions.join(",");
  switch (key) {
    case "no-op":
    case "read":
      return undefined;
    case "create":
      return "add";
    case "update":
      return "change";
    case "delete":
      return "destroy";
    case "delete,create":
    case "create,delete":
      return "replace";
    case "forget":
      return "forget";
    default:
      // Unknown to this version of the renderer: refuse rather than miscount.
      throw new Error(`unknown Terraform plan actions [${actions.join(", ")}]`);
  }
}

function tally(resources: readonly ResourceChangeSummary[]) {
  const count = (kind: ChangeKind) => resources.filter((r) => r.kind === kind).length;
  return {
    adds: count("add"),
    changes: count("change"),
    replaces: count("replace"),
    destroys: count("destroy"),
    forgets: count("forget"),
    statefulAtRisk: resources.filter((r) => r.stateful && (r.kind === "destroy" || r.kind === "replace")),
  };
}

/**
 * Summarizes `terraform show -json` of a saved plan. Data sources (mode
 * `data`, action `read`) and no-ops are not counted. Throws on a document that
 * is not plan JSON of format 1.x, or on actions this renderer does not know.
 */
export function summarizePlan(plan: PlanJson): StackSummary {
  if (typeof plan !== "object" || plan === null || typeof plan.format_version !== "string") {
    throw new Error("not the JSON of a Terraform plan (no format_version): pass the output of `terraform show -json <planfile>`");
  }
  if (!plan.format_version.startsWith("1.")) {
    throw new Error(`plan JSON format_version ${plan.format_version} is not supported (1.x expected)`);
  }
  const resources: ResourceChangeSummary[] = [];
  let imports = 0;
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === "data") continue;
    if (rc.change.importing) imports++;
    const kind = changeKind(rc.change.actions);
    if (!kind) continue;
    const changed = kind === "change" || kind === "replace" ? (rc.change.changed ?? changedAttributes(kind, rc.change)) : [];
    resources.push({ address: rc.address, type: rc.type, kind, stateful: isStatefulType(rc.type), ...(changed.length ? { changed } : {}) });
  }
  const outputChanges = Object.values(plan.output_changes ?? {}).filter((o) => !o.actions.every((a) => a === "no-op")).length;
  return {
    source: "json",
    ...tally(resources),
    imports,
    outputChanges,
    resources,
    complete: plan.complete !== false,
    errored: plan.errored === true,
  };
}

// `terraform plan` prints one header per resource instance that changes:
//   # module.x.aws_s3_bucket.this["a"] will be destroyed
// Drift notes ("has changed", "has been deleted") and moves ("has moved to")
// use other verbs and are not changes of this plan.
const HEADER =
  /^\s*# (.+?) (will be created|will be updated in-place|will be destroyed|must be replaced|will be replaced, as requested|is tainted, so must be replaced|will no longer be managed by Terraform)$/;
const DEPOSED = / \(deposed object [0-9a-f]+\)$/;
const PLAN_LINE = /^Plan: (.*)\.$/m;
const NO_CHANGES = /^No changes\. /m;
/** Terraform's colour codes (SGR escape sequences). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is exactly what this matches.
const ANSI = /\u001b\[[0-9;]*m/g;
export const withoutColours = (text: string) => text.replace(ANSI, "");

function headerKind(verb: string): ChangeKind {
  if (verb === "will be created") return "add";
  if (verb === "will be updated in-place") return "change";
  if (verb === "will be destroyed") return "destroy";
  if (verb === "will no longer be managed by Terraform") return "forget";
  return "replace";
}

/** `aws_s3_bucket` from `module.a.aws_s3_bucket.b["k"]`. */
function typeOfAddress(address: string): string {
  const parts = address.replace(/\[[^\]]*\]/g, "").split(".");
  while (parts[0] === "module" && parts.length > 2) parts.splice(0, 2);
  return parts[0] === "data" ? `data.${parts[1]}` : parts[0];
}

/**
 * Summarizes the human-readable output of `terraform plan -no-color` (a
 * speculative plan of Terraform Cloud, streamed to the runner). Counts come
 * from the `Plan: X to add, Y to change, Z to destroy.` line, where a
 * replacement is one add plus one destroy; the `must be replaced` headers are
 * taken out of both again so the counts mean what they mean for plan JSON.
 * Where the headers are missing (a log cut short), no replacement can be told
 * apart and the line's counts stand: replacements then show as add + destroy.
 * Throws when the text holds neither a Plan line nor `No changes.`.
 */
export function summarizePlanText(text: string): StackSummary {
  const clean = withoutColours(text);
  const resources: ResourceChangeSummary[] = [];
  for (const line of clean.split(/\r?\n/)) {
    const match = HEADER.exec(line);
    if (!match) continue;
    const address = match[1].replace(DEPOSED, "");
    const type = typeOfAddress(address);
    resources.push({ address, type, kind: headerKind(match[2]), stateful: isStatefulType(type) });
  }
  const planLine = PLAN_LINE.exec(clean);
  if (!planLine && !NO_CHANGES.test(clean)) {
    throw new Error("no `Plan: ...` line and no `No changes.` in the plan output: the plan did not finish");
  }
  const numbers: Record<string, number> = {};
  for (const [, n, what] of (planLine?.[1] ?? "").matchAll(/(\d+) to (\w+)/g)) numbers[what] = Number(n);
  const fromHeaders = tally(resources);
  const replaces = Math.min(fromHeaders.replaces, numbers.add ?? 0, numbers.destroy ?? 0);
  return {
    source: "text",
    adds: (numbers.add ?? 0) - replaces,
    changes: numbers.change ?? 0,
    replaces,
    destroys: (numbers.destroy ?? 0) - replaces,
    forgets: numbers.forget ?? 0,
    imports: numbers.import ?? 0,
    outputChanges: 0,
    resources,
    statefulAtRisk: fromHeaders.statefulAtRisk,
    // A targeted plan says so in a warning ("Resource targeting is in effect").
    complete: !/Resource targeting is in effect/.test(clean),
    errored: false,
  };
}
