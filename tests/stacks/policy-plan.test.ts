import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { ALL_RULES } from "../../modules/policy";
import { evaluateModel } from "../../modules/policy/engine";
import { loadInputs } from "../../modules/policy/inputs";
import { synthProgram } from "./synth";

/**
 * The pack on the offline lane's real plans (tests/fixtures/plans) judges what it judges
 * on the synthesized stacks: references the plan knows only as addresses are resolved,
 * so a plan raises exactly the findings the program suppresses (a plan carries no
 * suppressions) and the same warnings.
 */

const FIXTURES = join(__dirname, "..", "fixtures", "plans");
const program = synthProgram();

function planFile(fixture: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "ecg-policy-plan-")), fixture.replace(/\.gz$/, ""));
  writeFileSync(file, gunzipSync(readFileSync(join(FIXTURES, fixture))));
  return file;
}

const keys = (list: readonly { rule: string; address: string }[]) => list.map((f) => `${f.rule} ${f.address}`).sort();

describe.each([
  ["ecg-dev.create.json.gz", "ecg-dev", false],
  ["ecg-prod.replan.json.gz", "ecg-prod", true],
])("the policy pack on the lane's plan %s", (fixture, stack, production) => {
  const file = planFile(fixture);
  const [input] = loadInputs(file, production);
  const report = evaluateModel(input.model, { rules: ALL_RULES, production });
  const synthesized = program.policy[stack];

  it("reads the plan as one input with every planned resource", () => {
    const plan = JSON.parse(readFileSync(file, "utf8"));
    const planned = plan.planned_values.root_module.resources.filter((r: { mode: string }) => r.mode === "managed").length;
    expect(input.model.resources.length).toBeGreaterThanOrEqual(planned);
  });

  it("raises as errors exactly what the program suppresses, and nothing it passes", () => {
    expect(keys(report.findings.filter((f) => f.severity === "error"))).toEqual(keys(synthesized.suppressed));
  });

  it("raises the program's warnings", () => {
    expect(keys(report.findings.filter((f) => f.severity === "warning"))).toEqual(
      keys(synthesized.findings.filter((f) => f.severity === "warning")),
    );
  });
});
