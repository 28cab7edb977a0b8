"use strict";
// Secrets Manager rotation function for application secrets (SEC-2): the JWT signing
// secret and API keys, rotated every 30 days by the secret's rotation schedule.
//
// Secrets Manager invokes this function four times per rotation, once per step, with
// { SecretId, ClientRequestToken, Step }. The token is the id of the new version.
// Every step must be safe to retry: Secrets Manager retries failed invocations.
//
// Secret values are JSON objects. Rotation keeps every field and replaces one
// (SECRET_FIELD) with a fresh random string from GetRandomPassword.
//
// Dependencies: none to bundle. @aws-sdk/client-secrets-manager ships with the
// nodejs20.x runtime; it is required lazily in sdkClient() so that this module loads
// (and the tests run) where the SDK is not installed.

const STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"];
const MIN_LENGTH = 32; // below this a signing key / API key is too weak
const MAX_LENGTH = 4096; // GetRandomPassword's own maximum

// Structured log line. Callers pass ids and messages only: never a secret value.
function log(fields) {
  console.log(JSON.stringify({ time: new Date().toISOString(), ...fields }));
}

// Reads the generation settings from the function's environment; a bad setting fails
// every step before anything is read or written.
function loadConfig(env) {
  const field = env.SECRET_FIELD === undefined || env.SECRET_FIELD === "" ? "value" : env.SECRET_FIELD;
  if (field === "rotatedAt") throw new Error('SECRET_FIELD cannot be "rotatedAt": rotation writes that field itself');
  const rawLength = env.PASSWORD_LENGTH === undefined || env.PASSWORD_LENGTH === "" ? "64" : env.PASSWORD_LENGTH;
  const length = /^\d+$/.test(rawLength) ? Number(rawLength) : NaN;
  if (!(length >= MIN_LENGTH && length <= MAX_LENGTH)) {
    throw new Error(`PASSWORD_LENGTH must be an integer from ${MIN_LENGTH} to ${MAX_LENGTH}, got "${rawLength}"`);
  }
  const rawExclude = (env.EXCLUDE_PUNCTUATION === undefined || env.EXCLUDE_PUNCTUATION === "" ? "true" : env.EXCLUDE_PUNCTUATION).toLowerCase();
  if (rawExclude !== "true" && rawExclude !== "false") {
    throw new Error(`EXCLUDE_PUNCTUATION must be "true" or "false", got "${env.EXCLUDE_PUNCTUATION}"`);
  }
  return { field, length, excludePunctuation: rawExclude === "true" };
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

// Step 2: a database rotation would set the new password in the database here. A JWT
// signing key or an API key is checked only by our own services, which read the secret,
// so there is no downstream system to update.
async function setSecret(_sm, ctx) {
  log({ ...ctx.ids, message: "no downstream system to update for an application secret: intentionally nothing to do" });
}

// Step 3: check the pending value is well formed before it becomes AWSCURRENT.
async function testSecret(sm, ctx) {
  const pending = await sm.getSecretValue({ SecretId: ctx.arn, VersionId: ctx.token, VersionStage: "AWSPENDING" });
  const fields = parseSecretJson(pending.SecretString, "pending secret value (AWSPENDING)");
  const value = fields[ctx.config.field];
  if (typeof value !== "string" || value.length !== ctx.config.length) {
    throw new Error(`pending secret field "${ctx.config.field}" is not a string of length ${ctx.config.length}`);
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
async function rotate(event, sm, env = process.env) {
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
    await handlers[step](sm, { ids, arn, token, config, metadata });
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

let cachedClient; // reused across warm invocations
async function handler(event) {
  cachedClient = cachedClient || sdkClient();
  await rotate(event, cachedClient);
}

module.exports = { handler, rotate };
