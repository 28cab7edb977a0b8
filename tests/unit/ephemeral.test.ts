import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Fn, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { ephemeralResource } from "../../modules/common/ephemeral";
import { StackModel } from "../../modules/policy/model";
import { synthJson } from "../helpers";

const PASSWORD = { password_length: 32, exclude_punctuation: true };

describe("ephemeralResource (modules/common/ephemeral.ts)", () => {
  it('[Terraform language, "Ephemeral resources" (Terraform >= 1.10): a top-level ephemeral block, never in plan or state] writes the resource as a top-level ephemeral block of the stack, named after the construct path', () => {
    let value = "";
    const stack = synthJson(
      Testing.synthScope((scope) => {
        const owner = new Construct(new Construct(scope, "db"), "master-1");
        value = ephemeralResource(owner, "aws_secretsmanager_random_password", PASSWORD, "random_password");
        new SecretsmanagerSecretVersion(scope, "version", { secretId: "s", secretStringWo: value, secretStringWoVersion: 1 });
      }),
    ) as any;
    // Construct ids below the stack, joined by "_", non-identifier characters replaced.
    expect(stack.ephemeral).toEqual({ aws_secretsmanager_random_password: { db_master_1: PASSWORD } });
    // A token, resolved to the reference where it is used.
    expect(value).not.toContain("ephemeral.");
    expect(Object.values<any>(stack.resource.aws_secretsmanager_secret_version)[0].secret_string_wo).toBe(
      "${ephemeral.aws_secretsmanager_random_password.db_master_1.random_password}",
    );
  });

  it("stays a reference inside a function call (jsonencode), not an escaped literal", () => {
    const stack = synthJson(
      Testing.synthScope((scope) => {
        const password = ephemeralResource(
          new Construct(scope, "creds"),
          "aws_secretsmanager_random_password",
          PASSWORD,
          "random_password",
        );
        new SecretsmanagerSecretVersion(scope, "version", {
          secretId: "s",
          secretStringWo: Fn.jsonencode({ password }),
          secretStringWoVersion: 1,
        });
      }),
    ) as any;
    expect(Object.values<any>(stack.resource.aws_secretsmanager_secret_version)[0].secret_string_wo).toBe(
      '${jsonencode({"password" = ephemeral.aws_secretsmanager_random_password.creds.random_password})}',
    );
  });

  it("refuses a Terraform address taken twice in one stack (addOverride would merge the two blocks silently)", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "ecg-test");
    ephemeralResource(new Construct(stack, "db-master"), "aws_secretsmanager_random_password", PASSWORD, "random_password");
    // "db_master" is the same address once "-" is replaced.
    expect(() =>
      ephemeralResource(new Construct(stack, "db_master"), "aws_secretsmanager_random_password", PASSWORD, "random_password"),
    ).toThrow(
      "ephemeralResource(ecg-test/db_master): ephemeral.aws_secretsmanager_random_password.db_master is not a free Terraform address in stack ecg-test",
    );
    // The same scope twice is the same address, too.
    const scope = new Construct(stack, "other");
    ephemeralResource(scope, "aws_secretsmanager_random_password", PASSWORD, "random_password");
    expect(() => ephemeralResource(scope, "aws_secretsmanager_random_password", PASSWORD, "random_password")).toThrow(
      "is not a free Terraform address",
    );
    // Another type, or another stack, is another address.
    expect(() =>
      ephemeralResource(new Construct(stack, "db-master-2"), "aws_secretsmanager_random_password", PASSWORD, "random_password"),
    ).not.toThrow();
    expect(() => ephemeralResource(scope, "random_password", { length: 32 }, "result")).not.toThrow();
    const second = new TerraformStack(app, "ecg-other");
    expect(() =>
      ephemeralResource(new Construct(second, "db-master"), "aws_secretsmanager_random_password", PASSWORD, "random_password"),
    ).not.toThrow();
  });

  it("refuses a name that is no Terraform identifier (it must start with a letter or _)", () => {
    const stack = new TerraformStack(Testing.app(), "ecg-test");
    expect(() => ephemeralResource(new Construct(stack, "1db"), "aws_secretsmanager_random_password", PASSWORD, "random_password")).toThrow(
      "ephemeral.aws_secretsmanager_random_password.1db is not a free Terraform address",
    );
  });

  it("[ECG_STACK_1] the policy model lists ephemeral resources and resolves ephemeral. references to them", () => {
    const json = JSON.parse(
      Testing.synthScope((scope) => {
        const password = ephemeralResource(
          new Construct(scope, "creds"),
          "aws_secretsmanager_random_password",
          PASSWORD,
          "random_password",
        );
        new SecretsmanagerSecretVersion(scope, "version", { secretId: "s", secretStringWo: password, secretStringWoVersion: 1 });
      }),
    );
    const model = new StackModel("ecg-test", json, false);
    expect(model.ephemeralResources.map((view) => view.address)).toEqual(["ephemeral.aws_secretsmanager_random_password.creds"]);
    expect(model.elements().map((view) => view.address)).toContain("ephemeral.aws_secretsmanager_random_password.creds");
    const [version] = model.ofType("aws_secretsmanager_secret_version");
    expect(model.undeclaredReferences(version)).toEqual([]);
    // An ephemeral reference the stack does not declare is dangling.
    const dangling = {
      ...version,
      config: { ...version.config, secret_string_wo: "${ephemeral.aws_secretsmanager_random_password.elsewhere.random_password}" },
    };
    expect(model.undeclaredReferences(dangling)).toEqual(["ephemeral.aws_secretsmanager_random_password.elsewhere"]);
  });
});
