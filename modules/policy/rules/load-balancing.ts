import type { Rule } from "../engine";
import { blocks, isTrue } from "./helpers";
import type { Json } from "../../common/json";

const LB = ["aws_lb", "aws_alb"];
const isApplication = (config: Json) => (config.load_balancer_type ?? "application") === "application";
const isPublic = (config: Json) => !isTrue(config.internal);

export const loadBalancingRules: Rule[] = [
  {
    ids: ["CKV_AWS_2", "CKV2_AWS_20"],
    title: "Listeners use HTTPS, or redirect HTTP to HTTPS",
    severity: "error",
    types: ["aws_lb_listener", "aws_alb_listener"],
    check: ({ config }) => {
      if ((config.protocol ?? "HTTP") !== "HTTP") return undefined;
      const redirects = blocks(config.default_action).every(
        (a) => a.type === "redirect" && blocks(a.redirect).every((r) => r.protocol === "HTTPS"),
      );
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
    check: ({ config }) =>
      // Rules may be typed blocks or raw JSON (rule_json).
      `${JSON.stringify(config.rule ?? [])}${config.rule_json ?? ""}`.includes("AWSManagedRulesKnownBadInputsRuleSet")
        ? undefined
        : "AWSManagedRulesKnownBadInputsRuleSet is not used",
    fix: "add a managed_rule_group_statement for AWSManagedRulesKnownBadInputsRuleSet",
  },
];
