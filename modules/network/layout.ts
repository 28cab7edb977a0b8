import { cidrContains, cidrsOverlap, type Ipv4Cidr, parseCidr } from "../common/cidr";

/** The three subnet tiers of NET-2, in the order they are laid out. */
export const SUBNET_TIERS = ["public", "private", "gpu"] as const;
export type SubnetTier = (typeof SUBNET_TIERS)[number];

/** The address plan of a VPC: CIDRs per tier, index-aligned with the AZs. */
export interface SubnetLayout {
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
  readonly subnets: Readonly<Record<SubnetTier, readonly string[]>>;
}

export interface LayoutProblem {
  /** Field path relative to the layout, e.g. `subnets.gpu[1]`. */
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
 * Shared by environment validation and the Network construct.
 */
export function subnetLayoutProblems(layout: SubnetLayout): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const cidr = (path: string, text: string | undefined): Ipv4Cidr | undefined => {
    const parsed = text?.trim() ? parseCidr(text) : "is required and must not be empty";
    if (typeof parsed === "string") {
      problems.push({ path, reason: parsed });
      return undefined;
    }
    if (parsed.prefixLength < MIN_PREFIX || parsed.prefixLength > MAX_PREFIX) {
      problems.push({ path, reason: `${parsed.text}: AWS allows prefix lengths /${MIN_PREFIX} to /${MAX_PREFIX}` });
      return undefined;
    }
    return parsed;
  };

  const vpc = cidr("vpcCidr", layout.vpcCidr);
  const zones = layout.availabilityZones ?? [];
  if (zones.length < 2) {
    problems.push({
      path: "availabilityZones",
      reason: `lists ${zones.length} AZ(s); at least 2 are required (an ALB and Multi-AZ RDS need two)`,
    });
  }
  zones.forEach((az, i) => {
    if (!az?.trim()) problems.push({ path: `availabilityZones[${i}]`, reason: "must not be empty" });
    else if (zones.indexOf(az) !== i) problems.push({ path: `availabilityZones[${i}]`, reason: `"${az}" is listed twice` });
  });

  const seen: { path: string; cidr: Ipv4Cidr }[] = [];
  for (const tier of SUBNET_TIERS) {
    const cidrs = layout.subnets?.[tier] ?? [];
    if (cidrs.length !== zones.length) {
      problems.push({
        path: `subnets.${tier}`,
        reason: `has ${cidrs.length} CIDR(s) but there are ${zones.length} AZs; give one per AZ, in AZ order`,
      });
    }
    cidrs.forEach((text, i) => {
      const path = `subnets.${tier}[${i}]`;
      const subnet = cidr(path, text);
      if (!subnet) return;
      if (vpc && !cidrContains(vpc, subnet)) problems.push({ path, reason: `${text} is outside the VPC CIDR ${vpc.text}` });
      const clash = seen.find((s) => cidrsOverlap(s.cidr, subnet));
      if (clash) problems.push({ path, reason: `${text} overlaps ${clash.path} (${clash.cidr.text})` });
      seen.push({ path, cidr: subnet });
    });
  }
  return problems;
}
