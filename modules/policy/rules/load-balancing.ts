import type { Rule } from "../engine";
import type { StackModel } from "../model";
import { blocks, flag, nested, num, text } from "./helpers";
import type { Json } from "../../common/json";

const LB = ["aws_lb", "aws_alb"];
const LISTENERS = ["aws_lb_listener", "aws_alb_listener"];
const lbType = (config: Json) => text(config, "load_balancer_type") ?? "application";
const isApplication = (config: Json) => lbType(config) === "application";
const isPublic = (config: Json) => flag(config, "internal") !== true;
/** The load balancer a listener belongs to, when the configuration says. */
const listenerLb = (listener: Json, model: StackModel) => model.referenced(listener.load_balancer_arn);

/** Whether every default action of a listener redirects to HTTPS (`port`, when given, too). */
function redirectsToHttps(listener: Json, port?: string): boolean {
  // every() over no actions is true: a listener with no default_action redirects nothing.
  const actions = nested(listener, "default_action");
  return (
    actions.length > 0 &&
    actions.every(
      (a) =>
        text(a, "type") === "redirect" &&
        nested(a, "redirect").some((r) => text(r, "protocol") === "HTTPS" && (port === undefined || text(r, "port") === port)),
    )
  );
}

/** The listener's protocol: HTTP when unset (the provider's default for an ALB). */
function listenerProtocol(config: Json): string {
  const protocol = text(config, "protocol");
  return (protocol ?? "HTTP").toUpperCase();
}

/**
 * ELB policies whose lowest protocol is TLS 1.2 or 1.3: ELBSecurityPolicy-TLS-1-2-*,
 * -FS-1-2-*, -TLS13-1-2-* and -TLS13-1-3-* (FIPS and post-quantum variants included).
 * TLS13-1-0 and TLS13-1-1 still allow TLS 1.0 and 1.1.
 */
const TLS12_ELB_POLICY = /^ELBSecurityPolicy-(TLS-1-2|FS-1-2|TLS13-1-[23])(-|$)/;

const KNOWN_BAD_INPUTS = "AWSManagedRulesKnownBadInputsRuleSet";
const LOG4J_RULE = "Log4JRCE";

/** A web ACL rule running the known-bad-inputs group, as typed blocks or as rule_json (PascalCase). */
interface BadInputsUse {
  readonly groupCounts: boolean;
  readonly log4jExcluded: boolean;
}

function knownBadInputsUses(config: Json): BadInputsUse[] | undefined {
  const typed = nested(config, "rule").flatMap((rule) =>
    nested(rule, "statement")
      .flatMap((s) => nested(s, "managed_rule_group_statement"))
      .filter((g) => text(g, "name") === KNOWN_BAD_INPUTS)
      .map((g) => ({
        groupCounts: nested(rule, "override_action").some((o) => nested(o, "count").length > 0),
        log4jExcluded:
          nested(g, "excluded_rule").some((e) => text(e, "name") === LOG4J_RULE) ||
          nested(g, "rule_action_override").some(
            (o) => text(o, "name") === LOG4J_RULE && nested(o, "action_to_use").some((a) => !nested(a, "block").length),
          ),
      })),
  );
  if (config.rule_json === undefined || config.rule_json === null) return typed;
  if (typeof config.rule_json !== "string") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(config.rule_json);
  } catch {
    return undefined;
  }
  const raw = (Array.isArray(parsed) ? parsed : []).flatMap((rule: Json) => {
    const group = typeof rule === "object" && rule !== null ? rule.Statement?.ManagedRuleGroupStatement : undefined;
    if (group?.Name !== KNOWN_BAD_INPUTS) return [];
    return [
      {
        groupCounts: rule.OverrideAction?.Count !== undefined,
        log4jExcluded:
          objects(group.ExcludedRules).some((e) => e.Name === LOG4J_RULE) ||
          objects(group.RuleActionOverrides).some((o) => o.Name === LOG4J_RULE && o.ActionToUse?.Block === undefined),
      },
    ];
  });
  return [...typed, ...raw];
}

/** The objects of a rule_json list (anything else in it names no rule). */
const objects = (value: unknown): Json[] => blocks(value).filter((v) => typeof v === "object" && v !== null);

/** CKV_AWS_192's meaning: the Log4j rule of the known-bad-inputs group blocks (not excluded, not counted). */
function knownBadInputsProblem(config: Json): string | undefined {
  const uses = knownBadInputsUses(config);
  if (uses === undefined) return "rule_json is not JSON the rule can read";
  if (uses.length === 0) return `${KNOWN_BAD_INPUTS} is not used`;
  if (uses.every((u) => u.groupCounts)) return `${KNOWN_BAD_INPUTS} only counts (override_action count)`;
  if (uses.every((u) => u.log4jExcluded)) return `${LOG4J_RULE} of ${KNOWN_BAD_INPUTS} is excluded or overridden to count`;
  return undefined;
}

export const loadBalancingRules: Rule[] = [
  {
    ids: ["CKV_AWS_2"],
    title: "Listeners use HTTPS, or redirect HTTP to HTTPS",
    severity: "error",
    types: LISTENERS,
    check: ({ config }, model) => {
      if (config.protocol === undefined && lbType(listenerLb(config, model)?.config ?? {}) === "gateway") return undefined;
      const protocol = listenerProtocol(config);
      // GENEVE: a Gateway Load Balancer's listener (a plan shows the protocol it gets).
      if (["HTTPS", "TLS", "TCP", "UDP", "TCP_UDP", "GENEVE"].includes(protocol)) return undefined;
      if (protocol === "HTTP" && redirectsToHttps(config)) return undefined;
      return protocol === "HTTP" ? "an HTTP listener that serves traffic instead of redirecting to HTTPS" : `protocol ${protocol}`;
    },
    fix: "use protocol HTTPS with an ACM certificate, or make the HTTP listener a redirect to HTTPS",
    note: "A redirect that does not name protocol HTTPS keeps the request's HTTP, so it fails (checkov leaves it unknown); a Gateway Load Balancer's listener has no protocol and passes.",
  },
  {
    ids: ["CKV2_AWS_20"],
    title: "Application load balancers redirect HTTP on port 80 to HTTPS on 443",
    severity: "error",
    types: LB,
    check: (lb, model) => {
      if (!isApplication(lb.config)) return undefined;
      const bad = model.referencing(lb, ...LISTENERS).filter(({ config }) => {
        const http = listenerProtocol(config) === "HTTP";
        const port80 = String(num(config, "port") ?? "") === "80";
        if (!http && !port80) return false;
        return !(http && port80 && redirectsToHttps(config, "443"));
      });
      return bad.length
        ? `listeners that neither serve HTTPS nor redirect port 80 to HTTPS 443: ${bad.map((l) => l.address).join(", ")}`
        : undefined;
    },
    fix: 'make the port-80 HTTP listener redirect { protocol = "HTTPS", port = "443", status_code = "HTTP_301" }; serve traffic on HTTPS only',
    note: "Only application load balancers: network and gateway load balancers cannot redirect (checkov does not look at the type).",
  },
  {
    ids: ["CKV_AWS_103"],
    title: "Listeners use a TLS 1.2+ policy (or redirect to HTTPS)",
    severity: "error",
    types: LISTENERS,
    check: ({ config }, model) => {
      if (lbType(listenerLb(config, model)?.config ?? {}) === "gateway") return undefined;
      const protocol = listenerProtocol(config);
      if (["TCP", "UDP", "TCP_UDP", "GENEVE"].includes(protocol)) return undefined;
      if (protocol === "HTTPS" || protocol === "TLS") {
        const policy = text(config, "ssl_policy");
        return policy !== undefined && TLS12_ELB_POLICY.test(policy)
          ? undefined
          : `ssl_policy ${policy ?? "(default ELBSecurityPolicy-2016-08)"} allows TLS below 1.2`;
      }
      return redirectsToHttps(config) ? undefined : `a ${protocol} listener that does not redirect to HTTPS`;
    },
    fix: 'set ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06" (or a TLS13-1-3 policy)',
    note: "ELBSecurityPolicy-TLS13-1-0-* and -TLS13-1-1-* fail: they still allow TLS 1.0 and 1.1 (checkov accepts every TLS13 name).",
  },
  {
    ids: ["CKV_AWS_91"],
    title: "Load balancers write access logs",
    severity: "error",
    types: LB,
    check: ({ config }) => (nested(config, "access_logs").some((l) => flag(l, "enabled") === true) ? undefined : "access logs are off"),
    fix: "set access_logs { bucket, enabled = true } to the access-log bucket",
  },
  {
    ids: ["CKV_AWS_131"],
    title: "Application load balancers drop invalid header fields",
    severity: "error",
    types: LB,
    check: ({ config }) =>
      isApplication(config) && flag(config, "drop_invalid_header_fields") !== true ? "drop_invalid_header_fields is off" : undefined,
    fix: "set drop_invalid_header_fields = true",
    note: "Only application load balancers have the attribute (checkov also fails gateway load balancers).",
  },
  {
    ids: ["CKV_AWS_150"],
    title: "Production load balancers have deletion protection",
    severity: "error",
    productionOnly: true,
    types: LB,
    check: ({ config }) =>
      flag(config, "enable_deletion_protection") === true ? undefined : "enable_deletion_protection is off in production",
    fix: "set enable_deletion_protection = true",
  },
  {
    ids: ["CKV_AWS_261"],
    title: "HTTP and HTTPS target groups define a health check path",
    severity: "error",
    types: ["aws_lb_target_group", "aws_alb_target_group"],
    check: ({ config }) => {
      const protocol = (text(config, "protocol") ?? "").toUpperCase();
      if (protocol !== "HTTP" && protocol !== "HTTPS") return undefined;
      return nested(config, "health_check").some((c) => Boolean(text(c, "path"))) ? undefined : "no health_check with a path";
    },
    fix: "add health_check { path, matcher, interval } for the service",
  },
  {
    ids: ["CKV2_AWS_28"],
    title: "Internet-facing application load balancers are protected by WAF",
    severity: "error",
    types: LB,
    check: (lb, model) =>
      isApplication(lb.config) &&
      isPublic(lb.config) &&
      model.referencing(lb, "aws_wafv2_web_acl_association", "aws_wafregional_web_acl_association").length === 0
        ? "no WAF web ACL association for this internet-facing ALB"
        : undefined,
    fix: "associate a WAFv2 web ACL with the ALB",
    note: "Only application load balancers: WAF cannot attach to network or gateway load balancers (checkov does not look at the type).",
  },
  {
    ids: ["CKV2_AWS_31"],
    title: "WAF web ACLs log",
    severity: "error",
    types: ["aws_wafv2_web_acl"],
    check: (acl, model) =>
      model.referencing(acl, "aws_wafv2_web_acl_logging_configuration").length ? undefined : "no logging configuration",
    fix: "add aws_wafv2_web_acl_logging_configuration for the web ACL",
  },
  {
    ids: ["CKV_AWS_192"],
    title: "WAF web ACLs block Log4j exploits (Log4JRCE of the known-bad-inputs rule group)",
    severity: "error",
    types: ["aws_wafv2_web_acl"],
    check: ({ config }) => knownBadInputsProblem(config),
    fix: "add a managed_rule_group_statement for AWSManagedRulesKnownBadInputsRuleSet with override_action none and Log4JRCE neither excluded nor counted",
    note: "Log4JRCE overridden to count by rule_action_override fails as excluded_rule does (checkov reads only excluded_rule), and rule_json is read.",
  },
];
