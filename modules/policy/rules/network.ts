import type { Rule } from "../engine";
import type { ResourceView } from "../model";
import { isExpression, nested, num, text, Uninspectable } from "./helpers";
import type { Json } from "../../common/json";
import { WITHOUT_ENDPOINT_POLICY } from "../../network/endpoints";

interface SgRule {
  readonly direction: "ingress" | "egress";
  readonly protocol: string;
  readonly from?: number;
  readonly to?: number;
  readonly cidrs: string[];
  readonly description?: string;
}

/** "6", "TCP" and "tcp" are one protocol to AWS; "all" and "-1" are all traffic. */
const PROTOCOL_NAMES: Readonly<Record<string, string>> = { "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", all: "-1" };
const normalizeProtocol = (protocol: string | undefined) => {
  const p = (protocol ?? "").toLowerCase();
  return PROTOCOL_NAMES[p] ?? p;
};
/** ICMP's "ports" are a type and a code: -1 is every ICMP message, never a TCP or UDP port. */
const isIcmp = (r: SgRule) => r.protocol === "icmp" || r.protocol === "icmpv6";

/**
 * One rule of the shapes the provider has: an inline block, aws_security_group_rule, a
 * VPC rule resource. Its fields are read when a rule asks for them, so a value one rule
 * cannot read (an expression CIDR) makes only the rules that need it uninspectable.
 */
function ruleOf(c: Json, direction: "ingress" | "egress", protocolKey: string, cidrKeys: readonly string[]): SgRule {
  return {
    direction,
    get protocol() {
      return normalizeProtocol(text(c, protocolKey));
    },
    get from() {
      return num(c, "from_port");
    },
    get to() {
      return num(c, "to_port");
    },
    get cidrs() {
      return cidrKeys.flatMap((key) => cidrsOf(c, key));
    },
    get description() {
      return text(c, "description");
    },
  };
}

const INLINE_CIDRS = ["cidr_blocks", "ipv6_cidr_blocks"];

/**
 * The CIDRs of `key`, literal. A template ending in a literal prefix length other than
 * /0 (`${aws_eip.nat.public_ip}/32`) cannot be the internet, so it stands as itself;
 * any other expression cannot be judged.
 */
function cidrsOf(c: Json, key: string): string[] {
  const value = c?.[key];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((cidr) => {
    if (typeof cidr === "string" && (!isExpression(cidr) || /\}\/([1-9]\d*)$/.test(cidr))) return cidr;
    throw new Uninspectable(`"${key}" holds ${JSON.stringify(cidr)}, which may be any range`);
  });
}

/** Every rule a resource carries, whatever resource shape holds it. */
function sgRules(resource: ResourceView): SgRule[] {
  const c = resource.config;
  switch (resource.type) {
    case "aws_security_group":
    case "aws_default_security_group":
      return (["ingress", "egress"] as const).flatMap((d) => nested(c, d).map((r) => ruleOf(r, d, "protocol", INLINE_CIDRS)));
    case "aws_security_group_rule": {
      const type = text(c, "type");
      if (type !== "ingress" && type !== "egress") return [];
      return [ruleOf(c, type, "protocol", INLINE_CIDRS)];
    }
    case "aws_vpc_security_group_ingress_rule":
      return [ruleOf(c, "ingress", "ip_protocol", ["cidr_ipv4", "cidr_ipv6"])];
    case "aws_vpc_security_group_egress_rule":
      return [ruleOf(c, "egress", "ip_protocol", ["cidr_ipv4", "cidr_ipv6"])];
    default:
      return [];
  }
}

/** 0.0.0.0/0 and any spelling of the IPv6 everything (::/0, 0:0:…:0/0). */
const isOpen = (cidr: string) => cidr === "0.0.0.0/0" || /^[0:]+\/0$/.test(cidr);
const fromInternet = (r: SgRule) => r.cidrs.some(isOpen);

/** All traffic: protocol -1 (whatever the ports say), or a port of -1 (every port; ICMP aside). */
const allTraffic = (r: SgRule) => r.protocol === "-1" || (!isIcmp(r) && (r.from === -1 || r.to === -1));

/** Ports 0 (or unset) to 65535 (or unset) of one protocol. */
const everyPortOfProtocol = (r: SgRule) => !isIcmp(r) && (r.from ?? 0) <= 0 && (r.to === undefined || r.to >= 65535);

/**
 * Whether the rule opens `port`. Missing ports read as -1, and 0-0 as every port, as
 * the public checks read them.
 */
function opens(r: SgRule, port: number): boolean {
  if (allTraffic(r)) return true;
  if (isIcmp(r)) return false;
  if (r.from === undefined || r.to === undefined) return true;
  if (r.from === 0 && r.to === 0) return true;
  return r.from <= port && port <= r.to;
}

const INGRESS_TYPES = ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"];
const EGRESS_TYPES = ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_egress_rule"];
const RULE_TYPES = [...new Set([...INGRESS_TYPES, ...EGRESS_TYPES])];

const describe = (rules: readonly SgRule[]) =>
  rules.map((r) => `${r.protocol === "-1" ? "all traffic" : `${r.protocol} ${r.from ?? "*"}-${r.to ?? "*"}`}`).join(", ");

/** CKV_AWS_24/25/260: no ingress from the internet to one administrative or plain-HTTP port. */
const portRule = (id: string, port: number, service: string): Rule => ({
  ids: [id],
  title: `No ingress from 0.0.0.0/0 or ::/0 to port ${port} (${service})`,
  severity: "error",
  types: INGRESS_TYPES,
  check: (resource) => {
    const open = sgRules(resource).filter((r) => r.direction === "ingress" && fromInternet(r) && opens(r, port));
    return open.length ? `ingress from the internet to port ${port} (${describe(open)})` : undefined;
  },
  fix: `close port ${port} to 0.0.0.0/0 and ::/0; reach it through the ALB, SSM Session Manager or a VPN`,
  note: "Any protocol but ICMP counts, as in checkov; unlike checkov, protocol -1 opens the port whatever the ports say (a VPC rule's ip_protocol too), a self = true rule or a prefix list beside an open CIDR does not excuse it (AWS opens the CIDR all the same), and a rule whose only source is a security group or prefix list passes (checkov fails a VPC rule without a CIDR).",
});

/** A VPC's default group, as rule resources reach it: the VPC's attribute or the managed group's id. */
const attachesTo = (rule: ResourceView, expression: string) => String(rule.config.security_group_id ?? "").includes(expression);
const ATTACHED_RULE_TYPES = ["aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"];

const isDescribed = (description: string | undefined) => Boolean(description?.trim()) && description !== "Managed by Terraform";

/** The service of an endpoint's service name (`com.amazonaws.<region>.ecr.api` → ecr.api), the region possibly an expression. */
const endpointService = (serviceName: string) => serviceName.replace(/^com\.amazonaws\.(\$\{[^}]+\}|[a-z0-9-]+)\./, "");

export const networkRules: Rule[] = [
  {
    ids: ["ECG_VPC_ENDPOINT_POLICY"],
    title: "VPC endpoints have a policy of their own (not the default full access), where the service supports one",
    severity: "error",
    types: ["aws_vpc_endpoint"],
    check: ({ config }) => {
      const service = endpointService(typeof config.service_name === "string" ? config.service_name : "");
      if (WITHOUT_ENDPOINT_POLICY.includes(service)) return undefined;
      return config.policy === undefined || config.policy === null
        ? `the ${service} endpoint has the default full-access policy`
        : undefined;
    },
    fix: "set policy: this account's principals (aws:PrincipalAccount) and, for S3, its buckets (aws:ResourceAccount) plus, by resource only, the AWS-owned ones it reads (modules/network/endpoints.ts)",
  },
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
      const attached = model
        .ofType(...ATTACHED_RULE_TYPES)
        .filter(
          (rule) =>
            attachesTo(rule, `\${${vpc.address}.default_security_group_id}`) ||
            defaults.some((d) => attachesTo(rule, `\${${d.address}.id}`)),
        );
      if (attached.length) return `rules attached to the default security group: ${attached.map((r) => r.address).join(", ")}`;
      if (defaults.length === 0) return "the default security group is not managed, so it keeps AWS's allow-within-group rules";
      return defaults.some((d) => nested(d.config, "ingress").length || nested(d.config, "egress").length)
        ? "the default security group has rules"
        : undefined;
    },
    fix: "manage aws_default_security_group for the VPC with no ingress and no egress",
    note: "Rule resources attached through the VPC's default_security_group_id count too (checkov sees only those attached to aws_default_security_group).",
  },
  {
    ids: ["CKV_AWS_23"],
    title: "Every security group and rule has a description",
    severity: "error",
    types: ["aws_security_group", "aws_security_group_rule"],
    // The public check: a group with its own description passes; without one, each inline rule needs one.
    check: (resource) => {
      if (resource.type === "aws_security_group_rule")
        return isDescribed(text(resource.config, "description")) ? undefined : "the rule has no description";
      if (isDescribed(text(resource.config, "description"))) return undefined;
      const bare = sgRules(resource).filter((r) => !isDescribed(r.description));
      return bare.length ? `the group has no description of its own, and ${bare.length} rule(s) have none either` : undefined;
    },
    fix: "describe what the group is for and why each rule exists",
    note: 'The provider\'s default description "Managed by Terraform" (what a plan shows where none is written) counts as none.',
  },
  {
    ids: ["ECG_SG_DESCRIPTIONS"],
    title: "Every security group and every one of its rules, in any resource shape, says why it exists",
    severity: "error",
    types: RULE_TYPES,
    check: (resource) => {
      if (resource.type === "aws_security_group" && !isDescribed(text(resource.config, "description")))
        return "the security group has no description of its own";
      const bare = sgRules(resource).filter((r) => !isDescribed(r.description));
      return bare.length ? `${bare.length} rule(s) without a description` : undefined;
    },
    fix: "describe what the group is for and why each rule exists",
  },
  portRule("CKV_AWS_24", 22, "SSH"),
  portRule("CKV_AWS_25", 3389, "RDP"),
  portRule("CKV_AWS_260", 80, "HTTP"),
  {
    ids: ["CKV_AWS_277"],
    title: "No ingress from 0.0.0.0/0 or ::/0 on all ports (port -1)",
    severity: "error",
    types: INGRESS_TYPES,
    check: (resource) => {
      const open = sgRules(resource).filter((r) => r.direction === "ingress" && fromInternet(r) && allTraffic(r));
      return open.length ? `ingress from the internet on ${describe(open)}` : undefined;
    },
    fix: "open only the ports the service needs (443 on the ALB)",
    note: 'Protocol -1 is all traffic whatever the ports say, "all" is -1, and a VPC rule\'s ip_protocol counts (checkov reads only protocol with ports 0/0 or 0/65535).',
  },
  {
    ids: ["ECG_SG_INTERNET_HTTPS_ONLY"],
    title: "Nothing but TCP 443 is open to the internet",
    severity: "error",
    types: INGRESS_TYPES,
    check: (resource) => {
      const open = sgRules(resource).filter(
        (r) => r.direction === "ingress" && fromInternet(r) && !(r.protocol === "tcp" && r.from === 443 && r.to === 443),
      );
      return open.length ? `ingress from the internet on ${describe(open)}` : undefined;
    },
    fix: "open only TCP 443 to 0.0.0.0/0 (the ALB); reach everything else through the ALB, SSM or a VPN",
  },
  {
    ids: ["CKV_AWS_382"],
    title: "No egress to 0.0.0.0/0 or ::/0 on all ports (port -1)",
    severity: "error",
    types: EGRESS_TYPES,
    check: (resource) =>
      sgRules(resource).some((r) => r.direction === "egress" && fromInternet(r) && allTraffic(r))
        ? "egress to the internet on all traffic"
        : undefined,
    fix: "allow egress only to the peers and ports the service needs (security groups, prefix lists)",
    note: 'Protocol -1 is all traffic whatever the ports say, "all" is -1, and a VPC rule\'s ip_protocol counts (checkov reads only protocol with ports 0/0 or 0/65535).',
  },
  {
    ids: ["ECG_SG_OPEN_EGRESS"],
    title: "No egress to the internet on every port of a protocol",
    severity: "error",
    types: EGRESS_TYPES,
    check: (resource) =>
      sgRules(resource).some((r) => r.direction === "egress" && fromInternet(r) && (allTraffic(r) || everyPortOfProtocol(r)))
        ? "egress to the internet on every port"
        : undefined,
    fix: "allow egress only to the peers and ports the service needs (security groups, prefix lists)",
  },
];
