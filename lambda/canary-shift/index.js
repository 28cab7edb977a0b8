"use strict";
// CodeDeploy BeforeAllowTraffic hook: the first step of a three-step ECS canary (CI-5,
// seed conflict 6). A CodeDeploy ECS deployment config shifts traffic in at most two
// steps (TimeBasedCanary p% then 100%), so the seed's 10% -> 50% -> 100% is run as:
//   1. this hook: production listener to (100-p1)% blue / p1% green, bake while the
//      CloudWatch alarms stay OK;
//   2. CodeDeploy's own TimeBasedCanary: p2%, bake, then 100%.
//
// CodeDeploy invokes the function with { DeploymentId, LifecycleEventHookExecutionId }
// and waits (up to an hour) for PutLifecycleEventHookExecutionStatus. This function
// ALWAYS reports: Succeeded after a clean bake, Failed on an alarm or any error, so
// CodeDeploy never waits for nothing and rolls back on Failed.
//
// On Failed the listener is first put back exactly as it was (100% blue): CodeDeploy
// has not shifted production traffic yet at BeforeAllowTraffic, so its rollback does
// not know that this hook sent p1% to the replacement task set it is about to delete.
//
// Settings (environment, set by modules/delivery): PROD_LISTENER_ARN, CANARY_PERCENT
// (1-99), BAKE_MINUTES (1-12: the bake and the calls before and after it must fit in
// Lambda's 15-minute limit), ALARM_NAMES (JSON array), POLL_SECONDS (default 30),
// DEPLOYMENT_GROUP_NAME (the function refuses deployments of any other group).
//
// Dependencies: none to bundle. The AWS SDK v3 clients ship with the Node.js Lambda runtimes (nodejs22.x)
// and are required lazily in sdkClients(), so the module loads (and the tests run)
// where the SDK is not installed.

const MAX_BAKE_MINUTES = 12;

function log(fields) {
  console.log(JSON.stringify({ time: new Date().toISOString(), ...fields }));
}

function loadConfig(env) {
  const int = (name, fallback) => {
    const raw = env[name] === undefined || env[name] === "" ? fallback : env[name];
    return /^\d+$/.test(String(raw)) ? Number(raw) : NaN;
  };
  const listenerArn = env.PROD_LISTENER_ARN;
  if (!listenerArn) throw new Error("PROD_LISTENER_ARN is not set");
  const percent = int("CANARY_PERCENT");
  if (!(percent >= 1 && percent <= 99)) throw new Error(`CANARY_PERCENT must be an integer from 1 to 99, got "${env.CANARY_PERCENT}"`);
  const bakeMinutes = int("BAKE_MINUTES");
  if (!(bakeMinutes >= 1 && bakeMinutes <= MAX_BAKE_MINUTES)) {
    throw new Error(`BAKE_MINUTES must be an integer from 1 to ${MAX_BAKE_MINUTES}, got "${env.BAKE_MINUTES}"`);
  }
  const pollSeconds = int("POLL_SECONDS", "30");
  if (!(pollSeconds >= 1)) throw new Error(`POLL_SECONDS must be a positive integer, got "${env.POLL_SECONDS}"`);
  let alarmNames;
  try {
    alarmNames = JSON.parse(env.ALARM_NAMES || "[]");
  } catch {
    throw new Error("ALARM_NAMES is not a JSON array");
  }
  if (!Array.isArray(alarmNames) || !alarmNames.every((a) => typeof a === "string" && a.length > 0)) {
    throw new Error("ALARM_NAMES must be a JSON array of alarm names");
  }
  return { listenerArn, percent, bakeMinutes, pollSeconds, alarmNames, deploymentGroupName: env.DEPLOYMENT_GROUP_NAME || undefined };
}

// The blue (serving) and green (replacement) target group names of the deployment's ECS target.
async function targetGroupsOf(codedeploy, deploymentId) {
  const { targetIds = [] } = await codedeploy.listDeploymentTargets({ deploymentId });
  if (targetIds.length !== 1) throw new Error(`expected one ECS deployment target, found ${targetIds.length}`);
  const { deploymentTarget } = await codedeploy.getDeploymentTarget({ deploymentId, targetId: targetIds[0] });
  const taskSets = (deploymentTarget && deploymentTarget.ecsTarget && deploymentTarget.ecsTarget.taskSetsInfo) || [];
  const named = (label) => {
    const set = taskSets.find((t) => String(t.taskSetLabel).toLowerCase() === label);
    const name = set && set.targetGroup && set.targetGroup.name;
    if (!name) throw new Error(`the deployment has no ${label} task set with a target group`);
    return name;
  };
  return { blue: named("blue"), green: named("green") };
}

// Target groups a listener default action sends traffic to (weight > 0).
function servingTargetGroups(actions) {
  return (actions || [])
    .filter((a) => a.Type === "forward")
    .flatMap((a) => {
      const groups = a.ForwardConfig && a.ForwardConfig.TargetGroups;
      if (groups && groups.length) return groups.filter((g) => g.Weight === undefined || g.Weight > 0).map((g) => g.TargetGroupArn);
      return a.TargetGroupArn ? [a.TargetGroupArn] : [];
    });
}

// Throws when a watched alarm is in ALARM or does not exist (a missing alarm watches nothing).
async function checkAlarms(cloudwatch, names) {
  if (names.length === 0) return;
  const { MetricAlarms = [], CompositeAlarms = [] } = await cloudwatch.describeAlarms({ AlarmNames: names, AlarmTypes: ["MetricAlarm", "CompositeAlarm"] });
  const alarms = [...MetricAlarms, ...CompositeAlarms];
  const missing = names.filter((n) => !alarms.some((a) => a.AlarmName === n));
  if (missing.length) throw new Error(`watched alarm(s) do not exist: ${missing.join(", ")}`);
  const firing = alarms.filter((a) => a.StateValue === "ALARM").map((a) => a.AlarmName);
  if (firing.length) throw new Error(`alarm(s) in ALARM during the canary: ${firing.join(", ")}`);
}

const defaultSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Runs the hook. `clients` = { codedeploy, elbv2, cloudwatch }, objects whose async methods take
// the SDK command inputs; `sleep(ms)` and `now()` are injectable so tests need not wait.
async function shiftAndBake(event, clients, { env = process.env, sleep = defaultSleep, now = Date.now } = {}) {
  const { DeploymentId: deploymentId, LifecycleEventHookExecutionId: executionId } = event || {};
  if (!deploymentId || !executionId) {
    // Nothing to report to: CodeDeploy always sends both, so this is a wrong invocation.
    throw new Error("event needs DeploymentId and LifecycleEventHookExecutionId");
  }
  const { codedeploy, elbv2, cloudwatch } = clients;
  const ids = { deploymentId, executionId };
  let restore; // the listener's original default actions, once it has been changed
  let listenerArn;
  let status = "Succeeded";
  try {
    const config = loadConfig(env);
    listenerArn = config.listenerArn;
    const stopped = async () => {
      const { deploymentInfo = {} } = await codedeploy.getDeployment({ deploymentId });
      return ["Stopped", "Failed"].includes(deploymentInfo.status) ? deploymentInfo : undefined;
    };
    const { deploymentInfo = {} } = await codedeploy.getDeployment({ deploymentId });
    if (config.deploymentGroupName && deploymentInfo.deploymentGroupName !== config.deploymentGroupName) {
      throw new Error(`deployment ${deploymentId} belongs to group "${deploymentInfo.deploymentGroupName}", not "${config.deploymentGroupName}"`);
    }
    const names = await targetGroupsOf(codedeploy, deploymentId);
    const { TargetGroups = [] } = await elbv2.describeTargetGroups({ Names: [names.blue, names.green] });
    const arnOf = (name) => {
      const group = TargetGroups.find((g) => g.TargetGroupName === name);
      if (!group) throw new Error(`target group ${name} not found`);
      return group.TargetGroupArn;
    };
    const blueArn = arnOf(names.blue);
    const greenArn = arnOf(names.green);
    const { Listeners = [] } = await elbv2.describeListeners({ ListenerArns: [listenerArn] });
    if (Listeners.length !== 1) throw new Error(`production listener ${listenerArn} not found`);
    const original = Listeners[0].DefaultActions || [];
    const serving = servingTargetGroups(original);
    if (serving.length !== 1 || serving[0] !== blueArn) {
      // Anything else means another deployment or a person is moving traffic: do not fight it.
      throw new Error(`production listener does not send all traffic to the blue target group ${names.blue} (serving: ${serving.join(", ") || "none"})`);
    }
    // Alarms already firing: do not send customers to the new version at all.
    await checkAlarms(cloudwatch, config.alarmNames);

    await elbv2.modifyListener({
      ListenerArn: listenerArn,
      DefaultActions: [
        {
          Type: "forward",
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: blueArn, Weight: 100 - config.percent },
              { TargetGroupArn: greenArn, Weight: config.percent },
            ],
          },
        },
      ],
    });
    restore = original;
    log({ ...ids, message: "shifted production traffic", blue: names.blue, green: names.green, greenPercent: config.percent, bakeMinutes: config.bakeMinutes });

    const deadline = now() + config.bakeMinutes * 60_000;
    for (;;) {
      await checkAlarms(cloudwatch, config.alarmNames);
      const halted = await stopped();
      if (halted) throw new Error(`deployment is ${halted.status}; ending the canary step`);
      const left = deadline - now();
      if (left <= 0) break;
      await sleep(Math.min(config.pollSeconds * 1000, left));
    }
    log({ ...ids, message: "canary step baked with every alarm OK" });
  } catch (err) {
    status = "Failed";
    log({ ...ids, level: "error", error: err && err.name, message: err && err.message });
    if (restore) {
      try {
        await elbv2.modifyListener({ ListenerArn: listenerArn, DefaultActions: restore });
        log({ ...ids, message: "restored the production listener to its original actions" });
      } catch (restoreErr) {
        log({ ...ids, level: "error", message: "could not restore the production listener", error: restoreErr && restoreErr.message });
      }
    }
  }
  try {
    await codedeploy.putLifecycleEventHookExecutionStatus({ deploymentId, lifecycleEventHookExecutionId: executionId, status });
    log({ ...ids, message: "reported to CodeDeploy", status });
  } catch (err) {
    // A stopped deployment refuses the report; nothing is waiting for it then.
    log({ ...ids, level: "error", message: "could not report the hook status", status, error: err && err.message });
  }
  return { status };
}

// Adapts the SDK v3 clients (send(new XCommand(input))) to the interface shiftAndBake() uses.
function sdkClients() {
  const cd = require("@aws-sdk/client-codedeploy");
  const lb = require("@aws-sdk/client-elastic-load-balancing-v2");
  const cw = require("@aws-sdk/client-cloudwatch");
  const codedeployClient = new cd.CodeDeployClient({}); // region from AWS_REGION in Lambda
  const elbClient = new lb.ElasticLoadBalancingV2Client({});
  const cwClient = new cw.CloudWatchClient({});
  const call = (client, Command) => (input) => client.send(new Command(input));
  return {
    codedeploy: {
      getDeployment: call(codedeployClient, cd.GetDeploymentCommand),
      listDeploymentTargets: call(codedeployClient, cd.ListDeploymentTargetsCommand),
      getDeploymentTarget: call(codedeployClient, cd.GetDeploymentTargetCommand),
      putLifecycleEventHookExecutionStatus: call(codedeployClient, cd.PutLifecycleEventHookExecutionStatusCommand),
    },
    elbv2: {
      describeTargetGroups: call(elbClient, lb.DescribeTargetGroupsCommand),
      describeListeners: call(elbClient, lb.DescribeListenersCommand),
      modifyListener: call(elbClient, lb.ModifyListenerCommand),
    },
    cloudwatch: { describeAlarms: call(cwClient, cw.DescribeAlarmsCommand) },
  };
}

let cachedClients; // reused across warm invocations
async function handler(event) {
  cachedClients = cachedClients || sdkClients();
  return shiftAndBake(event, cachedClients);
}

module.exports = { handler, shiftAndBake, MAX_BAKE_MINUTES };
