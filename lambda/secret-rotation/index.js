"use strict";
// Secrets Manager rotation function (SEC-2), rotated every 30 days by each secret's
// rotation schedule. ROTATION_TARGET says what a secret is:
// - "application" (default): the JWT signing secret and API keys, read by our own
//   services only: nothing downstream to update.
// - "rds-master": the master credentials of an RDS instance, JSON in the shape of
//   RDS's rotation templates ({engine, host, port, dbname, username, password,
//   dbInstanceIdentifier}); setSecret sets the new password with ModifyDBInstance
//   (the RDS API: the function needs no network path to the database) and
//   testSecret waits until RDS has applied it.
//
// Secrets Manager invokes this function four times per rotation, once per step, with
// { SecretId, ClientRequestToken, Step }. The token is the id of the new version.
// Every step must be safe to retry: Secrets Manager retries failed invocations.
//
// Secret values are JSON objects. Rotation keeps every field and replaces one
// (SECRET_FIELD) with a fresh random string from GetRandomPassword.
//
// Dependencies: none to bundle. @aws-sdk/client-secrets-manager ships with the
// Node.js Lambda runtimes (nodejs22.x); it is required lazily in sdkClient() so that this module loads
// (and the tests run) where the SDK is not installed.

const STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"];
const MIN_LENGTH = 32; // below this a signing key / API key is too weak
const MAX_LENGTH = 4096; // GetRandomPassword's own maximum
// RDS for PostgreSQL master passwords: 8-128 printable ASCII characters (RDS API
// reference, CreateDBInstance MasterUserPassword); the field is "password".
const RDS_MAX_LENGTH = 128;
const TARGETS = ["application", "rds-master"];
// testSecret polls DescribeDBInstances until the new password is applied.
const RDS_POLL = { attempts: 40, delayMs: 5000 };

// Structured log line. Callers pass ids and messages only: never a secret value.
function log(fields) {
  console.log(JSON.stringify({ time: new Date().toISOString(), ...fields }));
}

// Reads the generation settings from the function's environment; a bad setting fails
// every step before anything is read or written.
function loadConfig(env) {
  const target = env.ROTATION_TARGET === undefined || env.ROTATION_TARGET === "" ? "application" : env.ROTATION_TARGET;
  if (!TARGETS.includes(target)) throw new Error(`ROTATION_TARGET must be one of ${TARGETS.join(", ")}, got "${target}"`);
  const rds = target === "rds-master";
  const field = rds ? "password" : env.SECRET_FIELD === undefined || env.SECRET_FIELD === "" ? "value" : env.SECRET_FIELD;
  if (rds && env.SECRET_FIELD && env.SECRET_FIELD !== "password") throw new Error('SECRET_FIELD must be "password" (or unset) for ROTATION_TARGET rds-master');
  if (field === "rotatedAt") throw new Error('SECRET_FIELD cannot be "rotatedAt": rotation writes that field itself');
  const rawLength = env.PASSWORD_LENGTH === undefined || env.PASSWORD_LENGTH === "" ? "64" : env.PASSWORD_LENGTH;
  const length = /^\d+$/.test(rawLength) ? Number(rawLength) : NaN;
  const max = rds ? RDS_MAX_LENGTH : MAX_LENGTH;
  if (!(length >= MIN_LENGTH && length <= max)) {
    throw new Error(`PASSWORD_LENGTH must be an integer from ${MIN_LENGTH} to ${max}, got "${rawLength}"`);
  }
  const rawExclude = (env.EXCLUDE_PUNCTUATION === undefined || env.EXCLUDE_PUNCTUATION === "" ? "true" : env.EXCLUDE_PUNCTUATION).toLowerCase();
  if (rawExclude !== "true" && rawExclude !== "false") {
    throw new Error(`EXCLUDE_PUNCTUATION must be "true" or "false", got "${env.EXCLUDE_PUNCTUATION}"`);
  }
  // RDS refuses / " @ and spaces in a master password: punctuation stays out.
  if (rds && rawExclude !== "true") throw new Error('EXCLUDE_PUNCTUATION must be "true" for ROTATION_TARGET rds-master');
  return { target, field, length, excludePunctuation: rawExclude === "true" };
}

// Parses a secret string as a JSON object. The error never quotes the input: V8's
// JSON.parse messages include a snippet of the text, which would be the secret.
function parseSecretJson(text, what) {
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error(`${what} is not a JSON object`);
  }
  return parsed;
}

const isNotFound = (err) => Boolean(err) && err.name === "ResourceNotFoundException";

// Step 1: store the new value as AWSPENDING under the token, unless a retry already did.
async function createSecret(sm, ctx) {
  const current = await sm.getSecretValue({ SecretId: ctx.arn, VersionStage: "AWSCURRENT" });
  try {
    await sm.getSecretValue({ SecretId: ctx.arn, VersionId: ctx.token, VersionStage: "AWSPENDING" });
    log({ ...ctx.ids, message: "pending version already exists, nothing to create" });
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const fields = parseSecretJson(current.SecretString, "current secret value (AWSCURRENT)");
  const { RandomPassword } = await sm.getRandomPassword({
    PasswordLength: ctx.config.length,
    ExcludePunctuation: ctx.config.excludePunctuation,
    RequireEachIncludedType: true,
  });
  const next = { ...fields, [ctx.config.field]: RandomPassword, rotatedAt: new Date().toISOString() };
  await sm.putSecretValue({
    SecretId: ctx.arn,
    ClientRequestToken: ctx.token,
    SecretString: JSON.stringify(next),
    VersionStages: ["AWSPENDING"],
  });
  log({ ...ctx.ids, message: "stored new pending version", field: ctx.config.field, length: ctx.config.length });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function pendingFields(sm, ctx) {
  const pending = await sm.getSecretValue({ SecretId: ctx.arn, VersionId: ctx.token, VersionStage: "AWSPENDING" });
  return parseSecretJson(pending.SecretString, "pending secret value (AWSPENDING)");
}

function instanceIdentifier(fields) {
  const id = fields.dbInstanceIdentifier;
  if (typeof id !== "string" || !/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/.test(id)) throw new Error("secret has no valid dbInstanceIdentifier field");
  return id;
}

// Step 2: an application secret (JWT signing key, API key) is checked only by our own
// services, which read the secret: nothing downstream to update. An RDS master secret:
// set the pending password on the instance. Safe to retry (it sets the same value).
async function setSecret(sm, ctx) {
  if (ctx.config.target !== "rds-master") {
    log({ ...ctx.ids, message: "no downstream system to update for an application secret: intentionally nothing to do" });
    return;
  }
  const fields = await pendingFields(sm, ctx);
  const id = instanceIdentifier(fields);
  await ctx.rds.modifyDBInstance({ DBInstanceIdentifier: id, MasterUserPassword: fields[ctx.config.field], ApplyImmediately: true });
  log({ ...ctx.ids, message: "set the pending master password on the instance", dbInstanceIdentifier: id });
}

// RDS applies a new master password asynchronously: the instance shows it under
// PendingModifiedValues (status resetting-master-credentials) until it has.
async function waitForPasswordApplied(ctx, id) {
  for (let attempt = 1; attempt <= RDS_POLL.attempts; attempt++) {
    const { DBInstances: [instance] = [] } = await ctx.rds.describeDBInstances({ DBInstanceIdentifier: id });
    if (!instance) throw new Error(`instance ${id} not found`);
    const pending = instance.PendingModifiedValues && instance.PendingModifiedValues.MasterUserPassword;
    if (!pending && instance.DBInstanceStatus === "available") return;
    await ctx.sleep(RDS_POLL.delayMs);
  }
  throw new Error(`instance ${id} has not applied the new master password after ${RDS_POLL.attempts} checks`);
}

// Step 3: check the pending value is well formed before it becomes AWSCURRENT.
async function testSecret(sm, ctx) {
  const fields = await pendingFields(sm, ctx);
  const value = fields[ctx.config.field];
  if (typeof value !== "string" || value.length !== ctx.config.length) {
    throw new Error(`pending secret field "${ctx.config.field}" is not a string of length ${ctx.config.length}`);
  }
  if (ctx.config.target === "rds-master") {
    const id = instanceIdentifier(fields);
    await waitForPasswordApplied(ctx, id);
    log({ ...ctx.ids, message: "the instance has applied the pending master password", dbInstanceIdentifier: id });
    return;
  }
  log({ ...ctx.ids, message: "pending version is well formed" });
}

// Step 4: move AWSCURRENT to the token. Secrets Manager then moves AWSPREVIOUS to the
// old version by itself, so services still holding the old key can be drained.
async function finishSecret(sm, ctx) {
  const [currentVersion] = Object.entries(ctx.metadata.VersionIdsToStages || {}).find(([, stages]) => stages.includes("AWSCURRENT")) || [];
  if (currentVersion === ctx.token) {
    log({ ...ctx.ids, message: "version is already AWSCURRENT" });
    return;
  }
  await sm.updateSecretVersionStage({
    SecretId: ctx.arn,
    VersionStage: "AWSCURRENT",
    MoveToVersionId: ctx.token,
    RemoveFromVersionId: currentVersion,
  });
  log({ ...ctx.ids, message: "moved AWSCURRENT to the new version", previousVersion: currentVersion });
}

const handlers = { createSecret, setSecret, testSecret, finishSecret };

// Runs one rotation step. `sm` is any object with the five async methods below taking
// the SDK's command inputs; the handler passes an adapter over the SDK v3 client.
// `deps.rds` (modifyDBInstance, describeDBInstances) serves ROTATION_TARGET rds-master.
async function rotate(event, sm, env = process.env, deps = {}) {
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event || {};
  const ids = { step, secretId, token };
  try {
    if (!STEPS.includes(step)) throw new Error(`unknown rotation step "${step}"`);
    if (!secretId || !token) throw new Error("event needs SecretId and ClientRequestToken");
    const config = loadConfig(env);

    // Validation shared by every step (as in the AWS rotation templates).
    const metadata = await sm.describeSecret({ SecretId: secretId });
    const arn = metadata.ARN || secretId;
    ids.secretId = arn;
    if (metadata.RotationEnabled !== true) throw new Error(`rotation is not enabled for secret ${arn}`);
    const stages = (metadata.VersionIdsToStages || {})[token];
    if (!stages) throw new Error(`token ${token} is not a version of secret ${arn}`);
    if (stages.includes("AWSCURRENT")) {
      // A retry after finishSecret succeeded: the rotation is already done.
      log({ ...ids, message: "version is already AWSCURRENT, nothing to do" });
      return;
    }
    if (!stages.includes("AWSPENDING")) throw new Error(`token ${token} is not AWSPENDING for secret ${arn}`);

    log({ ...ids, message: "step started" });
    const rds = config.target === "rds-master" ? deps.rds || rdsClient() : undefined;
    await handlers[step](sm, { ids, arn, token, config, metadata, rds, sleep: deps.sleep || sleep });
  } catch (err) {
    // Messages built here never contain secret values; SDK errors do not either.
    log({ ...ids, level: "error", error: err && err.name, message: err && err.message });
    throw err;
  }
}

// Adapts the SDK v3 client (send(new XCommand(input))) to the interface rotate() uses.
function sdkClient() {
  const sdk = require("@aws-sdk/client-secrets-manager");
  const client = new sdk.SecretsManagerClient({}); // region from AWS_REGION in Lambda
  const call = (Command) => (input) => client.send(new Command(input));
  return {
    describeSecret: call(sdk.DescribeSecretCommand),
    getSecretValue: call(sdk.GetSecretValueCommand),
    putSecretValue: call(sdk.PutSecretValueCommand),
    getRandomPassword: call(sdk.GetRandomPasswordCommand),
    updateSecretVersionStage: call(sdk.UpdateSecretVersionStageCommand),
  };
}

let cachedRds;
function rdsClient() {
  if (!cachedRds) {
    const sdk = require("@aws-sdk/client-rds");
    const client = new sdk.RDSClient({});
    cachedRds = {
      modifyDBInstance: (input) => client.send(new sdk.ModifyDBInstanceCommand(input)),
      describeDBInstances: (input) => client.send(new sdk.DescribeDBInstancesCommand(input)),
    };
  }
  return cachedRds;
}

let cachedClient; // reused across warm invocations
async function handler(event) {
  cachedClient = cachedClient || sdkClient();
  await rotate(event, cachedClient);
}

module.exports = { handler, rotate };
