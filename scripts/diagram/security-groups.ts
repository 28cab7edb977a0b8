/**
 * The paths the security-group rules of a stack allow, whichever way they are
 * written: `aws_vpc_security_group_{ingress,egress}_rule`,
 * `aws_security_group_rule` and inline `ingress`/`egress` blocks. An ingress
 * rule and the egress rule of the same path, protocol and ports are one path.
 */
import {
  blocks,
  compare,
  type Config,
  lookup,
  plainReference,
  resourcesOf,
  type Resource,
  scalar,
  type StackJson,
  strings,
} from "./terraform";

type Direction = "ingress" | "egress";

/** One end of a path: by Terraform address when it resolves in the stack, else by its text (a CIDR's is its text). */
export interface PathEnd {
  readonly kind: "securityGroup" | "cidr" | "prefixList";
  readonly address: string;
}

export interface SecurityGroupPath {
  readonly from: PathEnd;
  readonly to: PathEnd;
  /** tcp, udp, icmp, icmpv6, all, or the protocol as written. */
  readonly protocol: string;
  /** "443" or "1024-65535"; absent for protocol all. */
  readonly ports?: string;
  /** The kinds of rule that allow it: both for a group-to-group path opened on both sides. */
  readonly rules: readonly Direction[];
}

export const SECURITY_GROUP_TYPES: readonly string[] = ["aws_security_group", "aws_default_security_group"];

/** Resource types that are rules, not members of a group. */
export const RULE_TYPES: readonly string[] = [
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
  "aws_security_group_rule",
];

interface RuleSide {
  readonly owner: PathEnd;
  readonly peer: PathEnd;
  readonly direction: Direction;
  readonly protocol: string;
  readonly ports?: string;
}

interface Peers {
  readonly groups: readonly unknown[];
  readonly cidrs: readonly unknown[];
  readonly prefixLists: readonly unknown[];
  readonly self?: boolean;
}

const PROTOCOL_NAMES: Readonly<Record<string, string>> = { "-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6" };

const asText = (value: unknown): string => scalar(value) ?? JSON.stringify(value) ?? "(missing)";

function groupEnd(stack: StackJson, value: unknown): PathEnd {
  const reference = plainReference(value);
  const known = reference && SECURITY_GROUP_TYPES.includes(reference.type) && lookup(stack, reference.address);
  return { kind: "securityGroup", address: known ? reference.address : asText(value) };
}

function prefixListEnd(stack: StackJson, value: unknown): PathEnd {
  const reference = plainReference(value);
  return { kind: "prefixList", address: reference && lookup(stack, reference.address) ? reference.address : asText(value) };
}

function peerEnds(stack: StackJson, owner: PathEnd, peers: Peers): PathEnd[] {
  const present = (values: readonly unknown[]) => values.filter((value) => value !== undefined && value !== null);
  return [
    ...present(peers.groups).map((value) => groupEnd(stack, value)),
    ...present(peers.cidrs).map((value): PathEnd => ({ kind: "cidr", address: asText(value) })),
    ...present(peers.prefixLists).map((value) => prefixListEnd(stack, value)),
    ...(peers.self ? [owner] : []),
  ];
}

function sides(stack: StackJson, owner: PathEnd, direction: Direction, rule: Config, protocolKey: string, peers: Peers): RuleSide[] {
  const written = scalar(rule[protocolKey])?.toLowerCase() ?? "-1";
  const protocol = PROTOCOL_NAMES[written] ?? written;
  const low = scalar(rule.from_port);
  const high = scalar(rule.to_port) ?? low;
  const ports = protocol === "all" || low === undefined ? undefined : low === high ? low : `${low}-${high}`;
  return peerEnds(stack, owner, peers).map((peer) => ({ owner, peer, direction, protocol, ports }));
}

function vpcRuleSides(stack: StackJson): RuleSide[] {
  return (["ingress", "egress"] as const).flatMap((direction) =>
    resourcesOf(stack, `aws_vpc_security_group_${direction}_rule`).flatMap(({ config }) =>
      sides(stack, groupEnd(stack, config.security_group_id), direction, config, "ip_protocol", {
        groups: [config.referenced_security_group_id],
        cidrs: [config.cidr_ipv4, config.cidr_ipv6],
        prefixLists: [config.prefix_list_id],
      }),
    ),
  );
}

function classicRuleSides(stack: StackJson): RuleSide[] {
  return resourcesOf(stack, "aws_security_group_rule").flatMap(({ config }) =>
    sides(stack, groupEnd(stack, config.security_group_id), config.type === "egress" ? "egress" : "ingress", config, "protocol", {
      groups: [config.source_security_group_id],
      cidrs: [...strings(config.cidr_blocks), ...strings(config.ipv6_cidr_blocks)],
      prefixLists: strings(config.prefix_list_ids),
      self: config.self === true,
    }),
  );
}

function inlineRuleSides(stack: StackJson, group: Resource): RuleSide[] {
  const owner: PathEnd = { kind: "securityGroup", address: group.address };
  return (["ingress", "egress"] as const).flatMap((direction) =>
    blocks(group.config[direction]).flatMap((rule) =>
      sides(stack, owner, direction, rule, "protocol", {
        groups: strings(rule.security_groups),
        cidrs: [...strings(rule.cidr_blocks), ...strings(rule.ipv6_cidr_blocks)],
        prefixLists: strings(rule.prefix_list_ids),
        self: rule.self === true,
      }),
    ),
  );
}

/** Every allowed path of the stack, one per (from, to, protocol, ports), in a fixed order. */
export function securityGroupPaths(stack: StackJson): SecurityGroupPath[] {
  const all = [
    ...vpcRuleSides(stack),
    ...classicRuleSides(stack),
    ...SECURITY_GROUP_TYPES.flatMap((type) => resourcesOf(stack, type)).flatMap((group) => inlineRuleSides(stack, group)),
  ];
  const paths = new Map<string, { path: Omit<SecurityGroupPath, "rules">; rules: Set<Direction> }>();
  for (const { owner, peer, direction, protocol, ports } of all) {
    const [from, to] = direction === "ingress" ? [peer, owner] : [owner, peer];
    const key = JSON.stringify([from.address, to.address, protocol, ports ?? ""]);
    const entry = paths.get(key) ?? { path: { from, to, protocol, ports }, rules: new Set<Direction>() };
    entry.rules.add(direction);
    paths.set(key, entry);
  }
  return [...paths.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([, { path, rules }]) => ({ ...path, rules: [...rules].sort(compare) }));
}
