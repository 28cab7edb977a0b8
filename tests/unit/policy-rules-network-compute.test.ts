import { Alb } from "@cdktf/provider-aws/lib/alb";
import { AlbListener } from "@cdktf/provider-aws/lib/alb-listener";
import { AlbTargetGroup } from "@cdktf/provider-aws/lib/alb-target-group";
import { AutoscalingGroup, type AutoscalingGroupConfig } from "@cdktf/provider-aws/lib/autoscaling-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { LaunchConfiguration } from "@cdktf/provider-aws/lib/launch-configuration";
import type { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
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
  evaluateFixture,
  findRule,
  HTTPS_FROM_INTERNET,
  httpsFromInternetRule,
  httpsListener,
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
 * stack of provider resources, evaluated with only the rule under test.
 */

const RULES: readonly Rule[] = [...networkRules, ...loadBalancingRules, ...ecsRules, ...computeRules];

const ruleById = (id: string): Rule => findRule(RULES, id, "the network/load-balancing/ECS/compute packs");

/** Adds resources that break the rule; returns the resource(s) the rule must flag. */
type BreakingFixture = (stack: TerraformStack) => IConstruct | IConstruct[];

interface Case {
  /** Any ID of the rule under test. */
  readonly rule: string;
  /** Requirement (docs/requirements.md) the rule proves, when it really does. */
  readonly req?: string;
  /** Which shape of the rule this row exercises, when a rule has several rows. */
  readonly variant?: string;
  /** Adds resources that comply with the rule. */
  readonly pass: Build;
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

const HTTPS_OUT = { description: "HTTPS to AWS APIs", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] };

const httpRedirectListener = (stack: TerraformStack, lb: Lb) =>
  new LbListener(stack, "http", {
    loadBalancerArn: lb.arn,
    port: 80,
    protocol: "HTTP",
    defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
  });

/** The Backend API target group, without a health check. */
const TARGET_GROUP = { name: "backend-api", port: 8000, protocol: "HTTP", targetType: "ip", vpcId: VPC_ID };

const associate = (stack: TerraformStack, lb: Lb, acl: Wafv2WebAcl) =>
  new Wafv2WebAclAssociation(stack, `${lb.node.id}-waf`, { resourceArn: lb.arn, webAclArn: acl.arn });

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
  found: "container_definitions is not literal JSON, so it cannot be inspected",
};

const ecsService = (stack: TerraformStack, assignPublicIp: boolean) =>
  new EcsService(stack, "service", {
    name: "backend-api",
    cluster: arn("ecs", "cluster/ecg"),
    taskDefinition: arn("ecs", "task-definition/backend-api:1"),
    launchType: "FARGATE",
    desiredCount: 2,
    networkConfiguration: { subnets: SUBNETS, securityGroups: [PEER_SG], assignPublicIp },
  });

const legacyConfiguration = (stack: TerraformStack) =>
  new LaunchConfiguration(stack, "legacy", { namePrefix: "legacy-", imageId: "ami-0123456789abcdef0", instanceType: "g4dn.xlarge" });

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

// --- The table ----------------------------------------------------------------

const CASES: Case[] = [
  // modules/policy/rules/network.ts
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
    rule: "CKV_AWS_23",
    variant: "security group",
    pass: (stack) => securityGroup(stack, { ingress: [HTTPS_FROM_INTERNET], egress: [HTTPS_OUT] }),
    fail: (stack) => securityGroup(stack, { description: undefined }),
    found: "the security group has no description of its own",
  },
  {
    rule: "CKV_AWS_23",
    variant: "inline rule",
    pass: (stack) => securityGroup(stack, { ingress: [HTTPS_FROM_INTERNET] }),
    fail: (stack) =>
      securityGroup(stack, { ingress: [HTTPS_FROM_INTERNET, { ...HTTPS_FROM_INTERNET, description: " " }], egress: [HTTPS_OUT] }),
    found: "1 rule(s) without a description",
  },
  {
    rule: "CKV_AWS_23",
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
          { description: "ALB to Backend API", protocol: "tcp", fromPort: 8000, toPort: 8000, securityGroups: [PEER_SG] },
        ],
        egress: [{ description: "anything out is not ingress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }],
      }),
    fail: (stack) =>
      securityGroup(stack, {
        ingress: [HTTPS_FROM_INTERNET, { description: "SSH", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }],
      }),
    found: "ingress from the internet on tcp 22-22",
  },
  {
    rule: "CKV_AWS_24",
    req: "NET-4",
    variant: "rule resources",
    pass: (stack) => {
      const sg = securityGroup(stack);
      httpsFromInternetRule(stack, sg);
      new SecurityGroupRule(stack, "vpc-http", {
        type: "ingress",
        securityGroupId: sg.id,
        protocol: "tcp",
        fromPort: 80,
        toPort: 80,
        cidrBlocks: ["10.0.0.0/16"],
        description: "HTTP from inside the VPC",
      });
    },
    fail: (stack) => {
      const sg = securityGroup(stack);
      return [
        new VpcSecurityGroupIngressRule(stack, "all-v6", {
          securityGroupId: sg.id,
          ipProtocol: "-1",
          cidrIpv6: "::/0",
          description: "everything over IPv6",
        }),
        new SecurityGroupRule(stack, "http", {
          type: "ingress",
          securityGroupId: sg.id,
          protocol: "tcp",
          fromPort: 80,
          toPort: 80,
          cidrBlocks: ["0.0.0.0/0"],
          description: "HTTP from the internet",
        }),
      ];
    },
    found: "ingress from the internet on",
  },
  {
    rule: "CKV_AWS_382",
    req: "NET-4",
    variant: "inline rules",
    pass: (stack) =>
      securityGroup(stack, {
        egress: [HTTPS_OUT, { description: "PostgreSQL", protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: [PEER_SG] }],
      }),
    fail: (stack) =>
      securityGroup(stack, { egress: [{ description: "allow all", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] }),
    found: "egress to 0.0.0.0/0 on all ports",
  },
  {
    rule: "CKV_AWS_382",
    req: "NET-4",
    variant: "rule resources",
    pass: (stack) => {
      const sg = securityGroup(stack);
      new VpcSecurityGroupEgressRule(stack, "to-peer", {
        securityGroupId: sg.id,
        ipProtocol: "-1",
        referencedSecurityGroupId: PEER_SG,
        description: "all to a peer group",
      });
      new SecurityGroupRule(stack, "to-vpc", {
        type: "egress",
        securityGroupId: sg.id,
        protocol: "-1",
        fromPort: 0,
        toPort: 0,
        cidrBlocks: ["10.0.0.0/16"],
        description: "all inside the VPC",
      });
      new SecurityGroupRule(stack, "all-in", {
        type: "ingress",
        securityGroupId: sg.id,
        protocol: "-1",
        fromPort: 0,
        toPort: 0,
        cidrBlocks: ["0.0.0.0/0"],
        description: "ingress is not egress",
      });
    },
    fail: (stack) => {
      const sg = securityGroup(stack);
      return [
        new VpcSecurityGroupEgressRule(stack, "all-v4", {
          securityGroupId: sg.id,
          ipProtocol: "-1",
          cidrIpv4: "0.0.0.0/0",
          description: "allow all",
        }),
        new SecurityGroupRule(stack, "all-tcp-v6", {
          type: "egress",
          securityGroupId: sg.id,
          protocol: "tcp",
          fromPort: 0,
          toPort: 65535,
          ipv6CidrBlocks: ["::/0"],
          description: "all TCP",
        }),
      ];
    },
    found: "egress to 0.0.0.0/0 on all ports",
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
    fail: (stack) =>
      new LbListener(stack, "http", {
        loadBalancerArn: loadBalancer(stack).arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: [{ type: "forward", targetGroupArn: TARGET_GROUP_ARN }],
      }),
    found: "an HTTP listener that serves traffic",
  },
  {
    rule: "CKV_AWS_2",
    req: "SEC-4",
    variant: "aws_alb_listener, default protocol, redirect that keeps HTTP",
    pass: (stack) => httpsListener(stack, loadBalancer(stack)),
    fail: (stack) =>
      new AlbListener(stack, "http", {
        loadBalancerArn: loadBalancer(stack).arn,
        port: 80,
        defaultAction: [{ type: "redirect", redirect: { port: "8080", statusCode: "HTTP_302" } }],
      }),
    found: "an HTTP listener that serves traffic",
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
    rule: "CKV_AWS_91",
    pass: (stack) => loadBalancer(stack),
    fail: (stack) => loadBalancer(stack, { accessLogs: undefined }),
    found: "access logs are off",
  },
  {
    rule: "CKV_AWS_91",
    variant: "bucket without enabled = true",
    pass: (stack) =>
      new Alb(stack, "alb", { name: "ecg-alb", subnets: SUBNETS, accessLogs: { bucket: "ecg-alb-access-logs", enabled: true } }),
    fail: (stack) => loadBalancer(stack, { accessLogs: { bucket: "ecg-alb-access-logs" } }),
    found: "access logs are off",
  },
  {
    rule: "CKV_AWS_131",
    pass: (stack) => {
      loadBalancer(stack);
      loadBalancer(stack, { loadBalancerType: "network", dropInvalidHeaderFields: undefined }, "nlb");
    },
    fail: (stack) => new Alb(stack, "alb", { name: "ecg-alb", subnets: SUBNETS }),
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
    found: "no enabled health_check",
  },
  {
    rule: "CKV_AWS_261",
    variant: "aws_alb_target_group with the health check disabled",
    pass: (stack) => new AlbTargetGroup(stack, "backend-api", { ...TARGET_GROUP, healthCheck: { enabled: true, path: "/health" } }),
    fail: (stack) => new AlbTargetGroup(stack, "backend-api", { ...TARGET_GROUP, healthCheck: { enabled: false, path: "/health" } }),
    found: "no enabled health_check",
  },
  {
    rule: "CKV2_AWS_28",
    req: "SEC-3",
    pass: (stack) => {
      associate(stack, loadBalancer(stack), webAcl(stack));
      loadBalancer(stack, { internal: true }, "internal");
      loadBalancer(stack, { loadBalancerType: "network" }, "nlb");
    },
    fail: (stack) => loadBalancer(stack),
    found: "no aws_wafv2_web_acl_association for this internet-facing ALB",
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
    found: "no aws_wafv2_web_acl_association for this internet-facing ALB",
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
    variant: "no metadata_options",
    pass: (stack) => launchTemplate(stack, { metadataOptions: { httpTokens: "required" } }),
    fail: (stack) => launchTemplate(stack, { metadataOptions: undefined }),
    found: "http_tokens is not required",
  },
  {
    rule: "CKV_AWS_88",
    pass: (stack) => launchTemplate(stack),
    fail: (stack) => launchTemplate(stack, { networkInterfaces: [{ associatePublicIpAddress: "true", securityGroups: [PEER_SG] }] }),
    found: "associate_public_ip_address = true",
  },
  {
    rule: "CKV_AWS_8",
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
    rule: "CKV_AWS_8",
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
    fail: (stack) => {
      const configuration = legacyConfiguration(stack);
      return [
        configuration,
        new AutoscalingGroup(stack, "asg", { minSize: 1, maxSize: 4, vpcZoneIdentifier: SUBNETS, launchConfiguration: configuration.name }),
      ];
    },
    found: "a launch configuration is used",
  },
  {
    rule: "CKV_AWS_315",
    variant: "mixed instances policy",
    pass: (stack) => autoscalingGroup(stack),
    fail: (stack) => legacyConfiguration(stack),
    found: "a launch configuration is used",
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
  const name = `${c.req ? `[${c.req}] ` : ""}${ruleKey(rule)} ${rule.title}${c.variant ? ` (${c.variant})` : ""}`;
  return { ...c, name, ruleObject: rule };
});

describe("policy rules: network, load balancing, ECS, compute", () => {
  it.each(ROWS)("$name: a compliant fixture has no finding", ({ ruleObject, pass }) => {
    const { report, stack } = evaluateFixture(ruleObject, pass);
    expect(report.findings).toEqual([]);
    // Not vacuous: the fixture holds resources the rule inspects.
    expect(ruleTypesIn(stack, ruleObject)).not.toEqual([]);
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
  });
});
