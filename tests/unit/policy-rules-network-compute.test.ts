import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Alb } from "@cdktf/provider-aws/lib/alb";
import { AlbListener } from "@cdktf/provider-aws/lib/alb-listener";
import { AlbTargetGroup } from "@cdktf/provider-aws/lib/alb-target-group";
import { AutoscalingGroup, type AutoscalingGroupConfig } from "@cdktf/provider-aws/lib/autoscaling-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener, type LbListenerConfig } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { SecurityGroupEgress, SecurityGroupIngress } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { WafregionalWebAclAssociation } from "@cdktf/provider-aws/lib/wafregional-web-acl-association";
import type { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { Fn, type TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import type { Rule } from "../../modules/policy";
import { computeRules } from "../../modules/policy/rules/compute";
import { ecsRules } from "../../modules/policy/rules/ecs";
import { loadBalancingRules } from "../../modules/policy/rules/load-balancing";
import { networkRules } from "../../modules/policy/rules/network";
import {
  arn,
  backendContainer,
  type Build,
  ec2Instance,
  evaluateFixture,
  findRule,
  HTTPS_FROM_INTERNET,
  httpsFromInternetRule,
  httpsListener,
  launchConfiguration,
  launchTemplate,
  literalPolicy,
  loadBalancer,
  managedRuleGroup,
  mixedInstances,
  PEER_SG,
  RATE_LIMIT,
  ruleKey,
  ruleTypesIn,
  securityGroup,
  SUBNETS,
  TARGET_GROUP_ARN,
  taskDefinition,
  templateGroup,
  VPC_ID,
  webAcl,
} from "./policy-fixtures";

/**
 * Every rule of the network, load-balancing, ECS and compute packs against a
 * small fixture that complies and one that breaks it. Each fixture is a real
 * stack of provider resources, evaluated with only the rule under test. A public
 * ID (CKV_AWS_*, CKV2_AWS_*, AWS-0036) means its public check; where a rule departs
 * from that check on purpose (its `note`), a row marked `departure` proves it.
 */

const RULES: readonly Rule[] = [...networkRules, ...loadBalancingRules, ...ecsRules, ...computeRules];

const ruleById = (id: string): Rule => findRule(RULES, id, "the network/load-balancing/ECS/compute packs");

/** Adds resources that break the rule; returns the resource(s) the rule must flag. */
type BreakingFixture = (stack: TerraformStack) => IConstruct | IConstruct[];

interface Case {
  /** The ID of the rule under test. */
  readonly rule: string;
  /** Requirement (docs/requirements.md) the rule proves, when it really does. */
  readonly req?: string;
  /** Which shape of the rule this row exercises, when a rule has several rows. */
  readonly variant?: string;
  /** Where the rule departs from its public check on purpose (its `note`): what this row proves. */
  readonly departure?: string;
  /** Adds resources that comply with the rule. */
  readonly pass: Build;
  /** The rule fails every resource of its types, so the compliant fixture holds none of them. */
  readonly passHoldsNoSubject?: boolean;
  readonly fail: BreakingFixture;
  /** A fragment of what the failing fixture must be reported for. */
  readonly found: string;
}

// --- Fixture pieces of this file (the shared ones are in policy-fixtures.ts) ---

const vpc = (stack: TerraformStack, id = "vpc") =>
  new Vpc(stack, id, { cidrBlock: "10.0.0.0/16", enableDnsSupport: true, enableDnsHostnames: true });

const flowLog = (stack: TerraformStack, target: Vpc) =>
  new FlowLog(stack, `${target.node.id}-flow-log`, {
    vpcId: target.id,
    trafficType: "ALL",
    logDestinationType: "s3",
    logDestination: "arn:aws:s3:::ecg-flow-logs",
  });

const INTERNET = ["0.0.0.0/0"];
const VPC_CIDR = ["10.0.0.0/16"];

/** An inline rule (ingress or egress) on `protocol` from `fromPort` to `toPort`, with `extra` (its peers). */
const inline = (
  protocol: string,
  fromPort: number,
  toPort: number,
  extra: SecurityGroupIngress = {},
): SecurityGroupIngress & SecurityGroupEgress => ({
  description: `${protocol} ${fromPort}-${toPort}`,
  protocol,
  fromPort,
  toPort,
  ...extra,
});

/** An inline rule with the internet (IPv4) as its peer. */
const internet = (protocol: string, fromPort: number, toPort: number) => inline(protocol, fromPort, toPort, { cidrBlocks: INTERNET });

/** A described group with these inline ingress rules (id `sg` unless given). */
const ingressGroup = (stack: TerraformStack, ingress: SecurityGroupIngress[], id = "sg") => securityGroup(stack, { ingress }, id);
/** A described group with these inline egress rules. */
const egressGroup = (stack: TerraformStack, egress: SecurityGroupEgress[], id = "sg") => securityGroup(stack, { egress }, id);

/** An aws_security_group_rule of `type` on a described group. */
const sgRule = (
  stack: TerraformStack,
  id: string,
  type: "ingress" | "egress",
  protocol: string,
  fromPort: number,
  toPort: number,
  peers: { cidrBlocks?: string[]; ipv6CidrBlocks?: string[]; sourceSecurityGroupId?: string },
  /** null: no description. */
  description: string | null = `${type} ${protocol} ${fromPort}-${toPort}`,
) =>
  new SecurityGroupRule(stack, id, {
    type,
    securityGroupId: securityGroup(stack, {}, `${id}-sg`).id,
    protocol,
    fromPort,
    toPort,
    ...peers,
    description: description ?? undefined,
  });

const HTTPS_OUT = { description: "HTTPS to AWS APIs", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: INTERNET };

const httpRedirectListener = (stack: TerraformStack, lb: Lb, redirect: { protocol?: string; port?: string } = {}, port = 80) =>
  new LbListener(stack, `http-${port}`, {
    loadBalancerArn: lb.arn,
    port,
    protocol: "HTTP",
    defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301", ...redirect } }],
  });

/** A listener of `lb` that serves plain HTTP (forwards to the backend). */
const httpForwardListener = (stack: TerraformStack, lb: Lb, config: Partial<LbListenerConfig> = {}, id = "http") =>
  new LbListener(stack, id, {
    loadBalancerArn: lb.arn,
    port: 80,
    protocol: "HTTP",
    defaultAction: [{ type: "forward", targetGroupArn: TARGET_GROUP_ARN }],
    ...config,
  });

/** Load balancers other than application ones, internet-facing (the ALB-only attributes unset). */
const nonApplication = (stack: TerraformStack, type: "network" | "gateway", id = type) =>
  loadBalancer(stack, { loadBalancerType: type, securityGroups: undefined, dropInvalidHeaderFields: undefined }, id);

/** The Backend API target group, without a health check. */
const TARGET_GROUP = { name: "backend-api", port: 8000, protocol: "HTTP", targetType: "ip", vpcId: VPC_ID };

const associate = (stack: TerraformStack, lb: Lb, acl: Wafv2WebAcl) =>
  new Wafv2WebAclAssociation(stack, `${lb.node.id}-waf`, { resourceArn: lb.arn, webAclArn: acl.arn });

/** The known-bad-inputs rule group with `group` merged into its statement. */
const badInputs = (stack: TerraformStack, group: Record<string, unknown>) =>
  webAcl(stack, {
    rule: [
      RATE_LIMIT,
      {
        ...managedRuleGroup("AWSManagedRulesKnownBadInputsRuleSet", 1),
        statement: { managed_rule_group_statement: { name: "AWSManagedRulesKnownBadInputsRuleSet", vendor_name: "AWS", ...group } },
      },
    ],
  });

const taskRole = (stack: TerraformStack, id: string) =>
  new IamRole(stack, id, {
    name: id,
    assumeRolePolicy: literalPolicy({ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }),
  });

/** The same containers, built with Terraform's jsonencode(): the rules cannot read them. */
const jsonencoded = (containers: unknown[]) => Fn.jsonencode(containers);

/** The row of every rule that reads container_definitions: it cannot when they are built with jsonencode(). */
const JSONENCODED_CONTAINERS: Omit<Case, "rule"> = {
  variant: "container_definitions built with jsonencode()",
  pass: (stack) => taskDefinition(stack, [backendContainer()]),
  fail: (stack) => taskDefinition(stack, jsonencoded([backendContainer()])),
  found: "cannot be inspected: container_definitions is not literal JSON",
};

/** A container the hardening rules pass: non-root, read-only, from the program's own registry. */
const HARDENED = {
  user: "1000:1000",
  readonlyRootFilesystem: true,
  image: "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/ecg-backend-api:latest",
};
const hardenedJsonencoded: Omit<Case, "rule"> = {
  ...JSONENCODED_CONTAINERS,
  pass: (stack) => taskDefinition(stack, [backendContainer(HARDENED)]),
};

/** A task definition whose Backend API container has these plain environment variables. */
const withEnvironment = (stack: TerraformStack, environment: { name: string; value: string }[]) =>
  taskDefinition(stack, [backendContainer({ environment })]);

const ecsService = (stack: TerraformStack, assignPublicIp: boolean) =>
  new EcsService(stack, "service", {
    name: "backend-api",
    cluster: arn("ecs", "cluster/ecg"),
    taskDefinition: arn("ecs", "task-definition/backend-api:1"),
    launchType: "FARGATE",
    desiredCount: 2,
    networkConfiguration: { subnets: SUBNETS, securityGroups: [PEER_SG], assignPublicIp },
  });

const subnets = (stack: TerraformStack) =>
  (["a", "c"] as const).map(
    (az, i) =>
      new Subnet(stack, `gpu-${az}`, { vpcId: VPC_ID, cidrBlock: `10.0.${3 + 27 * i}.0/24`, availabilityZone: `ap-northeast-2${az}` }),
  );

/** Spot above an On-Demand base of one, over the given instance types. */
const spotPolicy = (template: LaunchTemplate, instanceTypes: string[], onDemandPercentageAboveBaseCapacity = 0) =>
  mixedInstances(
    template,
    instanceTypes.map((instanceType) => ({ instanceType })),
    onDemandPercentageAboveBaseCapacity,
  );

/** A compliant GPU group: two AZs, diversified Spot, capacity rebalancing. */
const autoscalingGroup = (stack: TerraformStack, config: (template: LaunchTemplate) => Partial<AutoscalingGroupConfig> = () => ({})) => {
  const template = launchTemplate(stack);
  return new AutoscalingGroup(stack, "asg", {
    name: "gpu-render",
    minSize: 2,
    maxSize: 8,
    vpcZoneIdentifier: subnets(stack).map((s) => s.id),
    capacityRebalance: true,
    mixedInstancesPolicy: spotPolicy(template, ["g4dn.2xlarge", "g4dn.4xlarge"]),
    ...config(template),
  });
};

/** An unencrypted data volume. */
const PLAIN_VOLUME = { deviceName: "/dev/xvdb", volumeSize: 500, volumeType: "gp3" };

/**
 * CKV_AWS_24/25/260's departure: a self = true rule or a prefix list beside 0.0.0.0/0
 * does not excuse an open `port`; a VPC rule whose only source is a group opens nothing to the internet.
 */
const selfOrPrefixList = (rule: string, port: number): Case => ({
  rule,
  req: "NET-4",
  departure: "a self = true rule or a prefix list beside 0.0.0.0/0 does not excuse it; a group as the only source passes",
  pass: (stack) => {
    const group = ingressGroup(stack, [HTTPS_FROM_INTERNET, inline("tcp", port, port, { selfAttribute: true })]);
    new VpcSecurityGroupIngressRule(stack, "from-peer", {
      securityGroupId: group.id,
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      referencedSecurityGroupId: PEER_SG,
      description: "from the peer group only",
    });
    return group;
  },
  fail: (stack) => [
    ingressGroup(stack, [inline("tcp", port, port, { selfAttribute: true }), internet("tcp", port, port)], "with-self"),
    ingressGroup(stack, [inline("tcp", port, port, { prefixListIds: ["pl-0123456789abcdef0"], cidrBlocks: INTERNET })], "with-prefix-list"),
  ],
  found: `ingress from the internet to port ${port}`,
});

// --- The table ----------------------------------------------------------------

const CASES: Case[] = [
  // modules/policy/rules/network.ts
  {
    rule: "ECG_VPC_ENDPOINT_POLICY",
    pass: (stack) => {
      const v = vpc(stack);
      new VpcEndpoint(stack, "ecr", { vpcId: v.id, serviceName: "com.amazonaws.${data.aws_region.r.name}.ecr.api", policy: "{}" });
      // ECS takes no endpoint policy: its endpoint is not asked for one.
      new VpcEndpoint(stack, "ecs", { vpcId: v.id, serviceName: "com.amazonaws.ap-northeast-2.ecs" });
    },
    fail: (stack) => new VpcEndpoint(stack, "s3", { vpcId: vpc(stack).id, serviceName: "com.amazonaws.ap-northeast-2.s3" }),
    found: "the s3 endpoint has the default full-access policy",
  },
  {
    rule: "CKV2_AWS_11",
    req: "NET-6",
    pass: (stack) => flowLog(stack, vpc(stack)),
    fail: (stack) => vpc(stack),
    found: "no aws_flow_log for this VPC",
  },
  {
    rule: "CKV2_AWS_11",
    req: "NET-6",
    variant: "a flow log of another VPC does not count",
    pass: (stack) => {
      for (const v of [vpc(stack, "a"), vpc(stack, "b")]) flowLog(stack, v);
    },
    fail: (stack) => {
      flowLog(stack, vpc(stack, "a"));
      return vpc(stack, "b");
    },
    found: "no aws_flow_log for this VPC",
  },
  {
    rule: "CKV2_AWS_12",
    req: "NET-4",
    variant: "default security group not managed",
    pass: (stack) => new DefaultSecurityGroup(stack, "default-sg", { vpcId: vpc(stack).id }),
    fail: (stack) => vpc(stack),
    found: "the default security group is not managed",
  },
  {
    rule: "CKV2_AWS_12",
    req: "NET-4",
    variant: "default security group with rules",
    pass: (stack) => new DefaultSecurityGroup(stack, "default-sg", { vpcId: vpc(stack).id, ingress: [], egress: [] }),
    fail: (stack) => {
      const v = vpc(stack);
      new DefaultSecurityGroup(stack, "default-sg", {
        vpcId: v.id,
        ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, selfAttribute: true }],
      });
      return v;
    },
    found: "the default security group has rules",
  },
  {
    rule: "CKV2_AWS_12",
    req: "NET-4",
    departure: "a rule resource attached through the VPC's default_security_group_id counts",
    pass: (stack) => {
      const v = vpc(stack);
      new DefaultSecurityGroup(stack, "default-sg", { vpcId: v.id, ingress: [], egress: [] });
      httpsFromInternetRule(stack, securityGroup(stack));
    },
    fail: (stack) => {
      const v = vpc(stack);
      new DefaultSecurityGroup(stack, "default-sg", { vpcId: v.id, ingress: [], egress: [] });
      new VpcSecurityGroupIngressRule(stack, "into-default", {
        securityGroupId: v.defaultSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "10.0.0.0/16",
        description: "HTTPS within the VPC",
      });
      return v;
    },
    found: "rules attached to the default security group",
  },
  {
    rule: "CKV_AWS_23",
    variant: "a group with its own description passes whatever its rules say",
    pass: (stack) => securityGroup(stack, { ingress: [{ ...HTTPS_FROM_INTERNET, description: undefined }], egress: [HTTPS_OUT] }),
    fail: (stack) => securityGroup(stack, { description: undefined, ingress: [{ ...HTTPS_FROM_INTERNET, description: undefined }] }),
    found: "the group has no description of its own, and 1 rule(s) have none either",
  },
  {
    rule: "CKV_AWS_23",
    variant: "a group without a description needs every inline rule described",
    pass: (stack) =>
      securityGroup(stack, { description: undefined, ingress: [HTTPS_FROM_INTERNET], egress: [HTTPS_OUT] }, "undescribed-group"),
    fail: (stack) =>
      securityGroup(stack, {
        description: undefined,
        ingress: [HTTPS_FROM_INTERNET, { ...HTTPS_FROM_INTERNET, description: " " }],
        egress: [HTTPS_OUT],
      }),
    found: "1 rule(s) have none either",
  },
  {
    rule: "CKV_AWS_23",
    departure: 'an aws_security_group_rule needs its own description, and "Managed by Terraform" is none',
    pass: (stack) => {
      // VPC rule resources are not CKV_AWS_23's (ECG_SG_DESCRIPTIONS checks them).
      const sg = securityGroup(stack);
      new VpcSecurityGroupIngressRule(stack, "from-gpu", {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: 6379,
        toPort: 6379,
        referencedSecurityGroupId: PEER_SG,
      });
      sgRule(stack, "from-alb", "ingress", "tcp", 8000, 8000, { sourceSecurityGroupId: PEER_SG }, "ALB to Backend API");
    },
    fail: (stack) => [
      sgRule(stack, "from-alb", "ingress", "tcp", 8000, 8000, { sourceSecurityGroupId: PEER_SG }, null),
      securityGroup(
        stack,
        { description: "Managed by Terraform", ingress: [{ ...HTTPS_FROM_INTERNET, description: undefined }] },
        "default-text",
      ),
    ],
    found: "no description",
  },
  {
    rule: "ECG_SG_DESCRIPTIONS",
    req: "NET-4",
    variant: "the group itself",
    pass: (stack) => securityGroup(stack, { ingress: [HTTPS_FROM_INTERNET], egress: [HTTPS_OUT] }),
    fail: (stack) => [
      securityGroup(stack, { description: undefined, ingress: [HTTPS_FROM_INTERNET] }),
      securityGroup(stack, { description: "Managed by Terraform" }, "default-text"),
    ],
    found: "the security group has no description of its own",
  },
  {
    rule: "ECG_SG_DESCRIPTIONS",
    req: "NET-4",
    variant: "an inline rule of a described group",
    pass: (stack) => securityGroup(stack, { ingress: [HTTPS_FROM_INTERNET] }),
    fail: (stack) =>
      securityGroup(stack, { ingress: [HTTPS_FROM_INTERNET, { ...HTTPS_FROM_INTERNET, description: " " }], egress: [HTTPS_OUT] }),
    found: "1 rule(s) without a description",
  },
  {
    rule: "ECG_SG_DESCRIPTIONS",
    req: "NET-4",
    variant: "rule resources",
    pass: (stack) => {
      const sg = securityGroup(stack);
      new SecurityGroupRule(stack, "from-alb", {
        type: "ingress",
        securityGroupId: sg.id,
        protocol: "tcp",
        fromPort: 8000,
        toPort: 8000,
        sourceSecurityGroupId: PEER_SG,
        description: "ALB to Backend API",
      });
      new VpcSecurityGroupIngressRule(stack, "from-gpu", {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: 6379,
        toPort: 6379,
        referencedSecurityGroupId: PEER_SG,
        description: "GPU Render to Redis",
      });
      new VpcSecurityGroupEgressRule(stack, "to-rds", {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        referencedSecurityGroupId: PEER_SG,
        description: "Backend API to PostgreSQL",
      });
    },
    fail: (stack) => {
      const sg = securityGroup(stack);
      new VpcSecurityGroupIngressRule(stack, "from-gpu", {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: 6379,
        toPort: 6379,
        referencedSecurityGroupId: PEER_SG,
        description: "GPU Render to Redis",
      });
      return [
        new SecurityGroupRule(stack, "from-alb", {
          type: "ingress",
          securityGroupId: sg.id,
          protocol: "tcp",
          fromPort: 8000,
          toPort: 8000,
          sourceSecurityGroupId: PEER_SG,
        }),
        new VpcSecurityGroupEgressRule(stack, "to-rds", {
          securityGroupId: sg.id,
          ipProtocol: "tcp",
          fromPort: 5432,
          toPort: 5432,
          referencedSecurityGroupId: PEER_SG,
        }),
      ];
    },
    found: "1 rule(s) without a description",
  },
  {
    rule: "CKV_AWS_24",
    req: "NET-4",
    variant: "inline rules",
    pass: (stack) =>
      securityGroup(stack, {
        ingress: [
          HTTPS_FROM_INTERNET,
          inline("tcp", 22, 22, { securityGroups: [PEER_SG] }),
          inline("tcp", 22, 22, { cidrBlocks: VPC_CIDR }),
        ],
        egress: [internet("tcp", 22, 22)],
      }),
    fail: (stack) => ingressGroup(stack, [HTTPS_FROM_INTERNET, internet("tcp", 22, 22)]),
    found: "ingress from the internet to port 22 (tcp 22-22)",
  },
  {
    rule: "CKV_AWS_24",
    req: "NET-4",
    variant: "rule resources, any protocol, ranges and ports 0-0",
    pass: (stack) => {
      httpsFromInternetRule(stack, securityGroup(stack));
      sgRule(stack, "vpc-ssh", "ingress", "tcp", 22, 22, { cidrBlocks: VPC_CIDR });
      sgRule(stack, "high", "ingress", "tcp", 1024, 65535, { cidrBlocks: INTERNET });
    },
    fail: (stack) => [
      new VpcSecurityGroupIngressRule(stack, "all-v6", {
        securityGroupId: securityGroup(stack).id,
        ipProtocol: "-1",
        cidrIpv6: "::/0",
        description: "everything over IPv6",
      }),
      sgRule(stack, "low-udp", "ingress", "udp", 0, 1023, { cidrBlocks: INTERNET }),
      sgRule(stack, "zero", "ingress", "tcp", 0, 0, { ipv6CidrBlocks: ["::/0"] }),
    ],
    found: "ingress from the internet to port 22",
  },
  {
    rule: "CKV_AWS_24",
    req: "NET-4",
    variant: "protocol -1 opens port 22 whatever its ports say",
    pass: (stack) => ingressGroup(stack, [internet("tcp", 8000, 8000)]),
    fail: (stack) => ingressGroup(stack, [internet("-1", 8000, 8000)]),
    found: "ingress from the internet to port 22 (all traffic)",
  },
  {
    rule: "CKV_AWS_24",
    req: "NET-4",
    variant: "TCP ports -1 to -1 are every port",
    pass: (stack) => ingressGroup(stack, [internet("tcp", 23, 23)]),
    fail: (stack) => ingressGroup(stack, [internet("tcp", -1, -1)]),
    found: "ingress from the internet to port 22 (tcp -1--1)",
  },
  selfOrPrefixList("CKV_AWS_24", 22),
  {
    rule: "CKV_AWS_24",
    req: "NET-4",
    variant: "a CIDR template with a literal prefix length stands as itself; any other expression cannot be inspected",
    pass: (stack) => {
      const bastion = new Eip(stack, "bastion", { domain: "vpc" });
      ingressGroup(stack, [inline("tcp", 22, 22, { cidrBlocks: [`${bastion.publicIp}/32`] })]);
    },
    fail: (stack) => ingressGroup(stack, [inline("tcp", 22, 22, { cidrBlocks: [vpc(stack).cidrBlock] })]),
    found: 'cannot be inspected: "cidr_blocks" holds "${aws_vpc.vpc.cidr_block}"',
  },
  {
    rule: "CKV_AWS_25",
    req: "NET-4",
    pass: (stack) => ingressGroup(stack, [HTTPS_FROM_INTERNET, inline("tcp", 3389, 3389, { cidrBlocks: VPC_CIDR })]),
    fail: (stack) => [
      ingressGroup(stack, [inline("tcp", 3389, 3389, { ipv6CidrBlocks: ["::/0"] })]),
      sgRule(stack, "rdp-udp", "ingress", "udp", 3389, 3389, { cidrBlocks: INTERNET }),
    ],
    found: "ingress from the internet to port 3389",
  },
  selfOrPrefixList("CKV_AWS_25", 3389),
  {
    rule: "CKV_AWS_260",
    req: "NET-4",
    pass: (stack) => ingressGroup(stack, [HTTPS_FROM_INTERNET, inline("tcp", 80, 80, { cidrBlocks: VPC_CIDR })]),
    fail: (stack) => [
      ingressGroup(stack, [internet("tcp", 80, 80)]),
      sgRule(stack, "web", "ingress", "tcp", 0, 1024, { cidrBlocks: INTERNET }),
    ],
    found: "ingress from the internet to port 80",
  },
  selfOrPrefixList("CKV_AWS_260", 80),
  {
    rule: "CKV_AWS_277",
    req: "NET-4",
    variant: "every TCP port (0-65535) is not all traffic",
    // ECG_SG_INTERNET_HTTPS_ONLY is the rule that fails the full TCP range.
    pass: (stack) => ingressGroup(stack, [HTTPS_FROM_INTERNET, internet("tcp", 0, 65535), inline("-1", 0, 0, { cidrBlocks: VPC_CIDR })]),
    fail: (stack) => ingressGroup(stack, [internet("-1", 0, 0)]),
    found: "ingress from the internet on all traffic",
  },
  {
    rule: "CKV_AWS_277",
    req: "NET-4",
    departure: "protocol -1 is all traffic whatever the ports say",
    pass: (stack) => ingressGroup(stack, [internet("tcp", 8000, 8000)]),
    fail: (stack) => [
      ingressGroup(stack, [internet("-1", 8000, 8000)]),
      sgRule(stack, "all-443", "ingress", "-1", 443, 443, { cidrBlocks: INTERNET }),
    ],
    found: "ingress from the internet on all traffic",
  },
  {
    rule: "CKV_AWS_277",
    req: "NET-4",
    variant: "TCP ports -1 to -1 are every port",
    pass: (stack) => ingressGroup(stack, [internet("tcp", 1, 65535)]),
    fail: (stack) => ingressGroup(stack, [internet("tcp", -1, -1)]),
    found: "ingress from the internet on tcp -1--1",
  },
  {
    rule: "CKV_AWS_277",
    req: "NET-4",
    departure: 'protocol "all" is -1',
    pass: (stack) => ingressGroup(stack, [inline("all", 0, 0, { cidrBlocks: VPC_CIDR })]),
    fail: (stack) => [
      ingressGroup(stack, [inline("all", 0, 0, { ipv6CidrBlocks: ["::/0"] })]),
      sgRule(stack, "all", "ingress", "ALL", 0, 0, { cidrBlocks: INTERNET }),
    ],
    found: "ingress from the internet on all traffic",
  },
  {
    rule: "CKV_AWS_277",
    req: "NET-4",
    departure: 'a VPC ingress rule with ip_protocol "-1" (and no ports) counts',
    pass: (stack) =>
      new VpcSecurityGroupIngressRule(stack, "from-peer", {
        securityGroupId: securityGroup(stack).id,
        ipProtocol: "-1",
        referencedSecurityGroupId: PEER_SG,
        description: "everything from a peer group",
      }),
    fail: (stack) =>
      new VpcSecurityGroupIngressRule(stack, "all-v4", {
        securityGroupId: securityGroup(stack).id,
        ipProtocol: "-1",
        cidrIpv4: "0.0.0.0/0",
        description: "everything from the internet",
      }),
    found: "ingress from the internet on all traffic",
  },
  {
    rule: "CKV_AWS_277",
    req: "NET-4",
    variant: "a self = true rule beside 0.0.0.0/0 does not excuse it",
    pass: (stack) => ingressGroup(stack, [inline("-1", 0, 0, { selfAttribute: true })]),
    fail: (stack) => ingressGroup(stack, [inline("-1", 0, 0, { selfAttribute: true }), internet("-1", 0, 0)]),
    found: "ingress from the internet on all traffic",
  },
  {
    rule: "ECG_SG_INTERNET_HTTPS_ONLY",
    req: "NET-4",
    variant: "inline rules",
    pass: (stack) =>
      securityGroup(stack, {
        ingress: [
          HTTPS_FROM_INTERNET,
          inline("tcp", 8000, 8000, { securityGroups: [PEER_SG] }),
          inline("udp", 53, 53, { cidrBlocks: VPC_CIDR }),
        ],
        egress: [internet("tcp", 0, 65535)],
      }),
    fail: (stack) => ingressGroup(stack, [HTTPS_FROM_INTERNET, internet("tcp", 8443, 8443)]),
    found: "ingress from the internet on tcp 8443-8443",
  },
  {
    rule: "ECG_SG_INTERNET_HTTPS_ONLY",
    req: "NET-4",
    variant: "rule resources, TCP spelled 6, other protocols and ranges",
    pass: (stack) => {
      httpsFromInternetRule(stack, securityGroup(stack), "6");
      sgRule(stack, "https-v6", "ingress", "TCP", 443, 443, { ipv6CidrBlocks: ["::/0"] });
    },
    fail: (stack) => [
      new VpcSecurityGroupIngressRule(stack, "dns", {
        securityGroupId: securityGroup(stack).id,
        ipProtocol: "udp",
        fromPort: 53,
        toPort: 53,
        cidrIpv4: "0.0.0.0/0",
        description: "DNS from the internet",
      }),
      sgRule(stack, "every-tcp", "ingress", "tcp", 0, 65535, { ipv6CidrBlocks: ["::/0"] }),
    ],
    found: "ingress from the internet on",
  },
  {
    rule: "CKV_AWS_382",
    req: "NET-4",
    variant: "inline rules; every TCP port (0-65535) is not all traffic",
    // ECG_SG_OPEN_EGRESS is the rule that fails the full TCP range.
    pass: (stack) => egressGroup(stack, [HTTPS_OUT, inline("tcp", 5432, 5432, { securityGroups: [PEER_SG] }), internet("tcp", 0, 65535)]),
    fail: (stack) => egressGroup(stack, [internet("-1", 0, 0)]),
    found: "egress to the internet on all traffic",
  },
  {
    rule: "CKV_AWS_382",
    req: "NET-4",
    departure: 'a VPC egress rule with ip_protocol "-1", and protocol "all", count',
    pass: (stack) => {
      const sg = securityGroup(stack);
      new VpcSecurityGroupEgressRule(stack, "to-peer", {
        securityGroupId: sg.id,
        ipProtocol: "-1",
        referencedSecurityGroupId: PEER_SG,
        description: "all to a peer group",
      });
      sgRule(stack, "to-vpc", "egress", "-1", 0, 0, { cidrBlocks: VPC_CIDR });
      sgRule(stack, "all-in", "ingress", "-1", 0, 0, { cidrBlocks: INTERNET }, "ingress is not egress");
    },
    fail: (stack) => [
      new VpcSecurityGroupEgressRule(stack, "all-v4", {
        securityGroupId: securityGroup(stack).id,
        ipProtocol: "-1",
        cidrIpv4: "0.0.0.0/0",
        description: "allow all",
      }),
      sgRule(stack, "all-v6", "egress", "all", 0, 0, { ipv6CidrBlocks: ["::/0"] }),
    ],
    found: "egress to the internet on all traffic",
  },
  {
    rule: "CKV_AWS_382",
    req: "NET-4",
    departure: "protocol -1 is all traffic whatever the ports say",
    pass: (stack) => egressGroup(stack, [internet("tcp", 443, 443)]),
    fail: (stack) => egressGroup(stack, [internet("-1", 443, 443)]),
    found: "egress to the internet on all traffic",
  },
  {
    rule: "CKV_AWS_382",
    req: "NET-4",
    variant: "TCP ports -1 to -1 are every port",
    pass: (stack) => egressGroup(stack, [inline("tcp", -1, -1, { cidrBlocks: VPC_CIDR })]),
    fail: (stack) => egressGroup(stack, [internet("tcp", -1, -1)]),
    found: "egress to the internet on all traffic",
  },
  {
    rule: "ECG_SG_OPEN_EGRESS",
    req: "NET-4",
    variant: "inline rules",
    pass: (stack) =>
      securityGroup(stack, {
        ingress: [internet("tcp", 0, 65535)],
        egress: [HTTPS_OUT, inline("tcp", 0, 65535, { securityGroups: [PEER_SG] }), inline("tcp", 0, 65535, { cidrBlocks: VPC_CIDR })],
      }),
    fail: (stack) => egressGroup(stack, [HTTPS_OUT, internet("tcp", 0, 65535)]),
    found: "egress to the internet on every port",
  },
  {
    rule: "ECG_SG_OPEN_EGRESS",
    req: "NET-4",
    variant: "rule resources",
    pass: (stack) => sgRule(stack, "to-vpc", "egress", "udp", 0, 65535, { cidrBlocks: VPC_CIDR }),
    fail: (stack) => [
      new VpcSecurityGroupEgressRule(stack, "all-v4", {
        securityGroupId: securityGroup(stack).id,
        ipProtocol: "-1",
        cidrIpv4: "0.0.0.0/0",
        description: "allow all",
      }),
      sgRule(stack, "every-udp", "egress", "udp", 0, 65535, { ipv6CidrBlocks: ["::/0"] }),
    ],
    found: "egress to the internet on every port",
  },

  // modules/policy/rules/load-balancing.ts
  {
    rule: "CKV_AWS_2",
    req: "SEC-4",
    pass: (stack) => {
      const lb = loadBalancer(stack);
      httpsListener(stack, lb);
      httpRedirectListener(stack, lb);
    },
    fail: (stack) => httpForwardListener(stack, loadBalancer(stack)),
    found: "an HTTP listener that serves traffic",
  },
  {
    rule: "CKV_AWS_2",
    req: "SEC-4",
    departure:
      "a redirect that does not name protocol HTTPS keeps HTTP and fails; a Gateway Load Balancer listener has no protocol and passes",
    pass: (stack) => {
      httpsListener(stack, loadBalancer(stack));
      new LbListener(stack, "geneve", {
        loadBalancerArn: nonApplication(stack, "gateway").arn,
        defaultAction: [{ type: "forward", targetGroupArn: TARGET_GROUP_ARN }],
      });
    },
    fail: (stack) =>
      new AlbListener(stack, "http", {
        loadBalancerArn: loadBalancer(stack).arn,
        port: 80,
        defaultAction: [{ type: "redirect", redirect: { port: "8080", statusCode: "HTTP_302" } }],
      }),
    found: "an HTTP listener that serves traffic",
  },
  {
    rule: "CKV2_AWS_20",
    req: "SEC-4",
    variant: "reported on the aws_lb",
    pass: (stack) => {
      const lb = loadBalancer(stack);
      httpsListener(stack, lb);
      httpRedirectListener(stack, lb);
      loadBalancer(stack, {}, "no-listeners");
    },
    fail: (stack) => {
      const lb = loadBalancer(stack);
      httpsListener(stack, lb);
      httpForwardListener(stack, lb);
      return lb;
    },
    found: "listeners that neither serve HTTPS nor redirect port 80 to HTTPS 443: aws_lb_listener.http",
  },
  {
    rule: "CKV2_AWS_20",
    req: "SEC-4",
    variant: "the redirect must be port 80 to HTTPS 443",
    pass: (stack) => httpRedirectListener(stack, loadBalancer(stack), { port: "443" }),
    fail: (stack) => {
      const other = loadBalancer(stack, {}, "other-port");
      httpRedirectListener(stack, other, {}, 8080);
      const unnamed = loadBalancer(stack, {}, "unnamed-port");
      httpRedirectListener(stack, unnamed, { port: "8443" });
      const https80 = loadBalancer(stack, {}, "https-80");
      httpsListener(stack, https80, { port: 80 });
      return [other, unnamed, https80];
    },
    found: "listeners that neither serve HTTPS nor redirect port 80 to HTTPS 443",
  },
  {
    rule: "CKV2_AWS_20",
    req: "SEC-4",
    departure: "only application load balancers (an NLB's TCP listener on 80 passes)",
    pass: (stack) =>
      new LbListener(stack, "tcp-80", {
        loadBalancerArn: nonApplication(stack, "network").arn,
        port: 80,
        protocol: "TCP",
        defaultAction: [{ type: "forward", targetGroupArn: TARGET_GROUP_ARN }],
      }),
    fail: (stack) => {
      const lb = loadBalancer(stack);
      httpForwardListener(stack, lb);
      return lb;
    },
    found: "listeners that neither serve HTTPS nor redirect port 80 to HTTPS 443",
  },
  {
    rule: "CKV_AWS_103",
    req: "SEC-4",
    pass: (stack) => {
      const lb = loadBalancer(stack);
      httpsListener(stack, lb);
      httpsListener(stack, lb, { port: 8443, sslPolicy: "ELBSecurityPolicy-FS-1-2-Res-2020-10" }, "https-fs");
      httpRedirectListener(stack, lb);
    },
    fail: (stack) => httpsListener(stack, loadBalancer(stack), { sslPolicy: "ELBSecurityPolicy-2016-08" }),
    found: "ssl_policy ELBSecurityPolicy-2016-08 allows TLS below 1.2",
  },
  {
    rule: "CKV_AWS_103",
    req: "SEC-4",
    variant: "no ssl_policy",
    pass: (stack) => httpsListener(stack, loadBalancer(stack), { sslPolicy: "ELBSecurityPolicy-TLS-1-2-2017-01" }),
    fail: (stack) => httpsListener(stack, loadBalancer(stack), { sslPolicy: undefined }),
    found: "(default ELBSecurityPolicy-2016-08) allows TLS below 1.2",
  },
  {
    rule: "CKV_AWS_103",
    req: "SEC-4",
    departure: "TLS 1.3 policies pass, TLS13-1-0 and TLS13-1-1 (which allow TLS 1.0 and 1.1) fail",
    pass: (stack) => {
      const lb = loadBalancer(stack);
      const policies = [
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
      ];
      for (const [i, sslPolicy] of policies.entries()) httpsListener(stack, lb, { port: 443 + i, sslPolicy }, `https-${i}`);
    },
    fail: (stack) => {
      const lb = loadBalancer(stack);
      return [
        httpsListener(stack, lb, { sslPolicy: "ELBSecurityPolicy-TLS13-1-1-2021-06" }, "tls13-1-1"),
        httpsListener(stack, lb, { port: 8443, sslPolicy: "ELBSecurityPolicy-TLS13-1-0-2021-06" }, "tls13-1-0"),
      ];
    },
    found: "allows TLS below 1.2",
  },
  {
    rule: "CKV_AWS_103",
    req: "SEC-4",
    variant: "an HTTP listener must redirect to HTTPS; TCP and Gateway Load Balancer listeners pass",
    pass: (stack) => {
      httpRedirectListener(stack, loadBalancer(stack));
      new LbListener(stack, "tcp", {
        loadBalancerArn: nonApplication(stack, "network").arn,
        port: 5432,
        protocol: "TCP",
        defaultAction: [{ type: "forward", targetGroupArn: TARGET_GROUP_ARN }],
      });
      new LbListener(stack, "geneve", {
        loadBalancerArn: nonApplication(stack, "gateway").arn,
        defaultAction: [{ type: "forward", targetGroupArn: TARGET_GROUP_ARN }],
      });
    },
    fail: (stack) => httpForwardListener(stack, loadBalancer(stack)),
    found: "a HTTP listener that does not redirect to HTTPS",
  },
  {
    rule: "CKV_AWS_91",
    pass: (stack) => loadBalancer(stack),
    fail: (stack) => loadBalancer(stack, { accessLogs: undefined }),
    found: "access logs are off",
  },
  {
    rule: "CKV_AWS_91",
    variant: "a bucket without enabled = true",
    pass: (stack) =>
      new Alb(stack, "alb", { name: "ecg-alb", subnets: SUBNETS, accessLogs: { bucket: "ecg-alb-access-logs", enabled: true } }),
    fail: (stack) => [
      loadBalancer(stack, { accessLogs: { bucket: "ecg-alb-access-logs" } }),
      loadBalancer(stack, { accessLogs: { bucket: "ecg-alb-access-logs", enabled: false } }, "disabled"),
    ],
    found: "access logs are off",
  },
  {
    rule: "CKV_AWS_131",
    pass: (stack) => {
      loadBalancer(stack);
      nonApplication(stack, "network");
    },
    fail: (stack) => new Alb(stack, "alb", { name: "ecg-alb", subnets: SUBNETS }),
    found: "drop_invalid_header_fields is off",
  },
  {
    rule: "CKV_AWS_131",
    departure: "only application load balancers: a Gateway Load Balancer has no such attribute",
    pass: (stack) => nonApplication(stack, "gateway"),
    fail: (stack) => loadBalancer(stack, { dropInvalidHeaderFields: false }),
    found: "drop_invalid_header_fields is off",
  },
  {
    rule: "CKV_AWS_150",
    pass: (stack) => loadBalancer(stack),
    fail: (stack) => loadBalancer(stack, { enableDeletionProtection: false }),
    found: "enable_deletion_protection is off in production",
  },
  {
    rule: "CKV_AWS_261",
    pass: (stack) =>
      new LbTargetGroup(stack, "backend-api", { ...TARGET_GROUP, healthCheck: { path: "/health", matcher: "200", interval: 15 } }),
    fail: (stack) => new LbTargetGroup(stack, "backend-api", TARGET_GROUP),
    found: "no health_check with a path",
  },
  {
    rule: "CKV_AWS_261",
    variant: "aws_alb_target_group: the path counts, enabled does not",
    pass: (stack) => new AlbTargetGroup(stack, "backend-api", { ...TARGET_GROUP, healthCheck: { enabled: false, path: "/health" } }),
    fail: (stack) => new AlbTargetGroup(stack, "backend-api", { ...TARGET_GROUP, healthCheck: { enabled: true, matcher: "200" } }),
    found: "no health_check with a path",
  },
  {
    rule: "CKV_AWS_261",
    variant: "only HTTP and HTTPS target groups",
    pass: (stack) => {
      new LbTargetGroup(stack, "postgres", { name: "postgres", port: 5432, protocol: "TCP", targetType: "ip", vpcId: VPC_ID });
      new LbTargetGroup(stack, "lambda", { name: "lambda", targetType: "lambda" });
    },
    fail: (stack) => new LbTargetGroup(stack, "backend-api", { ...TARGET_GROUP, protocol: "HTTPS", port: 8443 }),
    found: "no health_check with a path",
  },
  {
    rule: "CKV2_AWS_28",
    req: "SEC-3",
    pass: (stack) => {
      associate(stack, loadBalancer(stack), webAcl(stack));
      loadBalancer(stack, { internal: true }, "internal");
    },
    fail: (stack) => loadBalancer(stack),
    found: "no WAF web ACL association for this internet-facing ALB",
  },
  {
    rule: "CKV2_AWS_28",
    req: "SEC-3",
    variant: "the web ACL protects another ALB",
    pass: (stack) => {
      const acl = webAcl(stack);
      associate(stack, loadBalancer(stack, {}, "a"), acl);
      associate(stack, loadBalancer(stack, {}, "b"), acl);
    },
    fail: (stack) => {
      associate(stack, loadBalancer(stack, {}, "a"), webAcl(stack));
      return loadBalancer(stack, {}, "b");
    },
    found: "no WAF web ACL association for this internet-facing ALB",
  },
  {
    rule: "CKV2_AWS_28",
    req: "SEC-3",
    variant: "a WAF Classic (wafregional) association counts",
    pass: (stack) => {
      const lb = loadBalancer(stack);
      new WafregionalWebAclAssociation(stack, "classic-waf", { resourceArn: lb.arn, webAclId: "0123abcd-0000-0000-0000-000000000000" });
    },
    fail: (stack) => loadBalancer(stack),
    found: "no WAF web ACL association for this internet-facing ALB",
  },
  {
    rule: "CKV2_AWS_28",
    req: "SEC-3",
    departure: "only application load balancers: WAF cannot attach to network or gateway load balancers",
    pass: (stack) => {
      nonApplication(stack, "network");
      nonApplication(stack, "gateway");
    },
    fail: (stack) => loadBalancer(stack, { loadBalancerType: undefined }),
    found: "no WAF web ACL association for this internet-facing ALB",
  },
  {
    rule: "CKV2_AWS_31",
    pass: (stack) => {
      const acl = webAcl(stack);
      new Wafv2WebAclLoggingConfiguration(stack, "waf-logging", {
        resourceArn: acl.arn,
        logDestinationConfigs: [arn("logs", "log-group:aws-waf-logs-ecg-alb")],
      });
    },
    fail: (stack) => webAcl(stack),
    found: "no logging configuration",
  },
  {
    rule: "CKV_AWS_192",
    pass: (stack) => webAcl(stack),
    fail: (stack) => webAcl(stack, { rule: [RATE_LIMIT, managedRuleGroup("AWSManagedRulesSQLiRuleSet", 1)] }),
    found: "AWSManagedRulesKnownBadInputsRuleSet is not used",
  },
  {
    rule: "CKV_AWS_192",
    departure: "Log4JRCE overridden to count by rule_action_override fails as excluded_rule does",
    pass: (stack) => badInputs(stack, { rule_action_override: [{ name: "Host_localhost_HEADER", action_to_use: { count: {} } }] }),
    fail: (stack) => badInputs(stack, { rule_action_override: [{ name: "Log4JRCE", action_to_use: { count: {} } }] }),
    found: "Log4JRCE of AWSManagedRulesKnownBadInputsRuleSet is excluded or overridden to count",
  },

  // modules/policy/rules/ecs.ts
  {
    rule: "CKV_AWS_65",
    req: "CMP-1",
    pass: (stack) => new EcsCluster(stack, "cluster", { name: "ecg", setting: [{ name: "containerInsights", value: "enabled" }] }),
    fail: (stack) => new EcsCluster(stack, "cluster", { name: "ecg" }),
    found: "containerInsights is not enabled",
  },
  {
    rule: "CKV_AWS_65",
    req: "CMP-1",
    variant: "enhanced vs disabled",
    pass: (stack) => new EcsCluster(stack, "cluster", { name: "ecg", setting: [{ name: "containerInsights", value: "enhanced" }] }),
    fail: (stack) => new EcsCluster(stack, "cluster", { name: "ecg", setting: [{ name: "containerInsights", value: "disabled" }] }),
    found: "containerInsights is not enabled",
  },
  {
    rule: "CKV_AWS_333",
    pass: (stack) => ecsService(stack, false),
    fail: (stack) => ecsService(stack, true),
    found: "assign_public_ip = true",
  },
  {
    rule: "CKV_AWS_334",
    departure: "ECS's key privileged is read (checkov reads a misspelled privilege)",
    pass: (stack) =>
      taskDefinition(stack, [
        backendContainer(),
        backendContainer({ name: "xray-daemon", image: "amazon/aws-xray-daemon", privileged: false }),
      ]),
    fail: (stack) => taskDefinition(stack, [backendContainer(), backendContainer({ name: "gpu-render", privileged: true })]),
    found: "privileged containers: gpu-render",
  },
  { rule: "CKV_AWS_334", ...JSONENCODED_CONTAINERS },
  {
    rule: "CKV_AWS_336",
    pass: (stack) => taskDefinition(stack, [backendContainer({ readonlyRootFilesystem: true })]),
    fail: (stack) =>
      taskDefinition(stack, [
        backendContainer({ readonlyRootFilesystem: true }),
        backendContainer({ name: "worker", readonlyRootFilesystem: false }),
      ]),
    found: "writable root filesystems: worker",
  },
  { rule: "CKV_AWS_336", ...hardenedJsonencoded },
  {
    rule: "ECG_ECS_NON_ROOT",
    pass: (stack) => taskDefinition(stack, [backendContainer({ user: "1000:1000" })]),
    fail: (stack) =>
      taskDefinition(stack, [
        backendContainer({ user: "1000" }),
        backendContainer({ name: "worker", user: "0:0" }),
        backendContainer({ name: "sidecar" }),
      ]),
    found: "root or the image's default user (no user): worker, sidecar",
  },
  { rule: "ECG_ECS_NON_ROOT", ...hardenedJsonencoded },
  {
    rule: "ECG_ECS_NON_ROOT",
    variant: "an init container may be root: not essential, the others waiting for its success",
    pass: (stack) =>
      taskDefinition(stack, [
        backendContainer({ user: "1000:1000", dependsOn: [{ containerName: "prepare", condition: "SUCCESS" }] }),
        backendContainer({ name: "prepare", user: "0", essential: false }),
      ]),
    fail: (stack) =>
      taskDefinition(stack, [backendContainer({ user: "1000:1000" }), backendContainer({ name: "prepare", user: "0", essential: false })]),
    found: "root or the image's default user (no user): prepare",
  },
  {
    rule: "ECG_PUBLIC_IMAGE_DIGEST",
    pass: (stack) =>
      taskDefinition(stack, [
        // The program's own repository by tag is not this rule's (the release pins it by digest).
        backendContainer({ image: "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/ecg-backend-api:latest" }),
        backendContainer({
          name: "xray",
          image: `123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/ecr-public/xray/aws-xray-daemon@sha256:${"a".repeat(64)}`,
        }),
        backendContainer({ name: "released", image: "${local.release_image}" }),
      ]),
    fail: (stack) =>
      taskDefinition(stack, [
        backendContainer({ image: "postgres:15-alpine" }),
        backendContainer({
          name: "cache",
          image:
            "${data.aws_caller_identity.c.account_id}.dkr.ecr.${data.aws_region.r.name}.amazonaws.com/ecr-public/xray/aws-xray-daemon:3.x",
        }),
        backendContainer({ name: "hub", image: "docker.io/library/redis:7" }),
        backendContainer({ name: "ok", image: `public.ecr.aws/xray/aws-xray-daemon@sha256:${"b".repeat(64)}` }),
      ]),
    found: "public images by tag: backend-api, cache, hub",
  },
  { rule: "ECG_PUBLIC_IMAGE_DIGEST", ...hardenedJsonencoded },
  {
    rule: "CKV_AWS_249",
    req: "SEC-1",
    pass: (stack) =>
      taskDefinition(stack, [backendContainer()], {
        executionRoleArn: taskRole(stack, "execution").arn,
        taskRoleArn: taskRole(stack, "task-role").arn,
      }),
    fail: (stack) => {
      const shared = taskRole(stack, "shared");
      return taskDefinition(stack, [backendContainer()], { executionRoleArn: shared.arn, taskRoleArn: shared.arn });
    },
    found: "task_role_arn equals execution_role_arn",
  },
  {
    rule: "AWS-0036",
    pass: (stack) =>
      taskDefinition(stack, [
        backendContainer({
          environment: [
            { name: "S3_BUCKET", value: "ecg-videos" },
            { name: "DATABASE_HOST", value: "db.internal" },
          ],
        }),
      ]),
    fail: (stack) =>
      taskDefinition(stack, [
        backendContainer({
          environment: [
            { name: "S3_BUCKET", value: "ecg-videos" },
            { name: "JWT_SECRET", value: "hunter2" },
          ],
        }),
        backendContainer({ name: "worker", environment: [{ name: "DB_PASSWORD", value: "hunter2" }] }),
      ]),
    found: "plain environment variables that look secret: JWT_SECRET, DB_PASSWORD",
  },
  {
    rule: "AWS-0036",
    variant: "a name containing a secret word, unless it starts with token_type or version",
    pass: (stack) =>
      withEnvironment(stack, [
        { name: "TOKEN_TYPE", value: "Bearer" },
        { name: "VERSION_TOKEN", value: "v2" },
        { name: "PASSWD_POLICY", value: "strict" },
      ]),
    fail: (stack) =>
      withEnvironment(stack, [
        { name: "GITHUB_TOKEN_PATH", value: "/run/token" },
        { name: "STRIPE_API_KEY_ID", value: "primary" },
        { name: "private_key_file", value: "/run/key.pem" },
      ]),
    found: "plain environment variables that look secret: GITHUB_TOKEN_PATH, STRIPE_API_KEY_ID, private_key_file",
  },
  {
    rule: "AWS-0036",
    variant: "a value that looks like a credential, whatever the name",
    pass: (stack) =>
      withEnvironment(stack, [
        { name: "AWS_REGION", value: "ap-northeast-2" },
        { name: "BUILD", value: "AKIA-build-7" },
      ]),
    fail: (stack) =>
      withEnvironment(stack, [
        { name: "UPSTREAM_ID", value: "AKIAIOSFODNN7EXAMPLE" },
        { name: "SIGNING", value: "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----" },
        { name: "GH", value: `ghp_${"a1B2c3D4e5".repeat(3)}a1B2c3` },
        { name: "SLACK_HOOK", value: "xoxb-1234567890-abcdefghij" },
      ]),
    found: "plain environment variables that look secret: UPSTREAM_ID, SIGNING, GH, SLACK_HOOK",
  },
  { rule: "AWS-0036", ...JSONENCODED_CONTAINERS },

  // modules/policy/rules/compute.ts
  {
    rule: "CKV_AWS_79",
    req: "CMP-5",
    pass: (stack) => launchTemplate(stack),
    fail: (stack) => launchTemplate(stack, { metadataOptions: { httpEndpoint: "enabled", httpTokens: "optional" } }),
    found: "http_tokens is not required",
  },
  {
    rule: "CKV_AWS_79",
    req: "CMP-5",
    variant: "no metadata_options; the endpoint turned off",
    pass: (stack) => launchTemplate(stack, { metadataOptions: { httpEndpoint: "disabled" } }),
    fail: (stack) => launchTemplate(stack, { metadataOptions: undefined }),
    found: "no metadata_options: IMDSv1 stays available",
  },
  {
    rule: "CKV_AWS_79",
    variant: "aws_instance",
    pass: (stack) => {
      ec2Instance(stack);
      ec2Instance(stack, { metadataOptions: { httpEndpoint: "disabled", httpTokens: "optional" } }, "no-endpoint");
    },
    fail: (stack) => ec2Instance(stack, { metadataOptions: undefined }),
    found: "no metadata_options: IMDSv1 stays available",
  },
  {
    rule: "CKV_AWS_79",
    variant: "aws_launch_configuration",
    pass: (stack) => {
      launchConfiguration(stack);
      launchConfiguration(stack, { metadataOptions: { httpEndpoint: "disabled" } }, "no-endpoint");
    },
    fail: (stack) => [
      launchConfiguration(stack, { metadataOptions: { httpEndpoint: "enabled", httpTokens: "optional" } }),
      launchConfiguration(stack, { metadataOptions: { httpEndpoint: "enabled" } }, "tokens-unset"),
    ],
    found: "http_tokens is not required",
  },
  {
    rule: "CKV_AWS_88",
    pass: (stack) => launchTemplate(stack),
    fail: (stack) => launchTemplate(stack, { networkInterfaces: [{ associatePublicIpAddress: "true", securityGroups: [PEER_SG] }] }),
    found: "associate_public_ip_address = true",
  },
  {
    rule: "CKV_AWS_88",
    variant: "a public address on the second network interface of a launch template",
    departure: "every network interface of a launch template counts, not only the first",
    pass: (stack) =>
      launchTemplate(stack, {
        networkInterfaces: [
          { deviceIndex: 0, associatePublicIpAddress: "false", securityGroups: [PEER_SG] },
          { deviceIndex: 1, associatePublicIpAddress: "false", securityGroups: [PEER_SG] },
        ],
      }),
    fail: (stack) =>
      launchTemplate(stack, {
        networkInterfaces: [
          { deviceIndex: 0, associatePublicIpAddress: "false", securityGroups: [PEER_SG] },
          { deviceIndex: 1, associatePublicIpAddress: "true", securityGroups: [PEER_SG] },
        ],
      }),
    found: "associate_public_ip_address = true",
  },
  {
    rule: "CKV_AWS_88",
    variant: "aws_instance",
    pass: (stack) => {
      ec2Instance(stack);
      ec2Instance(stack, { associatePublicIpAddress: undefined }, "subnet-default");
    },
    fail: (stack) => ec2Instance(stack, { associatePublicIpAddress: true }),
    found: "associate_public_ip_address = true",
  },
  {
    rule: "CKV_AWS_8",
    variant: "aws_instance: every volume encrypted or from a snapshot; launch templates are not checked",
    pass: (stack) => {
      ec2Instance(stack, {
        ebsBlockDevice: [
          { ...PLAIN_VOLUME, encrypted: true },
          { deviceName: "/dev/xvdc", snapshotId: "snap-0123456789abcdef0" },
        ],
      });
      // ECG_LT_EBS_ENCRYPTED checks launch templates.
      launchTemplate(stack, { blockDeviceMappings: undefined });
    },
    fail: (stack) => ec2Instance(stack, { ebsBlockDevice: [{ ...PLAIN_VOLUME, encrypted: false }] }),
    found: "1 volume(s) without encrypted = true",
  },
  {
    rule: "CKV_AWS_8",
    variant: "aws_instance without root_block_device",
    pass: (stack) => ec2Instance(stack),
    fail: (stack) => ec2Instance(stack, { rootBlockDevice: undefined }),
    found: "no root_block_device: the root volume takes the AMI's (unencrypted) default",
  },
  {
    rule: "CKV_AWS_8",
    variant: "aws_launch_configuration",
    departure: "a volume with encrypted unset fails",
    pass: (stack) => launchConfiguration(stack, { ebsBlockDevice: [{ ...PLAIN_VOLUME, encrypted: true }] }),
    fail: (stack) => [
      launchConfiguration(stack, { rootBlockDevice: { volumeSize: 100, volumeType: "gp3" } }),
      launchConfiguration(stack, { ebsBlockDevice: [PLAIN_VOLUME] }, "data-volume"),
    ],
    found: "1 volume(s) without encrypted = true",
  },
  {
    rule: "ECG_LT_EBS_ENCRYPTED",
    req: "CMP-5",
    pass: (stack) =>
      launchTemplate(stack, {
        blockDeviceMappings: [
          { deviceName: "/dev/xvda", ebs: { volumeSize: 100, volumeType: "gp3", encrypted: "true" } },
          { deviceName: "/dev/xvdb", ebs: { volumeSize: 500, volumeType: "gp3", encrypted: "true" } },
        ],
      }),
    fail: (stack) =>
      launchTemplate(stack, {
        blockDeviceMappings: [
          { deviceName: "/dev/xvda", ebs: { volumeSize: 100, volumeType: "gp3", encrypted: "true" } },
          { deviceName: "/dev/xvdb", ebs: { volumeSize: 500, volumeType: "gp3" } },
        ],
      }),
    found: "an EBS volume without encrypted = true",
  },
  {
    rule: "ECG_LT_EBS_ENCRYPTED",
    req: "CMP-5",
    variant: "no block_device_mappings",
    pass: (stack) => launchTemplate(stack),
    fail: (stack) => launchTemplate(stack, { blockDeviceMappings: undefined }),
    found: "no block_device_mappings: the root volume takes the AMI's (unencrypted) default",
  },
  {
    rule: "CKV_AWS_315",
    pass: (stack) => {
      const template = launchTemplate(stack);
      templateGroup(stack, template, { minSize: 1, maxSize: 4, vpcZoneIdentifier: SUBNETS });
    },
    fail: (stack) =>
      new AutoscalingGroup(stack, "asg", {
        minSize: 1,
        maxSize: 4,
        vpcZoneIdentifier: SUBNETS,
        launchConfiguration: launchConfiguration(stack).name,
      }),
    found: "a launch configuration is used",
  },
  {
    rule: "CKV_AWS_315",
    variant: "mixed instances policy vs neither",
    pass: (stack) => autoscalingGroup(stack),
    fail: (stack) => new AutoscalingGroup(stack, "asg", { minSize: 1, maxSize: 4, vpcZoneIdentifier: SUBNETS }),
    found: "no launch template",
  },
  {
    rule: "ECG_NO_LAUNCH_CONFIGURATION",
    pass: (stack) => autoscalingGroup(stack),
    passHoldsNoSubject: true,
    fail: (stack) => launchConfiguration(stack),
    found: "a launch configuration",
  },
  {
    rule: "ECG_ASG_MULTI_AZ",
    pass: (stack) => autoscalingGroup(stack),
    fail: (stack) => autoscalingGroup(stack, () => ({ vpcZoneIdentifier: [SUBNETS[0]] })),
    found: "fewer than two subnets/AZs",
  },
  {
    rule: "ECG_ASG_MULTI_AZ",
    variant: "availability_zones",
    pass: (stack) =>
      autoscalingGroup(stack, () => ({ vpcZoneIdentifier: undefined, availabilityZones: ["ap-northeast-2a", "ap-northeast-2c"] })),
    fail: (stack) => autoscalingGroup(stack, () => ({ vpcZoneIdentifier: undefined, availabilityZones: ["ap-northeast-2a"] })),
    found: "fewer than two subnets/AZs",
  },
  {
    rule: "ECG_SPOT_DIVERSIFIED",
    req: "COST-1",
    pass: (stack) => autoscalingGroup(stack),
    fail: (stack) => autoscalingGroup(stack, (template) => ({ mixedInstancesPolicy: spotPolicy(template, ["g4dn.2xlarge"]) })),
    found: "Spot with fewer than two instance-type overrides",
  },
  {
    rule: "ECG_SPOT_DIVERSIFIED",
    req: "COST-1",
    variant: "On-Demand only vs mostly Spot",
    pass: (stack) => autoscalingGroup(stack, (template) => ({ mixedInstancesPolicy: spotPolicy(template, ["g4dn.2xlarge"], 100) })),
    fail: (stack) => autoscalingGroup(stack, (template) => ({ mixedInstancesPolicy: spotPolicy(template, ["g4dn.2xlarge"], 50) })),
    found: "Spot with fewer than two instance-type overrides",
  },
  {
    rule: "ECG_SPOT_REBALANCE",
    req: "COST-1",
    pass: (stack) => autoscalingGroup(stack),
    fail: (stack) => autoscalingGroup(stack, () => ({ capacityRebalance: undefined })),
    found: "capacity_rebalance is off for a Spot group",
  },
  {
    rule: "ECG_SPOT_REBALANCE",
    req: "COST-1",
    variant: "On-Demand only",
    pass: (stack) =>
      autoscalingGroup(stack, (template) => ({
        capacityRebalance: false,
        mixedInstancesPolicy: spotPolicy(template, ["g4dn.2xlarge", "g4dn.4xlarge"], 100),
      })),
    fail: (stack) => autoscalingGroup(stack, () => ({ capacityRebalance: false })),
    found: "capacity_rebalance is off for a Spot group",
  },
];

const ROWS = CASES.map((c) => {
  const rule = ruleById(c.rule);
  const shape = [c.variant, c.departure && `departs from checkov: ${c.departure}`].filter(Boolean).join("; ");
  const name = `${c.req ? `[${c.req}] ` : ""}${ruleKey(rule)} ${rule.title}${shape ? ` (${shape})` : ""}`;
  return { ...c, name, ruleObject: rule };
});

describe("policy rules: network, load balancing, ECS, compute", () => {
  it.each(ROWS)("$name: a compliant fixture has no finding", ({ ruleObject, pass, passHoldsNoSubject }) => {
    const { report, stack } = evaluateFixture(ruleObject, pass);
    expect(report.findings).toEqual([]);
    // Not vacuous: the fixture holds resources the rule inspects (unless the rule fails every one of them).
    if (passHoldsNoSubject) expect(ruleTypesIn(stack, ruleObject)).toEqual([]);
    else expect(ruleTypesIn(stack, ruleObject)).not.toEqual([]);
  });

  it.each(ROWS)("$name: a breaking fixture is reported", ({ ruleObject, fail, found }) => {
    const { report, built } = evaluateFixture(ruleObject, fail);
    const flagged = [built].flat();
    expect(report.findings.map((f) => f.rule)).toEqual(flagged.map(() => ruleKey(ruleObject)));
    expect(report.findings.map((f) => f.path).sort()).toEqual(flagged.map((c) => c.node.path).sort());
    for (const finding of report.findings) {
      expect(finding.found).toContain(found);
      expect(finding.severity).toBe(ruleObject.severity);
      expect(finding.fix).toBe(ruleObject.fix);
    }
  });

  const productionOnly = ROWS.filter((r) => r.ruleObject.productionOnly);
  it.each(productionOnly)("$name: outside production the breaking fixture has no finding", ({ ruleObject, fail }) => {
    expect(evaluateFixture(ruleObject, fail, false).report.findings).toEqual([]);
  });

  it("has production-only rules to check outside production", () => {
    expect(productionOnly.map((r) => ruleKey(r.ruleObject))).toContain("CKV_AWS_150");
  });

  it("covers every rule of the network, load-balancing, ECS and compute packs with a compliant and a breaking fixture", () => {
    const covered = new Set(ROWS.map((r) => ruleKey(r.ruleObject)));
    expect([...covered].sort()).toEqual(RULES.map(ruleKey).sort());
    expect(new Set(RULES.map(ruleKey)).size).toBe(RULES.length);
    // One ID a rule: a finding names exactly the check it stands for.
    expect(RULES.filter((r) => r.ids.length !== 1).map(ruleKey)).toEqual([]);
  });

  it("proves every deliberate departure from checkov (a rule's note) with a row of its own", () => {
    const departures = new Set(ROWS.filter((r) => r.departure).map((r) => ruleKey(r.ruleObject)));
    expect([...departures].sort()).toEqual(
      RULES.filter((r) => r.note)
        .map(ruleKey)
        .sort(),
    );
  });
});
