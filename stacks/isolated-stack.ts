import { type IResolveContext, ref, TerraformStack } from "cdktf";

/**
 * A stack that holds no token of another stack: the program's stacks share
 * names derived from the configuration (stacks/names.ts, stacks/release.ts)
 * or look each other up by name, never references (ARCHITECTURE.md).
 *
 * cdktf's `prepareStack` resolves every element of every stack a second time
 * only to find cross-stack references and wire them through remote state;
 * for this program that is about 0.15 s of the 1 s synth budget, spent
 * finding nothing. This stack keeps the rest of the preparation (a backend
 * exists) and skips that pass. Without the pass, another stack's token would
 * resolve to that stack's address, which may well exist here too (prod and
 * its standby build the same construct paths, so the same addresses): the
 * guard below refuses such a token at synth instead.
 */
export class IsolatedStack extends TerraformStack {
  prepareStack(): void {
    this.ensureBackendExists();
  }
}

interface ReferenceLike {
  readonly identifier: string;
  readonly originStack?: TerraformStack;
  resolve(context: IResolveContext): unknown;
}

// cdktf's Reference class (tfExpression.js) is not exported; an instance gives
// its prototype. Every resource attribute token resolves through it.
const referencePrototype = Object.getPrototypeOf(ref("isolated-stack-guard")) as ReferenceLike;
const resolveReference = referencePrototype.resolve;
referencePrototype.resolve = function (this: ReferenceLike, context: IResolveContext) {
  const origin = this.originStack;
  // Stacks resolve their elements with themselves as the scope: the common case costs one comparison.
  if (origin && context.scope !== origin) {
    const into = TerraformStack.of(context.scope);
    if (into !== origin && into instanceof IsolatedStack) {
      throw new Error(
        `${into.node.id}: a value of stack ${origin.node.id} (${this.identifier}) is used here; stacks share names, never tokens (stacks/isolated-stack.ts): derive the name from the configuration or look it up with a data source`,
      );
    }
  }
  return resolveReference.call(this, context);
};
