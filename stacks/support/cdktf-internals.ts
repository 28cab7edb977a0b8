import { type IResolveContext, ref, TerraformStack } from "cdktf";

// The only code of the program that relies on how cdktf works inside, not on its
// documented API. Each piece says what it relies on; the version check below makes
// an upgrade stop here until someone has re-read them against the new release.

/** The cdktf release this file was written for and checked against. */
export const CDKTF_VERSION_WRITTEN_FOR = "0.21.0";
const INSTALLED_CDKTF: string = (require("cdktf/package.json") as { version: string }).version;

/** Fails, naming this file, unless the installed cdktf is the release this file was written for. */
export function checkCdktfVersion(installed: string = INSTALLED_CDKTF): void {
  if (installed === CDKTF_VERSION_WRITTEN_FOR) return;
  throw new Error(
    `stacks/support/cdktf-internals.ts relies on internals of cdktf ${CDKTF_VERSION_WRITTEN_FOR} (its token stack traces, its unexported Reference class, TerraformStack.prepareStack, its binary version checks), but cdktf ${installed} is installed: re-check each against the new release, then set CDKTF_VERSION_WRITTEN_FOR`,
  );
}

/**
 * cdktf's recorder of a complete, formatted stack trace for every token it
 * creates (`cdktf/lib/tokens/private/stack-trace.js`, no switch to turn it
 * off): a large share of this program's synth, only to decorate the message
 * of a token that fails to resolve. Its callers read the export at each call.
 */
const tokenTraces = require("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace: (below?: unknown) => string[] };
const recordTokenTrace = tokenTraces.captureStackTrace;
const noTokenTrace = (): string[] => [];

/**
 * Turns cdktf's per-token traces on or off for the rest of the process (a
 * test run turns them off once, tests/setup.ts) and says whether they were on.
 */
export function recordTokenTraces(on: boolean): boolean {
  checkCdktfVersion();
  const was = tokenTraces.captureStackTrace === recordTokenTrace;
  tokenTraces.captureStackTrace = on ? recordTokenTrace : noTokenTrace;
  return was;
}

/**
 * Runs `fn` (building and synthesizing the app) without cdktf's per-token
 * traces, then puts them back as they were. Errors, and any other trace,
 * keep their stacks. `ECG_TOKEN_TRACES=1` keeps cdktf's traces.
 */
export function withoutTokenTraces<T>(fn: () => T, env: NodeJS.ProcessEnv = process.env): T {
  if (env.ECG_TOKEN_TRACES) return fn();
  const were = recordTokenTraces(false);
  try {
    return fn();
  } finally {
    recordTokenTraces(were);
  }
}

/**
 * What `TerraformStack.prepareStack` does, less its pass that resolves every
 * element a second time only to find cross-stack references and wire them
 * through remote state: the stack still gets a backend. (Its constructor
 * installed the guard below, which checked the cdktf version.)
 */
export function prepareWithoutCrossStackWiring(stack: TerraformStack): void {
  stack.ensureBackendExists();
}

interface ReferenceLike {
  readonly identifier: string;
  readonly originStack?: TerraformStack;
  resolve(context: IResolveContext): unknown;
}

let guarded: ((stack: TerraformStack) => boolean) | undefined;

/**
 * Refuses, at synth, a token of one stack resolved inside a stack for which
 * `isGuarded` holds. Without cdktf's cross-stack pass such a token would
 * resolve to the other stack's address, which may well exist here too (prod
 * and its standby build the same construct paths). cdktf's Reference class
 * (`tfExpression.js`) is not exported; an instance gives its prototype, and
 * every resource attribute token resolves through it. Installed once.
 */
export function guardCrossStackReferences(isGuarded: (stack: TerraformStack) => boolean): void {
  if (guarded) return;
  checkCdktfVersion();
  guarded = isGuarded;
  const prototype = Object.getPrototypeOf(ref("cross-stack-guard")) as ReferenceLike;
  const resolveReference = prototype.resolve;
  prototype.resolve = function (this: ReferenceLike, context: IResolveContext) {
    const origin = this.originStack;
    // Stacks resolve their elements with themselves as the scope: the common case costs one comparison.
    if (origin && context.scope !== origin) {
      const into = TerraformStack.of(context.scope);
      if (into !== origin && guarded?.(into)) {
        throw new Error(
          `${into.node.id}: a value of stack ${origin.node.id} (${this.identifier}) is used here; stacks share names, never tokens (stacks/isolated-stack.ts): derive the name from the configuration (stacks/support/contracts.ts) or look it up with a data source`,
        );
      }
    }
    return resolveReference.call(this, context);
  };
}

interface BinaryVersionCheck {
  readonly versionCommand: string;
  readonly versionConstraint: string;
  readonly hint?: string;
  validate(): string[];
}

let versionChecksShared = false;

/**
 * cdktf checks the Terraform CLI's version for every construct that needs a
 * recent one, the cloud backend of each stack among them, each time by running
 * `terraform version` in a shell (`validations/validate-binary-version.js`):
 * a process per stack, most of a cloud-backed synth's time. Its validations
 * share one answer per command and constraint from then on. Installed once.
 */
export function shareVersionChecks(): void {
  if (versionChecksShared) return;
  checkCdktfVersion();
  versionChecksShared = true;
  const { prototype } = require("cdktf/lib/validations/validate-binary-version").ValidateBinaryVersion as {
    prototype: BinaryVersionCheck;
  };
  const validate = prototype.validate;
  const answers = new Map<string, string[]>();
  prototype.validate = function (this: BinaryVersionCheck) {
    const key = JSON.stringify([this.versionCommand, this.versionConstraint, this.hint]);
    if (!answers.has(key)) answers.set(key, validate.call(this));
    return [...(answers.get(key) as string[])];
  };
}
