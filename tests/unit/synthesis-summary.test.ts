import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { App, TerraformStack } from "cdktf";
import { synthesize } from "../../stacks/app";
import { formatSynthesisSummary, resourceCount } from "../../stacks/support/synthesis-summary";

describe("the synthesis summary (what npm run synth prints)", () => {
  it("counts each stack's resources as written, not its data sources", () => {
    const outdir = mkdtempSync(join(tmpdir(), "ecg-summary-"));
    const app = new App({ outdir });
    for (const [name, topics] of [
      ["one", 1],
      ["three", 3],
    ] as const) {
      const stack = new TerraformStack(app, name);
      new AwsProvider(stack, "aws", { region: "ap-northeast-2" });
      new DataAwsCallerIdentity(stack, "me");
      for (let i = 0; i < topics; i++) new SnsTopic(stack, `topic-${i}`, { name: `${name}-${i}` });
    }
    expect(synthesize(app)).toEqual({
      outdir,
      stacks: [
        { name: "one", resources: 1 },
        { name: "three", resources: 3 },
      ],
    });
  });

  it("counts resources over every type, and none in a stack without resources", () => {
    expect(resourceCount({ resource: { aws_sns_topic: { a: {}, b: {} }, aws_vpc: { v: {} } }, data: { x: { y: {} } } })).toBe(3);
    expect(resourceCount({ output: {} })).toBe(0);
  });

  it("is one line of totals, output folder and time, then one aligned line per stack", () => {
    const summary = {
      outdir: "/srv/ecg/cdktf.out",
      stacks: [
        { name: "ecg-state", resources: 30 },
        { name: "ecg-prod-standby", resources: 129 },
      ],
    };
    expect(formatSynthesisSummary(summary, 834.4, "/srv/ecg")).toBe(
      [
        "Synthesized 2 stacks (159 resources) into cdktf.out/stacks in 0.83 s:",
        "  ecg-state           30 resources",
        "  ecg-prod-standby   129 resources",
      ].join("\n"),
    );
  });
});
