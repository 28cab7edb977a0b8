import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import Module from "node:module";
import { dirname, join } from "node:path";
import { runInThisContext } from "node:vm";

// The rotation Lambda is plain CommonJS (no allowJs in tsconfig), so it is required
// with a local type of the seam it exposes.
interface RotationEvent {
  SecretId: string;
  ClientRequestToken: string;
  Step: string;
}
interface SecretsManagerPort {
  describeSecret(input: { SecretId: string }): Promise<any>;
  getSecretValue(input: { SecretId: string; VersionId?: string; VersionStage?: string }): Promise<any>;
  putSecretValue(input: { SecretId: string; ClientRequestToken: string; SecretString: string; VersionStages: string[] }): Promise<any>;
  getRandomPassword(input: { PasswordLength: number; ExcludePunctuation: boolean; RequireEachIncludedType: boolean }): Promise<any>;
  updateSecretVersionStage(input: {
    SecretId: string;
    VersionStage: string;
    MoveToVersionId: string;
    RemoveFromVersionId?: string;
  }): Promise<any>;
}
type Env = Record<string, string | undefined>;
interface RdsPort {
  modifyDBInstance(input: { DBInstanceIdentifier: string; MasterUserPassword: string; ApplyImmediately: boolean }): Promise<any>;
  describeDBInstances(input: { DBInstanceIdentifier: string }): Promise<any>;
}
interface RotationDeps {
  readonly rds?: RdsPort;
  readonly sleep?: (ms: number) => Promise<void>;
}
const { rotate } = require("../../lambda/secret-rotation/index.js") as {
  rotate: (event: RotationEvent, sm: SecretsManagerPort, env?: Env, deps?: RotationDeps) => Promise<void>;
  handler: (event: RotationEvent) => Promise<void>;
};

const LAMBDA = join(__dirname, "..", "..", "lambda", "secret-rotation", "index.js");

/**
 * A fresh copy of the Lambda's module, loaded as the Lambda runtime loads it,
 * with `provided` standing in for the modules the runtime ships (its SDK,
 * which is not a dependency of this project).
 */
function loadLambda(provided: Record<string, unknown>): { handler: (event: RotationEvent) => Promise<void> } {
  const module = { exports: {} as any };
  const load = (id: string) => (id in provided ? provided[id] : require(id));
  runInThisContext(Module.wrap(readFileSync(LAMBDA, "utf8")), { filename: LAMBDA })(module.exports, load, module, LAMBDA, dirname(LAMBDA));
  return module.exports;
}

const ARN = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:ecg-render/dev/jwt-signing-AbCdEf";
const OLD_VERSION = "11111111-1111-4111-8111-111111111111";
const TOKEN = "22222222-2222-4222-8222-222222222222";
const OLD_SECRET = "old-signing-key-0123456789abcdefghijklmnopqrstuvwxyz-OLD";

const notFound = (message: string) => Object.assign(new Error(message), { name: "ResourceNotFoundException" });

/** In-memory Secrets Manager: one secret, versions with staging labels, same label rules as the service. */
class FakeSecretsManager implements SecretsManagerPort {
  rotationEnabled = true;
  readonly versions = new Map<string, { value?: string; stages: string[] }>();
  readonly puts: string[] = [];
  readonly passwordRequests: any[] = [];

  constructor(initial: string) {
    this.versions.set(OLD_VERSION, { value: initial, stages: ["AWSCURRENT"] });
  }

  /** What RotateSecret does before invoking the function: a value-less version labelled AWSPENDING. */
  startRotation(token = TOKEN) {
    this.moveLabel("AWSPENDING", token);
    this.versions.set(token, { stages: ["AWSPENDING"] });
  }

  stagesOf(id: string) {
    return this.versions.get(id)?.stages ?? [];
  }

  valueAt(stage: string) {
    return [...this.versions.values()].find((v) => v.stages.includes(stage))?.value;
  }

  private checkId(id: string) {
    if (id !== ARN) throw notFound(`no secret ${id}`);
  }

  private moveLabel(stage: string, to: string | undefined) {
    for (const v of this.versions.values()) v.stages = v.stages.filter((s) => s !== stage);
    if (to) this.versions.get(to)?.stages.push(stage);
  }

  async describeSecret({ SecretId }: { SecretId: string }) {
    this.checkId(SecretId);
    return {
      ARN,
      Name: "ecg-render/dev/jwt-signing",
      RotationEnabled: this.rotationEnabled,
      VersionIdsToStages: Object.fromEntries([...this.versions].map(([id, v]) => [id, [...v.stages]])),
    };
  }

  async getSecretValue({ SecretId, VersionId, VersionStage }: { SecretId: string; VersionId?: string; VersionStage?: string }) {
    this.checkId(SecretId);
    const entry = VersionId
      ? [VersionId, this.versions.get(VersionId)]
      : [...this.versions].find(([, v]) => v.stages.includes(VersionStage ?? "AWSCURRENT"));
    const [id, version] = (entry ?? []) as [string | undefined, { value?: string; stages: string[] } | undefined];
    if (!version || version.value === undefined || (VersionStage && !version.stages.includes(VersionStage))) {
      throw notFound("Secrets Manager can't find the specified secret value");
    }
    return { ARN, VersionId: id, SecretString: version.value, VersionStages: [...version.stages] };
  }

  async putSecretValue({ SecretId, ClientRequestToken, SecretString, VersionStages }: Parameters<SecretsManagerPort["putSecretValue"]>[0]) {
    this.checkId(SecretId);
    const existing = this.versions.get(ClientRequestToken);
    if (existing?.value !== undefined && existing.value !== SecretString) {
      throw Object.assign(new Error("version exists with a different value"), { name: "ResourceExistsException" });
    }
    this.puts.push(ClientRequestToken);
    this.versions.set(ClientRequestToken, { value: SecretString, stages: existing?.stages ?? [] });
    for (const stage of VersionStages) this.moveLabel(stage, ClientRequestToken);
    return { ARN, VersionId: ClientRequestToken };
  }

  async getRandomPassword(input: Parameters<SecretsManagerPort["getRandomPassword"]>[0]) {
    this.passwordRequests.push(input);
    const alphabet = `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789${input.ExcludePunctuation ? "" : "!#$%&*+-.:;=?@^_~"}`;
    let password = "";
    while (password.length < input.PasswordLength) password += alphabet[randomInt(alphabet.length)];
    return { RandomPassword: password };
  }

  async updateSecretVersionStage({
    SecretId,
    VersionStage,
    MoveToVersionId,
    RemoveFromVersionId,
  }: Parameters<SecretsManagerPort["updateSecretVersionStage"]>[0]) {
    this.checkId(SecretId);
    const holder = [...this.versions].find(([, v]) => v.stages.includes(VersionStage))?.[0];
    if (holder && holder !== MoveToVersionId && holder !== RemoveFromVersionId) {
      throw Object.assign(new Error(`${VersionStage} is attached to ${holder}, not ${RemoveFromVersionId}`), {
        name: "InvalidParameterException",
      });
    }
    this.moveLabel(VersionStage, MoveToVersionId);
    // As the service does: the version that loses AWSCURRENT becomes AWSPREVIOUS.
    if (VersionStage === "AWSCURRENT" && holder && holder !== MoveToVersionId) this.moveLabel("AWSPREVIOUS", holder);
    return { ARN };
  }
}

const STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"];
const event = (Step: string, token = TOKEN): RotationEvent => ({ SecretId: ARN, ClientRequestToken: token, Step });
const initialJson = () => JSON.stringify({ value: OLD_SECRET, issuer: "ecg-render", algorithm: "HS512" });

let logs: string[];
beforeEach(() => {
  logs = [];
  jest.spyOn(console, "log").mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(" ")));
});
afterEach(() => jest.restoreAllMocks());

async function rotateFully(sm: FakeSecretsManager, env: Env = {}) {
  sm.startRotation();
  for (const step of STEPS) await rotate(event(step), sm, env);
}

describe("secret rotation Lambda", () => {
  it("[SEC-2] a full rotation moves AWSCURRENT to a new random value and keeps the other JSON fields", async () => {
    const sm = new FakeSecretsManager(initialJson());
    await rotateFully(sm);

    expect(sm.stagesOf(TOKEN)).toContain("AWSCURRENT");
    expect(sm.stagesOf(OLD_VERSION)).toEqual(["AWSPREVIOUS"]);
    const current = JSON.parse(sm.valueAt("AWSCURRENT")!);
    expect(current).toMatchObject({ issuer: "ecg-render", algorithm: "HS512" });
    expect(current.value).not.toBe(OLD_SECRET);
    expect(current.value).toHaveLength(64);
    expect(current.value).toMatch(/^[A-Za-z0-9]+$/);
    expect(new Date(current.rotatedAt).toISOString()).toBe(current.rotatedAt);
    expect(sm.passwordRequests).toEqual([{ PasswordLength: 64, ExcludePunctuation: true, RequireEachIncludedType: true }]);
  });

  it("[SEC-2] takes the field, length and punctuation from SECRET_FIELD, PASSWORD_LENGTH and EXCLUDE_PUNCTUATION", async () => {
    const sm = new FakeSecretsManager(JSON.stringify({ apiKey: "old-api-key", client: "viewer" }));
    await rotateFully(sm, { SECRET_FIELD: "apiKey", PASSWORD_LENGTH: "40", EXCLUDE_PUNCTUATION: "false" });

    const current = JSON.parse(sm.valueAt("AWSCURRENT")!);
    expect(current.client).toBe("viewer");
    expect(current.apiKey).toHaveLength(40);
    expect(current).not.toHaveProperty("value");
    expect(sm.passwordRequests).toEqual([{ PasswordLength: 40, ExcludePunctuation: false, RequireEachIncludedType: true }]);
  });

  it("[SEC-2] createSecret is idempotent: a retry does not put a second value", async () => {
    const sm = new FakeSecretsManager(initialJson());
    sm.startRotation();
    await rotate(event("createSecret"), sm, {});
    const pending = sm.valueAt("AWSPENDING");
    await rotate(event("createSecret"), sm, {});

    expect(sm.puts).toEqual([TOKEN]);
    expect(sm.passwordRequests).toHaveLength(1);
    expect(sm.valueAt("AWSPENDING")).toBe(pending);
  });

  it("[SEC-2] every step is a no-op for a token that is already AWSCURRENT", async () => {
    const sm = new FakeSecretsManager(initialJson());
    await rotateFully(sm);
    const before = JSON.stringify([...sm.versions]);
    const puts = sm.puts.length;
    for (const step of STEPS) await rotate(event(step), sm, {});

    expect(JSON.stringify([...sm.versions])).toBe(before);
    expect(sm.puts).toHaveLength(puts);
    expect(logs.some((line) => line.includes("already AWSCURRENT"))).toBe(true);
  });

  it("[SEC-2] refuses to rotate a secret whose rotation is disabled", async () => {
    const sm = new FakeSecretsManager(initialJson());
    sm.startRotation();
    sm.rotationEnabled = false;
    await expect(rotate(event("createSecret"), sm, {})).rejects.toThrow(`rotation is not enabled for secret ${ARN}`);
    expect(sm.puts).toEqual([]);
  });

  it("[SEC-2] refuses a token that is not a version of the secret", async () => {
    const sm = new FakeSecretsManager(initialJson());
    sm.startRotation();
    const unknown = "33333333-3333-4333-8333-333333333333";
    await expect(rotate(event("createSecret", unknown), sm, {})).rejects.toThrow(`token ${unknown} is not a version of secret ${ARN}`);
  });

  it("[SEC-2] refuses a token that is neither AWSCURRENT nor AWSPENDING", async () => {
    const sm = new FakeSecretsManager(initialJson());
    await rotateFully(sm);
    // OLD_VERSION is now AWSPREVIOUS only.
    await expect(rotate(event("finishSecret", OLD_VERSION), sm, {})).rejects.toThrow(
      `token ${OLD_VERSION} is not AWSPENDING for secret ${ARN}`,
    );
    expect(sm.stagesOf(TOKEN)).toContain("AWSCURRENT");
  });

  it.each([
    ["not JSON", "SECRETVALUE", "is not valid JSON"],
    ["a JSON array", '["SECRETVALUE"]', "is not a JSON object"],
    ["missing the secret field", JSON.stringify({ other: "SECRETVALUE" }), 'field "value" is not a string of length 64'],
    ["the wrong length", JSON.stringify({ value: "SECRETVALUE" }), 'field "value" is not a string of length 64'],
  ])("[SEC-2] testSecret fails when the pending value is %s, without quoting it", async (_case, pending, message) => {
    const sm = new FakeSecretsManager(initialJson());
    sm.startRotation();
    await sm.putSecretValue({ SecretId: ARN, ClientRequestToken: TOKEN, SecretString: pending, VersionStages: ["AWSPENDING"] });

    const failure = rotate(event("testSecret"), sm, {});
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.not.toThrow("SECRETVALUE");
    expect(logs.join("\n")).not.toContain("SECRETVALUE");
    // finishSecret is never reached after a failed test, so AWSCURRENT stays on the old version.
    expect(sm.stagesOf(OLD_VERSION)).toContain("AWSCURRENT");
  });

  it("createSecret fails without quoting it when the current value is not a JSON object", async () => {
    const sm = new FakeSecretsManager("SECRETVALUE");
    sm.startRotation();
    await expect(rotate(event("createSecret"), sm, {})).rejects.toThrow("current secret value (AWSCURRENT) is not valid JSON");
    expect(logs.join("\n")).not.toContain("SECRETVALUE");
    expect(sm.puts).toEqual([]);
  });

  it("setSecret changes nothing and logs that this is intentional", async () => {
    const sm = new FakeSecretsManager(initialJson());
    sm.startRotation();
    await rotate(event("createSecret"), sm, {});
    const before = JSON.stringify([...sm.versions]);
    await rotate(event("setSecret"), sm, {});

    expect(JSON.stringify([...sm.versions])).toBe(before);
    expect(logs.some((line) => line.includes("intentionally nothing to do"))).toBe(true);
  });

  it("throws on an unknown step before touching the secret", async () => {
    const sm = new FakeSecretsManager(initialJson());
    sm.startRotation();
    const describe = jest.spyOn(sm, "describeSecret");
    await expect(rotate(event("deleteSecret"), sm, {})).rejects.toThrow('unknown rotation step "deleteSecret"');
    expect(describe).not.toHaveBeenCalled();
  });

  it.each(["31", "4097", "0", "64.5", "sixty-four"])("[SEC-2] fails when PASSWORD_LENGTH is %s", async (length) => {
    const sm = new FakeSecretsManager(initialJson());
    sm.startRotation();
    await expect(rotate(event("createSecret"), sm, { PASSWORD_LENGTH: length })).rejects.toThrow(
      `PASSWORD_LENGTH must be an integer from 32 to 4096, got "${length}"`,
    );
    expect(sm.puts).toEqual([]);
  });

  it("accepts PASSWORD_LENGTH at both bounds and rejects a bad EXCLUDE_PUNCTUATION", async () => {
    for (const length of [32, 4096]) {
      const sm = new FakeSecretsManager(initialJson());
      await rotateFully(sm, { PASSWORD_LENGTH: String(length) });
      expect(JSON.parse(sm.valueAt("AWSCURRENT")!).value).toHaveLength(length);
    }
    const sm = new FakeSecretsManager(initialJson());
    sm.startRotation();
    await expect(rotate(event("createSecret"), sm, { EXCLUDE_PUNCTUATION: "yes" })).rejects.toThrow(
      'EXCLUDE_PUNCTUATION must be "true" or "false"',
    );
  });

  it("handler adapts the SDK v3 client (new SecretsManagerClient({}), send(new XCommand(input))) to the same steps", async () => {
    const sm = new FakeSecretsManager(initialJson());
    sm.startRotation();
    const clientConfigs: unknown[] = [];
    const sent: string[] = [];
    const methods = ["describeSecret", "getSecretValue", "putSecretValue", "getRandomPassword", "updateSecretVersionStage"] as const;
    // The runtime's SDK is not a dependency of this project: a stand-in is provided in its place.
    const { handler } = loadLambda({
      "@aws-sdk/client-secrets-manager": {
        SecretsManagerClient: class {
          constructor(config: unknown) {
            clientConfigs.push(config);
          }
          send(command: { method: (typeof methods)[number]; input: any }) {
            sent.push(command.method);
            return sm[command.method](command.input);
          }
        },
        ...Object.fromEntries(
          methods.map((method) => [
            `${method[0].toUpperCase()}${method.slice(1)}Command`,
            class {
              method = method;
              constructor(public input: unknown) {}
            },
          ]),
        ),
      },
    });
    for (const step of STEPS) await handler(event(step));

    expect(clientConfigs).toEqual([{}]); // one client, reused across invocations
    expect(new Set(sent)).toEqual(new Set(methods));
    expect(sm.stagesOf(TOKEN)).toContain("AWSCURRENT");
  });

  it("[SEC-2] logs JSON lines with step, secret ARN and token, and never a secret value", async () => {
    const sm = new FakeSecretsManager(initialJson());
    await rotateFully(sm);
    const newSecret = JSON.parse(sm.valueAt("AWSCURRENT")!).value as string;

    expect(logs.length).toBeGreaterThanOrEqual(STEPS.length);
    const lines = logs.map((line) => JSON.parse(line));
    for (const step of STEPS) expect(lines).toContainEqual(expect.objectContaining({ step, secretId: ARN, token: TOKEN }));
    const all = logs.join("\n");
    expect(all).not.toContain(OLD_SECRET);
    expect(all).not.toContain(newSecret);
  });
});

/** In-memory RDS: one instance; a new master password stays pending for `pendingChecks` describes. */
class FakeRds implements RdsPort {
  readonly modifications: { DBInstanceIdentifier: string; MasterUserPassword: string; ApplyImmediately: boolean }[] = [];
  readonly describes: string[] = [];
  password = "initial";
  private pendingFor = 0;

  constructor(
    readonly identifier: string,
    private readonly pendingChecks = 2,
  ) {}

  async modifyDBInstance(input: { DBInstanceIdentifier: string; MasterUserPassword: string; ApplyImmediately: boolean }) {
    if (input.DBInstanceIdentifier !== this.identifier)
      throw Object.assign(new Error("DBInstanceNotFound"), { name: "DBInstanceNotFoundFault" });
    this.modifications.push(input);
    this.password = input.MasterUserPassword;
    this.pendingFor = this.pendingChecks;
    return {};
  }

  async describeDBInstances({ DBInstanceIdentifier }: { DBInstanceIdentifier: string }) {
    this.describes.push(DBInstanceIdentifier);
    if (DBInstanceIdentifier !== this.identifier) return { DBInstances: [] };
    const pending = this.pendingFor > 0;
    if (pending) this.pendingFor--;
    return {
      DBInstances: [
        {
          DBInstanceIdentifier,
          DBInstanceStatus: pending ? "resetting-master-credentials" : "available",
          PendingModifiedValues: pending ? { MasterUserPassword: "****" } : {},
        },
      ],
    };
  }
}

describe("secret rotation Lambda, ROTATION_TARGET rds-master", () => {
  const RDS_ENV: Env = { ROTATION_TARGET: "rds-master" };
  const masterJson = () =>
    JSON.stringify({
      engine: "postgres",
      host: "ecg-test.abc.ap-northeast-2.rds.amazonaws.com",
      port: 5432,
      dbname: "ecg",
      username: "ecg_admin",
      password: OLD_SECRET,
      dbInstanceIdentifier: "ecg-test",
    });
  const noSleep = () => {
    const sleeps: number[] = [];
    return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
  };

  it("[SEC-2] a full rotation sets a new password of letters and digits on the instance and moves AWSCURRENT to it, keeping the other fields", async () => {
    const sm = new FakeSecretsManager(masterJson());
    const rds = new FakeRds("ecg-test");
    const { sleep } = noSleep();
    sm.startRotation();
    for (const step of STEPS) await rotate(event(step), sm, RDS_ENV, { rds, sleep });

    const current = JSON.parse(sm.valueAt("AWSCURRENT")!);
    expect(current).toMatchObject({
      engine: "postgres",
      port: 5432,
      dbname: "ecg",
      username: "ecg_admin",
      dbInstanceIdentifier: "ecg-test",
    });
    expect(current.password).not.toBe(OLD_SECRET);
    expect(current.password).toHaveLength(64);
    expect(current.password).toMatch(/^[A-Za-z0-9]+$/);
    expect(rds.password).toBe(current.password);
    expect(sm.passwordRequests).toEqual([{ PasswordLength: 64, ExcludePunctuation: true, RequireEachIncludedType: true }]);
  });

  it("[SEC-2] [RDS API Reference, ModifyDBInstance: MasterUserPassword, ApplyImmediately] setSecret calls ModifyDBInstance with the pending password, applied immediately", async () => {
    const sm = new FakeSecretsManager(masterJson());
    const rds = new FakeRds("ecg-test");
    sm.startRotation();
    await rotate(event("createSecret"), sm, RDS_ENV, { rds });
    expect(rds.modifications).toEqual([]);
    await rotate(event("setSecret"), sm, RDS_ENV, { rds });

    const pending = JSON.parse(sm.versions.get(TOKEN)!.value!).password;
    expect(rds.modifications).toEqual([{ DBInstanceIdentifier: "ecg-test", MasterUserPassword: pending, ApplyImmediately: true }]);
    // AWSCURRENT still holds the old password until finishSecret.
    expect(JSON.parse(sm.valueAt("AWSCURRENT")!).password).toBe(OLD_SECRET);
    // A retry sets the same value again.
    await rotate(event("setSecret"), sm, RDS_ENV, { rds });
    expect(rds.modifications.map((m) => m.MasterUserPassword)).toEqual([pending, pending]);
    expect(logs.join("\n")).not.toContain(pending);
  });

  it("[SEC-2] setSecret refuses a secret without a valid dbInstanceIdentifier, without calling RDS", async () => {
    for (const dbInstanceIdentifier of [undefined, "1bad", "bad_id", "a".repeat(64)]) {
      const sm = new FakeSecretsManager(JSON.stringify({ ...JSON.parse(masterJson()), dbInstanceIdentifier }));
      const rds = new FakeRds("ecg-test");
      sm.startRotation();
      await rotate(event("createSecret"), sm, RDS_ENV, { rds });
      await expect(rotate(event("setSecret"), sm, RDS_ENV, { rds })).rejects.toThrow("secret has no valid dbInstanceIdentifier field");
      expect(rds.modifications).toEqual([]);
    }
  });

  it('[SEC-2] [RDS User Guide, "Modifying an Amazon RDS DB instance": a new master password is pending (PendingModifiedValues) until applied] testSecret waits until the instance is available with no pending master password', async () => {
    const sm = new FakeSecretsManager(masterJson());
    const rds = new FakeRds("ecg-test", 3);
    const { sleeps, sleep } = noSleep();
    sm.startRotation();
    await rotate(event("createSecret"), sm, RDS_ENV, { rds, sleep });
    await rotate(event("setSecret"), sm, RDS_ENV, { rds, sleep });
    await rotate(event("testSecret"), sm, RDS_ENV, { rds, sleep });

    // Three pending answers, then the applied one: three waits of 5 s between four checks.
    expect(rds.describes).toEqual(["ecg-test", "ecg-test", "ecg-test", "ecg-test"]);
    expect(sleeps).toEqual([5000, 5000, 5000]);
    expect(logs.some((line) => line.includes("the instance has applied the pending master password"))).toBe(true);
    // Not yet AWSCURRENT: that is finishSecret's.
    expect(sm.stagesOf(TOKEN)).toEqual(["AWSPENDING"]);
  });

  it("[SEC-2] testSecret fails after 40 checks when the password stays pending, so AWSCURRENT stays on the old password", async () => {
    const sm = new FakeSecretsManager(masterJson());
    const rds = new FakeRds("ecg-test", Number.MAX_SAFE_INTEGER);
    const { sleeps, sleep } = noSleep();
    sm.startRotation();
    await rotate(event("createSecret"), sm, RDS_ENV, { rds, sleep });
    await rotate(event("setSecret"), sm, RDS_ENV, { rds, sleep });
    await expect(rotate(event("testSecret"), sm, RDS_ENV, { rds, sleep })).rejects.toThrow(
      "instance ecg-test has not applied the new master password after 40 checks",
    );
    expect(rds.describes).toHaveLength(40);
    expect(sleeps).toHaveLength(40);
    expect(sm.stagesOf(OLD_VERSION)).toContain("AWSCURRENT");
  });

  it("[SEC-2] testSecret fails when the instance is not found", async () => {
    const sm = new FakeSecretsManager(masterJson());
    const rds = new FakeRds("ecg-other");
    sm.startRotation();
    await rotate(event("createSecret"), sm, RDS_ENV, { rds, sleep: async () => undefined });
    await expect(rotate(event("testSecret"), sm, RDS_ENV, { rds, sleep: async () => undefined })).rejects.toThrow(
      "instance ecg-test not found",
    );
  });

  it("[SEC-2] testSecret checks the pending password's length before asking RDS", async () => {
    const sm = new FakeSecretsManager(masterJson());
    const rds = new FakeRds("ecg-test");
    sm.startRotation();
    await sm.putSecretValue({
      SecretId: ARN,
      ClientRequestToken: TOKEN,
      SecretString: JSON.stringify({ ...JSON.parse(masterJson()), password: "short" }),
      VersionStages: ["AWSPENDING"],
    });
    await expect(rotate(event("testSecret"), sm, RDS_ENV, { rds, sleep: async () => undefined })).rejects.toThrow(
      'pending secret field "password" is not a string of length 64',
    );
    expect(rds.describes).toEqual([]);
  });

  it("[SEC-2] an application secret never calls RDS", async () => {
    const sm = new FakeSecretsManager(initialJson());
    const rds = new FakeRds("ecg-test");
    sm.startRotation();
    for (const step of STEPS) await rotate(event(step), sm, {}, { rds });
    expect(rds.modifications).toEqual([]);
    expect(rds.describes).toEqual([]);
  });

  it("[RDS API Reference, CreateDBInstance MasterUserPassword: at most 128 characters for PostgreSQL] refuses PASSWORD_LENGTH above 128, and accepts 32 and 128", async () => {
    for (const length of ["129", "4096"]) {
      const sm = new FakeSecretsManager(masterJson());
      sm.startRotation();
      await expect(
        rotate(event("createSecret"), sm, { ...RDS_ENV, PASSWORD_LENGTH: length }, { rds: new FakeRds("ecg-test") }),
      ).rejects.toThrow(`PASSWORD_LENGTH must be an integer from 32 to 128, got "${length}"`);
      expect(sm.puts).toEqual([]);
    }
    for (const length of [32, 128]) {
      const sm = new FakeSecretsManager(masterJson());
      const rds = new FakeRds("ecg-test");
      sm.startRotation();
      for (const step of STEPS)
        await rotate(event(step), sm, { ...RDS_ENV, PASSWORD_LENGTH: String(length) }, { rds, sleep: async () => undefined });
      expect(JSON.parse(sm.valueAt("AWSCURRENT")!).password).toHaveLength(length);
    }
  });

  it('[RDS API Reference, CreateDBInstance MasterUserPassword: no / " @ or space] refuses EXCLUDE_PUNCTUATION false', async () => {
    const sm = new FakeSecretsManager(masterJson());
    sm.startRotation();
    const describe = jest.spyOn(sm, "describeSecret");
    await expect(
      rotate(event("createSecret"), sm, { ...RDS_ENV, EXCLUDE_PUNCTUATION: "false" }, { rds: new FakeRds("ecg-test") }),
    ).rejects.toThrow('EXCLUDE_PUNCTUATION must be "true" for ROTATION_TARGET rds-master');
    expect(describe).not.toHaveBeenCalled();
    // Explicitly "true" (any case) is fine.
    await expect(
      rotate(event("createSecret"), sm, { ...RDS_ENV, EXCLUDE_PUNCTUATION: "TRUE" }, { rds: new FakeRds("ecg-test") }),
    ).resolves.toBeUndefined();
  });

  it('refuses a SECRET_FIELD other than "password" for rds-master, and takes "password" or unset', async () => {
    const sm = new FakeSecretsManager(masterJson());
    sm.startRotation();
    await expect(
      rotate(event("createSecret"), sm, { ...RDS_ENV, SECRET_FIELD: "value" }, { rds: new FakeRds("ecg-test") }),
    ).rejects.toThrow('SECRET_FIELD must be "password" (or unset) for ROTATION_TARGET rds-master');
    expect(sm.puts).toEqual([]);
    for (const field of ["password", "", undefined]) {
      const fresh = new FakeSecretsManager(masterJson());
      fresh.startRotation();
      await rotate(event("createSecret"), fresh, { ...RDS_ENV, SECRET_FIELD: field }, { rds: new FakeRds("ecg-test") });
      expect(JSON.parse(fresh.versions.get(TOKEN)!.value!).password).not.toBe(OLD_SECRET);
    }
  });

  it.each(["rds", "RDS-MASTER", "database"])("refuses an unknown ROTATION_TARGET %p before touching the secret", async (target) => {
    const sm = new FakeSecretsManager(masterJson());
    sm.startRotation();
    const describe = jest.spyOn(sm, "describeSecret");
    await expect(rotate(event("createSecret"), sm, { ROTATION_TARGET: target })).rejects.toThrow(
      `ROTATION_TARGET must be one of application, rds-master, got "${target}"`,
    );
    expect(describe).not.toHaveBeenCalled();
  });

  it("defaults ROTATION_TARGET to application (empty or unset)", async () => {
    for (const env of [{}, { ROTATION_TARGET: "" }, { ROTATION_TARGET: "application" }]) {
      const sm = new FakeSecretsManager(initialJson());
      await rotateFully(sm, env);
      expect(JSON.parse(sm.valueAt("AWSCURRENT")!).value).toHaveLength(64);
    }
  });
});
