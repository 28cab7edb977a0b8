import type { Rule } from "../engine";
import { blocks, isTrue } from "./helpers";
import type { Json } from "../../common/json";

const LB = ["aws_lb", "aws_alb"];
const isApplication = (config: Json) => (config.load_balancer_type ?? "application") === "application";
const isPublic = (config: Json) => !isTrue(config.internal);

const KNOWN_BAD_INPUTS = "AWSManagedRulesKnownBadInputsRuleSet";
const LOG4J_RULE = "Log4JRCE";

/** A web ACL rule running the known-bad-inputs group, as typed blocks or as rule_json (PascalCase). */
interface BadInputsUse {
  readonly groupCounts: boolean;
  readonly log4jExcluded: boolean;
}

function knownBadInputsUses(config: Json): BadInputsUse[] | undefined {
  const typed = blocks(config.rule).flatMap((rule) =>
    blocks(rule.statement)
      .flatMap((s) => blocks(s.managed_rule_group_statement))
      .filter((g) => g.name === KNOWN_BAD_INPUTS)
      .map((g) => ({
        groupCounts: blocks(rule.override_action).some((o) => blocks(o.count).length > 0),
        log4jExcluded:
          blocks(g.excluded_rule).some((e) => e.name === LOG4J_RULE) ||
          blocks(g.rule_action_override).some((o) => o.name === LOG4J_RULE && blocks(o.action_to_use).some((a) => !blocks(a.block).length)),
      })),
  );
  if (!config.rule_json) return typed;
  let parsed: unknown;
  try {
    parsed = JSON.parse(config.rule_json);
  } catch {
    return undefined;
  }
  const raw = (Array.isArray(parsed) ? parsed : []).flatMap((rule: Json) => {
    const group = rule?.Statement?.ManagedRuleGroupStatement;
    if (group?.Name !== KNOWN_BAD_INPUTS) return [];
    return [
      {
        groupCounts: rule.OverrideAction?.Count !== undefined,
        log4jExcluded:
          blocks(group.ExcludedRules).some((e) => e.Name === LOG4J_RULE) ||
          blocks(group.RuleActionOverrides).some((o) => o.Name === LOG4J_RULE && o.ActionToUse?.Block === undefined),
      },
    ];
  });
  return [...typed, ...raw];
}

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
    ids: ["CKV_AWS_2", "CKV2_AWS_20"],
    title: "Listeners use HTTPS, or redirect HTTP to HTTPS",
    severity: "error",
    types: ["aws_lb_listener", "aws_alb_listener"],
    check: ({ config }) => {
      const protocol = config.protocol ?? "HTTP";
      if (typeof protocol !== "string" || protocol.includes("${"))
        return `protocol ${JSON.stringify(protocol)} is an expression the rule cannot evaluate`;
      if (protocol !== "HTTP") return undefined;
      // every() over no actions is true: a listener with no default_action redirects nothing.
      const actions = blocks(config.default_action);
      const redirects =
        actions.length > 0 && actions.every((a) => a.type === "redirect" && blocks(a.redirect).some((r) => r.protocol === "HTTPS"));
      return redirects ? undefined : "an HTTP listener that serves traffic instead of redirecting to HTTPS";
    },
    fix: "use protocol HTTPS with an ACM certificate, or make the HTTP listener a redirect to HTTPS",
  },
  {
    ids: ["CKV_AWS_103"],
    title: "HTTPS listeners use a TLS 1.2+ policy",
    severity: "error",
    types: ["aws_lb_listener", "aws_alb_listener"],
    // Only policies whose lowest protocol is TLS 1.2 or 1.3 (ELBSecurityPolicy-TLS13-1-0/1-1 still allow 1.0/1.1).
    check: ({ config }) =>
      ["HTTPS", "TLS"].includes(config.protocol) && !/(TLS13-1-[23]|TLS-1-2|FS-1-2)/.test(config.ssl_policy ?? "")
        ? `ssl_policy ${config.ssl_policy ?? "(default ELBSecurityPolicy-2016-08)"} allows TLS below 1.2`
        : undefined,
    fix: 'set ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"',
  },
  {
    ids: ["CKV_AWS_91"],
    title: "Load balancers write access logs",
    severity: "error",
    types: LB,
    check: ({ config }) => (blocks(config.access_logs).some((l) => isTrue(l.enabled) && l.bucket) ? undefined : "access logs are off"),
    fix: "set access_logs { bucket, enabled = true } to the access-log bucket",
  },
  {
    ids: ["CKV_AWS_131"],
    title: "Application load balancers drop invalid header fields",
    severity: "error",
    types: LB,
    check: ({ config }) =>
      isApplication(config) && !isTrue(config.drop_invalid_header_fields) ? "drop_invalid_header_fields is off" : undefined,
    fix: "set drop_invalid_header_fields = true",
  },
  {
    ids: ["CKV_AWS_150"],
    title: "Production load balancers have deletion protection",
    severity: "error",
    productionOnly: true,
    types: LB,
    check: ({ config }) => (isTrue(config.enable_deletion_protection) ? undefined : "enable_deletion_protection is off in production"),
    fix: "set enable_deletion_protection = true",
  },
  {
    ids: ["CKV_AWS_261"],
    title: "Target groups have a health check",
    severity: "error",
    types: ["aws_lb_target_group", "aws_alb_target_group"],
    check: ({ config }) => {
      const checks = blocks(config.health_check);
      return checks.length === 0 || checks.some((c) => c.enabled === false || c.enabled === "false")
        ? "no enabled health_check"
        : undefined;
    },
    fix: "add health_check { path, matcher, interval } for the service",
  },
  {
    ids: ["CKV2_AWS_28"],
    title: "Public application load balancers are protected by WAF",
    severity: "error",
    types: LB,
    check: (lb, model) =>
      isApplication(lb.config) && isPublic(lb.config) && model.referencing(lb, "aws_wafv2_web_acl_association").length === 0
        ? "no aws_wafv2_web_acl_association for this internet-facing ALB"
        : undefined,
    fix: "associate a WAFv2 web ACL with the ALB",
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
    title: "WAF web ACLs block known bad inputs (Log4j and friends)",
    severity: "error",
    types: ["aws_wafv2_web_acl"],
    check: ({ config }) => knownBadInputsProblem(config),
    fix: "add a managed_rule_group_statement for AWSManagedRulesKnownBadInputsRuleSet",
  },
];
