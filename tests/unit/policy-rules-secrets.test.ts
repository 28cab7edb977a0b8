import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheUser, type ElasticacheUserConfig } from "@cdktf/provider-aws/lib/elasticache-user";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { TerraformResource, type TerraformStack } from "cdktf";
import { secretRules } from "../../modules/policy/rules/secrets";
import { type Build, expectFinding, findingsOf, findRule } from "./policy-fixtures";

const rule = findRule(secretRules, "ECG_SECRET_IN_STATE", "secretRules");
const SECRET = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:ecg-test";
const DB = { identifier: "ecg-test", engine: "postgres", instanceClass: "db.t4g.micro", allocatedStorage: 20, username: "ecg" };
const user = (stack: TerraformStack, authenticationMode: ElasticacheUserConfig["authenticationMode"]) =>
  new ElasticacheUser(stack, "u", { userId: "a", userName: "a", engine: "redis", accessString: "on ~* +@all", authenticationMode });
const REDIS = { replicationGroupId: "ecg-test", description: "cache", nodeType: "cache.t4g.small", transitEncryptionEnabled: true };

const cases: { title: string; build: Build; found?: string }[] = [
  {
    title: "a secret version written write-only passes",
    build: (stack) => new SecretsmanagerSecretVersion(stack, "v", { secretId: SECRET, secretStringWo: "x", secretStringWoVersion: 1 }),
  },
  {
    title: "a secret version with secret_string fails",
    build: (stack) => new SecretsmanagerSecretVersion(stack, "v", { secretId: SECRET, secretString: "x" }),
    found: "secret_string would be stored in the state (use secret_string_wo)",
  },
  {
    title: "a database with password_wo passes",
    build: (stack) => new DbInstance(stack, "db", { ...DB, passwordWo: "x", passwordWoVersion: 1 }),
  },
  {
    title: "a database with password fails",
    build: (stack) => new DbInstance(stack, "db", { ...DB, password: "x" }),
    found: "password would be stored in the state (use password_wo, or manage_master_user_password)",
  },
  {
    title: "a String SSM parameter is configuration and passes",
    build: (stack) => new SsmParameter(stack, "p", { name: "/ecg/x", type: "String", value: "x" }),
  },
  {
    title: "a SecureString SSM parameter with value fails",
    build: (stack) => new SsmParameter(stack, "p", { name: "/ecg/x", type: "SecureString", value: "x" }),
    found: "value would be stored in the state (use value_wo)",
  },
  {
    title: "a Redis group with RBAC users passes",
    build: (stack) => new ElasticacheReplicationGroup(stack, "r", { ...REDIS, userGroupIds: ["ecg-test"] }),
  },
  {
    title: "a Redis group with an AUTH token fails",
    build: (stack) => new ElasticacheReplicationGroup(stack, "r", { ...REDIS, authToken: "x".repeat(16) }),
    found: "auth_token would be stored in the state",
  },
  {
    title: "an IAM-authenticated ElastiCache user passes",
    build: (stack) =>
      new ElasticacheUser(stack, "u", {
        userId: "a",
        userName: "a",
        engine: "redis",
        accessString: "on ~* +@all",
        authenticationMode: { type: "iam" },
      }),
  },
  {
    title: "an ElastiCache user with passwords in its authentication mode fails",
    build: (stack) => user(stack, { type: "password", passwords: ["x".repeat(16)] }),
    found: "authentication_mode.passwords would be stored in the state",
  },
  {
    title: "random_password fails whatever uses it",
    build: (stack) => {
      const password = new TerraformResource(stack, "p", { terraformResourceType: "random_password" });
      password.addOverride("length", 32);
    },
    found: "random_password keeps what it generates in the state",
  },
];

describe("policy rule ECG_SECRET_IN_STATE", () => {
  it.each(cases)("[SEC-2] $title", ({ build, found }) => {
    const findings = findingsOf(rule, build);
    if (found) expectFinding(rule, findings, found, "error");
    else expect(findings).toEqual([]);
  });
});

describe("policy rule ECG_SECRET_IN_STATE on plans", () => {
  it("[SEC-2] reads an empty passwords list (a plan's unset attribute) as no password", () => {
    const build: Build = (stack) => {
      const user = new ElasticacheUser(stack, "u", {
        userId: "a",
        userName: "a",
        engine: "redis",
        accessString: "on ~* +@all",
        authenticationMode: { type: "iam" },
      });
      user.addOverride("passwords", []);
    };
    expect(findingsOf(rule, build)).toEqual([]);
  });
});
