import { readFileSync } from "node:fs";
import { join } from "node:path";
import { environments } from "../../environments";
import { STACK_ACTIONS, stackSteps, stackTargets } from "../../scripts/stack";
import { ACCOUNTS } from "../stacks/layouts";
import { reportSlow } from "../../scripts/progress";

const scripts: Record<string, string> = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")).scripts;

describe("per-environment commands (npm run diff:<env> / deploy:<env> / plan:<env>)", () => {
  /** The shorthand scripts package.json keeps (`plan:prod`): kept working, never required for a new target. */
  const shorthands = Object.keys(scripts)
    .map((name) => /^(diff|deploy|plan):(.+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null);

  it.each(shorthands.map(([name, action, target]) => [name, action, target]))(
    "[PLT-7] npm run %s runs the stack script for a target the program knows",
    (_name, action, target) => {
      expect(scripts[`${action}:${target}`]).toBe(`npm run --silent stack -- ${action} ${target}`);
      expect(Object.keys(stackTargets())).toContain(target);
    },
  );

  it("[#19] npm run diff|plan|deploy -- <target> covers every target the program knows; the shorthands of the shipped environments stay", () => {
    for (const action of STACK_ACTIONS) expect(scripts[action]).toBe(`npm run --silent stack -- ${action}`);
    // `npm run plan -- <target>` runs `stack plan <target>`: the same steps as `npm run plan:<target>`.
    for (const [, action, target] of shorthands) expect(scripts[`${action}:${target}`]).toBe(`${scripts[action]} ${target}`);
    for (const env of environments) for (const action of STACK_ACTIONS) expect(scripts[`${action}:${env.name}`]).toBeDefined();
    expect(shorthands.length).toBeGreaterThanOrEqual(Object.keys(stackTargets()).length * STACK_ACTIONS.length);
  });

  it("[PLT-7] diff and deploy are cdktf's own commands on the environment's stack, with extra arguments passed on", () => {
    expect(stackSteps("diff", "staging")).toEqual([{ command: "node_modules/.bin/cdktf", args: ["diff", "ecg-staging"] }]);
    expect(stackSteps("deploy", "dev", ["--auto-approve"])).toEqual([
      { command: "node_modules/.bin/cdktf", args: ["deploy", "ecg-dev", "--auto-approve"] },
    ]);
  });

  it("[PLT-6] plan synthesizes, then plans in the stack's folder and keeps the plan and its JSON for the summary", () => {
    const cwd = join("cdktf.out", "stacks", "ecg-prod");
    expect(stackSteps("plan", "prod", ["-lock=false"])).toEqual([
      { command: "npm", args: ["run", "--silent", "synth"] },
      { command: "terraform", args: ["init", "-input=false"], cwd },
      { command: "terraform", args: ["plan", "-input=false", "-out=plan.tfplan", "-lock=false"], cwd },
      { command: "terraform", args: ["show", "-json", "plan.tfplan"], cwd, stdoutTo: "plan.json" },
    ]);
  });

  it("[PLT-7] every environment is a target", () => {
    expect(environments.map((e) => e.name).every((name) => name in stackTargets())).toBe(true);
  });

  it("[#13] [ACC-1] names the account stacks by environment and region, not by the account id the user replaces", () => {
    expect(stackSteps("deploy", "account-prod-ap-northeast-1")).toEqual([
      { command: "node_modules/.bin/cdktf", args: ["deploy", `ecg-account-${ACCOUNTS.prod.id}-ap-northeast-1`] },
    ]);
    expect(stackSteps("diff", "account-dev-ap-northeast-2")).toEqual([
      { command: "node_modules/.bin/cdktf", args: ["diff", `ecg-account-${ACCOUNTS.dev.id}-ap-northeast-2`] },
    ]);
  });

  it("[ACC-3] names each environment account's access stack (applied once by its administrator)", () => {
    expect(stackSteps("deploy", "access-staging")).toEqual([
      { command: "node_modules/.bin/cdktf", args: ["deploy", "ecg-access-staging"] },
    ]);
  });

  it("[DR-3] names prod's standby and global stacks too (deployed by hand in a failover, see the failover runbook in docs/operations.md)", () => {
    expect(stackSteps("deploy", "prod-standby")).toEqual([{ command: "node_modules/.bin/cdktf", args: ["deploy", "ecg-prod-standby"] }]);
    expect(stackSteps("diff", "prod-global")).toEqual([{ command: "node_modules/.bin/cdktf", args: ["diff", "ecg-prod-global"] }]);
  });

  it.each([
    ["apply", "dev", 'action: "apply" is not one of diff, deploy, plan'],
    [
      "plan",
      "qa",
      'environment: "qa" is not one of access-dev, access-staging, access-prod, account-dev-ap-northeast-2, account-staging-ap-northeast-2, account-prod-ap-northeast-2, account-prod-ap-northeast-1, dev, staging, prod, prod-standby, prod-global',
    ],
    [
      "deploy",
      "dev-standby",
      'environment: "dev-standby" is not one of access-dev, access-staging, access-prod, account-dev-ap-northeast-2, account-staging-ap-northeast-2, account-prod-ap-northeast-2, account-prod-ap-northeast-1, dev, staging, prod, prod-standby, prod-global',
    ],
  ])("refuses %s %s", (action, env, message) => {
    expect(() => stackSteps(action, env)).toThrow(message);
  });
});

describe("the commands' progress lines", () => {
  it("[#19] say on stderr what a step did and how long it took when it took over a second, and nothing after a quick one", () => {
    const lines: string[] = [];
    let clock = 0;
    const options = { write: (l: string) => lines.push(l), now: () => clock };
    const takes = (ms: number) => () => {
      clock += ms;
      return "planned";
    };
    expect(reportSlow("[plan dev 3/4] terraform plan", takes(12_300), options)).toBe("planned");
    reportSlow("npm run cost: priced the stacks", takes(300), options);
    expect(lines).toEqual(["[plan dev 3/4] terraform plan: took 12.3 s"]);
  });
});
