import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { AwsAccount } from "../modules/common/aws-account";

/** Synthesized Terraform JSON of one stack. */
export interface SynthesizedStack {
  readonly terraform?: Record<string, any>;
  readonly provider?: Record<string, any[]>;
  readonly resource: Record<string, Record<string, any>>;
  readonly data?: Record<string, Record<string, any>>;
  readonly output?: Record<string, any>;
  readonly variable?: Record<string, any>;
}

/** A fixed account for module tests (modules take literal or token strings alike). */
export const TEST_ACCOUNT: AwsAccount = { accountId: "123456789012", region: "ap-northeast-2", partition: "aws" };

export function synthJson(json: string): SynthesizedStack {
  const parsed = JSON.parse(json) as SynthesizedStack;
  return { ...parsed, resource: parsed.resource ?? {} };
}

/** Every resource of a type, as [logical id, config] pairs. */
export function resourcesOf(stack: SynthesizedStack, type: string): [string, any][] {
  return Object.entries(stack.resource[type] ?? {});
}

/** `${aws_x.id.attr}` or `${data.aws_x.id.attr}` → the logical id `id`. */
export function referencedId(expression: string): string {
  const match = /^\$\{(?:data\.)?[a-z0-9_]+\.([^.}]+)\.[a-z_]+\}$/.exec(expression);
  if (!match) throw new Error(`not a plain reference: ${expression}`);
  return match[1];
}

const NOT_SOURCE = new Set(["node_modules", "dist", "cdktf.out", ".git", "coverage"]);

/** Every .ts/.js file below `dir`, outside dependencies and build output. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (NOT_SOURCE.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}
