/**
 * A synthesized stack as a diagram model: its VPCs' tiers and subnets, one
 * node per security group naming what it protects, one edge per path the
 * security-group rules allow, and the stack's cross-region and edge pieces.
 */
import { Canvas, type DiagramModel, type Placement } from "./canvas";
import { humanize, plural, readable, withoutStackPrefix } from "./labels";
import { addLinks } from "./links";
import { describeMembers, membersBySecurityGroup, serviceOf, subnetsOf } from "./members";
import { Places, TOP } from "./places";
import { type PathEnd, SECURITY_GROUP_TYPES, type SecurityGroupPath, securityGroupPaths } from "./security-groups";
import { compare, lookup, nameOf, referencesIn, resourcesOf, type StackJson, scalar, text } from "./terraform";

const INTERNET: Readonly<Record<string, string>> = { "0.0.0.0/0": "Internet", "::/0": "Internet (IPv6)" };

/** Only the stacks with a network or a global entry point have a picture. */
export const isDiagrammed = (stack: StackJson): boolean =>
  resourcesOf(stack, "aws_vpc").length > 0 || resourcesOf(stack, "aws_globalaccelerator_accelerator").length > 0;

const resolves = (stack: StackJson, value: string) =>
  (value.match(/\$\{/g) ?? []).length === referencesIn(value).filter((reference) => lookup(stack, reference.address)).length;

// One node per tier, a line per subnet: the tier's workloads span its AZs, so the subnets are not boxes of their own.
function addSubnets(stack: StackJson, stackName: string, canvas: Canvas, places: Places): void {
  const tiers = new Map<string, { placement: Placement; lines: string[] }>();
  for (const subnet of resourcesOf(stack, "aws_subnet")) {
    const placement = places.tierOfSubnet(subnet.config);
    const key = placement.map((group) => group.key).join(" / ");
    const line = [withoutStackPrefix(nameOf(subnet), stackName), scalar(subnet.config.cidr_block), text(subnet.config.availability_zone)];
    const tier = tiers.get(key) ?? { placement, lines: [] };
    tier.lines.push(line.filter((part) => part).join(" · "));
    tiers.set(key, tier);
  }
  for (const [key, { placement, lines }] of tiers) {
    const stem = `subnets ${placement[placement.length - 1].stem}`;
    canvas.add(
      { kind: "subnet", address: `subnets of ${key}`, title: plural(lines.length, "subnet"), details: lines.sort(compare) },
      placement,
      stem,
    );
  }
}

function addSecurityGroups(stack: StackJson, stackName: string, canvas: Canvas, places: Places, paths: readonly SecurityGroupPath[]): void {
  const members = membersBySecurityGroup(stack);
  const inPaths = new Set(paths.flatMap((path) => [path.from.address, path.to.address]));
  for (const group of SECURITY_GROUP_TYPES.flatMap((type) => resourcesOf(stack, type))) {
    const protectedResources = members.get(group.address) ?? [];
    if (protectedResources.length === 0 && !inPaths.has(group.address)) continue;
    const name = nameOf(group);
    const details = [
      ...(protectedResources.length > 0 ? describeMembers(stack, protectedResources) : ["nothing attached in this stack"]),
      inPaths.has(group.address) ? `SG ${name}` : `SG ${name} · no rules: nothing in, nothing out`,
    ];
    const subnets = protectedResources.flatMap((member) => subnetsOf(stack, member));
    const placement = places.ofSubnets(subnets, places.vpc(group.config.vpc_id, group.config));
    const short = withoutStackPrefix(name, stackName);
    const id = canvas.add({ kind: "securityGroup", address: group.address, title: humanize(short), details }, placement, `sg ${short}`);
    for (const member of protectedResources) canvas.alias(member.address, id);
  }
}

function peerNode(stack: StackJson, canvas: Canvas, places: Places, end: PathEnd): string {
  const { address } = end;
  const known = lookup(stack, address);
  const unresolved = (what: string) =>
    canvas.add({ kind: "unresolved", address, title: `Unresolved ${what}`, details: [address] }, TOP, `unresolved ${address}`);
  if (end.kind === "securityGroup") return canvas.idOf(address) ?? unresolved("security group");
  if (end.kind === "prefixList") {
    if (!known) return unresolved("prefix list");
    const name = nameOf(known);
    if (known.type !== "aws_vpc_endpoint")
      return canvas.add(
        { kind: "peer", address, title: "Prefix list", details: [name] },
        places.regionOfConfig(known.config),
        `pl ${name}`,
      );
    const spec = {
      kind: "peer" as const,
      address,
      title: `${humanize(serviceOf(known))} prefix list`,
      details: [`gateway endpoint ${name}`],
    };
    return canvas.add(spec, places.vpc(known.config.vpc_id, known.config), `pl ${name}`);
  }
  if (!resolves(stack, address)) return unresolved("CIDR block");
  const cidr = readable(stack, address);
  return canvas.add({ kind: "peer", address, title: INTERNET[address] ?? "CIDR block", details: [cidr] }, TOP, `cidr ${cidr}`);
}

function pathLabel(stack: StackJson, path: SecurityGroupPath): string {
  const traffic = path.ports ? `${path.ports}/${path.protocol}` : path.protocol === "all" ? "all traffic" : path.protocol;
  const betweenGroups = [path.from, path.to].every((end) => end.kind === "securityGroup" && lookup(stack, end.address));
  // A group-to-group path needs a rule on both groups: say so when one is missing.
  return betweenGroups && path.rules.length === 1 ? `${traffic} · ${path.rules[0]} rule only` : traffic;
}

export function buildDiagramModel(stackName: string, stack: StackJson): DiagramModel {
  const canvas = new Canvas();
  const places = new Places(stack);
  addSubnets(stack, stackName, canvas, places);
  const paths = securityGroupPaths(stack);
  addSecurityGroups(stack, stackName, canvas, places, paths);
  for (const path of paths) {
    const from = peerNode(stack, canvas, places, path.from);
    const to = peerNode(stack, canvas, places, path.to);
    canvas.connect({ kind: "path", from, to, label: pathLabel(stack, path) });
  }
  addLinks(stack, canvas, places);
  return canvas.model(stackName);
}
