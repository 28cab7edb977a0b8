/**
 * The lane's drift check (drift.yml on real emulator drift): which resources
 * of an applied stack to change out of band, as a person in the console
 * would, and what a refresh-only plan must then report. The changes go
 * through the AWS API (aws_facts.py `drift`), never through the state.
 */
import { summarizeDrift, topAttribute } from "../../../scripts/drift-summary/drift";

type Json = Record<string, any>;

export interface OutOfBandChanges {
  /** A tag added to the VPC. */
  readonly tag: { readonly resource: string; readonly key: string; readonly value: string };
  /** A security-group rule's port range widened by one port. */
  readonly rule: { readonly id: string; readonly toPort: number };
  /** An alarm's threshold doubled (1 where it was 0). */
  readonly alarm: { readonly name: string; readonly threshold: number };
}

/** A drifted attribute the refresh-only plan must report: the resource's address and the attribute's path. */
export interface ExpectedDrift {
  readonly address: string;
  readonly path: string;
}

export const DRIFT_TAG = { key: "ChangedBy", value: "console-by-hand" } as const;

/** The managed resources of `terraform show -json` (the state), of the root module. */
const stateResources = (state: Json): Json[] => (state.values?.root_module?.resources ?? []).filter((r: Json) => r.mode === "managed");

/**
 * Picks the three changes from an applied stack's state, among the resources
 * of its default provider (the changes are made in its region); throws naming
 * what the stack lacks.
 */
export function outOfBandChanges(stack: string, state: Json, synthesized: Json): { changes: OutOfBandChanges; expected: ExpectedDrift[] } {
  const inDefaultRegion = (r: Json) => !synthesized.resource?.[r.type]?.[r.name]?.provider;
  const resources = stateResources(state).filter(inDefaultRegion);
  const first = (what: string, test: (r: Json) => boolean) => {
    const found = resources.filter(test).sort((a, b) => (a.address < b.address ? -1 : 1))[0];
    if (!found) throw new Error(`${stack}: the drift check needs ${what} in the applied state, and there is none`);
    return found;
  };
  const vpc = first("a VPC", (r) => r.type === "aws_vpc");
  const rule = first(
    "a single-port ingress rule",
    (r) => r.type === "aws_vpc_security_group_ingress_rule" && r.values.from_port === r.values.to_port && r.values.from_port > 0,
  );
  const alarm = first("an alarm on one metric", (r) => r.type === "aws_cloudwatch_metric_alarm" && Boolean(r.values.metric_name));
  return {
    changes: {
      tag: { resource: vpc.values.id, ...DRIFT_TAG },
      rule: { id: rule.values.security_group_rule_id ?? rule.values.id, toPort: rule.values.to_port + 1 },
      alarm: { name: alarm.values.alarm_name, threshold: Math.max(1, alarm.values.threshold * 2) },
    },
    expected: [
      { address: vpc.address, path: `tags.${DRIFT_TAG.key}` },
      { address: rule.address, path: "to_port" },
      { address: alarm.address, path: "threshold" },
    ],
  };
}

export interface DriftReview {
  readonly exitCode: number;
  /** The out-of-band changes the plan reported. */
  readonly found: readonly ExpectedDrift[];
  /** Those it did not: each one fails the lane. */
  readonly missing: readonly ExpectedDrift[];
  /** Other drift of configured attributes that the reviewed emulator-drift list explains (`address: attribute`). */
  readonly accepted: readonly string[];
  /** Other drift of configured attributes, not on the list: each one fails the lane. */
  readonly unexpected: readonly string[];
  /** Resources whose refresh changed only attributes the configuration does not set (not drift). */
  readonly refreshedOnly: number;
}

/**
 * Reviews the refresh-only plan as drift.yml's summary reads it: the three
 * changes are there with their attributes, and every other drifted
 * configured attribute is the emulator's, on DRIFT_GAPS (a re-plan shows the
 * same differences as changes, and the same list explains them).
 */
export function reviewDrift(
  plan: Json,
  exitCode: number,
  expected: readonly ExpectedDrift[],
  gaps: readonly { readonly type: string; readonly attribute: string }[],
): DriftReview {
  const { resources, refreshedOnly } = summarizeDrift(plan);
  const reported = resources.flatMap((r) => r.attributes.map((a) => ({ resource: r, path: a.path })));
  const isExpected = (address: string, path: string) => expected.some((e) => e.address === address && e.path === path);
  const found = expected.filter((e) => reported.some((r) => r.resource.address === e.address && r.path === e.path));
  const others = new Map<string, { type: string; attribute: string }>();
  for (const r of reported.filter((x) => !isExpected(x.resource.address, x.path))) {
    const attribute = topAttribute(r.path);
    others.set(`${r.resource.address}: ${attribute}`, { type: r.resource.type, attribute });
  }
  const onList = ([, o]: [string, { type: string; attribute: string }]) =>
    gaps.some((g) => g.type === o.type && g.attribute === o.attribute);
  const entries = [...others];
  return {
    exitCode,
    found,
    missing: expected.filter((e) => !found.includes(e)),
    accepted: entries.filter(onList).map(([entry]) => entry),
    unexpected: [
      ...entries.filter((e) => !onList(e)).map(([entry]) => entry),
      ...resources.filter((r) => r.drift === "deleted").map((r) => `${r.address}: deleted`),
    ],
    refreshedOnly: refreshedOnly.length,
  };
}
