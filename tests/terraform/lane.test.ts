/**
 * The offline Terraform lane (`npm run test:terraform`): every synthesized
 * stack is validated with real Terraform, and every environment is planned,
 * applied, re-planned and destroyed against moto on loopback. See
 * docs/testing.md ("The offline Terraform lane") and emulator-gaps.ts.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { environments, program } from "../../environments";
import { accessStackNames } from "../../stacks/app";
import { PLAN_SUMMARY_MARKER, renderComment, summarizePlan } from "../../scripts/plan-summary";
import { DELIVERY_STACK, globalStackName, platformStackName, STATE_BACKEND_STACK, standbyStackName } from "../../stacks/support/contracts";
import { accountRegions, accountStackName } from "../../stacks/account-stack";
import { APPLY_GAPS, DRIFT_GAPS, VALIDATE_ONLY } from "./emulator-gaps";
import { DRIFT_TAG } from "./harness/drift";
import { EVIDENCE_TAGS } from "../stacks/apply-gap-evidence-tags";
import { findProviderMirror, providerInstallEnv } from "../../scripts/provider-mirror";
import { applyTargets } from "./harness/plan-review";
import { type MotoServer, startMoto } from "./harness/moto";
import { stopEveryGroup } from "./harness/terraform";
import { readSynthesizedStack } from "./harness/workdir";
import { MOTO_DEFAULT_ACCOUNT, type MultiAccountRun, multiAccountCycle } from "./multi-account";
import { ACCOUNTS, STATE_ACCOUNT } from "../stacks/layouts";
import { withQa } from "../stacks/fourth-environment";
import { synthProgram } from "../stacks/synth";
import {
  cdktfCliCycle,
  closeStateBuckets,
  emulatorCycle,
  laneEnv,
  openStateBucket,
  proveStateLock,
  type StackReport,
  stackRegions,
  stackSessions,
  validateStack,
  writeReport,
} from "./lane";
import { resourceCount } from "../../stacks/support/synthesis-summary";

const ROOT = join(__dirname, "..", "..");
const SYNTH = join(ROOT, "cdktf.out", "stacks");
const WORK = join(ROOT, ".terraform-lane");
const ENV_STACKS = environments.map(platformStackName);
/** Standby stacks (DR-3): a cycle each. The global stacks are validated only (emulator-gaps.ts VALIDATE_ONLY). */
const STANDBY_STACKS = environments.filter((e) => e.disasterRecovery.standby).map(standbyStackName);
const GLOBAL_STACKS = environments.filter((e) => e.disasterRecovery.standby).map(globalStackName);
const DEV = ENV_STACKS[0];
/** The stack the drift check (drift.yml's refresh-only plan) runs on, after changes made out of band: off the bootstrap chain, the lane's longest. */
const DRIFT_STACK = ENV_STACKS[1];
/** The account and region singletons' stacks (stacks/account-stack.ts); the lane's environments pull no image, so nothing waits for them. */
const ACCOUNT_STACKS = accountRegions(environments).map((target, _, all) => accountStackName(target, all));
const ACCESS_STACKS = accessStackNames(program);
/**
 * The delivery stack of a program with a fourth environment in Singapore
 * (tests/stacks/fourth-environment.ts): its cross-region release stage, which
 * no emulator run can apply (CodePipeline is an apply gap), validated.
 */
const CROSS_REGION_DELIVERY = `${DELIVERY_STACK}-cross-region`;
/** The plans' JSON (PLT-6: the PR comment is rendered from them, and tests/fixtures/plans is refreshed from them). */
const PLANS = join(WORK, "plans");

type Settled<T> = Promise<{ ok: true; value: T } | { ok: false; error: unknown }>;
const settle = <T>(promise: Promise<T>): Settled<T> =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error) => ({ ok: false as const, error }),
  );
async function result<T>(settled: Settled<T>): Promise<T> {
  const outcome = await settled;
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** Runs tasks with at most `limit` at a time (2 cores: Terraform loads a 700 MB provider per run). */
function limited(limit: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

async function withMoto<T>(use: (moto: MotoServer) => Promise<T>): Promise<T> {
  const moto = await startMoto();
  try {
    return await use(moto);
  } catch (error) {
    // An HTTP 500 from the emulator is a Python exception: show it with the failure.
    const log = moto.log();
    const start = log.lastIndexOf("Traceback (most recent call last)");
    if (start >= 0 && error instanceof Error) {
      // The frames, then the exception line: the first unindented line after them.
      const lines = log.slice(start).split("\n");
      const end = lines.findIndex((line, i) => i > 0 && line.length > 0 && !line.startsWith(" "));
      error.message += `\n\nmoto_server's last traceback (tail):\n${lines.slice(Math.max(1, end - 8), end + 1).join("\n")}`;
    }
    throw error;
  } finally {
    moto.stop();
  }
}

const tagsOf = (stackName: string) => {
  const env = environments.find((e) => [platformStackName(e), standbyStackName(e)].includes(stackName))!;
  return { Project: env.tags.Project, Environment: env.tags.Environment };
};

let env: Record<string, string | undefined>;
let stackNames: string[];
const validations: Record<string, Settled<number>> = {};
const broken: Record<string, Settled<unknown>> = {};
const cycles: Record<string, Settled<StackReport>> = {};
let lockProof: Settled<Record<string, any>>;
let cliRun: Settled<Awaited<ReturnType<typeof cdktfCliCycle>>>;
let multiAccount: Settled<MultiAccountRun>;
const reports: StackReport[] = [];
const validated: Record<string, number> = {};

beforeAll(() => {
  if (!existsSync(SYNTH)) throw new Error("cdktf.out/stacks is missing: run `npm run synth` first (npm run test:terraform does)");
  mkdirSync(WORK, { recursive: true });
  rmSync(PLANS, { recursive: true, force: true });
  mkdirSync(PLANS, { recursive: true });
  const mirror = findProviderMirror();
  env = laneEnv(process.env, providerInstallEnv(WORK, mirror));
  stackNames = readdirSync(SYNTH).sort();
  const validatePool = limited(2);
  /** Validates a synthesized stack (its folder: `sourceDir`) as `name`, in the pool; settles to its seconds. */
  const validate = (name: string, stack: Record<string, any>, sourceDir: string) => {
    validations[name] = settle(
      validatePool(async () => (await validateStack(stack, join(WORK, "validate", name), env, sourceDir)).seconds),
    );
  };

  for (const name of stackNames) validate(name, readSynthesizedStack(SYNTH, name), join(SYNTH, name));

  // Broken on purpose: the lane must fail with Terraform's own message.
  const dev = readSynthesizedStack(SYNTH, DEV);
  const badValue = structuredClone(dev);
  for (const flowLog of Object.values<any>(badValue.resource.aws_flow_log)) flowLog.traffic_type = "EVERYTHING";
  broken.value = settle(validatePool(() => validateStack(badValue, join(WORK, "broken", "value"), env, join(SYNTH, DEV))));
  const cycle = structuredClone(dev);
  const [vpcName] = Object.keys(cycle.resource.aws_vpc);
  const [subnetName] = Object.keys(cycle.resource.aws_subnet);
  cycle.resource.aws_vpc[vpcName].tags = { Name: `\${aws_subnet.${subnetName}.id}` };
  broken.cycle = settle(validatePool(() => validateStack(cycle, join(WORK, "broken", "cycle"), env, join(SYNTH, DEV))));

  // Bootstrap, then dev through its real S3 backend, on one emulator.
  const state = readSynthesizedStack(SYNTH, STATE_BACKEND_STACK);
  const backend = dev.terraform.backend.s3;
  let releaseLockProof: (value: Record<string, any>) => void;
  let failLockProof: (error: unknown) => void;
  lockProof = settle(
    new Promise((resolve, reject) => {
      releaseLockProof = resolve;
      failLockProof = reject;
    }),
  );
  let devReport: StackReport | undefined;
  const stateChain = settle(
    withMoto(async (moto) => {
      const stateDir = join(WORK, "emulator", STATE_BACKEND_STACK);
      // The bootstrap runs in the state account (its provider is pinned there); dev in its own, through its program role.
      const stateSession = await stackSessions(moto, state);
      const devSession = await stackSessions(moto, dev);
      const stateReport = await emulatorCycle({
        ...stateSession,
        name: STATE_BACKEND_STACK,
        stack: state,
        sourceDir: join(SYNTH, STATE_BACKEND_STACK),
        dir: stateDir,
        moto,
        env,
        backend: { kind: "local" },
        regions: stackRegions(state),
        tags: { Project: "ecg-render", Environment: "shared" },
        // While the bootstrap is up: dev runs through the state bucket.
        beforeDestroy: async () => {
          await openStateBucket(moto, stateDir, state, backend.bucket, env, stateSession.credentials);
          devReport = await emulatorCycle({
            ...devSession,
            name: DEV,
            stack: dev,
            sourceDir: join(SYNTH, DEV),
            dir: join(WORK, "emulator", DEV),
            moto,
            env,
            backend: { kind: "s3-emulator", endpoint: moto.url },
            regions: stackRegions(dev),
            tags: tagsOf(DEV),
            plansDir: PLANS,
            planDestroy: true,
            afterApply: async (dir, targetArgs, runEnv) => {
              try {
                releaseLockProof(
                  await proveStateLock(
                    moto,
                    dir,
                    targetArgs,
                    runEnv,
                    backend.bucket,
                    backend.key,
                    backend.region,
                    stateSession.credentials,
                  ),
                );
              } catch (error) {
                failLockProof(error);
                throw error;
              }
            },
          });
          devReport.notes.push(
            `state in s3://${backend.bucket}/${backend.key} on the emulator, use_lockfile, through ${backend.assume_role.role_arn}`,
          );
          await closeStateBuckets(moto, stateDir, state, backend.region, env, stateSession.credentials);
        },
      });
      return [stateReport, devReport!] as const;
    }).catch((error) => {
      failLockProof(error);
      throw error;
    }),
  );
  cycles[STATE_BACKEND_STACK] = settle(result(stateChain).then(([s]) => s));
  cycles[DEV] = settle(result(stateChain).then(([, d]) => d));

  cliRun = settle(
    withMoto(async (moto) =>
      cdktfCliCycle({
        credentials: (await stackSessions(moto, dev)).credentials,
        stackName: DEV,
        synthRoot: join(ROOT, "cdktf.out"),
        workRoot: join(WORK, "cdktf-cli"),
        moto,
        env,
        tags: tagsOf(DEV),
      }),
    ),
  );

  // Dev's access and account stacks cycle in the multi-account run; the other accounts' are the same classes
  // with the same resources, and are validated like every stack.
  multiAccount = settle(withMoto((moto) => multiAccountCycle({ moto, env, synthDir: SYNTH, work: join(WORK, "multi-account") })));

  // Synthesized last: the emulator runs above are under way meanwhile.
  const crossRegion = synthProgram(undefined, withQa);
  validate(CROSS_REGION_DELIVERY, crossRegion.stacks[DELIVERY_STACK], join(crossRegion.outdir, "stacks", DELIVERY_STACK));

  for (const name of [...ENV_STACKS.slice(1), ...STANDBY_STACKS, DELIVERY_STACK]) {
    const stack = readSynthesizedStack(SYNTH, name);
    cycles[name] = settle(
      withMoto(async (moto) =>
        emulatorCycle({
          ...(await stackSessions(moto, stack)),
          name,
          stack,
          sourceDir: join(SYNTH, name),
          dir: join(WORK, "emulator", name),
          moto,
          env,
          backend: { kind: "local" },
          regions: stackRegions(stack),
          tags: name === DELIVERY_STACK ? { Project: "ecg-render", Environment: "shared" } : tagsOf(name),
          plansDir: PLANS,
          driftCheck: name === DRIFT_STACK,
        }),
      ),
    );
  }
});

afterAll(() => {
  // After a failure, cycles may still run: nothing the lane started outlives it.
  stopEveryGroup();
  if (reports.length === 0) return;
  const order = [STATE_BACKEND_STACK, ...ENV_STACKS, ...STANDBY_STACKS, DELIVERY_STACK];
  reports.sort((a, b) => order.indexOf(a.stack) - order.indexOf(b.stack));
  console.log(`Offline Terraform lane report (.terraform-lane/report.json)\n${writeReport(join(WORK, "report.json"), reports, validated)}`);
});

const LANE_TIMEOUT = 20 * 60 * 1000;

describe("offline Terraform lane: validate", () => {
  it("[PLT-2] synthesized the bootstrap stack, an account stack per account and region, every environment stack (prod with its standby and global stacks) and the delivery stack", () => {
    expect(STANDBY_STACKS).toEqual(["ecg-prod-standby"]);
    expect(ACCOUNT_STACKS).toEqual(
      [
        [ACCOUNTS.dev.id, "ap-northeast-2"],
        [ACCOUNTS.staging.id, "ap-northeast-2"],
        [ACCOUNTS.prod.id, "ap-northeast-2"],
        [ACCOUNTS.prod.id, "ap-northeast-1"],
      ].map(([account, region]) => `ecg-account-${account}-${region}`),
    );
    expect(stackNames).toEqual(
      [...ACCESS_STACKS, ...ACCOUNT_STACKS, ...ENV_STACKS, ...STANDBY_STACKS, ...GLOBAL_STACKS, STATE_BACKEND_STACK, DELIVERY_STACK].sort(),
    );
  });

  it("installs providers from the local mirror when there is one, else from the registry", () => {
    const mirror = findProviderMirror();
    if (mirror) expect(env.TF_CLI_CONFIG_FILE).toBe(join(WORK, "terraform-mirror.tfrc"));
    else expect(env.TF_CLI_CONFIG_FILE).toBe(process.env.TF_CLI_CONFIG_FILE);
  });

  it(
    "[PLT-1] every synthesized stack passes terraform init -backend=false and terraform validate",
    async () => {
      for (const name of stackNames) validated[name] = await result(validations[name]);
    },
    LANE_TIMEOUT,
  );

  it(
    "[#19] [CI-3] the delivery stack with a release stage in another region (regional artifact stores, the deploy action's region) passes terraform validate",
    async () => {
      validated[CROSS_REGION_DELIVERY] = await result(validations[CROSS_REGION_DELIVERY]);
    },
    LANE_TIMEOUT,
  );

  it("[SC-2] validates the global stacks only, for the reason the gap list gives (no Global Accelerator in the emulator)", () => {
    for (const name of GLOBAL_STACKS) {
      const stack = readSynthesizedStack(SYNTH, name);
      const types = Object.keys(stack.resource);
      expect(types.filter((type) => !VALIDATE_ONLY.some((gap) => gap.stack === "global" && gap.types.includes(type)))).toEqual([]);
      expect(cycles[name]).toBeUndefined();
    }
  });

  it("[#13] every apply gap and validate-only stack names the evidence tests of its AWS constraints (tests/stacks/apply-gap-evidence.test.ts)", () => {
    const unproven = [...APPLY_GAPS, ...VALIDATE_ONLY].filter(
      (gap) => gap.evidence.length === 0 || gap.evidence.some((tag) => !EVIDENCE_TAGS.includes(tag)),
    );
    expect(unproven.map((gap) => ("type" in gap ? gap.type : gap.stack))).toEqual([]);
  });

  it(
    "fails with Terraform's message on an attribute value the provider rejects",
    async () => {
      await expect(result(broken.value)).rejects.toThrow(/expected traffic_type to be one of/);
    },
    LANE_TIMEOUT,
  );

  it(
    "fails with Terraform's message on a reference cycle",
    async () => {
      await expect(result(broken.cycle)).rejects.toThrow(/Error: Cycle: /);
    },
    LANE_TIMEOUT,
  );
});

describe("offline Terraform lane: emulator runs", () => {
  it(
    "[PLT-4] the bootstrap stack applies, re-plans clean, prevent_destroy refuses to destroy its buckets, and teardown leaves nothing",
    async () => {
      const report = await result(cycles[STATE_BACKEND_STACK]);
      reports.push(report);
      expect(report.applied).toBe(report.planned);
      const state = readSynthesizedStack(SYNTH, STATE_BACKEND_STACK);
      // The state buckets, their keys and log buckets, in Seoul and in the failover region, and the audit archive and its key.
      const guarded = Object.entries<Record<string, any>>(state.resource).flatMap(([type, resources]) =>
        Object.values(resources)
          .filter((r) => r.lifecycle?.prevent_destroy)
          .map(() => type),
      );
      expect(guarded.sort()).toEqual([...Array(3).fill("aws_kms_key"), ...Array(5).fill("aws_s3_bucket")]);
      expect(report.notes).toContain(
        `prevent_destroy refused destroy of ${guarded.length} resource(s); the lane's teardown then lifted it`,
      );
      // Both bucket policies and the access logging were destroyed earlier by targeted runs (see the chain).
      const removedByTeardown = ["aws_s3_bucket_logging", "aws_s3_bucket_policy"].reduce(
        (n, type) => n + Object.keys(state.resource[type]).length,
        0,
      );
      expect(report.destroyed).toBe(report.applied - removedByTeardown);
    },
    LANE_TIMEOUT,
  );

  it(
    "[PLT-4] ecg-dev keeps its state in the bucket through the S3 backend, versioned and encrypted, and a second run fails on the lock",
    async () => {
      const proof = await result(lockProof);
      const { key } = readSynthesizedStack(SYNTH, DEV).terraform.backend.s3;
      expect(proof.held.keys).toEqual(expect.arrayContaining([key, `${key}.tflock`]));
      expect(proof.second.code).toBe(1);
      expect(proof.second.output).toContain("Error acquiring the state lock");
      expect(proof.holderResult.output).toContain("Apply cancelled");
      expect(proof.released.keys).not.toContain(`${key}.tflock`);
      // SEC-4: SSE-KMS under the state bucket's key, named by its alias (AWS answers with the key's ARN).
      expect(proof.released).toMatchObject({ encryption: "aws:kms", bucketVersioning: "Enabled" });
      expect(proof.released.kmsKeyId).toMatch(/(alias\/ecg-render-terraform-state|:key\/[0-9a-f-]+)$/);
      expect(proof.released.versions).toBeGreaterThanOrEqual(1);
    },
    LANE_TIMEOUT,
  );

  /** A whole cycle's report: everything but the listed gaps applied, all of it destroyed. */
  async function cycleReport(name: string, minimumPlanned: number): Promise<StackReport> {
    const report = await result(cycles[name]);
    reports.push(report);
    expect(report.planned).toBeGreaterThan(minimumPlanned);
    expect(report.applied).toBe(report.planned - report.skipped.length);
    expect(report.destroyed).toBe(report.applied - report.removedBeforeDestroy);
    return report;
  }

  it.each(ENV_STACKS)(
    "[PLT-2] [SEC-2] %s plans, applies with no secret value in its state, re-plans with no change outside the reviewed drift list, and destroys leaving nothing",
    async (name) => {
      const report = await cycleReport(name, 50);
      if (name === "ecg-prod") expect(report.notes.join()).toMatch(/prevent_destroy refused destroy of \d+ resource/);
      // SEC-2: the database master secret and the two application secrets, at least, were looked for in the state.
      const scan = report.notes
        .map((note) => /^state scanned for (\d+) value\(s\) of (\d+) secret\(s\): none found/.exec(note))
        .find(Boolean);
      expect(Number(scan?.[2])).toBeGreaterThanOrEqual(3);
      expect(Number(scan?.[1])).toBeGreaterThanOrEqual(Number(scan?.[2]));
    },
    LANE_TIMEOUT,
  );

  it(
    "[#19] drift detection: after a tag, a security-group rule and an alarm threshold are changed through the AWS API, the refresh-only plan finds exactly those, beside the reviewed emulator drift",
    async () => {
      const report = await result(cycles[DRIFT_STACK]);
      const drift = report.drift!;
      expect(drift.exitCode).toBe(2);
      expect(drift.found.map((f) => `${f.address.split(".")[0]} ${f.path}`)).toEqual([
        `aws_vpc tags.${DRIFT_TAG.key}`,
        "aws_vpc_security_group_ingress_rule to_port",
        "aws_cloudwatch_metric_alarm threshold",
      ]);
      expect([drift.missing, drift.unexpected]).toEqual([[], []]);
      // The plan is kept for the renderer's tests (tests/fixtures/plans, npm run fixtures:plans).
      expect(existsSync(join(PLANS, `${DRIFT_STACK}.drift.json`))).toBe(true);
    },
    LANE_TIMEOUT,
  );

  it.each(STANDBY_STACKS)(
    "[DR-3] %s (the pilot-light standby in Tokyo) plans, applies, re-plans with no change outside the reviewed drift list, and destroys leaving nothing",
    async (name) => {
      const report = await cycleReport(name, 100);
      // The replica's source is in another region (another emulator): a listed gap, with its backup copies.
      expect(report.skipped.map((address) => address.split(".")[0])).toEqual(
        expect.arrayContaining(["aws_db_instance", "aws_db_instance_automated_backups_replication"]),
      );
      expect(report.notes.join()).toMatch(/prevent_destroy refused destroy of \d+ resource/);
    },
    LANE_TIMEOUT,
  );

  it(
    "[CI-1] the delivery stack plans, applies, re-plans with no change outside the reviewed drift list, and destroys leaving nothing",
    async () => {
      const report = await cycleReport(DELIVERY_STACK, 30);
      expect(report.notes.join()).toMatch(/prevent_destroy refused destroy of \d+ resource/);
    },
    LANE_TIMEOUT,
  );

  it(
    "[PLT-6] renders the pull-request comment from this run's plans: every environment's adds, and dev's destroy plan with its stateful resources",
    async () => {
      for (const name of ENV_STACKS) await result(cycles[name]).catch(() => undefined);
      const plan = (file: string) => JSON.parse(readFileSync(join(PLANS, file), "utf8"));
      const creates = ENV_STACKS.map((stack) => ({ stack, summary: summarizePlan(plan(`${stack}.create.json`)) }));
      const comment = renderComment(creates);
      expect(comment.startsWith(PLAN_SUMMARY_MARKER)).toBe(true);
      for (const { stack, summary } of creates) {
        expect(summary.adds).toBe(
          plan(`${stack}.create.json`).resource_changes.filter((c: any) => c.change.actions.join() === "create").length,
        );
        expect(comment).toContain(stack);
      }
      const destroy = summarizePlan(plan(`${DEV}.destroy.json`));
      expect(destroy.destroys).toBeGreaterThan(50);
      expect(destroy.statefulAtRisk.map((r) => r.type)).toEqual(
        expect.arrayContaining(["aws_db_instance", "aws_s3_bucket", "aws_kms_key"]),
      );
      expect(renderComment([{ stack: DEV, summary: destroy }])).toContain("stateful resources will be destroyed or replaced");
    },
    LANE_TIMEOUT,
  );

  it(
    "[PLT-7] cdktf diff and cdktf deploy work per environment stack (ecg-dev, on the emulator)",
    async () => {
      const { diff, deploy, deployed, destroy, remaining, removedBeforeDestroy, notes } = await result(cliRun);
      const dev = readSynthesizedStack(SYNTH, DEV);
      // The apply gaps are targeted out, and random_* are literals in every lane copy.
      const randoms = Object.entries<Record<string, unknown>>(dev.resource)
        .filter(([type]) => type.startsWith("random_"))
        .reduce((n, [, byName]) => n + Object.keys(byName).length, 0);
      const planned = resourceCount(dev) - applyTargets(dev, APPLY_GAPS).excluded.length - randoms;
      expect(diff).toContain(`Plan: ${planned} to add, 0 to change, 0 to destroy.`);
      // A deploy retried after a known emulator race (FLAKES, in notes) summarizes its second run only, whose
      // refresh also updates what the emulator reports differently (the reviewed drift list): the state counts.
      if (notes.length === 0) expect(deploy).toContain(`Apply complete! Resources: ${planned} added, 0 changed, 0 destroyed.`);
      else expect(deploy).toMatch(/Apply complete! Resources: \d+ added, \d+ changed, 0 destroyed\./);
      expect(deployed).toBe(planned);
      // A destroy retried after a known race (FLAKES, in notes) summarizes its second run only: the state counts.
      expect(destroy).toMatch(/Destroy complete! Resources: \d+ destroyed\./);
      if (notes.length === 0) expect(destroy).toContain(`Destroy complete! Resources: ${planned - removedBeforeDestroy} destroyed.`);
      expect(remaining).toBe(0);
    },
    LANE_TIMEOUT,
  );

  it(
    "needed every entry of the reviewed gap list (a stale entry would hide a regression)",
    async () => {
      const all = [...(await Promise.all(Object.values(cycles).map(result))), ...(await result(multiAccount)).reports];
      const used = new Set(all.flatMap((r) => r.usedDrift));
      expect(DRIFT_GAPS.map((d) => `${d.type}.${d.attribute}`).filter((d) => !used.has(d))).toEqual([]);
      const skippedTypes = new Set(all.flatMap((r) => r.skipped.map((a) => a.split(".")[0])));
      expect(APPLY_GAPS.map((g) => g.type).filter((t) => !skippedTypes.has(t))).toEqual([]);
    },
    LANE_TIMEOUT,
  );
});

describe("offline Terraform lane: multi-account", () => {
  const run = () => result(multiAccount);

  it(
    "[ACC-1] [ACC-2] [ACC-3] the state account's bootstrap, dev's and staging's access stacks and dev's account stack (through the program's role its access stack made) apply, re-plan clean and destroy leaving nothing",
    async () => {
      const { reports: runs, stateKeys, removedByTeardown } = await run();
      for (const report of runs) {
        reports.push(report);
        expect([report.stack, report.applied]).toEqual([report.stack, report.planned - report.skipped.length]);
        // The bootstrap's logging and bucket policies went earlier, by the teardown's targeted runs.
        const removed = report.stack.startsWith("ecg-state") ? removedByTeardown : report.removedBeforeDestroy;
        expect([report.stack, report.destroyed]).toEqual([report.stack, report.applied - removed]);
      }
      expect(runs.map((r) => r.stack).sort()).toEqual([
        "ecg-access-dev (multi-account)",
        "ecg-access-staging (multi-account)",
        `ecg-account-${ACCOUNTS.dev.id}-ap-northeast-2 (multi-account)`,
        "ecg-state (multi-account)",
      ]);
      // [#13] moto has no pull-through cache or creation templates (listed gaps); the key and ECR's role apply.
      const accountStack = runs.find((r) => r.stack.startsWith("ecg-account-"))!;
      // The registry's cache, and the baseline's pieces moto lacks (emulator-gaps.ts): the detector, recorder and their roles apply.
      expect(accountStack.skipped.map((address) => address.split(".")[0]).sort()).toEqual([
        "aws_accessanalyzer_analyzer",
        "aws_cloudtrail",
        "aws_ecr_pull_through_cache_rule",
        "aws_ecr_registry_scanning_configuration",
        "aws_ecr_repository_creation_template",
        "aws_guardduty_detector_feature",
        "aws_guardduty_detector_feature",
        "aws_iam_role_policy_attachment",
      ]);
      // Their state went through the environments' state roles into the state account's bucket.
      expect(stateKeys).toEqual(
        expect.arrayContaining([
          "ecg-access-dev/terraform.tfstate",
          "ecg-access-staging/terraform.tfstate",
          `ecg-account-${ACCOUNTS.dev.id}-ap-northeast-2/terraform.tfstate`,
        ]),
      );
    },
    LANE_TIMEOUT,
  );

  it(
    "[ACC-1] each account holds its own stacks' resources and none of another's (listed per account while all were up)",
    async () => {
      const { inventories } = await run();
      const dev = inventories[ACCOUNTS.dev.id];
      const staging = inventories[ACCOUNTS.staging.id];
      expect(dev.roles).toEqual(
        expect.arrayContaining(["/ecg-access/ecg-dev-github-plan", "/ecg-access/ecg-dev-github-deploy", "/ecg-terraform"]),
      );
      expect(dev.roles.filter((r) => r.includes("staging"))).toEqual([]);
      expect(dev.kmsKeys).toBeGreaterThan(0); // the account stack's cache key
      expect(staging.roles).toEqual(expect.arrayContaining(["/ecg-access/ecg-staging-github-deploy", "/ecg-terraform"]));
      expect(staging.roles.filter((r) => r.includes("dev"))).toEqual([]);
      expect(staging.kmsKeys).toBe(0);
      const state = inventories[STATE_ACCOUNT];
      expect(state.roles.filter((r) => r.startsWith("/ecg-state/"))).toHaveLength(6);
      expect(state.buckets).toEqual([
        "ecg-render-terraform-state",
        "ecg-render-terraform-state-access-logs",
        "ecg-render-terraform-state-ap-northeast-1",
        "ecg-render-terraform-state-ap-northeast-1-access-logs",
        // Every account's trail and Config history: in the state account, not in theirs (#17).
        "ecg-render-terraform-state-audit",
      ]);
      expect([dev.buckets, staging.buckets]).toEqual([[], []]);
      // Prod's account got nothing (its stacks were not applied), nor did the caller's.
      for (const account of [ACCOUNTS.prod.id, MOTO_DEFAULT_ACCOUNT]) {
        expect(inventories[account]).toEqual({ account, roles: [], buckets: [], kmsKeys: 0 });
      }
    },
    LANE_TIMEOUT,
  );

  it(
    "[ACC-3] plan.yml's path: dev's GitHub plan role, its own session, plans dev's account stack clean through the state plan role with account_role_arn empty",
    async () => {
      const { plan } = await run();
      expect([plan.code, plan.output]).toEqual([0, expect.stringContaining("No changes.")]);
    },
    LANE_TIMEOUT,
  );

  it(
    "[ACC-2] with moto's IAM enforcement on: staging's state deploy role reads and writes staging's state only, its state plan role only reads it, staging's GitHub roles reach only their own state role, and a plan role cannot take the program's role",
    async () => {
      const { attempts } = await run();
      expect(attempts.map((a) => [a.who, a.what, a.allowed, a.error])).toEqual([
        ["staging's state deploy role", "reads ecg-access-staging/terraform.tfstate", true, undefined],
        ["staging's state deploy role", "writes ecg-access-staging/lane-probe", true, undefined],
        ["staging's state deploy role", "reads ecg-access-dev/terraform.tfstate", false, "AccessDenied"],
        ["staging's state deploy role", "writes ecg-access-dev/lane-probe", false, "AccessDenied"],
        ["staging's GitHub deploy role", "assumes staging's state deploy role", true, undefined],
        ["staging's GitHub deploy role", "assumes dev's state deploy role", false, "AccessDenied"],
        ["staging's GitHub plan role", "assumes staging's state plan role", true, undefined],
        ["staging's GitHub plan role", "assumes staging's state deploy role", false, "AccessDenied"],
        ["staging's state plan role", "reads ecg-access-staging/terraform.tfstate", true, undefined],
        ["staging's state plan role", "writes ecg-access-staging/lane-probe", false, "AccessDenied"],
        ["dev's GitHub plan role", "assumes dev's program role", false, "AccessDenied"],
      ]);
    },
    LANE_TIMEOUT,
  );
});
