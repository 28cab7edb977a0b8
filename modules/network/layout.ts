import { cidrContains, cidrsOverlap, type Ipv4Cidr, parseCidr } from "../common/cidr";

/** The three subnet tiers of NET-2, in the order they are laid out. */
export const SUBNET_TIERS = ["public", "private", "gpu"] as const;
export type SubnetTier = (typeof SUBNET_TIERS)[number];

/** The address plan of a VPC: CIDRs per tier, index-aligned with the AZs. */
export interface SubnetLayout<Tier extends string = SubnetTier> {
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
  readonly subnets: Readonly<Record<Tier, readonly string[]>>;
}

export interface LayoutProblem {
  /** Field path, e.g. `subnets.gpu[1]` (with the caller's prefix, if any). */
  readonly path: string;
  readonly reason: string;
}

// AWS accepts VPC and subnet prefix lengths from /16 to /28.
const MIN_PREFIX = 16;
const MAX_PREFIX = 28;

/**
 * Everything that can be wrong with an address plan before AWS sees it:
 * malformed CIDRs, prefixes AWS refuses, subnets outside the VPC or
 * overlapping each other, a tier without one subnet per AZ, fewer than two
 * AZs (an ALB and Multi-AZ RDS need two), an AZ listed twice.
 * Shared by environment validation and the Network construct; `prefix`
 * (e.g. `network.`) is put before every field path, in paths and reasons alike.
 * `tiers`: the tiers the layout has (NET-2's three unless told).
 */
const NAT_POLICIES: readonly string[] = ["one-per-az", "single"];

/** A NAT gateway per AZ (an AZ outage keeps the others' egress), or one for the VPC (cheaper, one AZ's fate). */
export const natPolicyProblem = (policy: string): string | undefined =>
  NAT_POLICIES.includes(policy) ? undefined : `"${policy}" must be "one-per-az" or "single"`;

export function subnetLayoutProblems<Tier extends string = SubnetTier>(
  layout: SubnetLayout<Tier>,
  prefix = "",
  tiers: readonly Tier[] = SUBNET_TIERS as unknown as readonly Tier[],
): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const push = (path: string, reason: string) => problems.push({ path: prefix + path, reason });
  const cidr = (path: string, text: string | undefined): Ipv4Cidr | undefined => {
    const parsed = text?.trim() ? parseCidr(text) : "is required and must not be empty";
    if (typeof parsed === "string") {
      push(path, parsed);
      return undefined;
    }
    if (parsed.prefixLength < MIN_PREFIX || parsed.prefixLength > MAX_PREFIX) {
      push(path, `${parsed.text}: AWS allows prefix lengths /${MIN_PREFIX} to /${MAX_PREFIX}`);
      return undefined;
    }
    return parsed;
  };

  const vpc = cidr("vpcCidr", layout.vpcCidr);
  const zones = layout.availabilityZones ?? [];
  if (zones.length < 2) {
    push("availabilityZones", `lists ${zones.length} AZ(s); at least 2 are required (an ALB and Multi-AZ RDS need two)`);
  }
  zones.forEach((az, i) => {
    if (!az?.trim()) push(`availabilityZones[${i}]`, "must not be empty");
    else if (zones.indexOf(az) !== i) push(`availabilityZones[${i}]`, `"${az}" is listed twice`);
  });

  const seen: { path: string; cidr: Ipv4Cidr }[] = [];
  for (const tier of tiers) {
    const cidrs = layout.subnets?.[tier] ?? [];
    if (cidrs.length !== zones.length) {
      push(`subnets.${tier}`, `has ${cidrs.length} CIDR(s) but there are ${zones.length} AZs; give one per AZ, in AZ order`);
    }
    cidrs.forEach((text, i) => {
      const path = `subnets.${tier}[${i}]`;
      const subnet = cidr(path, text);
      if (!subnet) return;
      if (vpc && !cidrContains(vpc, subnet)) push(path, `${text} is outside the VPC CIDR ${vpc.text}`);
      const clash = seen.find((s) => cidrsOverlap(s.cidr, subnet));
      if (clash) push(path, `${text} overlaps ${prefix}${clash.path} (${clash.cidr.text})`);
      seen.push({ path, cidr: subnet });
    });
  }
  return problems;
}
