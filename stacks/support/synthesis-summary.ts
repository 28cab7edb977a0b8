import { relative } from "node:path";
import type { Json } from "../../modules/common/json";

/** What one synthesis wrote. */
export interface SynthesisSummary {
  readonly outdir: string;
  readonly stacks: readonly { readonly name: string; readonly resources: number }[];
}

/** Resources (not data sources) of a synthesized stack's Terraform JSON. */
export const resourceCount = (terraform: Json): number =>
  Object.values((terraform.resource ?? {}) as Record<string, object>).reduce((n, byName) => n + Object.keys(byName).length, 0);

/** The one summary `npm run synth` prints: stacks written, resources per stack, where, how long. */
export function formatSynthesisSummary(summary: SynthesisSummary, elapsedMs: number, cwd: string = process.cwd()): string {
  const total = summary.stacks.reduce((n, s) => n + s.resources, 0);
  const where = relative(cwd, summary.outdir) || ".";
  const width = Math.max(0, ...summary.stacks.map((s) => s.name.length));
  return [
    `Synthesized ${summary.stacks.length} stacks (${total} resources) into ${where}/stacks in ${(elapsedMs / 1000).toFixed(2)} s:`,
    ...summary.stacks.map((s) => `  ${s.name.padEnd(width)}  ${String(s.resources).padStart(4)} resources`),
  ].join("\n");
}
