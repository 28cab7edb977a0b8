import type { Rule } from "../engine";
import type { ResourceView } from "../model";
import { blocks, OPEN_CIDRS } from "./helpers";

interface SgRule {
  readonly direction: "ingress" | "egress";
  readonly protocol: string;
  readonly from?: number;
  readonly to?: number;
  readonly cidrs: string[];
  readonly description?: string;
}

/** Every rule a resource carries, whatever resource shape holds it. */
function sgRules(resource: ResourceView): SgRule[] {
  const c = resource.config;
  const inline = (direction: "ingress" | "egress") =>
    blocks(c[direction]).map((r) => ({
      direction,
      protocol: normalizeProtocol(r.protocol),
      from: r.from_port,
      to: r.to_port,
      cidrs: [...(r.cidr_blocks ?? []), ...(r.ipv6_cidr_blocks ?? [])],
      description: r.description,
    }));
  switch (resource.type) {
    case "aws_security_group":
      return [...inline("ingress"), ...inline("egress")];
    case "aws_security_group_rule":
      return [
        {
          direction: c.type,
          protocol: normalizeProtocol(c.protocol),
          from: c.from_port,
          to: c.to_port,
          cidrs: [...(c.cidr_blocks ?? []), ...(c.ipv6_cidr_blocks ?? [])],
          description: c.description,
        },
      ];
    default:
      return [
        {
          direction: resource.type === "aws_vpc_security_group_ingress_rule" ? "ingress" : "egress",
          protocol: normalizeProtocol(c.ip_protocol),
          from: c.from_port,
          to: c.to_port,
          cidrs: [c.cidr_ipv4, c.cidr_ipv6].filter(Boolean),
          description: c.description,
        },
      ];
  }
}

/** "6", "TCP" and "tcp" are one protocol to AWS. */
const normalizeProtocol = (protocol: unknown) => {
  const p = String(protocol).toLowerCase();
  return p === "6" ? "tcp" : p === "17" ? "udp" : p;
};

const RULE_TYPES = [
  "aws_security_group",
  "aws_security_group_rule",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
];
// Protocol -1 is all traffic whatever the ports say; a port of -1 means every port.
const allPorts = (r: SgRule) =>
  r.protocol === "-1" || r.protocol === "all" || ((r.from ?? 0) <= 0 && (r.to === undefined || r.to === -1 || r.to >= 65535));
/** The rule resources that attach to one group by its security_group_id. */
const ATTACHED_RULE_TYPES = ["aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"];
const attachesTo = (rule: ResourceView, expression: string) => String(rule.config.security_group_id ?? "").includes(expression);

export const networkRules: Rule[] = [
  {
    ids: ["CKV2_AWS_11"],
    title: "Every VPC has flow logs",
    severity: "error",
    types: ["aws_vpc"],
    check: (vpc, model) => (model.referencing(vpc, "aws_flow_log").length ? undefined : "no aws_flow_log for this VPC"),
    fix: "add an aws_flow_log with vpc_id = this VPC (modules/network does)",
  },
  {
    ids: ["CKV2_AWS_12"],
    title: "The default security group of every VPC allows nothing",
    severity: "error",
    types: ["aws_vpc"],
    check: (vpc, model) => {
      const defaults = model.referencing(vpc, "aws_default_security_group");
      // Rules attached to the default group as resources of their own: by the VPC's attribute or the managed group's id.
      const attached = model
        .ofType(...ATTACHED_RULE_TYPES)
        .filter(
          (rule) =>
            attachesTo(rule, `\${${vpc.address}.default_security_group_id}`) ||
            defaults.some((d) => attachesTo(rule, `\${${d.address}.id}`)),
        );
      if (attached.length) return `rules attached to the default security group: ${attached.map((r) => r.address).join(", ")}`;
      if (defaults.length === 0) return "the default security group is not managed, so it keeps AWS's allow-within-group rules";
      return defaults.some((d) => blocks(d.config.ingress).length || blocks(d.config.egress).length)
        ? "the default security group has rules"
        : undefined;
    },
    fix: "manage aws_default_security_group for the VPC with no ingress and no egress",
  },
  {
    ids: ["CKV_AWS_23"],
    title: "Every security group and rule has a description",
    severity: "error",
    types: RULE_TYPES,
    check: (resource) => {
      if (
        resource.type === "aws_security_group" &&
        (!resource.config.description || resource.config.description === "Managed by Terraform")
      ) {
        return "the security group has no description of its own";
      }
      const bare = sgRules(resource).filter((r) => !r.description?.trim());
      return bare.length ? `${bare.length} rule(s) without a description` : undefined;
    },
    fix: "describe what the group is for and why each rule exists",
  },
  {
    ids: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277"],
    title: "No ingress from the internet except HTTPS (443)",
    severity: "error",
    types: RULE_TYPES,
    check: (resource) => {
      const open = sgRules(resource).filter(
        (r) =>
          r.direction === "ingress" &&
          r.cidrs.some((c) => OPEN_CIDRS.includes(c)) &&
          !(r.protocol === "tcp" && r.from === 443 && r.to === 443),
      );
      return open.length
        ? `ingress from the internet on ${open.map((r) => `${r.protocol} ${r.from ?? "*"}-${r.to ?? "*"}`).join(", ")}`
        : undefined;
    },
    fix: "open only TCP 443 to 0.0.0.0/0 (the ALB); reach everything else through the ALB, SSM or a VPN",
  },
  {
    ids: ["CKV_AWS_382"],
    title: "No allow-all egress",
    severity: "error",
    types: RULE_TYPES,
    check: (resource) =>
      sgRules(resource).some((r) => r.direction === "egress" && r.cidrs.some((c) => OPEN_CIDRS.includes(c)) && allPorts(r))
        ? "egress to 0.0.0.0/0 on all ports"
        : undefined,
    fix: "allow egress only to the peers and ports the service needs (security groups, prefix lists)",
  },
];
