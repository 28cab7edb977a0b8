import { type TerraformResource, TerraformStack } from "cdktf";

interface RemovedBlock {
  readonly from: string;
  readonly lifecycle: { readonly destroy: boolean };
}

/** The `removed` blocks written per stack so far (addOverride replaces the list whole). */
const forgotten = new WeakMap<TerraformStack, RemovedBlock[]>();

/**
 * Takes `resource` out of the configuration and tells Terraform to drop it
 * from the state without destroying it: a `removed` block at its address
 * (Terraform >= 1.7). For a resource whose delete cannot work at that moment,
 * e.g. one that calls a region that is down.
 */
export function forgetResource(resource: TerraformResource): void {
  const address = `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
  const stack = TerraformStack.of(resource);
  const parent = resource.node.scope;
  if (!parent) throw new Error(`forgetResource: ${address} has no parent construct to remove it from`);
  parent.node.tryRemoveChild(resource.node.id);
  const removed = [...(forgotten.get(stack) ?? []), { from: address, lifecycle: { destroy: false } }];
  forgotten.set(stack, removed);
  stack.addOverride("removed", removed);
}
