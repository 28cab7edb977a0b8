import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsSubnets } from "@cdktf/provider-aws/lib/data-aws-subnets";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { S3BucketReplicationConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-replication-configuration";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { LbConfig } from "@cdktf/provider-aws/lib/lb";
import type { LbListenerConfig } from "@cdktf/provider-aws/lib/lb-listener";
import type { SecurityGroupConfig } from "@cdktf/provider-aws/lib/security-group";
import type { TerraformStack } from "cdktf";
import { ALL_RULES, type Finding, type Rule } from "../../modules/policy";
import {
  ACCOUNT,
  ALLOW_ALL,
  ALLOW_READ,
  backendContainer,
  bucketPolicy,
  bucketPolicyDocument,
  bucketPolicyLiteral,
  bucketWith,
  type Build,
  DENY_INSECURE_JSON,
  denyInsecure,
  evaluateFixture,
  expectFinding,
  findRule,
  HTTPS_FROM_INTERNET,
  httpsFromInternetRule,
  httpsListener,
  KEY_ARN,
  launchTemplate,
  literalPolicy,
  loadBalancer,
  managedRuleGroup,
  mixedInstances,
  RATE_LIMIT,
  READ_OBJECTS,
  rolePolicy,
  secret,
  securityGroup,
  subjectTypesIn,
  SUBNETS,
  TARGET_GROUP_ARN,
  taskDefinition,
  templateGroup,
  trustDocument,
  trustLiteral,
  VPC_ID,
  webAcl,
} from "./policy-fixtures";

/**
 * Regressions of the policy pack: each case is a shape of configuration a rule
 * once misjudged (a false positive or a missed violation), evaluated against
 * that one rule in production.
 */

/** A rule by any of its IDs. */
const ruleById = (id: string): Rule => findRule(ALL_RULES, id, "the policy pack");

/** The findings of rule `id` on a fixture, which must hold a resource or data source the rule checks. */
function findingsOf(rule: Rule, build: Build): Finding[] {
  const { report, stack } = evaluateFixture(rule, build, true, "policy-regressions");
  // A fixture without anything the rule checks would pass vacuously.
  expect(subjectTypesIn(stack, rule)).not.toEqual([]);
  return report.findings;
}

function expectPass(id: string, build: Build): void {
  expect(findingsOf(ruleById(id), build)).toEqual([]);
}

/** Exactly one finding of rule `id`, saying `found` (about `address`, when given). */
function expectFail(id: string, build: Build, found: string, address?: string): void {
  const rule = ruleById(id);
  expectFinding(rule, findingsOf(rule, build), found, undefined, address);
}

// ---------------------------------------------------------------- fixtures (the shared ones are in policy-fixtures.ts)

/** A load balancer with one TLS-terminating listener. */
const listener =
  (listenerConfig: Partial<LbListenerConfig>, lbConfig: Partial<LbConfig> = {}): Build =>
  (stack) => {
    httpsListener(stack, loadBalancer(stack, lbConfig, "lb"), listenerConfig, "listener");
  };

/** The GPU launch template with no network interfaces, Spot when `spot`. */
const gpuTemplate = (stack: TerraformStack, spot: boolean) =>
  launchTemplate(stack, { networkInterfaces: undefined, instanceMarketOptions: spot ? { marketType: "spot" } : undefined });

/** A security group of the internet-facing ALB, with `config`. */
const albSecurityGroup = (stack: TerraformStack, config: Partial<SecurityGroupConfig> = {}) =>
  securityGroup(stack, { name: "alb", description: "Internet-facing ALB", ...config });

/** A security group that opens TCP 443 to the internet through one resource shape, with `protocol` spelled as given. */
const httpsIngressRule =
  (ipProtocol: string): Build =>
  (stack) => {
    httpsFromInternetRule(stack, albSecurityGroup(stack), ipProtocol);
  };
const httpsIngressInline =
  (protocol: string): Build =>
  (stack) => {
    albSecurityGroup(stack, { ingress: [{ ...HTTPS_FROM_INTERNET, protocol }] });
  };

/** A task definition whose one container has a plain environment variable `name`. */
const containerWithEnvironment =
  (name: string): Build =>
  (stack) => {
    taskDefinition(stack, [
      backendContainer({ portMappings: undefined, environment: [{ name, value: "some-value" }], secrets: undefined }),
    ]);
  };

/** A secret rotated on `scheduleExpression`. */
const rotatedOn = (scheduleExpression: string): Build => secret(KEY_ARN, { scheduleExpression });

// ---------------------------------------------------------------- tests

describe("policy rules: regressions", () => {
  // 1. Listener TLS policies.
  it("CKV_AWS_103: an HTTPS listener on ELBSecurityPolicy-TLS13-1-0-2021-06 (TLS 1.0 allowed) fails", () => {
    expectFail("CKV_AWS_103", listener({ sslPolicy: "ELBSecurityPolicy-TLS13-1-0-2021-06" }), "allows TLS below 1.2");
  });

  it("CKV_AWS_103: an HTTPS listener on ELBSecurityPolicy-TLS13-1-2-2021-06 passes", () => {
    expectPass("CKV_AWS_103", listener({ sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }));
  });

  it("CKV_AWS_103: an NLB TLS listener on ELBSecurityPolicy-2016-08 fails", () => {
    expectFail(
      "CKV_AWS_103",
      listener(
        { protocol: "TLS", sslPolicy: "ELBSecurityPolicy-2016-08", defaultAction: [{ type: "forward", targetGroupArn: TARGET_GROUP_ARN }] },
        {
          loadBalancerType: "network",
          securityGroups: undefined,
          dropInvalidHeaderFields: undefined,
        },
      ),
      "allows TLS below 1.2",
    );
  });

  // 2. WAF rules given as raw JSON.
  it("[SEC-3] CKV_AWS_192: a web ACL whose rule_json uses AWSManagedRulesKnownBadInputsRuleSet passes", () => {
    expectPass("CKV_AWS_192", (stack) => {
      webAcl(stack, {
        ruleJson: JSON.stringify([
          {
            Name: "AWSManagedRulesKnownBadInputsRuleSet",
            Priority: 1,
            OverrideAction: { None: {} },
            Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name: "AWSManagedRulesKnownBadInputsRuleSet" } },
            VisibilityConfig: { CloudWatchMetricsEnabled: true, MetricName: "known-bad-inputs", SampledRequestsEnabled: true },
          },
        ]),
      });
    });
  });

  // 3. A subnet list that is one expression.
  it("ECG_ASG_MULTI_AZ: a group whose subnets are one data.aws_subnets.ids token fails", () => {
    expectFail(
      "ECG_ASG_MULTI_AZ",
      (stack) => {
        const subnets = new DataAwsSubnets(stack, "private", { filter: [{ name: "vpc-id", values: [VPC_ID] }] });
        templateGroup(stack, gpuTemplate(stack, false), { minSize: 2, maxSize: 8, vpcZoneIdentifier: subnets.ids });
      },
      "cannot be counted",
    );
  });

  // 4. Spot asked for by the launch template; attribute-based instance selection.
  const spotTemplateGroup: Build = (stack) => {
    templateGroup(stack, gpuTemplate(stack, true), { minSize: 2, maxSize: 8, vpcZoneIdentifier: SUBNETS });
  };

  it("[COST-1] ECG_SPOT_DIVERSIFIED: a group on a Spot launch template (one instance type) fails", () => {
    expectFail("ECG_SPOT_DIVERSIFIED", spotTemplateGroup, "fewer than two instance-type overrides");
  });

  it("[COST-1] ECG_SPOT_REBALANCE: a group on a Spot launch template without capacity_rebalance fails", () => {
    expectFail("ECG_SPOT_REBALANCE", spotTemplateGroup, "capacity_rebalance is off");
  });

  it("[COST-1] ECG_SPOT_DIVERSIFIED: Spot over a single instance_requirements override (attribute-based selection) passes", () => {
    expectPass("ECG_SPOT_DIVERSIFIED", (stack) => {
      const template = gpuTemplate(stack, false);
      new AutoscalingGroup(stack, "asg", {
        minSize: 2,
        maxSize: 8,
        vpcZoneIdentifier: SUBNETS,
        capacityRebalance: true,
        mixedInstancesPolicy: mixedInstances(template, [
          {
            instanceRequirements: {
              vcpuCount: { min: 8, max: 16 },
              memoryMib: { min: 32768 },
              acceleratorTypes: ["gpu"],
              acceleratorCount: { min: 1 },
            },
          },
        ]),
      });
    });
  });

  // 5. TCP spelled "6" or "TCP".
  const INGRESS_RULES = ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277", "ECG_SG_INTERNET_HTTPS_ONLY"];
  const TCP_SPELLINGS = INGRESS_RULES.flatMap((id) => ["6", "TCP"].map((protocol) => [id, protocol]));

  it.each(TCP_SPELLINGS)(
    '[NET-4] %s: a vpc_security_group_ingress_rule from 0.0.0.0/0 on 443 with ip_protocol "%s" passes',
    (id, protocol) => {
      expectPass(id, httpsIngressRule(protocol));
    },
  );

  it.each(TCP_SPELLINGS)(
    '[NET-4] %s: an inline security group ingress from the internet on 443 with protocol "%s" passes',
    (id, protocol) => {
      expectPass(id, httpsIngressInline(protocol));
    },
  );

  it.each(["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277"])(
    "[NET-4] %s: ICMP -1/-1 (every ICMP message) from the internet opens no TCP port and passes; protocol -1 fails",
    (id) => {
      const icmp =
        (protocol: string): Build =>
        (stack) => {
          albSecurityGroup(stack, { ingress: [{ description: "ping", protocol, fromPort: -1, toPort: -1, cidrBlocks: ["0.0.0.0/0"] }] });
        };
      expectPass(id, icmp("icmp"));
      expectPass(id, icmp("1"));
      expect(findingsOf(ruleById(id), icmp("-1")).map((f) => f.rule)).toEqual([id]);
    },
  );

  it("[NET-4] an expression CIDR makes only the rules that read CIDRs uninspectable: descriptions are still judged", () => {
    const group: Build = (stack) => {
      albSecurityGroup(stack, {
        ingress: [{ description: "API from the VPC", protocol: "tcp", fromPort: 8000, toPort: 8000, cidrBlocks: ["${var.vpc_cidr}"] }],
      });
    };
    expectPass("CKV_AWS_23", group);
    expectPass("ECG_SG_DESCRIPTIONS", group);
    expectFail("CKV_AWS_24", group, "cannot be inspected");
  });

  it("[NET-4] ECG_SG_OPEN_EGRESS also fails what CKV_AWS_382 fails (protocol -1), besides every port of one protocol", () => {
    const egress =
      (protocol: string, fromPort: number, toPort: number): Build =>
      (stack) => {
        albSecurityGroup(stack, { egress: [{ description: "out", protocol, fromPort, toPort, cidrBlocks: ["0.0.0.0/0"] }] });
      };
    expectFail("ECG_SG_OPEN_EGRESS", egress("-1", 0, 0), "egress to the internet on every port");
    expectFail("ECG_SG_OPEN_EGRESS", egress("tcp", 0, 65535), "egress to the internet on every port");
    expectPass("ECG_SG_OPEN_EGRESS", egress("tcp", 443, 443));
    expectPass("ECG_SG_OPEN_EGRESS", egress("icmp", -1, -1));
  });

  it('[NET-4] ECG_SG_INTERNET_HTTPS_ONLY: UDP 443 spelled "17" from the internet is not HTTPS and fails', () => {
    expectFail("ECG_SG_INTERNET_HTTPS_ONLY", httpsIngressRule("17"), "ingress from the internet on udp 443-443");
  });

  // 6. Names that look secret: trivy matches the secret words anywhere in the lowercased name.
  it.each(["TOKENIZERS_PARALLELISM", "SECRET_NAME", "DB_PASSWORD_ARN"])(
    "AWS-0036: a plain environment variable %s fails (its name contains a secret word, as trivy reads it)",
    (name) => {
      expectFail("AWS-0036", containerWithEnvironment(name), `plain environment variables that look secret: ${name}`);
    },
  );

  it.each(["DB_PASSWORD", "API_KEY", "JWT_SECRET", "AWS_SECRET_ACCESS_KEY"])("AWS-0036: a plain environment variable %s fails", (name) => {
    expectFail("AWS-0036", containerWithEnvironment(name), `plain environment variables that look secret: ${name}`);
  });

  it.each(["S3_BUCKET", "TOKEN_TYPE", "VERSION_TOKEN", "APIKEY_HEADER"])("AWS-0036: a plain environment variable %s passes", (name) => {
    expectPass("AWS-0036", containerWithEnvironment(name));
  });

  // Expressions where a policy decides who or what: a variable there could be "*".
  it.each([
    ["CKV_AWS_63", rolePolicy(() => literalPolicy({ Effect: "Allow", Action: "${var.actions}", Resource: "*" }))],
    ["CKV_AWS_60", trustDocument({ type: "AWS", identifiers: ["${var.trusted}"] })],
  ])("%s: an action or principal that is a variable cannot be inspected (it may be *)", (id, build) => {
    expectFail(id, build, "cannot be inspected");
  });

  it("CKV_AWS_60: a principal that is a template of resource attributes is read (the account root of data.aws_caller_identity)", () => {
    expectPass("CKV_AWS_60", trustDocument({ type: "AWS", identifiers: ["arn:aws:iam::${data.aws_caller_identity.me.account_id}:root"] }));
  });

  it("CKV_AWS_62: a policy document that merges itself cannot be inspected, and the report goes on", () => {
    const cycle: Build = (stack) => {
      const doc = new DataAwsIamPolicyDocument(stack, "doc", {
        statement: [{ effect: "Allow", actions: ["s3:GetObject"], resources: ["*"] }],
      });
      doc.addOverride("source_policy_documents", ["${data.aws_iam_policy_document.doc.json}"]);
      rolePolicy(() => doc.json)(stack);
    };
    expectFail("CKV_AWS_62", cycle, "merges itself");
  });

  it("[SEC-3] CKV_AWS_192: null entries in rule_json's lists name no rule and crash nothing", () => {
    const ruleJson = JSON.stringify([
      {
        Name: "bad-inputs",
        Priority: 1,
        OverrideAction: { None: {} },
        Statement: {
          ManagedRuleGroupStatement: {
            Name: "AWSManagedRulesKnownBadInputsRuleSet",
            VendorName: "AWS",
            ExcludedRules: [null],
            RuleActionOverrides: [null],
          },
        },
        VisibilityConfig: { CloudWatchMetricsEnabled: true, MetricName: "bad-inputs", SampledRequestsEnabled: true },
      },
    ]);
    expectPass("CKV_AWS_192", (stack) => {
      webAcl(stack, { ruleJson });
    });
  });

  // 7. Trust policies that let anyone in.
  it('CKV_AWS_60: a trust policy document with principals { type = "*", identifiers = ["*"] } fails', () => {
    expectFail("CKV_AWS_60", trustDocument({ type: "*", identifiers: ["*"] }), "allows any principal");
  });

  it('CKV_AWS_60: a literal JSON trust policy with Principal "*" (the string) fails, as IAM reads it as {"AWS": "*"}', () => {
    expectFail(
      "CKV_AWS_60",
      trustLiteral(literalPolicy({ Effect: "Allow", Action: "sts:AssumeRole", Principal: "*" })),
      "allows any principal",
    );
  });

  const notPrincipalTrust = trustLiteral(
    literalPolicy({ Effect: "Allow", Action: "sts:AssumeRole", NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }),
  );

  it("ECG_IAM_TRUST_NAMED: a literal JSON trust policy allowing with NotPrincipal fails", () => {
    expectFail("ECG_IAM_TRUST_NAMED", notPrincipalTrust, "the trust policy allows by NotPrincipal");
  });

  it("CKV_AWS_60: NotPrincipal is not Principal * (ECG_IAM_TRUST_NAMED's, not checkov's), so it passes", () => {
    expectPass("CKV_AWS_60", notPrincipalTrust);
  });

  it("ECG_IAM_TRUST_NAMED: a trust policy naming its service passes", () => {
    expectPass("ECG_IAM_TRUST_NAMED", trustDocument({ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }));
  });

  // 8. Allow-everything statements that come in sideways.
  const throughSourceDocument = rolePolicy((stack) => {
    const base = new DataAwsIamPolicyDocument(stack, "base-doc", { statement: [ALLOW_ALL] });
    return new DataAwsIamPolicyDocument(stack, "policy-doc", { sourcePolicyDocuments: [base.json], statement: [READ_OBJECTS] }).json;
  });

  it('CKV_AWS_63: a role policy that gets Allow "*" only through source_policy_documents fails (read through the document)', () => {
    expectFail("CKV_AWS_63", throughSourceDocument, 'Allow with Action "*"', "aws_iam_role_policy.policy");
  });

  it('CKV_AWS_62: a role policy that gets Allow "*" on "*" only through source_policy_documents fails', () => {
    expectFail("CKV_AWS_62", throughSourceDocument, 'Allow "*" on "*"', "aws_iam_role_policy.policy");
  });

  it.each([
    ["CKV_AWS_1", 'Allow "*" on "*"'],
    ["CKV_AWS_49", 'Allow with Action "*"'],
  ])("%s: only the document that writes the statement fails, not the one that merges it", (id, found) => {
    expectFail(id, throughSourceDocument, found, "data.aws_iam_policy_document.base-doc");
  });

  const notActionOnEverything = rolePolicy(
    (stack) =>
      new DataAwsIamPolicyDocument(stack, "policy-doc", { statement: [{ effect: "Allow", notActions: ["iam:*"], resources: ["*"] }] }).json,
  );

  it('ECG_IAM_BROAD_ACTIONS: an Allow with NotAction ["iam:*"] on Resource "*" fails', () => {
    expectFail("ECG_IAM_BROAD_ACTIONS", notActionOnEverything, "NotAction");
  });

  it.each(["CKV_AWS_1", "CKV_AWS_49", "CKV_AWS_62", "CKV_AWS_63"])(
    '%s: an Allow with NotAction ["iam:*"] passes (the public check reads Action only; ECG_IAM_BROAD_ACTIONS fails it)',
    (id) => {
      expectPass(id, notActionOnEverything);
    },
  );

  it('ECG_IAM_BROAD_ACTIONS: Allow "*:*" fails, and listed actions pass', () => {
    expectFail(
      "ECG_IAM_BROAD_ACTIONS",
      rolePolicy(() => literalPolicy({ Effect: "Allow", Action: "*:*", Resource: "arn:aws:s3:::ecg-test-bucket/*" })),
      'Allow with Action "*:*"',
    );
    expectPass(
      "ECG_IAM_BROAD_ACTIONS",
      rolePolicy((stack) => new DataAwsIamPolicyDocument(stack, "policy-doc", { statement: [READ_OBJECTS] }).json),
    );
  });

  // 9. The TLS-only bucket policy.
  it("ECG_S3_TLS_ONLY: a bucket policy whose TLS deny comes only through source_policy_documents passes", () => {
    expectPass(
      "ECG_S3_TLS_ONLY",
      bucketPolicy((stack) => {
        const tls = new DataAwsIamPolicyDocument(stack, "tls-doc", { statement: [denyInsecure()] });
        return new DataAwsIamPolicyDocument(stack, "bucket-policy-doc", { sourcePolicyDocuments: [tls.json], statement: [ALLOW_READ] })
          .json;
      }),
    );
  });

  it("ECG_S3_TLS_ONLY: a deny of only s3:PutObject when aws:SecureTransport = false fails", () => {
    expectFail(
      "ECG_S3_TLS_ONLY",
      bucketPolicyDocument(ALLOW_READ, denyInsecure(["s3:PutObject"])),
      "no bucket policy denies s3:* when aws:SecureTransport = false",
    );
  });

  it('ECG_S3_TLS_ONLY: a literal JSON policy denying s3:* on lower-case "aws:securetransport" passes', () => {
    expectPass(
      "ECG_S3_TLS_ONLY",
      bucketPolicyLiteral(literalPolicy({ ...DENY_INSECURE_JSON, Condition: { Bool: { "aws:securetransport": "false" } } })),
    );
  });

  // 10. Rotation schedules.
  it('[SEC-2] CKV_AWS_304: rotation on "rate(4 hours)" passes', () => {
    expectPass("CKV_AWS_304", rotatedOn("rate(4 hours)"));
  });

  it('[SEC-2] CKV_AWS_304: rotation on "cron(0 16 1,15 * ? *)" (twice a month) passes', () => {
    expectPass("CKV_AWS_304", rotatedOn("cron(0 16 1,15 * ? *)"));
  });

  it.each([
    ["cron(0 16 1 1,7 ? *)", "twice a year", "of 186 days"],
    ["cron(0 16 1 */4 ? *)", "every fourth month", "of 124 days"],
    ["cron(0 16 1 1,2,3,12 ? *)", "a gap from March to December", "of 279 days"],
    ["cron(0 16 1 * ?)", "five fields", "that cannot be read"],
  ])('[SEC-2] CKV_AWS_304: rotation on "%s" (%s) fails', (scheduleExpression, _, found) => {
    expectFail("CKV_AWS_304", rotatedOn(scheduleExpression), `rotation interval ${found}`);
  });

  it.each([
    ["cron(0 16 1 */2 ? *)", "every other month"],
    ["cron(0 16 1 1,3,5,7,9,11 ? *)", "every other month, listed"],
    ["cron(0 16 1 2,4,6,8,10,12 ? *)", "even months, across the new year"],
    ["cron(0 16 1 1-12 ? *)", "every month, as a range"],
  ])('[SEC-2] CKV_AWS_304: rotation on "%s" (%s: at most 62 days apart) passes', (scheduleExpression) => {
    expectPass("CKV_AWS_304", rotatedOn(scheduleExpression));
  });

  // 11. What the public IDs mean: a rule is as strict as the check that owns its ID.
  const badInputs =
    (group: Record<string, unknown> = {}, rule: Record<string, unknown> = {}): Build =>
    (stack) => {
      const base = managedRuleGroup("AWSManagedRulesKnownBadInputsRuleSet", 1);
      webAcl(stack, {
        rule: [
          RATE_LIMIT,
          {
            ...base,
            ...rule,
            statement: { managed_rule_group_statement: { name: "AWSManagedRulesKnownBadInputsRuleSet", vendor_name: "AWS", ...group } },
          },
        ],
      });
    };

  it("[SEC-3] CKV_AWS_192: the known-bad-inputs group with its Log4j rule blocking passes", () => {
    expectPass("CKV_AWS_192", badInputs({ rule_action_override: [{ name: "Host_localhost_HEADER", action_to_use: { count: {} } }] }));
  });

  it("[SEC-3] CKV_AWS_192: Log4JRCE overridden to count fails", () => {
    expectFail("CKV_AWS_192", badInputs({ rule_action_override: [{ name: "Log4JRCE", action_to_use: { count: {} } }] }), "Log4JRCE");
  });

  it("[SEC-3] CKV_AWS_192: Log4JRCE excluded (excluded_rule) fails", () => {
    expectFail("CKV_AWS_192", badInputs({ excluded_rule: [{ name: "Log4JRCE" }] }), "Log4JRCE");
  });

  it("[SEC-3] CKV_AWS_192: the whole group counting (override_action count) fails", () => {
    expectFail("CKV_AWS_192", badInputs({}, { overrideAction: { count: {} } }), "only counts");
  });

  it("[SEC-3] CKV_AWS_192: Log4JRCE counted in rule_json fails", () => {
    expectFail(
      "CKV_AWS_192",
      (stack) => {
        webAcl(stack, {
          ruleJson: JSON.stringify([
            {
              Name: "bad-inputs",
              Priority: 1,
              OverrideAction: { None: {} },
              Statement: {
                ManagedRuleGroupStatement: {
                  VendorName: "AWS",
                  Name: "AWSManagedRulesKnownBadInputsRuleSet",
                  RuleActionOverrides: [{ Name: "Log4JRCE", ActionToUse: { Count: {} } }],
                },
              },
              VisibilityConfig: { CloudWatchMetricsEnabled: true, MetricName: "bad-inputs", SampledRequestsEnabled: true },
            },
          ]),
        });
      },
      "Log4JRCE",
    );
  });

  it("CKV_AWS_2: an HTTP listener without any default_action is not a redirect and fails", () => {
    expectFail(
      "CKV_AWS_2",
      (stack) => {
        const lb = loadBalancer(stack);
        httpsListener(
          stack,
          lb,
          { protocol: "HTTP", port: 80, sslPolicy: undefined, certificateArn: undefined, defaultAction: [] },
          "http",
        );
      },
      "instead of redirecting to HTTPS",
    );
  });

  it("CKV_AWS_2: a protocol that is an expression cannot be inspected, which is an error finding", () => {
    const rule = ruleById("CKV_AWS_2");
    const findings = findingsOf(rule, (stack) => {
      const lb = loadBalancer(stack);
      httpsListener(stack, lb, { protocol: "${var.listener_protocol}" }, "unknown");
    });
    expectFinding(rule, findings, 'cannot be inspected: "protocol" is the expression "${var.listener_protocol}"', "error");
  });

  it("[DR-2] CKV_AWS_144: a replication configuration whose every rule is Disabled fails", () => {
    const disabled = bucketWith(
      (stack, bucket) =>
        new S3BucketReplicationConfigurationA(stack, "replication", {
          bucket: bucket.id,
          role: `arn:aws:iam::${ACCOUNT}:role/ecg-test`,
          rule: [{ id: "dr", status: "Disabled", filter: { prefix: "" }, destination: { bucket: "arn:aws:s3:::ecg-test-replica" } }],
        }),
    );
    expectFail("CKV_AWS_144", disabled, "every replication rule is Disabled");
  });

  it.each(["alias/aws/secretsmanager", `arn:aws:kms:ap-northeast-2:${ACCOUNT}:alias/aws/secretsmanager`])(
    "[SEC-4] CKV_AWS_149: kms_key_id naming the AWS-managed key (%s) fails",
    (key) => {
      expectFail("CKV_AWS_149", secret(key), "AWS-managed key");
    },
  );

  it("[SEC-4] CKV_AWS_149: a customer-managed key by alias passes", () => {
    expectPass("CKV_AWS_149", secret("alias/ecg-prod/data"));
  });

  const withEmptyDefaultGroup = (stack: TerraformStack) => {
    const vpc = new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" });
    return { vpc, defaultGroup: new DefaultSecurityGroup(stack, "default-sg", { vpcId: vpc.id, ingress: [], egress: [] }) };
  };

  it("[NET-4] CKV2_AWS_12: an ingress rule resource on the VPC's default group (default_security_group_id) fails", () => {
    expectFail(
      "CKV2_AWS_12",
      (stack) => {
        const { vpc } = withEmptyDefaultGroup(stack);
        new VpcSecurityGroupIngressRule(stack, "into-default", {
          securityGroupId: vpc.defaultSecurityGroupId,
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrIpv4: "10.0.0.0/16",
          description: "HTTPS within the VPC",
        });
      },
      "rules attached to the default security group",
    );
  });

  it("[NET-4] CKV2_AWS_12: an aws_security_group_rule on the managed default group fails", () => {
    expectFail(
      "CKV2_AWS_12",
      (stack) => {
        const { defaultGroup } = withEmptyDefaultGroup(stack);
        new SecurityGroupRule(stack, "out-of-default", {
          type: "egress",
          securityGroupId: defaultGroup.id,
          protocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrBlocks: ["10.0.0.0/16"],
          description: "HTTPS within the VPC",
        });
      },
      "rules attached to the default security group",
    );
  });

  it("[NET-4] CKV2_AWS_12: an empty default group passes, with rules on the stack's own groups", () => {
    expectPass("CKV2_AWS_12", (stack) => {
      withEmptyDefaultGroup(stack);
      const sg = securityGroup(stack);
      httpsFromInternetRule(stack, sg);
    });
  });

  it("[NET-4] CKV_AWS_382: TCP egress to 0.0.0.0/0 on ports -1 to -1 (every port) fails", () => {
    expectFail(
      "CKV_AWS_382",
      (stack) => {
        const sg = securityGroup(stack);
        new VpcSecurityGroupEgressRule(stack, "every-port", {
          securityGroupId: sg.id,
          ipProtocol: "tcp",
          fromPort: -1,
          toPort: -1,
          cidrIpv4: "0.0.0.0/0",
          description: "every TCP port",
        });
      },
      "egress to the internet on all traffic",
    );
  });
});
