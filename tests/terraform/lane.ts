import { execFile } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { providerPlacements } from "../../modules/policy/program-checks";
import { APPLY_GAPS, DESTROY_GAPS, DRIFT_GAPS, FLAKES, MEASURED_WITH, WORKAROUNDS } from "./emulator-gaps";
import { hostedZonePrerequisites, kmsAliasPrerequisites, laneInputs } from "./harness/inputs";
import { type MotoServer, emulatorEnv } from "./harness/moto";
import { applyTargets, type PlanReview, reviewReplan } from "./harness/plan-review";
import { type DriftReview, outOfBandChanges, reviewDrift } from "./harness/drift";
import { phase } from "./harness/progress";
import { secretsInState } from "./harness/secret-scan";
import { type RunResult, runTerraform, startTerraform } from "./harness/terraform";
import { emulatorOverride, type LaneBackend, OVERRIDE_FILE, prepareWorkingCopy } from "./harness/workdir";

type Json = Record<string, any>;

/** Per-step time limits, seconds: generous, but every step is bounded. */
const TIMEOUTS = { init: 180, validate: 180, plan: 600, apply: 900, destroy: 900, show: 120 } as const;
// Not higher: under more concurrent calls moto_server answers some requests it
// has carried out with retryable errors, and the SDK's retry then creates
// duplicates ("InvalidPermission.Duplicate", orphaned endpoints).
const PARALLELISM = "-parallelism=10";

/** What one stack's emulator run did, for the lane report. */
export interface StackReport {
  stack: string;
  planned: number;
  applied: number;
  /** Addresses targeted out because of APPLY_GAPS. */
  skipped: string[];
  /** Re-plan changes explained by DRIFT_GAPS. */
  acceptedDrift: string[];
  usedDrift: string[];
  destroyed: number;
  /** Applied resources taken out of the state before destroy (DESTROY_GAPS). */
  removedBeforeDestroy: number;
  seconds: number;
  notes: string[];
  /** The drift check (CycleOptions.driftCheck): the refresh-only plan's review. */
  drift?: DriftReview;
}

/** Environment for every Terraform run of the lane: no real AWS credentials or profiles leak in. */
export function laneEnv(base: NodeJS.ProcessEnv, extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(base)) {
    if (key.startsWith("AWS_") && key !== "AWS_CA_BUNDLE") continue;
    env[key] = value;
  }
  return { ...env, TF_INPUT: "0", ...extra };
}

/** Runs a Terraform command; a failure throws with Terraform's own message. */
async function terraform(dir: string, args: string[], env: Record<string, string | undefined>, timeout: number): Promise<RunResult> {
  const result = await runTerraform([...args, "-no-color"], { cwd: dir, env, timeoutSeconds: timeout });
  if (result.code !== 0) throw new TerraformError(dir, args, result);
  return result;
}

class TerraformError extends Error {
  constructor(
    readonly dir: string,
    readonly args: string[],
    readonly result: RunResult,
  ) {
    // Terraform's diagnostics ("Error: ...") first: the plan printed before them is noise here.
    const start = result.output.search(/^.*Error: /m);
    const diagnostics = start >= 0 ? result.output.slice(start) : result.output.slice(-6000);
    super(`terraform ${args.join(" ")} failed (exit ${result.code}) in ${dir}:\n${diagnostics.slice(0, 6000)}`);
    this.name = "TerraformError";
  }
}

/**
 * Runs a step; if it fails with a known emulator race (FLAKES), runs it once
 * more and notes it. Any other failure, or a second one, is the step's error.
 */
export async function withFlakeRetry<T>(
  step: string,
  notes: string[],
  run: (retry: boolean) => Promise<T>,
  beforeRetry?: () => Promise<unknown>,
): Promise<T> {
  const started = Date.now();
  try {
    return await run(false);
  } catch (error) {
    const flake = FLAKES.find((f) => f.step === step && f.pattern.test(String((error as Error).message)));
    if (!flake) throw error;
    const failed = Date.now();
    const seconds = (from: number) => Math.round((Date.now() - from) / 1000);
    const took = seconds(started);
    try {
      await beforeRetry?.();
      return await run(true);
    } finally {
      // What the race cost: the run that met it, then the clean-up and the retry.
      notes.push(
        `${step} retried once after a known emulator race (the run that met it took ${took} s, the clean-up and retry ${seconds(failed)} s): ${flake.error.slice(0, 80)}...`,
      );
    }
  }
}

/** `terraform init -backend=false` + `terraform validate` on a working copy of the stack. */
export async function validateStack(
  stack: Json,
  dir: string,
  env: Record<string, string | undefined>,
  sourceDir: string,
): Promise<RunResult> {
  prepareWorkingCopy(stack, dir, undefined, sourceDir);
  return phase(basename(dir), "validate", async () => {
    await terraform(dir, ["init", "-backend=false", "-input=false", "-lockfile=readonly"], env, TIMEOUTS.init);
    return terraform(dir, ["validate"], env, TIMEOUTS.validate);
  });
}

async function showJson(dir: string, planFile: string, env: Record<string, string | undefined>): Promise<Json> {
  const shown = await runTerraform(["show", "-json", planFile], { cwd: dir, env, timeoutSeconds: TIMEOUTS.show });
  if (shown.code !== 0) throw new TerraformError(dir, ["show", "-json", planFile], shown);
  return JSON.parse(shown.output);
}

const countChanges = (plan: Json, action: string) =>
  (plan.resource_changes ?? []).filter((c: Json) => c.change.actions.includes(action)).length;

export interface CycleOptions {
  readonly name: string;
  readonly stack: Json;
  /** The synthesized stack's folder (its assets are copied along). */
  readonly sourceDir: string;
  readonly dir: string;
  readonly moto: MotoServer;
  readonly env: Record<string, string | undefined>;
  readonly backend: LaneBackend;
  /** Regions whose leftovers are checked after destroy. */
  readonly regions: string[];
  /** Tags that mark the stack's resources (leftover search). */
  readonly tags: Record<string, string>;
  /** Runs between apply and re-plan (the state-lock proof). */
  readonly afterApply?: (dir: string, targets: string[], env: Record<string, string | undefined>) => Promise<void>;
  /** Runs after the re-plan, before destroy (work that needs the stack alive). */
  readonly beforeDestroy?: () => Promise<void>;
  /**
   * Where the plans' `terraform show -json` go (`<name>.create.json`,
   * `<name>.replan.json`, `<name>.destroy.json`): real plan JSON for the PR
   * comment renderer (PLT-6). @default - not kept
   */
  readonly plansDir?: string;
  /** Also plan the destroy (`plan -destroy`) before destroying, for plansDir. @default false */
  readonly planDestroy?: boolean;
  /**
   * After the re-plan, change a tag, a security-group rule and an alarm
   * threshold out of band (harness/drift.ts), then run drift.yml's
   * refresh-only plan, kept as `<name>.drift.json` in plansDir. @default false
   */
  readonly driftCheck?: boolean;
  /**
   * The session every call of the cycle is signed with (Terraform's and the
   * lane's own): an assumed role's, so the stack runs in that role's account.
   * @default - moto's default account
   */
  readonly credentials?: AwsCredentials;
  /**
   * The session Terraform itself runs with when it is not `credentials`'s:
   * `"caller"` is moto's default account, from which the stack's providers
   * must assume their role to act in `credentials`'s account.
   * @default - credentials
   */
  readonly terraformCredentials?: AwsCredentials | "caller";
  /** Tags of a stack that is still up around this one: its resources are not this one's leftovers. @default - none */
  readonly spareTags?: Record<string, string>;
}

/** An assumed role's session keys, as STS returns them (aws_facts.py `credentials`). */
export interface AwsCredentials {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
}

/** The AWS SDK's environment for a session. */
export const credentialsEnv = (credentials?: AwsCredentials): Record<string, string> =>
  credentials
    ? {
        AWS_ACCESS_KEY_ID: credentials.AccessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.SecretAccessKey,
        AWS_SESSION_TOKEN: credentials.SessionToken,
      }
    : {};

const TEARDOWN_OVERRIDE_FILE = "lane_teardown_override.tf.json";

/** Addresses the emulator cannot delete (DESTROY_GAPS). */
export const destroyGapAddresses = (stack: Json): string[] =>
  DESTROY_GAPS.flatMap((gap) =>
    Object.entries<Json>(stack.resource?.[gap.type] ?? {})
      .filter(([, config]) => gap.when.test(config))
      .map(([name]) => `${gap.type}.${name}`),
  );

/** The addresses in a working copy's state. */
async function stateAddresses(dir: string, env: Record<string, string | undefined>): Promise<string[]> {
  const listed = await terraform(dir, ["state", "list"], env, TIMEOUTS.show);
  return listed.output
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * The managed resources (no data sources) in a working copy's state. Counts
 * come from here, not from Terraform's summary: a step retried after a known
 * race (FLAKES) reports only its second run.
 */
async function managedAddresses(dir: string, env: Record<string, string | undefined>): Promise<string[]> {
  return (await stateAddresses(dir, env)).filter((address) => !address.startsWith("data."));
}

/**
 * SEC-2: the state holds no value of the account's secrets. Terraform's state
 * (pulled from whichever backend) is scanned for every version of every secret
 * the emulator holds in the stack's regions, as the emulator returns them: a
 * generated value passed through a stored argument would be found. The error
 * names the secrets, never a value.
 */
async function scanStateForSecrets(
  name: string,
  facts: (args: string[]) => Promise<any>,
  dir: string,
  env: Record<string, string | undefined>,
  regions: readonly string[],
): Promise<string> {
  const state = (await terraform(dir, ["state", "pull"], env, TIMEOUTS.show)).output;
  const { secrets } = await facts(["secret-values", "--regions", regions.join(",")]);
  const { found, values, unreadable } = secretsInState(state, secrets);
  if (found.length) throw new Error(`${name}: the state holds the value of ${found.join(", ")} (SEC-2: no secret in the state)`);
  const skipped = unreadable.length ? ` (versions the emulator could not return: ${unreadable.join(", ")})` : "";
  return `state scanned for ${values} value(s) of ${secrets.length} secret(s): none found${skipped}`;
}

/** Takes what the emulator cannot delete (DESTROY_GAPS) out of the state before destroy; returns those addresses. */
async function removeDestroyGaps(dir: string, stack: Json, env: Record<string, string | undefined>): Promise<string[]> {
  const undeletable = destroyGapAddresses(stack);
  if (undeletable.length === 0) return [];
  const inState = await stateAddresses(dir, env);
  const present = undeletable.filter((address) => inState.includes(address));
  if (present.length) await terraform(dir, ["state", "rm", ...present], env, TIMEOUTS.show);
  return present;
}

/** Addresses of the resources that carry lifecycle.prevent_destroy. */
export const protectedAddresses = (stack: Json): string[] =>
  Object.entries(stack.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName as Json)
      .filter(([, config]) => (config as Json).lifecycle?.prevent_destroy === true)
      .map(([name]) => `${type}.${name}`),
  );

/**
 * The lane's teardown, after it has seen prevent_destroy refuse: an override
 * that lifts prevent_destroy on exactly those resources, as an operator does
 * deliberately to retire them, lets those buckets go with their objects
 * (state versions, access logs) and turns the databases' deletion protection
 * off. Only the emulator copy ever gets it.
 */
/** What an operator sets before retiring a protected resource of the type. */
const TEARDOWN_SETTINGS: Record<string, Json> = {
  aws_s3_bucket: { force_destroy: true },
  aws_db_instance: { deletion_protection: false, skip_final_snapshot: true },
};

export function teardownOverride(addresses: string[]): Json {
  const resource: Json = {};
  for (const address of addresses) {
    const [type, name] = address.split(".");
    resource[type] ??= {};
    resource[type][name] = { lifecycle: { prevent_destroy: false }, ...TEARDOWN_SETTINGS[type] };
  }
  return { "//": "Written by the offline Terraform lane for its teardown only, after prevent_destroy was seen to refuse.", resource };
}

/**
 * plan → apply → plan -detailed-exitcode (idempotency) → destroy, against the
 * emulator. Applies with APPLY_GAPS targeted out; accepts only re-plan changes
 * on the DRIFT_GAPS list; after destroy, the state is empty and the emulator
 * holds nothing tagged as the stack's.
 */
export async function emulatorCycle(options: CycleOptions): Promise<StackReport> {
  const started = Date.now();
  const { name, dir, backend } = options;
  const terraformSession = options.terraformCredentials === "caller" ? undefined : (options.terraformCredentials ?? options.credentials);
  const env = { ...options.env, ...emulatorEnv(options.moto), ...credentialsEnv(terraformSession) };
  const facts = (args: string[]) => awsFacts(options.moto, args, options.credentials);
  const copy = prepareWorkingCopy(options.stack, dir, backend, options.sourceDir);
  const { targets = [], excluded } = applyTargets(copy.stack, APPLY_GAPS);
  const targetArgs = targets.map((t) => `-target=${t}`);
  const report: StackReport = {
    stack: name,
    planned: 0,
    applied: 0,
    skipped: excluded,
    acceptedDrift: [],
    usedDrift: [],
    destroyed: 0,
    removedBeforeDestroy: 0,
    seconds: 0,
    notes: [],
  };

  Object.assign(env, await prepareEmulator(facts, copy.stack, options.regions[0]));
  await terraform(dir, ["init", "-input=false", "-lockfile=readonly"], env, TIMEOUTS.init);
  // The full plan covers the gap resources too.
  const keep = (kind: string, plan: Json) => {
    if (options.plansDir) writeFileSync(join(options.plansDir, `${name}.${kind}.json`), JSON.stringify(plan));
    return plan;
  };
  await phase(
    name,
    "plan",
    async () => {
      await terraform(dir, ["plan", "-input=false", PARALLELISM, "-out=plan.tfplan"], env, TIMEOUTS.plan);
      report.planned = countChanges(keep("create", await showJson(dir, "plan.tfplan", env)), "create");
    },
    () => `${report.planned} to create`,
  );

  const sweep = async () => {
    const duplicates = await removeRetriedCreates(facts, dir, env, options.regions, options.tags);
    if (duplicates.length)
      report.notes.push(`duplicates of retried creates removed (emulator-gaps.ts WORKAROUNDS): ${duplicates.join(", ")}`);
  };
  await phase(
    name,
    "apply",
    async () => {
      await withFlakeRetry(
        "apply",
        report.notes,
        () => terraform(dir, ["apply", "-auto-approve", "-input=false", PARALLELISM, ...targetArgs], env, TIMEOUTS.apply),
        sweep,
      );
      report.applied = (await managedAddresses(dir, env)).length;
    },
    () => `${report.applied}/${report.planned} resources, ${excluded.length} gap-skipped`,
  );

  await options.afterApply?.(dir, targetArgs, env);
  await sweep();
  report.notes.push(await scanStateForSecrets(name, facts, dir, env, options.regions));

  const review = await phase(
    name,
    "re-plan",
    async (): Promise<PlanReview> => {
      const replan = await runTerraform(
        ["plan", "-detailed-exitcode", "-input=false", PARALLELISM, "-out=replan.tfplan", ...targetArgs, "-no-color"],
        { cwd: dir, env, timeoutSeconds: TIMEOUTS.plan },
      );
      if (replan.code === 1 || replan.code > 2) throw new TerraformError(dir, ["plan", "-detailed-exitcode"], replan);
      if (replan.code !== 2) return { accepted: [], unexpected: [], usedDrift: [] };
      return reviewReplan(keep("replan", await showJson(dir, "replan.tfplan", env)), DRIFT_GAPS);
    },
    (r) =>
      r.unexpected.length
        ? `${r.unexpected.length} unexpected change(s)`
        : r.accepted.length
          ? `${r.accepted.length} change(s), all accepted emulator drift`
          : "no changes",
  );
  if (review.unexpected.length > 0) {
    throw new Error(
      `${name}: the re-plan after apply is not clean, and these changes are not on the reviewed drift list (tests/terraform/emulator-gaps.ts):\n  ${review.unexpected.join("\n  ")}`,
    );
  }
  report.acceptedDrift = review.accepted;
  report.usedDrift = review.usedDrift;

  if (options.driftCheck) {
    const drift = await phase(
      name,
      "drift check",
      async () => {
        const state = JSON.parse((await terraform(dir, ["show", "-json"], env, TIMEOUTS.show)).output);
        const { changes, expected } = outOfBandChanges(name, state, copy.stack);
        const file = join(dir, "drift-changes.json");
        writeFileSync(file, JSON.stringify(changes));
        report.notes.push(...(await facts(["drift", "--regions", options.regions[0], "--changes", file])).changed);
        // As drift.yml runs it: refresh only, exit 2 on drift, no lock.
        const refresh = await runTerraform(
          ["plan", "-refresh-only", "-detailed-exitcode", "-input=false", "-lock=false", PARALLELISM, "-out=drift.tfplan", "-no-color"],
          { cwd: dir, env, timeoutSeconds: TIMEOUTS.plan },
        );
        if (refresh.code !== 0 && refresh.code !== 2) throw new TerraformError(dir, ["plan", "-refresh-only"], refresh);
        const plan = refresh.code === 2 ? keep("drift", await showJson(dir, "drift.tfplan", env)) : { format_version: "none" };
        return reviewDrift(plan, refresh.code, expected, DRIFT_GAPS);
      },
      (d) =>
        `exit ${d.exitCode}: ${d.found.length}/${d.found.length + d.missing.length} out-of-band changes found, ${d.accepted.length} emulator drift, ${d.refreshedOnly} only computed values refreshed`,
    );
    if (drift.missing.length || drift.unexpected.length) {
      throw new Error(
        `${name}: the refresh-only plan (drift.yml) missed out-of-band changes or found drift not on the reviewed list (tests/terraform/emulator-gaps.ts DRIFT_GAPS):\n  missing: ${drift.missing.map((m) => `${m.address} ${m.path}`).join(", ") || "none"}\n  unexpected: ${drift.unexpected.join(", ") || "none"}`,
      );
    }
    report.drift = drift;
  }

  await options.beforeDestroy?.();
  if (options.planDestroy) {
    await terraform(dir, ["plan", "-destroy", "-input=false", PARALLELISM, "-out=destroy.tfplan"], env, TIMEOUTS.plan);
    keep("destroy", await showJson(dir, "destroy.tfplan", env));
  }

  // The re-plan has just refreshed every resource: the teardown reads none again (-refresh=false), which on a
  // 300-resource stack saves a full round of reads per step. prevent_destroy is checked while planning, refresh or not.
  const guarded = protectedAddresses(copy.stack);
  if (guarded.length > 0) {
    const refused = await runTerraform(["plan", "-destroy", "-refresh=false", "-input=false", "-no-color"], {
      cwd: dir,
      env,
      timeoutSeconds: TIMEOUTS.destroy,
    });
    if (refused.code === 0 || !/Instance cannot be destroyed/.test(refused.output)) {
      throw new TerraformError(dir, ["plan -destroy (expected prevent_destroy to refuse)"], refused);
    }
    report.notes.push(`prevent_destroy refused destroy of ${guarded.length} resource(s); the lane's teardown then lifted it`);
    writeFileSync(join(dir, TEARDOWN_OVERRIDE_FILE), JSON.stringify(teardownOverride(guarded), null, 2));
    // force_destroy and deletion_protection are read at destroy time: apply them first.
    const inState = await stateAddresses(dir, env);
    const settled = guarded.filter((a) => TEARDOWN_SETTINGS[a.split(".")[0]] && inState.includes(a));
    if (settled.length)
      await terraform(
        dir,
        ["apply", "-auto-approve", "-input=false", "-refresh=false", ...settled.map((a) => `-target=${a}`)],
        env,
        TIMEOUTS.apply,
      );
  }
  const removed = await removeDestroyGaps(dir, copy.stack, env);
  if (removed.length) {
    report.removedBeforeDestroy = removed.length;
    report.notes.push(`taken out of the state before destroy (emulator-gaps.ts DESTROY_GAPS): ${removed.join(", ")}`);
  }
  const managed = await managedAddresses(dir, env);
  await phase(
    name,
    "destroy",
    () =>
      // A retry reads again: what a race (FLAKES) half did is only seen by a refresh.
      withFlakeRetry("destroy", report.notes, (retry) =>
        terraform(
          dir,
          ["destroy", "-auto-approve", "-input=false", ...(retry ? [] : ["-refresh=false"]), PARALLELISM],
          env,
          TIMEOUTS.destroy,
        ),
      ),
    () => `${managed.length} resources in the state before`,
  );
  const left = await stateAddresses(dir, env);
  if (left.length) throw new Error(`${name}: state not empty after destroy:\n${left.join("\n")}`);
  report.destroyed = managed.length;
  const { leftovers, orphanedByEmulator } = await facts([
    "leftovers",
    "--regions",
    options.regions.join(","),
    ...Object.entries(options.tags).flatMap(([k, v]) => ["--tag", `${k}=${v}`]),
    ...Object.entries(options.spareTags ?? {}).flatMap(([k, v]) => ["--spare-tag", `${k}=${v}`]),
  ]);
  if (leftovers.length > 0) throw new Error(`${name}: destroy left resources behind in the emulator:\n  ${leftovers.join("\n  ")}`);
  if (orphanedByEmulator.length > 0)
    report.notes.push(`orphaned by the emulator (emulator-gaps.ts WORKAROUNDS): ${orphanedByEmulator.join(", ")}`);
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

const run = promisify(execFile);

/** Runs the project's cdktf CLI (node_modules/.bin/cdktf) without its network calls. */
async function cdktf(args: string[], cwd: string, env: Record<string, string | undefined>, timeout: number): Promise<string> {
  const bin = join(__dirname, "..", "..", "node_modules", ".bin", "cdktf");
  try {
    const { stdout, stderr } = await run(bin, [...args, "--no-color"], {
      cwd,
      env: { ...env, CI: "true", CHECKPOINT_DISABLE: "1", FORCE_COLOR: "0" } as NodeJS.ProcessEnv,
      timeout: timeout * 1000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout + stderr;
  } catch (error: any) {
    throw new Error(`cdktf ${args.join(" ")} failed (exit ${error.code}):\n${`${error.stdout ?? ""}${error.stderr ?? ""}`.slice(-6000)}`);
  }
}

/**
 * PLT-7: the users' own commands, \`cdktf diff <stack>\` and \`cdktf deploy
 * <stack>\`, on a copy of cdktf.out against the emulator, apply gaps targeted
 * out through TF_CLI_ARGS_plan/apply. The copy gets the
 * same emulator override as the other runs, and a \`terraform init\` first:
 * on a stack without a lock file the cdktf CLI runs \`terraform providers lock
 * -platform=linux_amd64\`, which always asks the registry, even with a mirror.
 */
export async function cdktfCliCycle(options: {
  readonly stackName: string;
  readonly synthRoot: string;
  readonly workRoot: string;
  readonly moto: MotoServer;
  readonly env: Record<string, string | undefined>;
  /** The stack's tags, for the sweep of retried creates (as in emulatorCycle). */
  readonly tags: Record<string, string>;
  /** As in emulatorCycle: the lane's own calls in the stack's account; the CLI runs as the caller. @default - moto's default account */
  readonly credentials?: AwsCredentials;
}): Promise<{
  diff: string;
  deploy: string;
  deployed: number;
  destroy: string;
  remaining: number;
  removedBeforeDestroy: number;
  notes: string[];
}> {
  const { stackName, moto } = options;
  rmSync(options.workRoot, { recursive: true, force: true });
  cpSync(options.synthRoot, options.workRoot, { recursive: true });
  const stackDir = join(options.workRoot, "stacks", stackName);
  const stack = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8"));
  // A targeted apply leaves null the outputs of resources it skips and the constant
  // ones (which depend on no targeted resource), and cdktf 0.21 crashes printing a
  // null output (Object.entries(null)): the CLI copy leaves them out.
  const { excluded } = applyTargets(stack, APPLY_GAPS);
  for (const [name, output] of Object.entries<Json>(stack.output ?? {})) {
    const text = JSON.stringify(output.value);
    if (!text.includes("${") || excluded.some((address) => text.includes(`\${${address}.`))) delete stack.output[name];
  }
  // cdktf maps outputs to constructs through the stack's "//".outputs tree: prune it alike.
  const prune = (tree: Json): Json =>
    Object.fromEntries(
      Object.entries(tree)
        .map(([key, leaf]) => [key, typeof leaf === "string" ? leaf : prune(leaf)] as const)
        .filter(([, leaf]) => (typeof leaf === "string" ? stack.output?.[leaf] !== undefined : Object.keys(leaf).length > 0)),
    );
  if (stack["//"]?.outputs) stack["//"].outputs = prune(stack["//"].outputs);
  writeFileSync(join(stackDir, "cdk.tf.json"), JSON.stringify(stack, null, 2));
  writeFileSync(join(stackDir, OVERRIDE_FILE), JSON.stringify(emulatorOverride(stack, { kind: "local" }), null, 2));
  const env: Record<string, string | undefined> = { ...options.env, ...emulatorEnv(moto) };
  const facts = (args: string[]) => awsFacts(moto, args, options.credentials);
  Object.assign(env, await prepareEmulator(facts, stack, stack.provider?.aws?.[0]?.region ?? "us-east-1"));
  // cdktf has no -target option; Terraform appends TF_CLI_ARGS_<command> to the
  // plan and apply that cdktf runs, so the apply gaps stay out as in the other runs.
  const { targets } = applyTargets(stack, APPLY_GAPS);
  if (targets) env.TF_CLI_ARGS_plan = env.TF_CLI_ARGS_apply = targets.map((t) => `-target=${t}`).join(" ");
  await terraform(stackDir, ["init", "-input=false", "-lockfile=readonly"], env, TIMEOUTS.init);
  const common = [stackName, "--skip-synth", "--output", options.workRoot];
  // From the project root, where cdktf.json is; --output points at the copy.
  const project = join(__dirname, "..", "..");
  const label = `${stackName} (cdktf CLI)`;
  const diff = await phase(label, "diff", () => cdktf(["diff", ...common], project, env, TIMEOUTS.plan));
  const notes: string[] = [];
  // A deploy that meets its own create done twice is retried once after the sweep, like emulatorCycle's apply.
  let deployed = 0;
  const deploy = await phase(
    label,
    "deploy",
    async () => {
      const output = await withFlakeRetry(
        "apply",
        notes,
        () => cdktf(["deploy", ...common, "--auto-approve"], project, env, TIMEOUTS.apply),
        () => removeRetriedCreates(facts, stackDir, env, stackRegions(stack), options.tags),
      );
      deployed = (await managedAddresses(stackDir, env)).length;
      return output;
    },
    () => `${deployed} resources`,
  );
  const removed = await removeDestroyGaps(stackDir, stack, env);
  const destroy = await phase(
    label,
    "destroy",
    () => withFlakeRetry("destroy", notes, () => cdktf(["destroy", ...common, "--auto-approve"], project, env, TIMEOUTS.destroy)),
    () => `${deployed - removed.length} resources in the state before`,
  );
  const remaining = (await managedAddresses(stackDir, env)).length;
  return { diff, deploy, deployed, destroy, remaining, removedBeforeDestroy: removed.length, notes };
}

/**
 * What a stack needs before it plans, as in a real account: the public hosted
 * zones and the KMS aliases (of other stacks) it looks up exist, and its
 * variables have values. Returns the TF_VAR_*
 * environment.
 */
async function prepareEmulator(facts: Facts, stack: Json, region: string): Promise<Record<string, string>> {
  for (const name of hostedZonePrerequisites(stack)) await facts(["hosted-zone", "--regions", region, "--name", name]);
  for (const name of kmsAliasPrerequisites(stack)) await facts(["kms-alias", "--regions", region, "--name", name]);
  return laneInputs(stack);
}

/**
 * Deletes what the emulator made twice: network resources, secrets, task
 * definitions and web ACLs with the stack's tags whose ids are in no state (emulator-gaps.ts WORKAROUNDS). Returns them.
 */
async function removeRetriedCreates(
  facts: Facts,
  dir: string,
  env: Record<string, string | undefined>,
  regions: readonly string[],
  tags: Record<string, string>,
): Promise<string[]> {
  const pulled = await terraform(dir, ["state", "pull"], env, TIMEOUTS.show);
  const ids = [...pulled.output.matchAll(/"id": "((?:rtb|sgr|sg|subnet)-[0-9a-f]+)"/g)].map((m) => m[1]);
  // Routes have no id of their own in EC2: a table and a destination name one.
  const state: Json = JSON.parse(pulled.output || "{}");
  for (const resource of state.resources ?? []) {
    for (const { attributes } of resource.instances ?? []) {
      if (resource.type === "aws_route") ids.push(`route:${attributes.route_table_id}:${attributes.destination_cidr_block}`);
      // Secrets, target groups, task definitions and web ACLs are known by ARN.
      if (["aws_secretsmanager_secret", "aws_lb_target_group", "aws_ecs_task_definition", "aws_wafv2_web_acl"].includes(resource.type))
        ids.push(attributes.arn);
    }
  }
  const known = join(dir, "known-ids.json");
  writeFileSync(known, JSON.stringify([...new Set(ids)]));
  const tagArgs = Object.entries(tags).flatMap(([k, v]) => ["--tag", `${k}=${v}`]);
  const { removed } = await facts(["duplicates", "--regions", regions.join(","), "--known-ids", known, ...tagArgs]);
  return removed;
}

/** The regions of a stack's AWS providers, in order, once each. */
export const stackRegions = (stack: Json): string[] => [...new Set<string>((stack.provider?.aws ?? []).map((p: Json) => p.region))];

/**
 * PLT-4 on the emulator: makes a bootstrap stack's bucket usable as another
 * stack's backend. moto denies every object request under the TLS-only policy
 * (emulator-gaps.ts WORKAROUNDS), so it is destroyed first (a targeted run).
 */
export async function openStateBucket(
  moto: MotoServer,
  stateDir: string,
  state: Json,
  bucket: string,
  env: Record<string, string | undefined>,
  credentials?: AwsCredentials,
): Promise<void> {
  const [bucketId] = Object.entries<any>(state.resource.aws_s3_bucket).find(([, b]) => b.bucket === bucket)!;
  const [policyName] = Object.entries<any>(state.resource.aws_s3_bucket_policy).find(
    ([, p]) => p.bucket === `\${aws_s3_bucket.${bucketId}.id}`,
  )!;
  const runEnv = { ...env, ...emulatorEnv(moto), ...credentialsEnv(credentials) };
  await terraform(
    stateDir,
    ["destroy", "-auto-approve", "-input=false", `-target=aws_s3_bucket_policy.${policyName}`],
    runEnv,
    TIMEOUTS.destroy,
  );
}

/**
 * The lane's teardown of a bootstrap stack (emulator-gaps.ts WORKAROUNDS):
 * stops access logging and drops the remaining TLS-only policies, then empties
 * every bucket by version id while they are still versioned.
 */
export async function closeStateBuckets(
  moto: MotoServer,
  stateDir: string,
  state: Json,
  region: string,
  env: Record<string, string | undefined>,
  credentials?: AwsCredentials,
): Promise<void> {
  const targets = ["aws_s3_bucket_logging", "aws_s3_bucket_policy"].flatMap((type) =>
    Object.keys(state.resource[type]).map((name) => `-target=${type}.${name}`),
  );
  const runEnv = { ...env, ...emulatorEnv(moto), ...credentialsEnv(credentials) };
  await terraform(stateDir, ["destroy", "-auto-approve", "-input=false", ...targets], runEnv, TIMEOUTS.destroy);
  for (const bucket of Object.values<any>(state.resource.aws_s3_bucket)) {
    await awsFacts(moto, ["empty-bucket", "--regions", region, "--bucket", bucket.bucket], credentials);
  }
}

/**
 * A session in `account` on the emulator: any role there, since moto checks
 * no trust while its IAM enforcement is off (its calls land in that account).
 */
export const accountSession = (moto: MotoServer, account: string): Promise<AwsCredentials> =>
  awsFacts(moto, ["credentials", "--regions", "ap-northeast-2", "--role-arn", `arn:aws:iam::${account}:role/lane-administrator`]);

/**
 * The sessions a stack's cycle runs with, as in a deploy: the lane's own calls
 * (prerequisites, sweeps, leftovers) in the account the stack's providers are
 * pinned to; Terraform as moto's default caller when the providers assume
 * their role themselves (`account.roleArn`), else in the account. An unpinned
 * stack runs as the caller throughout.
 */
export async function stackSessions(
  moto: MotoServer,
  stack: Json,
): Promise<{ credentials?: AwsCredentials; terraformCredentials?: "caller" }> {
  const { account, assumesRole } = stackPlacement(stack);
  if (!account) return {};
  return { credentials: await accountSession(moto, account), terraformCredentials: assumesRole ? "caller" : undefined };
}

/** The account a stack's default AWS provider is pinned to, and whether it assumes a role (static or dynamic `assume_role`). */
export function stackPlacement(stack: Json): { account?: string; assumesRole: boolean } {
  const provider = (stack.provider?.aws ?? []).find((p: Json) => p.alias === undefined) ?? {};
  const account = providerPlacements(stack).get("aws")?.accounts?.[0];
  return { account, assumesRole: provider.assume_role !== undefined || provider.dynamic?.assume_role !== undefined };
}

/** aws_facts.py bound to one emulator and session. */
type Facts = (args: string[]) => Promise<any>;

/** Asks the emulator (through boto3, loopback only) what it holds; signed with `credentials` when given (their account). */
export async function awsFacts(moto: MotoServer, args: string[], credentials?: AwsCredentials): Promise<any> {
  const script = join(__dirname, "harness", "aws_facts.py");
  const session = Object.fromEntries(Object.entries(credentialsEnv(credentials)).map(([k, v]) => [`LANE_${k}`, v]));
  const { stdout } = await run("python3", [script, ...args, "--endpoint", moto.url], {
    timeout: 120_000,
    env: { ...process.env, ...session },
  });
  return JSON.parse(stdout);
}

/**
 * PLT-4: while one state-changing run holds the lock (an apply waiting at its
 * approval prompt), a second one fails on the lock; the lock file lives next
 * to the state object and is gone once the first run ends.
 */
export async function proveStateLock(
  moto: MotoServer,
  dir: string,
  targetArgs: string[],
  env: Record<string, string | undefined>,
  bucket: string,
  key: string,
  region: string,
  /** A session of the bucket's account. @default - moto's default account */
  credentials?: AwsCredentials,
): Promise<Json> {
  const holder = startTerraform(["apply", "-input=true", "-no-color", ...targetArgs], {
    cwd: dir,
    env: { ...env, TF_INPUT: "1" },
    timeoutSeconds: TIMEOUTS.apply,
    holdInput: true,
  });
  try {
    const deadline = Date.now() + TIMEOUTS.plan * 1000;
    while (!/Enter a value:/.test(holder.output())) {
      if (Date.now() > deadline) throw new Error(`lock holder never reached its prompt:\n${holder.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const held = await awsFacts(moto, ["state-object", "--regions", region, "--bucket", bucket, "--key", key], credentials);
    const second = await runTerraform(["plan", "-lock-timeout=0s", "-input=false", "-no-color", ...targetArgs], {
      cwd: dir,
      env,
      timeoutSeconds: TIMEOUTS.plan,
    });
    holder.answer("no\n");
    const holderResult = await holder.done;
    const released = await awsFacts(moto, ["state-object", "--regions", region, "--bucket", bucket, "--key", key], credentials);
    return { held, second, holderResult, released };
  } finally {
    holder.answer("no\n");
  }
}

/** Writes the report as JSON and returns a plain-text table of it. */
export function writeReport(file: string, reports: StackReport[], validated: Record<string, number>): string {
  const gaps = {
    measuredWith: MEASURED_WITH,
    applyGaps: APPLY_GAPS.map((g) => ({ ...g, when: g.when?.description })),
    destroyGaps: DESTROY_GAPS.map((g) => ({ ...g, when: g.when.description })),
    driftGaps: DRIFT_GAPS,
    workarounds: WORKAROUNDS,
    flakes: FLAKES.map((f) => ({ ...f, pattern: String(f.pattern) })),
  };
  writeFileSync(file, JSON.stringify({ validated, stacks: reports, gaps }, null, 2));
  const rows = reports.map((r) =>
    [r.stack, r.planned, r.applied, r.skipped.length, r.acceptedDrift.length, r.destroyed, `${r.seconds.toFixed(0)} s`].join(" | "),
  );
  return [
    "stack | planned | applied | gap-skipped | emulator-drift | destroyed | wall",
    ...rows,
    `validate: ${Object.entries(validated)
      .map(([s, t]) => `${s} ${t.toFixed(1)} s`)
      .join(", ")}`,
    `emulator: moto ${MEASURED_WITH.moto}; work-arounds applied: ${WORKAROUNDS.length} (see the report's gaps)`,
  ].join("\n");
}
