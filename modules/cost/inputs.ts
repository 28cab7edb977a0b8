import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Json } from "../common/json";
import { type ModelElements, type ResourceView, StackModel, withoutKeys } from "../policy/model";
import { isPlan, planElements, plannedResources } from "../policy/plan";
import { providerPlacements, readSynthesizedStacks } from "../policy/program-checks";

/** One stack (or one side of a plan) the model prices. */
export interface CostInput {
  readonly stack: string;
  readonly model: StackModel;
  readonly regionOf: (view: ResourceView) => string;
  /** Its default provider's region. */
  readonly homeRegion: string;
  /** The `Environment` tag of its default provider: an environment's name, or `shared`. */
  readonly environmentTag: string;
  /** The accounts its default provider may act in (pinned ids, or the assumed role's). */
  readonly accounts: readonly string[];
}

/** Input the cost command cannot use: names the file and why. */
export class CostInputError extends Error {}

function readJson(file: string): Json {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CostInputError(`${file}: ${error instanceof Error ? error.message : error}`);
  }
}

/** A synthesized stack (`cdktf.out/stacks/<stack>/cdk.tf.json`). */
export function configurationInput(stack: string, terraform: Json): CostInput {
  const placements = providerPlacements(terraform);
  const home = placements.get("aws");
  const defaults = [terraform.provider?.aws].flat().find((p: Json | undefined) => p && p.alias === undefined);
  return {
    stack,
    model: new StackModel(stack, terraform, false),
    regionOf: (view) =>
      placements.get(typeof view.config.provider === "string" ? view.config.provider : "aws")?.region ?? home?.region ?? "unknown",
    homeRegion: home?.region ?? "unknown",
    environmentTag: String([defaults?.default_tags].flat()[0]?.tags?.Environment ?? "unknown"),
    accounts: home?.accounts ?? [],
  };
}

/** Every stack of a synthesized program, by name. */
export function synthesizedInputs(outdir: string): CostInput[] {
  const stacks = join(outdir, "stacks");
  if (!existsSync(stacks)) throw new CostInputError(`${stacks}: no synthesized stacks here: run \`npm run synth\` first`);
  return Object.entries(readSynthesizedStacks(outdir, readdirSync(stacks).sort())).map(([name, terraform]) =>
    configurationInput(name, terraform),
  );
}

/** Construct paths by address, from a synthesized stack's metadata (a plan has none). */
export function constructPaths(terraform: Json): Map<string, string> {
  return new Map(new StackModel("", terraform, false).resources.map((r) => [r.address, r.path]));
}

/**
 * The two sides of a plan (`terraform show -json`): what the state holds
 * before, what it will hold after. `paths` names resources by construct path
 * (a plan knows addresses only).
 */
export function planSides(
  file: string,
  name: string,
  paths: ReadonlyMap<string, string> = new Map(),
): { before: CostInput; after: CostInput } {
  const plan = readJson(file);
  if (!isPlan(plan)) throw new CostInputError(`${file}: not a plan (terraform show -json plan.tfplan)`);
  const keys = new Map<string, string>();
  for (const r of plan.configuration?.root_module?.resources ?? []) keys.set(r.address, r.provider_config_key ?? "aws");
  const providers: Json = plan.configuration?.provider_config ?? {};
  const constant = (key: string, attribute: string) => providers[key]?.expressions?.[attribute]?.constant_value;
  const regionOf = (view: ResourceView) =>
    String(constant(keys.get(withoutKeys(view.address)) ?? "aws", "region") ?? constant("aws", "region") ?? "unknown");
  const environmentTag = String([providers.aws?.expressions?.default_tags].flat()[0]?.tags?.constant_value?.Environment ?? "unknown");
  const accounts: string[] = constant("aws", "allowed_account_ids") ?? [];
  // The prior state is read as it is: the plan's configuration is the new one, and would rewrite its blocks.
  const side = (values: Json | undefined, configuration: Json | undefined): CostInput => {
    const addresses = new Set([...plannedResources(values?.root_module)].filter((r) => r.mode === "managed").map((r) => r.address));
    const all = planElements({ ...plan, planned_values: values ?? { root_module: {} }, configuration, complete: true }, name);
    const resources = all.resources
      .filter((r) => addresses.has(r.address))
      .map((r) => ({ ...r, path: paths.get(withoutKeys(r.address)) ?? r.address }));
    const elements: ModelElements = { ...all, resources };
    return {
      stack: name,
      model: new StackModel(name, {}, false, elements),
      regionOf,
      homeRegion: String(constant("aws", "region") ?? "unknown"),
      environmentTag,
      accounts,
    };
  };
  return { before: side(plan.prior_state?.values, undefined), after: side(plan.planned_values, plan.configuration) };
}
