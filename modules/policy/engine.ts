import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { AnnotationMetadataEntryType, type IStackSynthesizer, type ISynthesisSession, type TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { type ResourceView, StackModel } from "./model";
import { Uninspectable } from "./rules/helpers";
import type { Json } from "../common/json";

export type Severity = "error" | "warning";

/** A rule's `types` entry for every resource and data source of the stack. */
export const ALL_TYPES = "*";

export interface Rule {
  /** Public rule IDs (checkov CKV_*, trivy AWS-*), or ECG_* where no public ID exists. */
  readonly ids: readonly string[];
  readonly title: string;
  /** Errors fail synthesis; warnings are advisory and only reported. */
  readonly severity: Severity;
  /** Resource types the rule checks (`data.<type>` for data sources); ALL_TYPES (`*`) checks every resource and data source. */
  readonly types: readonly string[];
  /** Only in production environments (deletion protection, Multi-AZ, prevent_destroy). */
  readonly productionOnly?: boolean;
  /** Why the rule cannot judge a plan (it reads what plan JSON leaves out); it is then listed as not checked. @default - it judges plans too */
  readonly notOnPlans?: string;
  /** What was found, when the resource breaks the rule; undefined when it complies. */
  check(resource: ResourceView, model: StackModel): string | undefined;
  /** How to fix it. */
  readonly fix: string;
  /** One line where the rule departs from its public check on purpose (the public check is wrong), with why. @default - none */
  readonly note?: string;
}

export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly address: string;
  readonly path: string;
  readonly found: string;
  readonly fix: string;
}

interface AppliedSuppression {
  readonly rule: string;
  readonly address: string;
  readonly path: string;
  readonly reason: string;
}

export interface PolicyReport {
  readonly stack: string;
  readonly findings: Finding[];
  readonly suppressed: AppliedSuppression[];
  /** Rules that did not run on this input, with why (a plan lacks what they read). @default none */
  readonly notChecked?: { readonly rule: string; readonly reason: string }[];
}

const SUPPRESSION = "ecg:policy-suppression";

/**
 * Suppresses one rule on one resource, with a reason a reviewer can accept.
 * The report lists every suppression; a suppression of a rule that the
 * resource does not break is itself reported as an error (stale).
 */
export function suppress(resource: IConstruct, rule: string, reason: string): void {
  if (!/^(CKV2?_AWS_\d+|AWS-\d{4}|ECG_[A-Z0-9_]+)$/.test(rule)) {
    throw new Error(`suppress(${resource.node.path}): "${rule}" is not a rule ID (CKV_AWS_n, CKV2_AWS_n, AWS-nnnn or ECG_*)`);
  }
  if ((reason ?? "").trim().length < 20) {
    throw new Error(
      `suppress(${resource.node.path}, ${rule}): a reason of at least 20 characters is required, saying why the rule does not apply`,
    );
  }
  resource.node.addMetadata(SUPPRESSION, { rule, reason: reason.trim() });
}

export interface PolicyOptions {
  readonly rules: readonly Rule[];
  /** Apply production-only rules. */
  readonly production: boolean;
  /** Receives every stack's report (e.g. `npm run policy`). @default - none */
  readonly onReport?: (report: PolicyReport) => void;
  /** Throw on errors. @default true */
  readonly failOnError?: boolean;
  /** Receives every stack's Terraform JSON as checked, for checks across stacks (modules/policy/program-checks.ts). @default - none */
  readonly onTerraform?: (stack: string, terraform: Json) => void;
}

/** Suppressions recorded with `suppress()`, by construct path. */
type Suppressions = ReadonlyMap<string, readonly { rule: string; reason: string }[]>;

function suppressionsOf(stack: TerraformStack): Suppressions {
  const byPath = new Map<string, { rule: string; reason: string }[]>();
  for (const node of stack.node.findAll()) {
    const entries = node.node.metadata.filter((m) => m.type === SUPPRESSION).map((m) => m.data as { rule: string; reason: string });
    if (entries.length) byPath.set(node.node.path, entries);
  }
  return byPath;
}

/** Evaluates the rules over a stack's synthesized Terraform (computed here). */
export function evaluate(stack: TerraformStack, options: PolicyOptions): PolicyReport {
  return evaluateTerraform(stack, stack.toTerraform(), options);
}

/** Evaluates the rules over `terraform`, the JSON synthesized for `stack`. */
function evaluateTerraform(stack: TerraformStack, terraform: Json, options: PolicyOptions): PolicyReport {
  return evaluateModel(new StackModel(stack.node.id, terraform, options.production), options, suppressionsOf(stack));
}

/**
 * What `rule` finds on `resource`. A rule never aborts the report: a value it cannot
 * read (Uninspectable) or any other failure on an odd shape is a finding, fail-closed.
 */
export function findingOf(rule: Rule, resource: ResourceView, model: StackModel): { found: string; uninspectable: boolean } | undefined {
  try {
    const found = rule.check(resource, model);
    return found === undefined ? undefined : { found, uninspectable: false };
  } catch (error) {
    if (error instanceof Uninspectable) return { found: error.message, uninspectable: true };
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { found: `cannot be inspected: the rule could not read this shape (${reason})`, uninspectable: true };
  }
}

/** What a rule checks: resources of its types, data sources of its `data.<type>` entries, or everything. */
function subjectsOf(rule: Rule, model: StackModel): ResourceView[] {
  if (rule.types.includes(ALL_TYPES)) return model.elements();
  return [...model.ofType(...rule.types), ...model.dataSources.filter((d) => rule.types.includes(`data.${d.type}`))];
}

/** Evaluates the rules over a model of any Terraform (a stack, a *.tf.json configuration, a plan). */
export function evaluateModel(model: StackModel, options: PolicyOptions, suppressionsByPath: Suppressions = new Map()): PolicyReport {
  const findings: Finding[] = [];
  const suppressed: AppliedSuppression[] = [];
  const used = new Set<string>();
  const notChecked: { rule: string; reason: string }[] = [];
  for (const rule of options.rules) {
    if (rule.productionOnly && !options.production) continue;
    if (model.fromPlan && rule.notOnPlans) {
      notChecked.push({ rule: rule.ids.join("/"), reason: rule.notOnPlans });
      continue;
    }
    for (const resource of subjectsOf(rule, model)) {
      const result = findingOf(rule, resource, model);
      if (result === undefined) continue;
      const suppression = suppressionsByPath.get(resource.path)?.find((s) => rule.ids.includes(s.rule));
      if (suppression) {
        used.add(`${resource.path}#${suppression.rule}`);
        suppressed.push({ rule: suppression.rule, address: resource.address, path: resource.path, reason: suppression.reason });
        continue;
      }
      findings.push({
        rule: rule.ids.join("/"),
        // What cannot be read is an error whatever the rule's severity: it may hide anything.
        severity: result.uninspectable ? "error" : rule.severity,
        address: resource.address,
        path: resource.path,
        found: result.found,
        fix: rule.fix,
      });
    }
  }
  // A module suppresses for every environment it runs in: a production-only rule that is off here makes no suppression stale.
  const notRunHere = new Set(options.production ? [] : options.rules.filter((r) => r.productionOnly).flatMap((r) => r.ids));
  for (const [path, entries] of suppressionsByPath) {
    for (const entry of entries.filter((e) => !used.has(`${path}#${e.rule}`) && !notRunHere.has(e.rule))) {
      findings.push({
        rule: entry.rule,
        severity: "error",
        address: path,
        path,
        found: "a suppression for a rule this resource does not break (or that is not in the pack)",
        fix: "remove the stale suppression",
      });
    }
  }
  return { stack: model.stackName, findings, suppressed, ...(notChecked.length ? { notChecked } : {}) };
}

export function formatReport(report: PolicyReport): string {
  const errors = report.findings.filter((f) => f.severity === "error");
  const warnings = report.findings.filter((f) => f.severity === "warning");
  const lines = [
    `Policy report for ${report.stack}: ${errors.length} error(s), ${warnings.length} warning(s), ${report.suppressed.length} suppression(s)`,
  ];
  for (const f of [...errors, ...warnings]) {
    lines.push(`  ${f.severity.toUpperCase()} ${f.rule} ${f.address}`, `    found: ${f.found}`, `    fix:   ${f.fix}`);
  }
  for (const s of report.suppressed) lines.push(`  SUPPRESSED ${s.rule} ${s.address}`, `    reason: ${s.reason}`);
  for (const n of report.notChecked ?? []) lines.push(`  NOT CHECKED ${n.rule}: ${n.reason}`);
  return lines.join("\n");
}

/**
 * The policy pack as a stack synthesizer: it wraps the stack's own
 * synthesizer and checks the `cdk.tf.json` that synthesizer has just written,
 * i.e. exactly what Terraform will read, after every aspect (tags) has run.
 * Reading the file back is much cheaper than resolving the stack a second
 * time, which an Aspect would have to do (docs/performance.md). On errors it removes the
 * file and throws the report before cdktf writes the manifest; warnings go
 * into the manifest's annotations, where `cdktf synth` prints them.
 */
export class PolicySynthesizer implements IStackSynthesizer {
  static apply(stack: TerraformStack, options: PolicyOptions): void {
    stack.synthesizer = new PolicySynthesizer(stack, stack.synthesizer, options);
  }

  private constructor(
    private readonly stack: TerraformStack,
    private readonly inner: IStackSynthesizer,
    private readonly options: PolicyOptions,
  ) {}

  synthesize(session: ISynthesisSession): void {
    this.inner.synthesize(session);
    const manifest = session.manifest.forStack(this.stack);
    const file = join(session.outdir, manifest.synthesizedStackPath);
    // HCL output (SYNTH_HCL_OUTPUT) cannot be read back as JSON: resolve again.
    const terraform = file.endsWith(".json") ? JSON.parse(readFileSync(file, "utf8")) : this.stack.toTerraform();
    const report = evaluateTerraform(this.stack, terraform, this.options);
    this.options.onReport?.(report);
    this.options.onTerraform?.(this.stack.node.id, terraform);
    if ((this.options.failOnError ?? true) && report.findings.some((f) => f.severity === "error")) {
      rmSync(file, { force: true });
      throw new Error(formatReport(report));
    }
    for (const warning of report.findings.filter((f) => f.severity === "warning")) {
      manifest.annotations.push({
        constructPath: warning.path,
        level: AnnotationMetadataEntryType.WARN,
        message: `${warning.rule} ${warning.address}: ${warning.found} Fix: ${warning.fix}`,
      });
    }
  }
}
