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

/** The single resource of a type, as [logical id, config]; fails the test when there is not exactly one. */
export function only(stack: SynthesizedStack, type: string): [string, any] {
  const all = resourcesOf(stack, type);
  expect(all).toHaveLength(1);
  return all[0];
}

/** The logical id of the bucket with that name. */
export function bucketId(stack: SynthesizedStack, name: string): string {
  const found = resourcesOf(stack, "aws_s3_bucket").filter(([, b]) => b.bucket === name);
  expect(found).toHaveLength(1);
  return found[0][0];
}

/** The one resource of a type that configures the bucket with that logical id. */
export function ofBucket(stack: SynthesizedStack, type: string, id: string): [string, any] {
  const found = resourcesOf(stack, type).filter(([, r]) => r.bucket === `\${aws_s3_bucket.${id}.id}`);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The statements of the policy document a `${data.aws_iam_policy_document.x.json}` reference names. */
export function statementsOf(stack: SynthesizedStack, reference: string): any[] {
  const document = stack.data!.aws_iam_policy_document[referencedId(reference)];
  expect(document).toBeDefined();
  return document.statement;
}

/** The message of the error `fn` throws; fails the test when it throws none. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected an error, none was thrown");
}
