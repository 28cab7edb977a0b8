// The BeforeAllowTraffic hook of the three-step canary (CI-5, seed conflict 6), run
// against in-memory CodeDeploy / ELBv2 / CloudWatch fakes and a fake clock.

interface HookEvent {
  DeploymentId?: string;
  LifecycleEventHookExecutionId?: string;
}
type Env = Record<string, string | undefined>;
interface Options {
  env?: Env;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}
const { shiftAndBake, MAX_BAKE_MINUTES } = require("../../lambda/canary-shift/index.js") as {
  shiftAndBake: (event: HookEvent, clients: any, options?: Options) => Promise<{ status: string }>;
  MAX_BAKE_MINUTES: number;
};

const LISTENER = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:listener/app/ecg-prod-api/abc/prod";
const BLUE_ARN = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/ecg-prod-api-blue/1";
const GREEN_ARN = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/ecg-prod-api-green/2";
const EVENT = { DeploymentId: "d-ABCDEF123", LifecycleEventHookExecutionId: "exec-1" };
const ENV: Env = {
  PROD_LISTENER_ARN: LISTENER,
  CANARY_PERCENT: "10",
  BAKE_MINUTES: "2",
  ALARM_NAMES: JSON.stringify(["api-5xx", "api-latency"]),
  POLL_SECONDS: "30",
  DEPLOYMENT_GROUP_NAME: "ecg-prod-api",
};
const ORIGINAL_ACTIONS = [
  { Type: "forward", TargetGroupArn: BLUE_ARN, ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE_ARN, Weight: 1 }] } },
];

/** AWS as the hook sees it at BeforeAllowTraffic, with a clock that only sleep() moves. */
class FakeAws {
  time = 0;
  deploymentStatus = "InProgress";
  deploymentGroupName = "ecg-prod-api";
  listenerActions: any[] = structuredClone(ORIGINAL_ACTIONS);
  alarmStates: Record<string, string> = { "api-5xx": "OK", "api-latency": "OK" };
  /** Alarm name → time (ms) from which it is in ALARM. */
  firesAt: Record<string, number> = {};
  failOn: Record<string, Error> = {};
  readonly calls: { method: string; input: any; time: number }[] = [];
  readonly reports: { status: string; time: number; input: any }[] = [];
  readonly sleeps: number[] = [];

  private record(method: string, input: any) {
    this.calls.push({ method, input, time: this.time });
    if (this.failOn[method]) throw this.failOn[method];
  }

  callsOf(method: string) {
    return this.calls.filter((c) => c.method === method);
  }

  readonly clients = {
    codedeploy: {
      getDeployment: async (input: any) => {
        this.record("getDeployment", input);
        return {
          deploymentInfo: {
            deploymentId: input.deploymentId,
            deploymentGroupName: this.deploymentGroupName,
            status: this.deploymentStatus,
          },
        };
      },
      listDeploymentTargets: async (input: any) => {
        this.record("listDeploymentTargets", input);
        return { targetIds: ["ecg-prod:ecg-prod-api"] };
      },
      getDeploymentTarget: async (input: any) => {
        this.record("getDeploymentTarget", input);
        return {
          deploymentTarget: {
            deploymentTargetType: "ECSTarget",
            ecsTarget: {
              taskSetsInfo: [
                { taskSetLabel: "Green", trafficWeight: 0, targetGroup: { name: "ecg-prod-api-green" } },
                { taskSetLabel: "Blue", trafficWeight: 100, targetGroup: { name: "ecg-prod-api-blue" } },
              ],
            },
          },
        };
      },
      putLifecycleEventHookExecutionStatus: async (input: any) => {
        this.record("putLifecycleEventHookExecutionStatus", input);
        this.reports.push({ status: input.status, time: this.time, input });
        return { lifecycleEventHookExecutionId: input.lifecycleEventHookExecutionId };
      },
    },
    elbv2: {
      describeTargetGroups: async (input: any) => {
        this.record("describeTargetGroups", input);
        const all = [
          { TargetGroupName: "ecg-prod-api-blue", TargetGroupArn: BLUE_ARN },
          { TargetGroupName: "ecg-prod-api-green", TargetGroupArn: GREEN_ARN },
        ];
        return { TargetGroups: all.filter((g) => input.Names.includes(g.TargetGroupName)) };
      },
      describeListeners: async (input: any) => {
        this.record("describeListeners", input);
        return {
          Listeners: input.ListenerArns.includes(LISTENER)
            ? [{ ListenerArn: LISTENER, DefaultActions: structuredClone(this.listenerActions) }]
            : [],
        };
      },
      modifyListener: async (input: any) => {
        this.record("modifyListener", input);
        expect(input.ListenerArn).toBe(LISTENER);
        this.listenerActions = structuredClone(input.DefaultActions);
        return {};
      },
    },
    cloudwatch: {
      describeAlarms: async (input: any) => {
        this.record("describeAlarms", input);
        return {
          MetricAlarms: input.AlarmNames.filter((n: string) => n in this.alarmStates).map((n: string) => ({
            AlarmName: n,
            StateValue: this.firesAt[n] !== undefined && this.time >= this.firesAt[n] ? "ALARM" : this.alarmStates[n],
          })),
          CompositeAlarms: [],
        };
      },
    },
  };

  readonly options = (env: Env = ENV): Options => ({
    env,
    now: () => this.time,
    sleep: async (ms: number) => {
      this.sleeps.push(ms);
      this.time += ms;
    },
  });

  /** Green's weight on the production listener (0 when it forwards to blue only). */
  greenWeight(): number {
    const groups = this.listenerActions[0]?.ForwardConfig?.TargetGroups ?? [];
    return groups.find((g: any) => g.TargetGroupArn === GREEN_ARN)?.Weight ?? 0;
  }
}

const silence = () => jest.spyOn(console, "log").mockImplementation(() => undefined);

describe("canary-shift hook (lambda/canary-shift)", () => {
  beforeEach(() => silence());
  afterEach(() => jest.restoreAllMocks());

  it("[CI-5] sends 10% of production traffic to green: weighted forward 90 blue / 10 green on the production listener", async () => {
    const aws = new FakeAws();
    await shiftAndBake(EVENT, aws.clients, aws.options());
    const shifts = aws.callsOf("modifyListener");
    expect(shifts).toHaveLength(1);
    expect(shifts[0].input.DefaultActions).toEqual([
      {
        Type: "forward",
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: BLUE_ARN, Weight: 90 },
            { TargetGroupArn: GREEN_ARN, Weight: 10 },
          ],
        },
      },
    ]);
    // Blue and green come from the deployment's own task sets, not from guesses.
    expect(aws.callsOf("getDeploymentTarget")[0].input).toEqual({ deploymentId: EVENT.DeploymentId, targetId: "ecg-prod:ecg-prod-api" });
    expect(aws.callsOf("describeTargetGroups")[0].input.Names.sort()).toEqual(["ecg-prod-api-blue", "ecg-prod-api-green"]);
  });

  it("[CI-5] reports Succeeded only after the whole bake, polling the alarms every 30 s, and leaves 10% on green for CodeDeploy's next step", async () => {
    const aws = new FakeAws();
    const result = await shiftAndBake(EVENT, aws.clients, aws.options());
    expect(result).toEqual({ status: "Succeeded" });
    expect(aws.reports).toEqual([
      {
        status: "Succeeded",
        time: 2 * 60_000,
        input: {
          deploymentId: EVENT.DeploymentId,
          lifecycleEventHookExecutionId: EVENT.LifecycleEventHookExecutionId,
          status: "Succeeded",
        },
      },
    ]);
    expect(aws.sleeps).toEqual([30_000, 30_000, 30_000, 30_000]);
    // One check before the shift, then at 0, 30, 60, 90 and 120 s.
    const checks = aws.callsOf("describeAlarms");
    expect(checks.map((c) => c.time)).toEqual([0, 0, 30_000, 60_000, 90_000, 120_000]);
    expect(checks[0].input.AlarmNames).toEqual(["api-5xx", "api-latency"]);
    expect(aws.greenWeight()).toBe(10);
  });

  it("[CI-5] reports Failed as soon as an alarm fires, and first puts all production traffic back on blue", async () => {
    const aws = new FakeAws();
    aws.firesAt["api-5xx"] = 45_000;
    const result = await shiftAndBake(EVENT, aws.clients, aws.options());
    expect(result.status).toBe("Failed");
    // Seen at the first poll after it fired (60 s), not at the end of the 2-minute bake.
    expect(aws.reports.map((r) => [r.status, r.time])).toEqual([["Failed", 60_000]]);
    expect(aws.listenerActions).toEqual(ORIGINAL_ACTIONS);
    const shifts = aws.callsOf("modifyListener");
    expect(shifts).toHaveLength(2);
    // The restore happens before the report: CodeDeploy deletes green right after Failed.
    const restoreIndex = aws.calls.indexOf(shifts[1]);
    const reportIndex = aws.calls.findIndex((c) => c.method === "putLifecycleEventHookExecutionStatus");
    expect(restoreIndex).toBeLessThan(reportIndex);
  });

  it("[CI-5] does not shift at all when an alarm is already firing", async () => {
    const aws = new FakeAws();
    aws.alarmStates["api-latency"] = "ALARM";
    expect((await shiftAndBake(EVENT, aws.clients, aws.options())).status).toBe("Failed");
    expect(aws.callsOf("modifyListener")).toHaveLength(0);
    expect(aws.reports.map((r) => r.status)).toEqual(["Failed"]);
  });

  it("[CI-5] reports Failed when a watched alarm does not exist (a missing alarm watches nothing)", async () => {
    const aws = new FakeAws();
    delete aws.alarmStates["api-latency"];
    expect((await shiftAndBake(EVENT, aws.clients, aws.options())).status).toBe("Failed");
    expect(aws.callsOf("modifyListener")).toHaveLength(0);
  });

  it("[CI-5] reports Failed on an unexpected error before the shift, leaving the listener untouched", async () => {
    const aws = new FakeAws();
    aws.failOn.describeTargetGroups = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    expect((await shiftAndBake(EVENT, aws.clients, aws.options())).status).toBe("Failed");
    expect(aws.reports.map((r) => r.status)).toEqual(["Failed"]);
    expect(aws.callsOf("modifyListener")).toHaveLength(0);
    expect(aws.listenerActions).toEqual(ORIGINAL_ACTIONS);
  });

  it("[CI-5] reports Failed on an unexpected error during the bake, after restoring the listener", async () => {
    const aws = new FakeAws();
    const original = aws.clients.cloudwatch.describeAlarms;
    aws.clients.cloudwatch.describeAlarms = async (input: any) => {
      if (aws.time >= 30_000) throw new Error("socket hang up");
      return original(input);
    };
    expect((await shiftAndBake(EVENT, aws.clients, aws.options())).status).toBe("Failed");
    expect(aws.reports.map((r) => [r.status, r.time])).toEqual([["Failed", 30_000]]);
    expect(aws.listenerActions).toEqual(ORIGINAL_ACTIONS);
  });

  it("[CI-5] ends the step when the deployment is stopped meanwhile (e.g. by CodeDeploy's own alarm watch)", async () => {
    const aws = new FakeAws();
    const original = aws.clients.codedeploy.getDeployment;
    aws.clients.codedeploy.getDeployment = async (input: any) => {
      if (aws.time >= 60_000) aws.deploymentStatus = "Stopped";
      return original(input);
    };
    expect((await shiftAndBake(EVENT, aws.clients, aws.options())).status).toBe("Failed");
    expect(aws.reports.map((r) => r.time)).toEqual([60_000]);
    expect(aws.listenerActions).toEqual(ORIGINAL_ACTIONS);
  });

  it("[CI-5] refuses to shift when the production listener is not serving blue alone (another rollout is moving traffic)", async () => {
    const aws = new FakeAws();
    aws.listenerActions = [{ Type: "forward", TargetGroupArn: GREEN_ARN }];
    expect((await shiftAndBake(EVENT, aws.clients, aws.options())).status).toBe("Failed");
    expect(aws.callsOf("modifyListener")).toHaveLength(0);
  });

  it("[CI-5] refuses a deployment of another deployment group", async () => {
    const aws = new FakeAws();
    aws.deploymentGroupName = "ecg-staging-api";
    expect((await shiftAndBake(EVENT, aws.clients, aws.options())).status).toBe("Failed");
    expect(aws.callsOf("modifyListener")).toHaveLength(0);
  });

  it.each([
    ["CANARY_PERCENT", "0"],
    ["CANARY_PERCENT", "100"],
    ["BAKE_MINUTES", String(MAX_BAKE_MINUTES + 1)],
    ["BAKE_MINUTES", "0"],
    ["PROD_LISTENER_ARN", ""],
    ["ALARM_NAMES", "api-5xx"],
  ])("[CI-5] reports Failed, without touching traffic, when %s is %p", async (name, value) => {
    const aws = new FakeAws();
    expect((await shiftAndBake(EVENT, aws.clients, aws.options({ ...ENV, [name]: value }))).status).toBe("Failed");
    expect(aws.reports.map((r) => r.status)).toEqual(["Failed"]);
    expect(aws.callsOf("modifyListener")).toHaveLength(0);
  });

  it("[CI-5] never throws when CodeDeploy refuses the report (the deployment was stopped): nothing is left waiting", async () => {
    const aws = new FakeAws();
    aws.failOn.putLifecycleEventHookExecutionStatus = new Error("DeploymentAlreadyCompletedException");
    await expect(shiftAndBake(EVENT, aws.clients, aws.options())).resolves.toEqual({ status: "Succeeded" });
  });

  it("[CI-5] refuses an event without the ids it must report to", async () => {
    const aws = new FakeAws();
    await expect(shiftAndBake({ DeploymentId: "d-1" }, aws.clients, aws.options())).rejects.toThrow(/LifecycleEventHookExecutionId/);
    expect(aws.calls).toHaveLength(0);
  });

  it("[CI-5] the bake limit leaves room inside Lambda's 15 minutes", () => {
    expect(MAX_BAKE_MINUTES).toBe(12);
  });
});
