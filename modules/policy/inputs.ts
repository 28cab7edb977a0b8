import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { objectOf, StackModel } from "./model";
import { isPlan, PlanShapeError, planElements } from "./plan";
import type { Json } from "../common/json";

/** One thing the pack checks: a Terraform JSON configuration or a plan, read from files. */
export interface PolicyInput {
  /** What the report calls it: the stack (cdktf.out/stacks/<stack>) or the path. */
  readonly name: string;
  /** The file findings point to (for a configuration of several files, the one declaring the resource). */
  readonly fileOf: (address: string) => string;
  /** The 1-based line of the file where the resource is declared (1 when unknown). */
  readonly lineOf: (address: string) => number;
  readonly model: StackModel;
}

/** A path that is neither a Terraform JSON configuration nor a plan, or cannot be read. */
export class PolicyInputError extends Error {}

/** Configuration keys of Terraform JSON (any one of them makes a file a configuration). */
const CONFIGURATION_KEYS = ["resource", "data", "ephemeral", "provider", "terraform", "module", "variable", "output", "locals"];

const isConfiguration = (json: unknown): json is Json =>
  typeof json === "object" && json !== null && !Array.isArray(json) && CONFIGURATION_KEYS.some((k) => k in json);

/** Folders never holding what a user asks to check. */
const SKIPPED_FOLDERS = new Set(["node_modules", ".terraform", ".git"]);

/**
 * The inputs at `path`: a `*.tf.json` (or any JSON configuration), a plan JSON, or a
 * folder. In a folder, every directory's `*.tf.json` files are one configuration, as
 * Terraform reads them, and every other `.json` that is a plan is one input; other JSON
 * (a manifest, a lock file) is passed over. Throws PolicyInputError naming the file.
 */
export function loadInputs(path: string, production: boolean): PolicyInput[] {
  const stat = statOf(path);
  if (stat.isFile()) return [fileInput(path, production, true)].filter((i): i is PolicyInput => i !== undefined);
  const inputs = folderInputs(path, production);
  if (inputs.length === 0) throw new PolicyInputError(`${path}: no Terraform JSON configuration (*.tf.json) or plan JSON in this folder`);
  return inputs;
}

function statOf(path: string) {
  try {
    return statSync(path);
  } catch {
    throw new PolicyInputError(`${path}: no such file or folder`);
  }
}

function folderInputs(folder: string, production: boolean): PolicyInput[] {
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  const configurationFiles = entries.filter((e) => e.isFile() && e.name.endsWith(".tf.json")).map((e) => join(folder, e.name));
  const own = configurationFiles.length ? [configurationInput(configurationFiles, production)] : [];
  const plans = entries
    .filter((e) => e.isFile() && e.name.endsWith(".json") && !e.name.endsWith(".tf.json"))
    .flatMap((e) => [fileInput(join(folder, e.name), production, false)].filter((i): i is PolicyInput => i !== undefined));
  const below = entries
    .filter((e) => e.isDirectory() && !SKIPPED_FOLDERS.has(e.name))
    .flatMap((e) => folderInputs(join(folder, e.name), production));
  return [...own, ...plans, ...below];
}

function parse(file: string): { text: string; json: unknown } {
  const text = readFileSync(file, "utf8");
  try {
    return { text, json: JSON.parse(text) };
  } catch (error) {
    throw new PolicyInputError(`${file}: not JSON (${error instanceof Error ? error.message : error})`);
  }
}

/** One file: a plan, a configuration, or (when `strict`) an error naming it. */
function fileInput(file: string, production: boolean, strict: boolean): PolicyInput | undefined {
  const { text, json } = parse(file);
  if (isConfiguration(json) && !isPlan(json)) return configurationInput([file], production);
  if (typeof json === "object" && json !== null && isPlan(json as Json)) {
    const name = displayName(file);
    const find = lineFinder(text);
    let elements: ReturnType<typeof planElements>;
    try {
      elements = planElements(json as Json, name);
    } catch (error) {
      if (error instanceof PlanShapeError) throw new PolicyInputError(`${file}: a plan the pack cannot read (${error.message})`);
      throw error;
    }
    return {
      name,
      fileOf: () => file,
      lineOf: (address) => Math.max(1, find(address)),
      model: new StackModel(name, {}, production, elements),
    };
  }
  if (!strict) return undefined;
  throw new PolicyInputError(
    `${file}: neither a Terraform JSON configuration (*.tf.json, cdk.tf.json) nor a plan (terraform show -json plan.tfplan)`,
  );
}

/** Several *.tf.json files of one folder, merged as Terraform merges them. */
function configurationInput(files: readonly string[], production: boolean): PolicyInput {
  const parsed = files.map((file) => ({ file, ...parse(file) }));
  const merged: Json = {};
  for (const { file, json } of parsed) {
    if (!isConfiguration(json))
      throw new PolicyInputError(`${file}: not a Terraform JSON configuration (no resource, data, provider or terraform block)`);
    for (const kind of ["resource", "data", "ephemeral"]) {
      for (const [type, byName] of Object.entries(objectOf(json[kind]))) {
        merged[kind] ??= {};
        merged[kind][type] = { ...merged[kind][type], ...objectOf(byName) };
      }
    }
  }
  const name = displayName(files[0]);
  const finders = parsed.map(({ file, text }) => ({ file, find: lineFinder(text) }));
  const declaring = (address: string) => finders.find((f) => f.find(address) > 0) ?? finders[0];
  return {
    name,
    fileOf: (address) => declaring(address).file,
    lineOf: (address) => Math.max(1, declaring(address).find(address)),
    model: new StackModel(name, merged, production),
  };
}

/** `cdktf.out/stacks/ecg-dev/cdk.tf.json` is the stack `ecg-dev`; anything else is its path. */
function displayName(file: string): string {
  return basename(file) === "cdk.tf.json" ? basename(dirname(file)) : relative(process.cwd(), file) || file;
}

/**
 * Where a resource is declared in a file's text: the line of its plan address, or of its
 * name as a JSON key after its type's key. 0 when not found.
 */
export function lineFinder(text: string): (address: string) => number {
  const lineOfIndex = (index: number) => (index < 0 ? 0 : text.slice(0, index).split("\n").length);
  return (address) => {
    // JSON escapes the quotes of a for_each key: `aws_x.y["a"]` is written `aws_x.y[\"a\"]`.
    const quoted = JSON.stringify(address);
    const planned = text.indexOf(`"address":${quoted}`);
    if (planned >= 0) return lineOfIndex(planned);
    const spaced = text.indexOf(`"address": ${quoted}`);
    if (spaced >= 0) return lineOfIndex(spaced);
    const parts = address.replace(/^data\.|^ephemeral\./, "").split(".");
    const typeAt = text.indexOf(`"${parts[0]}"`);
    if (typeAt < 0) return 0;
    return lineOfIndex(text.indexOf(`"${parts.slice(1).join(".")}"`, typeAt));
  };
}
