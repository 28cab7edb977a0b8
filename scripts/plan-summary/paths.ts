/** Readable names for a plan's addresses: the construct paths of the synthesized program. */
import { constructPaths } from "../../modules/cost/inputs";
import { readSynthesizedStacks } from "../../modules/policy/program-checks";
import { withoutKeys } from "../../modules/policy/model";

/** The construct path of a stack's resource address, or undefined for one the synthesized stack does not hold. */
export type PathOf = (stack: string, address: string) => string | undefined;

/** Construct paths by stack and address, from a synthesized program's `stacks/<stack>/cdk.tf.json` (read once per stack). */
export function synthesizedPaths(outdir: string): PathOf {
  const stacks = new Map<string, Map<string, string>>();
  return (stack, address) => {
    if (!stacks.has(stack)) {
      const synthesized = readSynthesizedStacks(outdir, [stack])[stack];
      stacks.set(stack, synthesized ? constructPaths(synthesized) : new Map());
    }
    return stacks.get(stack)?.get(address);
  };
}

/** What a resource is called where it is not in the synthesized stack (an address of another program version). */
export const OUTSIDE = "(not in the synthesized stack)";

/**
 * A resource's readable name (its construct path below the stack, with the
 * address's instance key) and its component (the path's first two levels:
 * `foundation/network`, `data/postgres`); the address itself without paths.
 */
export function constructName(stack: string, address: string, pathOf?: PathOf): { readonly name: string; readonly component: string } {
  const path = pathOf?.(stack, withoutKeys(address));
  if (!path) return { name: address, component: OUTSIDE };
  const parts = path.split("/").slice(1);
  const key = /\[[^\]]*\]$/.exec(address)?.[0] ?? "";
  return { name: `${parts.join("/")}${key}`, component: parts.slice(0, 2).join("/") || parts[0] || OUTSIDE };
}
