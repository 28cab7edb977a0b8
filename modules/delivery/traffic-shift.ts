/**
 * How production traffic moves from the blue to the green task set.
 * `steps` are the cumulative percentages of traffic on green, ending at 100:
 * `[100]` all at once, `[10, 100]` a canary, `[10, 50, 100]` the seed's
 * three-step canary (CI-5). `bakeMinutes` is the wait after each step but the last.
 */
export type TrafficShift = "all-at-once" | { readonly steps: readonly number[]; readonly bakeMinutes: number };

/** The built-in CodeDeploy config that moves all traffic in one step. */
export const ALL_AT_ONCE_CONFIG = "CodeDeployDefault.ECSAllAtOnce";

/**
 * The longest bake of the hook step of a three-step shift: the hook Lambda
 * shifts, bakes and reports in one invocation, and Lambda stops at 15 minutes;
 * 12 leaves 3 minutes for the calls before and after the bake.
 */
export const MAX_HOOK_BAKE_MINUTES = 12;

/** CodeDeploy's limit on a TimeBasedCanary interval (minutes). */
const MAX_CANARY_INTERVAL_MINUTES = 2880;

/** What a TrafficShift maps to in CodeDeploy. */
export type TrafficPlan =
  | { readonly kind: "all-at-once" }
  /** A custom deployment config: TimeBasedCanary `percent`% for `bakeMinutes`, then 100%. */
  | { readonly kind: "canary"; readonly percent: number; readonly bakeMinutes: number }
  /**
   * The first step runs in a BeforeAllowTraffic hook (`hookPercent`%, bake),
   * then CodeDeploy's TimeBasedCanary `percent`% for `bakeMinutes`, then 100%
   * (seed conflict 6: one CodeDeploy ECS config has two steps only).
   */
  | { readonly kind: "hooked-canary"; readonly hookPercent: number; readonly percent: number; readonly bakeMinutes: number };

/** Every problem with a traffic shift, each naming the field (`trafficShift.steps`, ...). */
export function trafficShiftProblems(shift: TrafficShift | undefined): string[] {
  if (shift === undefined || shift === "all-at-once") return [];
  if (typeof shift !== "object" || shift === null)
    return [`trafficShift: ${JSON.stringify(shift)} must be "all-at-once" or { steps, bakeMinutes }`];
  const problems: string[] = [];
  const steps = shift.steps ?? [];
  if (steps.length < 1 || steps.length > 3)
    problems.push(`trafficShift.steps: [${steps.join(", ")}] must have 1 to 3 steps (a CodeDeploy canary has two; a hook adds one)`);
  if (steps.some((s) => !Number.isInteger(s) || s < 1 || s > 100))
    problems.push(`trafficShift.steps: [${steps.join(", ")}] must be whole percentages from 1 to 100`);
  if (steps.some((s, i) => i > 0 && s <= steps[i - 1]))
    problems.push(`trafficShift.steps: [${steps.join(", ")}] must be strictly increasing`);
  if (steps.length > 0 && steps[steps.length - 1] !== 100)
    problems.push(`trafficShift.steps: [${steps.join(", ")}] must end at 100 (all traffic on the new version)`);
  const bake = shift.bakeMinutes;
  const max = steps.length === 3 ? MAX_HOOK_BAKE_MINUTES : MAX_CANARY_INTERVAL_MINUTES;
  const why = steps.length === 3 ? "the hook Lambda's 15-minute limit" : "CodeDeploy's canary interval limit";
  if (!(Number.isInteger(bake) && bake >= 1 && bake <= max))
    problems.push(`trafficShift.bakeMinutes: ${bake} must be a whole number from 1 to ${max} (${why})`);
  return problems;
}

/** The CodeDeploy plan of a valid traffic shift. */
export function trafficPlan(shift: TrafficShift = "all-at-once"): TrafficPlan {
  const problems = trafficShiftProblems(shift);
  if (problems.length) throw new Error(`invalid traffic shift:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  if (shift === "all-at-once" || shift.steps.length === 1) return { kind: "all-at-once" };
  const { steps, bakeMinutes } = shift;
  if (steps.length === 2) return { kind: "canary", percent: steps[0], bakeMinutes };
  return { kind: "hooked-canary", hookPercent: steps[0], percent: steps[1], bakeMinutes };
}
