import { ref, TerraformStack, Token } from "cdktf";
import type { Construct } from "constructs";

/** Names taken per stack and type: addOverride would merge two blocks of one name silently. */
const taken = new WeakMap<TerraformStack, Set<string>>();

/**
 * An ephemeral resource (Terraform >= 1.10): opened during each plan and apply,
 * never written to the plan or the state. cdktf 0.21 has no construct for
 * them, so it is written as a top-level `ephemeral` block of the stack, named
 * after `scope`'s construct path. Returns the expression of `attribute`,
 * usable only in write-only arguments (`*_wo`) and other ephemeral contexts:
 * Terraform refuses it anywhere it would be stored.
 */
export function ephemeralResource(scope: Construct, type: string, config: Readonly<Record<string, unknown>>, attribute: string): string {
  const stack = TerraformStack.of(scope);
  const name = scope.node.scopes
    .slice(2)
    .map((s) => s.node.id)
    .join("_")
    .replace(/[^A-Za-z0-9_]/g, "_");
  const names = taken.get(stack) ?? new Set<string>();
  const address = `${type}.${name}`;
  if (!/^[A-Za-z_]/.test(name) || names.has(address)) {
    throw new Error(
      `ephemeralResource(${scope.node.path}): ephemeral.${address} is not a free Terraform address in stack ${stack.node.id}`,
    );
  }
  names.add(address);
  taken.set(stack, names);
  stack.addOverride(`ephemeral.${address}`, config);
  // A reference token, not a "${...}" string: inside functions (jsonencode) cdktf escapes literal strings.
  return Token.asString(ref(`ephemeral.${address}.${attribute}`, stack));
}
