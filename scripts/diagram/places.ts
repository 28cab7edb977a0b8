/** Where a node goes: the global group, a region, a VPC, or one of its tiers (public, private, data, GPU subnets). */
import type { GroupSpec, Placement } from "./canvas";
import { humanize, regionTitle } from "./labels";
import { providerPlacements } from "../../modules/policy/program-checks";
import { type Config, lookup, nameOf, plainReference, type StackJson, scalar, tagOf, text } from "./terraform";

// Tiers in the order traffic crosses them; others follow by name.
const TIER_ORDER = ["public", "private", "data", "gpu"];
const UNTAGGED_TIER = "subnets";

export const TOP: Placement = [];
export const GLOBAL: Placement = [{ key: "global", stem: "global", title: "Global: DNS, CDN, accelerator", rank: 0 }];

export class Places {
  private readonly providers: ReturnType<typeof providerPlacements>;
  private readonly primaryRegion: string;

  constructor(private readonly stack: StackJson) {
    this.providers = providerPlacements(stack);
    this.primaryRegion = this.regionOf({});
  }

  /** The region of a resource's AWS provider (`provider = "aws.<alias>"`, else the default one). */
  private regionOf(config: Config): string {
    return this.providers.get(text(config.provider) ?? "aws")?.region ?? "unknown region";
  }

  region(region: string): Placement {
    const rank = region === this.primaryRegion ? 1 : 2;
    return [{ key: `region ${region}`, stem: `region ${region}`, title: regionTitle(region), rank }];
  }

  /** The region of a resource's provider. */
  regionOfConfig(config: Config): Placement {
    return this.region(this.regionOf(config));
  }

  /** A VPC's group, or the region of the referencing resource when the VPC is not in this stack. */
  vpc(vpcReference: unknown, config: Config): Placement {
    const vpc = lookup(this.stack, plainReference(vpcReference)?.address ?? "");
    if (vpc?.type !== "aws_vpc") return this.regionOfConfig(config);
    const title = `VPC ${nameOf(vpc)} · ${scalar(vpc.config.cidr_block) ?? "no CIDR"}`;
    return [...this.regionOfConfig(vpc.config), { key: `vpc ${vpc.name}`, stem: nameOf(vpc), title, rank: 0 }];
  }

  tierOfSubnet(subnet: Config): Placement {
    const vpc = this.vpc(subnet.vpc_id, subnet);
    if (vpc.length < 2) return vpc;
    const tier = tagOf(subnet, "Tier") ?? UNTAGGED_TIER;
    const index = TIER_ORDER.indexOf(tier);
    const rank = index < 0 ? TIER_ORDER.length : index;
    return [...vpc, { key: `${vpc[1].key} ${tier}`, stem: `${vpc[1].stem} ${tier}`, title: `${humanize(tier)} tier`, rank }];
  }

  /**
   * The innermost group all these subnets share (a tier, else their VPC);
   * `fallback` when there are none.
   */
  ofSubnets(subnets: readonly string[], fallback: Placement): Placement {
    const placements = subnets
      .map((address) => lookup(this.stack, address))
      .map((subnet) => (subnet ? this.tierOfSubnet(subnet.config) : fallback));
    if (placements.length === 0) return fallback;
    const shared: GroupSpec[] = [];
    for (let depth = 0; placements.every((p) => depth < p.length && p[depth].key === placements[0][depth].key); depth++)
      shared.push(placements[0][depth]);
    return shared.length > 0 ? shared : fallback;
  }
}
