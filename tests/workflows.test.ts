import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { validateWorkflow } from "@action-validator/core";
import { parse } from "yaml";
import { environments, program } from "../environments";
import { main, PLAN_SUMMARY_MARKER, summarizePlan } from "../scripts/plan-summary";
import { workflowStacks } from "../scripts/stacks";
import { driftMarker } from "../scripts/drift-summary/render";
import {
  ACCOUNT_ROLE_VARIABLE,
  DELIVERY_STACK,
  DEPLOY_SESSION_SECONDS,
  globalStackName,
  planEnvironmentName,
  platformStackName,
  standbyStackName,
} from "../stacks/support/contracts";
import { GLOBAL_ACCELERATOR_API_REGION } from "../modules/failover";

type Json = Record<string, any>;

const ROOT = join(__dirname, "..");
const FIXTURES = join(ROOT, "tests", "fixtures", "plans");

/**
 * The npm script the comment jobs call, and the command it must hold. It is
 * added to package.json separately; until then the check below accepts its
 * absence, never a different command.
 */
const PLAN_SUMMARY_SCRIPT = "plan-summary";
const PLAN_SUMMARY_BUNDLE =
  "esbuild scripts/plan-summary/cli.ts --bundle --platform=node --target=node20 --log-level=warning --outfile=dist/plan-summary.js";
const PLAN_SUMMARY_COMMAND = `${PLAN_SUMMARY_BUNDLE} && node dist/plan-summary.js`;

const workflow = (name: string): Json => parse(readFileSync(join(ROOT, ".github", "workflows", name), "utf8"));
const plan = workflow("plan.yml");
const planTfc = workflow("plan-tfc.yml");
const deploy = workflow("deploy.yml");
const drift = workflow("drift.yml");
const ALL: [string, Json][] = [
  ["plan.yml", plan],
  ["plan-tfc.yml", planTfc],
  ["deploy.yml", deploy],
  ["drift.yml", drift],
];

/** What the pull-request workflows plan: every environment stack (with its standby and global stacks) and the delivery pipeline's, all of which deploy.yml applies. */
const withStandby = environments.filter((e) => e.disasterRecovery.standby);
const stacks = [
  ...environments.flatMap((e) => [platformStackName(e), ...(e.disasterRecovery.standby ? [standbyStackName(e), globalStackName(e)] : [])]),
  DELIVERY_STACK,
];
const packageJson = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const terraformVersion = readFileSync(join(ROOT, ".terraform-version"), "utf8").trim();

const steps = (job: Json): Json[] => job.steps ?? [];
const uses = (job: Json, action: string): Json[] => steps(job).filter((s) => String(s.uses ?? "").startsWith(`${action}@`));
const scripts = (job: Json): string =>
  steps(job)
    .map((s) => s.run ?? s.with?.script ?? "")
    .join("\n");
const allJobs = (): [string, string, Json][] =>
  ALL.flatMap(([file, wf]) => Object.entries(wf.jobs as Json).map(([id, job]): [string, string, Json] => [file, id, job]));

/** The synth jobs print the program's stacks (scripts/stacks.ts) into their output `stacks`; the matrices read it. */
const STACKS_COMMAND = "npm run --silent stacks -- --json";
const STACK_MATRIX = "${{ fromJSON(needs.synth.outputs.stacks) }}";
function expectStackListFromProgram(synth: Json): void {
  expect(synth.outputs).toEqual({ stacks: "${{ steps.stacks.outputs.stacks }}" });
  const runs = steps(synth).map((s) => s.run ?? "");
  const printed = steps(synth).findIndex((s) => s.id === "stacks");
  expect(runs[printed]).toBe(`echo "stacks=$(${STACKS_COMMAND})" >> "$GITHUB_OUTPUT"`);
  // After npm ci, which builds nothing the command needs but esbuild.
  expect(printed).toBeGreaterThan(runs.findIndex((r) => r.startsWith("npm ci")));
  expect(workflowStacks().map((s) => s.stack)).toEqual(stacks);
}

function loadFixture(name: string): Json {
  return JSON.parse(gunzipSync(readFileSync(join(FIXTURES, name))).toString("utf8"));
}

/** What action-validator (GitHub's workflow schema, compiled to WebAssembly) finds wrong in a workflow's text. */
const schemaErrors = (text: string) => validateWorkflow(text).errors.map((e) => ("path" in e ? `${e.path}: ${e.title}` : e.title));

/**
 * Jobs of a workflow run on `pull_request_target` (with the base's secrets
 * and a write token) that check out the pull request's own code: the
 * "pwn request" GitHub warns about (Security hardening for GitHub Actions).
 */
function pullRequestTargetHeadCheckouts(wf: Json): string[] {
  const on = typeof wf.on === "string" ? [wf.on] : Array.isArray(wf.on) ? wf.on : Object.keys(wf.on ?? {});
  if (!on.includes("pull_request_target")) return [];
  return Object.entries(wf.jobs as Json).flatMap(([id, job]) =>
    [...uses(job, "actions/checkout"), ...steps(job).filter((s) => /gh pr checkout|git fetch[^\n]*pull\//.test(String(s.run ?? "")))]
      .filter((s) =>
        /github\.event\.pull_request\.(head|merge_commit_sha)|github\.head_ref|refs\/pull\//.test(JSON.stringify(s.with ?? {})),
      )
      .map(() => id),
  );
}

describe("all workflows", () => {
  it("[#19] never check out a pull request's head in a pull_request_target workflow", () => {
    for (const [file, wf] of ALL) expect([file, pullRequestTargetHeadCheckouts(wf)]).toEqual([file, []]);
    // The check itself finds one.
    const pwn = parse(
      "on: pull_request_target\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n",
    );
    expect(pullRequestTargetHeadCheckouts(pwn)).toEqual(["build"]);
  });

  it("[PLT-6] are valid GitHub Actions workflows (action-validator, the schema GitHub publishes)", () => {
    const files = readdirSync(join(ROOT, ".github", "workflows")).filter((f) => /\.ya?ml$/.test(f));
    expect(files.sort()).toEqual(["deploy.yml", "drift.yml", "plan-tfc.yml", "plan.yml"]);
    for (const file of files) {
      expect([file, schemaErrors(readFileSync(join(ROOT, ".github", "workflows", file), "utf8"))]).toEqual([file, []]);
    }
    // The validator can fail: a misspelled step key and a `with` that is not a map.
    const broken =
      "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n        with: 3\n      - runn: echo\n";
    expect(schemaErrors(broken)).not.toEqual([]);
  });

  it("[PLT-6] grant nothing at the top and only what each job needs; only comment jobs may write to pull requests, only the drift issues job to issues", () => {
    for (const [file, wf] of ALL) expect([file, wf.permissions]).toEqual([file, {}]);
    for (const [file, id, job] of allJobs()) {
      // Read access to the code where the job checks it out or reads it (no checkout, no contents scope).
      expect([file, id, job.permissions?.contents]).toEqual([file, id, file === "drift.yml" && id === "issues" ? undefined : "read"]);
      const writes = Object.entries(job.permissions as Json)
        .filter(([, level]) => level === "write")
        .map(([scope]) => scope);
      const allowed =
        id === "comment"
          ? ["pull-requests"]
          : file === "drift.yml" && id === "issues"
            ? ["issues"]
            : uses(job, "github/codeql-action/upload-sarif").length > 0
              ? ["security-events"]
              : uses(job, "aws-actions/configure-aws-credentials").length > 0
                ? ["id-token"]
                : [];
      expect([file, id, writes]).toEqual([file, id, allowed]);
    }
  });

  it("[#17] check out without persisting the token (no job pushes; later steps, npm scripts included, never see it)", () => {
    const checkouts = ALL.flatMap(([file, w]) =>
      Object.entries<Json>(w.jobs).flatMap(([job, j]) =>
        uses(j, "actions/checkout").map((step) => [file, job, step.with?.["persist-credentials"]]),
      ),
    );
    expect(checkouts.length).toBeGreaterThan(3);
    expect(checkouts.filter(([, , persist]) => persist !== false)).toEqual([]);
  });

  it("[#17] pin every action by the full commit SHA, with its release tag beside it, one SHA per action across the workflows", () => {
    const files = readdirSync(join(ROOT, ".github", "workflows")).filter((f) => f.endsWith(".yml"));
    const lines = files.flatMap((file) =>
      readFileSync(join(ROOT, ".github", "workflows", file), "utf8")
        .split("\n")
        .filter((line) => /^\s*(- )?uses:/.test(line))
        .map((line) => [file, line.replace(/^\s*(- )?uses:\s*/, "")]),
    );
    expect(lines.length).toBeGreaterThan(40);
    const pinned = /^([\w.-]+\/[\w.-]+)(\/[\w./-]+)?@([0-9a-f]{40}) # v\d+\.\d+\.\d+$/;
    expect(lines.filter(([, use]) => !pinned.test(use))).toEqual([]);
    const shas = new Map<string, Set<string>>();
    for (const [, use] of lines) {
      const [, repository, , sha] = pinned.exec(use)!;
      shas.set(repository, (shas.get(repository) ?? new Set()).add(`${sha} ${use.split("# ")[1]}`));
    }
    expect([...shas].filter(([, pins]) => pins.size > 1)).toEqual([]);
  });

  it("[PLT-6] set up Terraform at .terraform-version without the wrapper, and Node 20 with the npm cache where npm installs", () => {
    let terraformSetups = 0;
    for (const [file, id, job] of allJobs()) {
      for (const step of uses(job, "hashicorp/setup-terraform")) {
        terraformSetups++;
        expect([file, id, String(step.with.terraform_version), step.with.terraform_wrapper]).toEqual([file, id, terraformVersion, false]);
      }
      // The npm cache where npm ci runs; drift.yml's check jobs run one bundled file without npm.
      const npmCi = /npm ci/.test(scripts(job));
      for (const step of uses(job, "actions/setup-node"))
        expect([file, id, step.with]).toEqual([file, id, { "node-version": 20, ...(npmCi ? { cache: "npm" } : {}) }]);
      // A job that runs Terraform commands (not one that only mentions Terraform in a message) sets it up.
      if (/^\s*terraform (init|plan|apply|show)\b/m.test(scripts(job)))
        expect([file, id, uses(job, "hashicorp/setup-terraform").length]).toEqual([file, id, 1]);
    }
    expect(terraformSetups).toBeGreaterThan(0);
  });

  it("[PLT-6] every `npm run <script>` exists in package.json (the renderer's script once added, with the reported command)", () => {
    const used = new Set(allJobs().flatMap(([, , job]) => [...scripts(job).matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1])));
    expect(used).toContain("synth");
    expect(used).toContain(PLAN_SUMMARY_SCRIPT);
    for (const name of used) {
      if (name === PLAN_SUMMARY_SCRIPT && !(name in packageJson.scripts)) continue;
      expect([name, packageJson.scripts[name] !== undefined]).toEqual([name, true]);
    }
    if (PLAN_SUMMARY_SCRIPT in packageJson.scripts) expect(packageJson.scripts[PLAN_SUMMARY_SCRIPT]).toBe(PLAN_SUMMARY_COMMAND);
  });
});

/** The pull request workflows share their shape; plan.yml plans with S3 state, plan-tfc.yml in Terraform Cloud. */
describe.each([
  ["plan.yml", plan, "!="],
  ["plan-tfc.yml", planTfc, "=="],
])("%s", (file, wf, comparison) => {
  it(`[PLT-6] runs on pull requests to main, one run per pull request, only for its backend (${file})`, () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(wf.on.pull_request.branches).toEqual(["main"]);
    expect(wf.concurrency.group).toContain("${{ github.event.pull_request.number }}");
    expect(wf.concurrency["cancel-in-progress"]).toBe(true);
    // Chosen by the repository variable ECG_TF_BACKEND: exactly one of the two runs (PLT-5).
    expect(wf.jobs.synth.if).toContain(`vars.ECG_TF_BACKEND ${comparison} 'cloud'`);
  });

  it(`[PLT-6] tests and synthesizes once, then plans each environment stack from that synth (${file})`, () => {
    const runs = steps(wf.jobs.synth)
      .map((s) => s.run)
      .filter(Boolean);
    expect(runs.indexOf("npm test")).toBeGreaterThan(runs.findIndex((r: string) => r.startsWith("npm ci")));
    expect(runs.indexOf("npm run synth")).toBeGreaterThan(runs.indexOf("npm test"));
    expect(uses(wf.jobs.synth, "actions/upload-artifact")[0].with.path).toBe("cdktf.out");
    expect(wf.jobs.plan.needs).toBe("synth");
    // [#19] The matrix is the program's stack list, printed by the synth job before the tests run.
    expectStackListFromProgram(wf.jobs.synth);
    expect(wf.jobs.plan.strategy.matrix).toEqual({ include: STACK_MATRIX });
    expect(wf.jobs.plan.strategy["fail-fast"]).toBe(false);
    expect(wf.jobs.plan.defaults.run["working-directory"]).toBe("cdktf.out/stacks/${{ matrix.stack }}");
    const planStep = steps(wf.jobs.plan).find((s) => s.id === "plan")!;
    // One failed stack still gets its artifact and the comment.
    expect(planStep["continue-on-error"]).toBe(true);
    expect(planStep.run).toMatch(/terraform init -input=false/);
    expect(uses(wf.jobs.plan, "actions/upload-artifact")[0].if).toBe("always()");
  });

  it(`[PLT-6] posts ONE comment: finds the renderer's marker and updates that comment, else creates it (${file})`, () => {
    const { summary, comment } = wf.jobs;
    expect(summary.needs).toEqual(["synth", "plan"]);
    expect(summary.if).toContain("!cancelled()");
    // The program's stacks, in order, also when the synth job failed before printing them.
    expect(scripts(summary)).toContain(`stacks=$(${STACKS_COMMAND} | jq -r '.[].stack')`);
    expect(scripts(summary)).toMatch(/npm run --silent plan-summary -- --out comment\.md /);
    expect(uses(summary, "actions/upload-artifact")[0].with).toMatchObject({ name: "plan-comment", path: "comment.md\nfailed.txt\n" });
    expect(comment.needs).toBe("summary");
    expect(comment.env.PLAN_SUMMARY_MARKER).toBe(PLAN_SUMMARY_MARKER);
    expect(uses(comment, "actions/download-artifact")[0].with).toEqual({ name: "plan-comment" });
    const script = uses(comment, "actions/github-script")[0].with.script;
    expect(script).toContain("process.env.PLAN_SUMMARY_MARKER");
    expect(script).toContain("github.paginate(github.rest.issues.listComments");
    expect(script).toMatch(
      /if \(previous\) \{\s*await github\.rest\.issues\.updateComment[\s\S]*else \{\s*await github\.rest\.issues\.createComment/,
    );
    // Failed plans fail the check after the comment is posted, naming stacks only.
    expect(steps(comment).at(-1)!.run).toContain("failed=$(tr -cd 'a-z0-9 -' < failed.txt)");
  });

  it(`[#17] renders with the pull request's code under a read-only token; the job that writes to the pull request runs none of it (${file})`, () => {
    const { summary, comment } = wf.jobs;
    expect(summary.permissions).toEqual({ contents: "read" });
    expect(scripts(summary)).toContain("npm ci");
    expect(comment.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    // No checkout, no npm, no setup-node: only the artifact, GitHub's script action and a shell test of a file.
    expect(steps(comment).map((step) => String(step.uses ?? "run").split("@")[0])).toEqual([
      "actions/download-artifact",
      "actions/github-script",
      "run",
    ]);
    expect(scripts(comment)).not.toMatch(/npm|node|npx/);
  });
});

describe("plan.yml (S3 state)", () => {
  const job = plan.jobs.plan;

  it("[#17] runs each plan in its environment's GitHub plan environment (<env>-plan), the only jobs its plan role trusts", () => {
    expect(job.environment).toBe("${{ matrix.plan_environment }}");
    const byStack = Object.fromEntries(workflowStacks().map((i) => [i.stack, i.plan_environment]));
    for (const env of environments) {
      const stacks = [platformStackName(env), ...(env.disasterRecovery.standby ? [standbyStackName(env), globalStackName(env)] : [])];
      for (const stack of stacks) expect([stack, byStack[stack]]).toEqual([stack, planEnvironmentName(env)]);
    }
    expect(byStack[DELIVERY_STACK]).toBe("delivery-plan");
  });

  it("[#17] initializes with the committed provider lock, read-only, in every Terraform job", () => {
    const inits = ALL.flatMap(([file, wf]) =>
      Object.entries<Json>(wf.jobs).flatMap(([id, j]) =>
        (scripts(j).match(/terraform init[^\n&]*/g) ?? []).map((command) => [file, id, command.includes("-lockfile=readonly")]),
      ),
    );
    expect(new Set(inits.map(([file]) => file))).toEqual(new Set(["plan.yml", "plan-tfc.yml", "deploy.yml", "drift.yml"]));
    expect(inits.filter(([, , readonly]) => !readonly)).toEqual([]);
    const uploads = ALL.flatMap(([, wf]) => Object.values<Json>(wf.jobs).flatMap((j) => uses(j, "actions/upload-artifact")));
    const synthesized = uploads.filter((step) => String(step.with.path).split("\n")[0] === "cdktf.out");
    expect(synthesized.length).toBe(4);
    for (const step of synthesized) expect(step.with["include-hidden-files"]).toBe(true);
  });

  it("[PLT-6] [ACC-2] [ACC-3] plans each stack with OIDC credentials of its environment's plan role, acting as that role, in its region, without locking", () => {
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
    const byStack: Record<string, Json> = Object.fromEntries(workflowStacks().map((i) => [i.stack, i]));
    for (const env of environments) {
      const entry = byStack[platformStackName(env)];
      expect(entry.region).toBe(env.account.region);
      expect(entry.role_variable).toBe(`AWS_PLAN_ROLE_ARN_${env.name.toUpperCase()}`);
      expect(entry.state_role_variable).toBe(`AWS_STATE_PLAN_ROLE_ARN_${env.name.toUpperCase()}`);
    }
    for (const env of withStandby) {
      expect(byStack[standbyStackName(env)]).toMatchObject({
        stack: standbyStackName(env),
        region: env.disasterRecovery.failoverRegion,
        role_variable: `AWS_PLAN_ROLE_ARN_${env.name.toUpperCase()}`,
        state_role_variable: `AWS_STATE_PLAN_ROLE_ARN_${env.name.toUpperCase()}`,
        plan_environment: planEnvironmentName(env),
      });
      expect(byStack[globalStackName(env)]).toMatchObject({
        stack: globalStackName(env),
        region: GLOBAL_ACCELERATOR_API_REGION,
        role_variable: `AWS_PLAN_ROLE_ARN_${env.name.toUpperCase()}`,
        state_role_variable: `AWS_STATE_PLAN_ROLE_ARN_${env.name.toUpperCase()}`,
        plan_environment: planEnvironmentName(env),
      });
    }
    expect(byStack[DELIVERY_STACK]).toMatchObject({
      stack: DELIVERY_STACK,
      region: program.delivery.region,
      role_variable: "AWS_PLAN_ROLE_ARN_DELIVERY",
      plan_environment: "delivery-plan",
    });
    const aws = uses(job, "aws-actions/configure-aws-credentials")[0].with;
    expect(aws).toEqual({ "role-to-assume": "${{ vars[matrix.role_variable] }}", "aws-region": "${{ matrix.region }}" });
    const planStep = steps(job).find((s) => s.id === "plan")!;
    // [ACC-3] The plan acts as the plan role: the providers assume nothing more.
    expect(planStep.env[`TF_VAR_${ACCOUNT_ROLE_VARIABLE}`]).toBe("");
    // [ACC-2] With a state account, it reads the state through the environment's plan state role.
    expect(planStep.env.STATE_PLAN_ROLE_ARN).toBe("${{ matrix.state_role_variable && vars[matrix.state_role_variable] || '' }}");
    const run = planStep.run;
    expect(run).toContain('backend=("-backend-config=assume_role={role_arn=\\"$STATE_PLAN_ROLE_ARN\\", session_name=\\"plan-$STACK\\"}")');
    expect(run).toContain('terraform init -input=false -no-color -lockfile=readonly "${backend[@]}"');
    expect(run).toContain("terraform plan -input=false -no-color -lock=false -out=plan.tfplan");
    expect(run).toContain('terraform show -json plan.tfplan | jq -c "$PLAN_JSON_FILTER" > plan.json');
    expect(run).toMatch(/^set -o pipefail$/m);
  });

  // jq is what the workflow filters with (GitHub's runners have it; .ci/run requires it).
  it("[PLT-6] the uploaded plan.json is reduced to what the renderer reads, and summarizes exactly like the full plan", () => {
    const filter = steps(job).find((s) => s.id === "plan")!.env.PLAN_JSON_FILTER;
    // The lane's plans, and prod's re-plan with its first update made a replacement (which the lane never plans).
    const replan = JSON.parse(gunzipSync(readFileSync(join(FIXTURES, "ecg-prod.replan.json.gz"))).toString("utf8"));
    const update = replan.resource_changes.find((rc: Json) => rc.change.actions.join() === "update");
    update.change.actions = ["delete", "create"];
    update.change.replace_paths = [["name"], ["tags", "Name"]];
    const inputs = [
      ...["ecg-dev.create.json.gz", "ecg-prod.replan.json.gz"].map((name) =>
        gunzipSync(readFileSync(join(FIXTURES, name))).toString("utf8"),
      ),
      JSON.stringify(replan),
    ];
    expect(summarizePlan(replan).resources.find((r) => r.address === update.address)?.changed).toEqual(["name", "tags"]);
    for (const full of inputs) {
      const result = spawnSync("jq", ["-c", filter], { input: full, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      expect(result.stderr).toBe("");
      const reduced = JSON.parse(result.stdout);
      expect(summarizePlan(reduced)).toEqual(summarizePlan(JSON.parse(full)));
      // No values (the full JSON holds the lane's stand-in secrets in clear).
      expect(result.stdout).not.toContain("LaneFixedPassw0rd");
      expect(Object.keys(reduced).sort()).toEqual([
        "complete",
        "errored",
        "format_version",
        "output_changes",
        "resource_changes",
        "terraform_version",
      ]);
    }
  });
});

describe("plan.yml code scanning", () => {
  it("[PLT-6] uploads the policy pack's SARIF report to code scanning, also when the report has errors", () => {
    const job = plan.jobs["policy-scan"];
    expect(job.permissions).toEqual({ contents: "read", "security-events": "write" });
    const report = steps(job).find((s) => String(s.run ?? "").includes("npm run --silent policy -- --format sarif"))!;
    expect(report.run).toBe("npm run --silent policy -- --format sarif > policy.sarif");
    const [upload] = uses(job, "github/codeql-action/upload-sarif");
    expect(upload.with).toEqual({ sarif_file: "policy.sarif", category: "ecg-policy" });
    expect(upload.if).toContain("always()");
    expect(steps(job).indexOf(upload)).toBeGreaterThan(steps(job).indexOf(report));
  });
});

describe("plan-tfc.yml (Terraform Cloud)", () => {
  it("[PLT-5] synthesizes with ECG_TF_BACKEND=cloud and plans speculatively in each workspace with the TFC token", () => {
    const synth = steps(planTfc.jobs.synth).find((s) => s.run === "npm run synth")!;
    expect(synth.env).toEqual({ ECG_TF_BACKEND: "cloud" });
    const job = planTfc.jobs.plan;
    expect(job.env.TF_TOKEN_app_terraform_io).toBe("${{ secrets.TF_API_TOKEN }}");
    // The plan runs in Terraform Cloud with the workspace's credentials: no AWS role here.
    expect(job.permissions).toEqual({ contents: "read" });
    expect(uses(job, "aws-actions/configure-aws-credentials")).toEqual([]);
    const run = steps(job).find((s) => s.id === "plan")!.run;
    expect(run).toContain("terraform plan -input=false -no-color > plan.txt");
    // A speculative plan cannot be saved: no -out, so the renderer reads the text.
    expect(run).not.toContain("-out");
    expect(scripts(planTfc.jobs.summary)).toContain('args+=(--text "$stack=$dir/plan.txt")');
  });
});

describe("deploy.yml", () => {
  it("[PLT-7] runs on pushes to main, one deploy at a time, never cancelled half-way", () => {
    expect(Object.keys(deploy.on)).toEqual(["push"]);
    expect(deploy.on.push.branches).toEqual(["main"]);
    expect(deploy.concurrency).toEqual({ group: "deploy-main", "cancel-in-progress": false });
  });

  it("[PLT-7] [#19] synthesizes once, then deploys every stack the program lists, one at a time in its order, each in its GitHub environment", () => {
    expect(
      steps(deploy.jobs.synth)
        .map((s) => s.run)
        .filter(Boolean),
    ).toEqual(["npm ci --no-audit --no-fund", `echo "stacks=$(${STACKS_COMMAND})" >> "$GITHUB_OUTPUT"`, "npm run synth"]);
    expectStackListFromProgram(deploy.jobs.synth);
    expect(Object.keys(deploy.jobs)).toEqual(["synth", "deploy"]);
    const job = deploy.jobs.deploy;
    expect(job.needs).toBe("synth");
    expect(job.environment).toBe("${{ matrix.environment }}");
    // Jobs are created in the matrix's order; one runs at a time, and a failure cancels those still queued.
    expect(job.strategy).toEqual({ "max-parallel": 1, "fail-fast": true, matrix: { include: STACK_MATRIX } });
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(uses(job, "actions/download-artifact")[0].with).toEqual({ name: "cdktf-out", path: "cdktf.out" });
    expect(uses(job, "aws-actions/configure-aws-credentials")[0].with).toEqual({
      "role-to-assume": "${{ vars[matrix.deploy_role_variable] }}",
      "role-duration-seconds": "${{ matrix.deploy_session_seconds }}",
      "aws-region": "${{ matrix.region }}",
    });
    expect(job.defaults.run["working-directory"]).toBe("cdktf.out/stacks/${{ matrix.stack }}");
    expect(
      steps(job)
        .map((s) => s.run)
        .filter(Boolean),
    ).toEqual(["terraform init -input=false -no-color -lockfile=readonly", "terraform apply -input=false -no-color -auto-approve"]);
    // The environments in the program's order (dev → staging → prod), each in its own GitHub environment and region.
    const list = workflowStacks();
    const platform = environments.map((env) => list.findIndex((s) => s.stack === platformStackName(env)));
    expect(platform).toEqual([...platform].sort((a, b) => a - b));
    for (const env of environments)
      expect(list.find((s) => s.stack === platformStackName(env))).toMatchObject({ environment: env.name, region: env.account.region });
  });

  it("[DR-3] [SC-2] deploys a standby after its environment, then its accelerator, with its reviewers, in the failover region and us-west-2", () => {
    expect(withStandby.map((e) => e.name)).toEqual(["prod"]);
    const list = workflowStacks();
    const at = (stack: string) => list.findIndex((s) => s.stack === stack);
    for (const env of withStandby) {
      expect([at(standbyStackName(env)), at(globalStackName(env))]).toEqual([
        at(platformStackName(env)) + 1,
        at(platformStackName(env)) + 2,
      ]);
      expect(list[at(standbyStackName(env))]).toMatchObject({ environment: env.name, region: env.disasterRecovery.failoverRegion });
      expect(list[at(globalStackName(env))]).toMatchObject({ environment: env.name, region: GLOBAL_ACCELERATOR_API_REGION });
    }
  });

  it("[CI-1] deploys the delivery pipeline's stack last, with the last environment's reviewers, in the pipeline's region", () => {
    const list = workflowStacks();
    expect(list.at(-1)).toMatchObject({
      stack: DELIVERY_STACK,
      environment: environments[environments.length - 1].name,
      region: program.delivery.region,
      // [ACC-4] In the tooling account, where the pipeline runs: not prod's deploy role, which reaches only prod's account.
      deploy_role_variable: "AWS_DELIVERY_ROLE_ARN",
      deploy_session_seconds: 3600,
    });
  });

  it("[ACC-3] every environment's stacks act as its deploy role for the four hours the access stacks allow (one hour is not enough for prod)", () => {
    const environmentStacks = workflowStacks().filter((s) => s.stack !== DELIVERY_STACK);
    expect(environmentStacks.length).toBeGreaterThan(3);
    expect(new Set(environmentStacks.map((s) => `${s.deploy_role_variable} ${s.deploy_session_seconds}`))).toEqual(
      new Set([`AWS_DEPLOY_ROLE_ARN ${DEPLOY_SESSION_SECONDS}`]),
    );
    expect(DEPLOY_SESSION_SECONDS).toBe(14400);
  });

  it("[PLT-7] the reviewers of staging and prod are configured in the repository settings, as the workflow says", () => {
    const text = readFileSync(join(ROOT, ".github", "workflows", "deploy.yml"), "utf8");
    expect(text).toMatch(/Required\s+# reviewers for staging and prod .* are\s+# configured in the repository settings/s);
  });
});

describe("drift.yml", () => {
  const { synth, check, issues } = drift.jobs;

  it("[#19] runs daily and by hand, one check at a time and never cancelled, over every stack the program deploys", () => {
    expect(drift.on).toEqual({ schedule: [{ cron: "0 21 * * *" }], workflow_dispatch: null });
    expect(drift.concurrency).toEqual({ group: "drift", "cancel-in-progress": false });
    expectStackListFromProgram(synth);
    expect(check.needs).toBe("synth");
    expect(check.strategy).toEqual({ "fail-fast": false, matrix: { include: STACK_MATRIX } });
    // The renderer is bundled once, with the command package.json runs, and travels with the synthesized stacks.
    const bundle = steps(synth).find((s) => String(s.run ?? "").includes("esbuild"))!.run;
    expect(`${bundle.replace(/^npx /, "")} && node dist/drift-summary.js`).toBe(packageJson.scripts["drift-summary"]);
    expect(uses(synth, "actions/upload-artifact")[0].with.path).toBe("cdktf.out\ndist/drift-summary.js\n");
  });

  it("[#19] [ACC-3] checks each stack with its environment's read-only plan role: a refresh-only plan, exit 2 on drift, no lock, never an apply", () => {
    // No GitHub environment: the OIDC subject is main's ref, which the plan roles trust for this check (ACC-3, the trust
    // tables of tests/stacks/access.test.ts), without waiting for prod-plan's reviewers.
    expect(check.environment).toBeUndefined();
    expect(check.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(uses(check, "aws-actions/configure-aws-credentials")[0].with).toEqual({
      "role-to-assume": "${{ vars[matrix.role_variable] }}",
      "aws-region": "${{ matrix.region }}",
    });
    const step = steps(check).find((s) => String(s.run ?? "").includes("-refresh-only"))!;
    expect(step.env[`TF_VAR_${ACCOUNT_ROLE_VARIABLE}`]).toBe("");
    expect(step.env.STATE_PLAN_ROLE_ARN).toBe("${{ matrix.state_role_variable && vars[matrix.state_role_variable] || '' }}");
    expect(step.run).toContain("terraform plan -refresh-only -detailed-exitcode -input=false -no-color -lock=false -out=drift.tfplan");
    expect(step.run).toContain('terraform init -input=false -no-color -lockfile=readonly "${backend[@]}"');
    expect(step.run).toMatch(
      /node "\$GITHUB_WORKSPACE\/dist\/drift-summary\.js" --stack "\$STACK" --plan drift\.json --out "\$OUT\/drift\.md" --result "\$OUT\/summary"/,
    );
    expect(step.run).toContain('result=$(cat "$OUT/summary")');
    // The plan JSON holds sensitive values: removed before the artifact is uploaded, which carries only the result and the body.
    expect(step.run).toContain("rm -f drift.tfplan drift.json");
    expect(uses(check, "actions/upload-artifact")[0]).toMatchObject({ if: "always()", with: { path: "${{ runner.temp }}/drift/" } });
    const text = readFileSync(join(ROOT, ".github", "workflows", "drift.yml"), "utf8");
    expect(text).not.toMatch(/terraform apply|terraform import|state (rm|push|mv)/);
  });

  /** Runs the issues job's script against an in-memory repository, as actions/github-script would (github, context, core, require). */
  async function runIssuesScript(results: Record<string, { result?: string; body?: string }>, existing: Json[]) {
    const script = uses(issues, "actions/github-script")[0].with.script as string;
    const files = new Map<string, string>();
    for (const [stack, { result, body }] of Object.entries(results)) {
      if (result !== undefined) files.set(`results/drift-result-${stack}/result`, `${result}\n`);
      if (body !== undefined) files.set(`results/drift-result-${stack}/drift.md`, body);
    }
    const fs = {
      readFileSync: (path: string) => {
        if (!files.has(path)) throw new Error(`ENOENT: ${path}`);
        return files.get(path);
      },
    };
    const calls: [string, Json][] = [];
    const record = (name: string) => async (args: Json) => void calls.push([name, args]);
    const github = {
      paginate: async (method: unknown, args: Json) => {
        expect(method).toBe(github.rest.issues.listForRepo);
        expect(args).toMatchObject({ state: "open" });
        return existing;
      },
      rest: {
        issues: {
          listForRepo: () => undefined,
          create: record("create"),
          update: record("update"),
          createComment: record("createComment"),
        },
      },
    };
    const failures: string[] = [];
    const context = { repo: { owner: "o", repo: "r" }, serverUrl: "https://github.com", runId: 7 };
    const env = { STACKS_JSON: JSON.stringify(workflowStacks()), DRIFT_MARKER_PREFIX: issues.env.DRIFT_MARKER_PREFIX };
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
    await new AsyncFunction("github", "context", "core", "require", "process", script)(
      github,
      context,
      { setFailed: (m: string) => failures.push(m) },
      (name: string) => (name === "fs" ? fs : undefined),
      { env },
    );
    return { calls, failures };
  }

  const clean = () => Object.fromEntries(workflowStacks().map((s) => [s.stack, { result: "clean" }]));
  const bot = (number: number, body: string) => ({ number, body, user: { type: "Bot" } });

  it("[#19] the issues job's marker prefix is the renderer's, and it runs none of the project's code", () => {
    expect(driftMarker("ecg-dev")).toBe(`${issues.env.DRIFT_MARKER_PREFIX}ecg-dev -->`);
    expect(issues.needs).toEqual(["synth", "check"]);
    expect(issues.if).toBe("${{ !cancelled() && needs.synth.result == 'success' }}");
    expect(issues.permissions).toEqual({ issues: "write" });
    expect(steps(issues).map((step) => String(step.uses).split("@")[0])).toEqual(["actions/download-artifact", "actions/github-script"]);
  });

  it("[#19] opens one issue per drifted stack, with the rendered body; updates it on the next run instead of opening another", async () => {
    const body = `${driftMarker("ecg-staging")}\n## Drift in \`ecg-staging\`\n`;
    const first = await runIssuesScript({ ...clean(), "ecg-staging": { result: "drift", body } }, []);
    expect(first).toEqual({ calls: [["create", { owner: "o", repo: "r", title: "Drift in ecg-staging", body }]], failures: [] });
    // The next run: the bot's issue is found by its marker; a person's issue quoting the marker and a pull request are not.
    const existing = [
      { number: 3, body: driftMarker("ecg-staging"), user: { type: "User" } },
      { ...bot(4, body), pull_request: {} },
      bot(5, `${body}old text`),
    ];
    const second = await runIssuesScript({ ...clean(), "ecg-staging": { result: "drift", body } }, existing);
    expect(second.calls).toEqual([["update", { owner: "o", repo: "r", issue_number: 5, body }]]);
  });

  it("[#19] closes a stack's issue with a comment once it is clean again; a failed check leaves its issue and fails the run", async () => {
    const existing = [bot(5, `${driftMarker("ecg-staging")}\nold`), bot(6, `${driftMarker("ecg-prod")}\nold`)];
    const { calls, failures } = await runIssuesScript({ ...clean(), "ecg-prod": {} }, existing);
    expect(calls).toEqual([
      ["createComment", expect.objectContaining({ issue_number: 5, body: expect.stringContaining("`ecg-staging` is clean again") })],
      ["update", { owner: "o", repo: "r", issue_number: 5, state: "closed", state_reason: "completed" }],
    ]);
    expect(calls[0][1].body).toContain("https://github.com/o/r/actions/runs/7");
    expect(failures).toEqual([expect.stringContaining("the drift check failed for: ecg-prod")]);
  });

  it("[#19] refuses a body without the stack's marker (it would never be found again)", async () => {
    await expect(runIssuesScript({ ...clean(), "ecg-dev": { result: "drift", body: "## Drift\n" } }, [])).rejects.toThrow(
      /the drift summary of ecg-dev lacks its marker/,
    );
  });
});

describe("the plan-summary command", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ecg-plan-summary-"));
    for (const name of ["ecg-dev.create", "ecg-prod.replan"])
      writeFileSync(join(dir, `${name}.json`), gunzipSync(readFileSync(join(FIXTURES, `${name}.json.gz`))));
    writeFileSync(join(dir, "staging.err"), "Error: No valid credential sources found\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("[PLT-6] bundled with the reported command, writes the comment for the lane's plans and a failed stack", () => {
    const outfile = join(dir, "plan-summary.js");
    const args = PLAN_SUMMARY_BUNDLE.split(" ")
      .slice(1)
      .map((a) => (a.startsWith("--outfile=") ? `--outfile=${outfile}` : a));
    const built = spawnSync(join(ROOT, "node_modules", ".bin", "esbuild"), args, { cwd: ROOT, encoding: "utf8" });
    expect(built.stderr).toBe("");
    expect(built.status).toBe(0);
    const out = join(dir, "comment.md");
    const ran = spawnSync(
      process.execPath,
      [
        outfile,
        "--out",
        out,
        `ecg-dev=${join(dir, "ecg-dev.create.json")}`,
        "--error",
        `ecg-staging=${join(dir, "staging.err")}`,
        `ecg-prod=${join(dir, "ecg-prod.replan.json")}`,
      ],
      { encoding: "utf8" },
    );
    expect(ran.stderr).toBe("");
    expect(ran.status).toBe(0);
    expect(ran.stdout).toContain("failed: ecg-staging");
    const comment = readFileSync(out, "utf8");
    expect(comment.split("\n")[0]).toBe(PLAN_SUMMARY_MARKER);
    const dev = summarizePlan(loadFixture("ecg-dev.create.json.gz"));
    const prod = summarizePlan(loadFixture("ecg-prod.replan.json.gz"));
    expect(comment).toContain(`| \`ecg-dev\` | 📝 changes | ${dev.adds} | 0 | 0 | 0 |`);
    expect(comment).toContain("| `ecg-staging` | ❌ failed | – | – | – | – |");
    expect(comment).toContain(`| \`ecg-prod\` | 📝 changes, partial plan | 0 | ${prod.changes} | 0 | 0 |`);
    expect(comment).toContain("```text\nError: No valid credential sources found\n```");
  });

  it("[PLT-6] a missing or unreadable plan becomes a failed stack, not a missing comment; usage errors exit 2", () => {
    const out = join(dir, "missing.md");
    const log: string[] = [];
    const io = { log: (l: string) => log.push(l), error: (l: string) => log.push(l) };
    writeFileSync(join(dir, "broken.json"), "{ not json");
    expect(main(["--out", out, `ecg-dev=${join(dir, "nope.json")}`, `ecg-prod=${join(dir, "broken.json")}`], io)).toBe(0);
    const comment = readFileSync(out, "utf8");
    expect(comment).toContain(`No plan output at ${join(dir, "nope.json")}`);
    expect(comment).toContain(`Cannot summarize ${join(dir, "broken.json")}`);
    expect(log.at(-1)).toContain("failed: ecg-dev, ecg-prod");
    expect(main(["ecg-dev=x.json"], io)).toBe(2);
    expect(main(["--out", out, "ecg-dev=a.json", "ecg-dev=b.json"], io)).toBe(2);
    expect(log.at(-1)).toMatch(/stack ecg-dev is given twice\nusage: plan-summary/);
  });

  it("[PLT-5] renders Terraform Cloud's plan text (--text)", () => {
    const text = join(dir, "plan.txt");
    writeFileSync(text, '  # module.data.aws_s3_bucket.videos["x"] will be destroyed\n\nPlan: 0 to add, 0 to change, 1 to destroy.\n');
    const out = join(dir, "tfc.md");
    expect(
      main(["--out", out, "--title", "Terraform plan (Terraform Cloud, speculative)", "--text", `ecg-dev=${text}`], {
        log: () => undefined,
        error: () => undefined,
      }),
    ).toBe(0);
    const comment = readFileSync(out, "utf8");
    expect(comment).toContain("## Terraform plan (Terraform Cloud, speculative)");
    expect(comment).toContain("| `ecg-dev` | 📝 changes, ⚠️ stateful | 0 | 0 | 0 | 1 |");
    expect(comment).toContain('**destroy** `module.data.aws_s3_bucket.videos["x"]`');
  });
});
