import { formatReport } from "../../modules/policy";
import { synthProgram } from "./synth";

const program = synthProgram();
const STACKS = ["ecg-state", "ecg-dev", "ecg-staging", "ecg-prod"];

describe("policy pack on the environment stacks", () => {
  it("[SEC-4] every stack passes with no error; suppressions and advisories are listed", () => {
    expect(Object.keys(program.policy).sort()).toEqual([...STACKS].sort());
    for (const name of STACKS) {
      const report = program.policy[name];
      expect({ stack: name, errors: report.findings.filter((f) => f.severity === "error") }).toEqual({ stack: name, errors: [] });
    }
    // The suppression list, for the reviewer reading the test output.
    console.log(STACKS.map((name) => formatReport(program.policy[name])).join("\n\n"));
  });

  it("keeps prod to at most 5 suppressions, each with a reason a reviewer can judge", () => {
    const prod = program.policy["ecg-prod"].suppressed;
    expect(prod.length).toBeLessThanOrEqual(5);
    for (const s of Object.values(program.policy).flatMap((r) => r.suppressed)) expect(s.reason.length).toBeGreaterThanOrEqual(20);
  });

  it("applies production rules to prod and the state bucket only: their stateful resources cannot be destroyed", () => {
    const prevented = (stack: string, type: string) =>
      Object.values<any>(program.stacks[stack].resource[type] ?? {}).map((r) => r.lifecycle?.prevent_destroy === true);
    expect(prevented("ecg-prod", "aws_kms_key")).toEqual([true, true]);
    expect(prevented("ecg-dev", "aws_kms_key")).toEqual([false, false]);
    expect(prevented("ecg-state", "aws_s3_bucket")).toEqual([true, true]);
  });
});
