import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { App, TerraformStack } from "cdktf";
import { ALL_RULES, PolicySynthesizer } from "../../modules/policy";
import { IsolatedStack } from "../../stacks/isolated-stack";

/** Two stacks: `owner` holds a key, `user` a topic encrypted with `keyOf(owner's key)`. */
function twoStacks(kind: typeof TerraformStack, keyOf: (key: KmsKey) => string) {
  const outdir = mkdtempSync(join(tmpdir(), "ecg-isolated-"));
  const app = new App({ outdir });
  const owner = new kind(app, "owner");
  new AwsProvider(owner, "aws", { region: "ap-northeast-2" });
  const key = new KmsKey(owner, "key", { description: "owner's key", enableKeyRotation: true });
  const user = new kind(app, "user");
  new AwsProvider(user, "aws", { region: "ap-northeast-2" });
  new SnsTopic(user, "topic", { name: "alarms", kmsMasterKeyId: keyOf(key) });
  const read = (stack: string) => JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
  return { app, user, outdir, read };
}

describe("IsolatedStack (the program's stacks: no cross-stack wiring)", () => {
  it("[PLT-2] writes what TerraformStack writes for a stack without another stack's tokens, and still gives it a backend", () => {
    const plain = twoStacks(TerraformStack, () => "alias/alarms");
    const isolated = twoStacks(IsolatedStack, () => "alias/alarms");
    try {
      plain.app.synth();
      isolated.app.synth();
      for (const stack of ["owner", "user"]) expect(isolated.read(stack)).toEqual(plain.read(stack));
      expect(isolated.read("user").terraform.backend.local.path).toMatch(/terraform\.user\.tfstate$/);
    } finally {
      rmSync(plain.outdir, { recursive: true, force: true });
      rmSync(isolated.outdir, { recursive: true, force: true });
    }
  });

  it("[SEC-4] a token of another stack is refused at synth, naming both stacks, where cdktf would have wired remote state", () => {
    const { app, outdir } = twoStacks(IsolatedStack, (key) => key.arn);
    try {
      expect(() => app.synth()).toThrow(
        /user: a value of stack owner \(aws_kms_key\.key\.arn\) is used here; stacks share names, never tokens/,
      );
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("[SEC-4] refuses it even where the address exists in both stacks (same construct paths, as prod and its standby)", () => {
    const { app, user, outdir } = twoStacks(IsolatedStack, (key) => key.arn);
    new KmsKey(user, "key", { description: "user's own key of the same path", enableKeyRotation: true });
    PolicySynthesizer.apply(user, { rules: ALL_RULES, production: false });
    try {
      expect(() => app.synth()).toThrow(/a value of stack owner \(aws_kms_key\.key\.arn\)/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("leaves plain TerraformStacks to cdktf's own cross-stack wiring", () => {
    const { app, outdir, read } = twoStacks(TerraformStack, (key) => key.arn);
    try {
      app.synth();
      expect(JSON.stringify(read("user").resource.aws_sns_topic)).toContain("data.terraform_remote_state");
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
