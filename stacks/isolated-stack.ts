import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { guardCrossStackReferences, prepareWithoutCrossStackWiring, shareVersionChecks } from "./support/cdktf-internals";

/**
 * A stack that holds no token of another stack: the program's stacks share
 * names derived from the configuration (stacks/support/contracts.ts) or look
 * each other up by name, never references. So it skips cdktf's cross-stack
 * wiring pass (time spent finding nothing), and another stack's token used
 * here fails at synth instead of resolving to a wrong address. cdktf's
 * checks of the Terraform CLI's version run it once, not once per stack.
 */
export class IsolatedStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    guardCrossStackReferences((stack) => stack instanceof IsolatedStack);
    shareVersionChecks();
  }

  prepareStack(): void {
    prepareWithoutCrossStackWiring(this);
  }
}
