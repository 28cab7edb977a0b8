import {
  AutoscalingGroup,
  type AutoscalingGroupConfig,
  type AutoscalingGroupMixedInstancesPolicy,
  type AutoscalingGroupMixedInstancesPolicyLaunchTemplateOverride,
} from "@cdktf/provider-aws/lib/autoscaling-group";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EcsTaskDefinition, type EcsTaskDefinitionConfig } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Instance, type InstanceConfig } from "@cdktf/provider-aws/lib/instance";
import { LaunchConfiguration, type LaunchConfigurationConfig } from "@cdktf/provider-aws/lib/launch-configuration";
import { LaunchTemplate, type LaunchTemplateConfig } from "@cdktf/provider-aws/lib/launch-template";
import { Lb, type LbConfig } from "@cdktf/provider-aws/lib/lb";
import { LbListener, type LbListenerConfig } from "@cdktf/provider-aws/lib/lb-listener";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket, type S3BucketConfig } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import {
  SecretsmanagerSecretRotation,
  type SecretsmanagerSecretRotationRotationRules,
} from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { SecurityGroup, type SecurityGroupConfig } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Wafv2WebAcl, type Wafv2WebAclConfig, type Wafv2WebAclRule } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { TerraformStack, Testing } from "cdktf";
import { evaluate, type Finding, type PolicyReport, type Rule } from "../../modules/policy";
import { ALL_TYPES } from "../../modules/policy/engine";

/**
 * Fixture pieces shared by the policy-rule tests (policy-rules-*.test.ts): how a
 * fixture stack is built and evaluated against one rule, and the compliant
 * resources the fixtures start from. No tests here.
 */

// ---------------------------------------------------------------- evaluating a fixture

/** Adds a fixture's resources to a stack. */
export type Build = (stack: TerraformStack) => void;

/** A rule as its findings name it: its IDs joined with "/". */
export const ruleKey = (rule: Rule): string => rule.ids.join("/");

/** The rule of `rules` that `matches` (by default: one of its IDs is `name`); throws, naming `where`, when none does. */
export function findRule(rules: readonly Rule[], name: string, where: string, matches = (rule: Rule) => rule.ids.includes(name)): Rule {
  const rule = rules.find(matches);
  if (!rule) throw new Error(`no rule ${name} in ${where}`);
  return rule;
}

/** A stack `stackId` with the AWS provider and what `build` adds to it. */
function fixtureStack<T>(build: (stack: TerraformStack) => T, stackId: string): { stack: TerraformStack; built: T } {
  const stack = new TerraformStack(Testing.app(), stackId);
  new AwsProvider(stack, "aws", { region: "ap-northeast-2" });
  return { stack, built: build(stack) };
}

/** The resource types of the synthesized `stack` that `rule` checks. */
export const ruleTypesIn = (stack: TerraformStack, rule: Rule): string[] =>
  Object.keys(stack.toTerraform().resource ?? {}).filter((type) => rule.types.includes(type) || rule.types.includes(ALL_TYPES));

/** What `rule` checks in the synthesized `stack`: resource types, and data sources as `data.<type>`. */
export function subjectTypesIn(stack: TerraformStack, rule: Rule): string[] {
  const terraform = stack.toTerraform();
  const data = Object.keys(terraform.data ?? {}).filter((type) => rule.types.includes(`data.${type}`) || rule.types.includes(ALL_TYPES));
  return [...ruleTypesIn(stack, rule), ...data.map((type) => `data.${type}`)];
}

/** Builds a fixture and evaluates it against `rule` alone. */
export function evaluateFixture<T>(
  rule: Rule,
  build: (stack: TerraformStack) => T,
  production = true,
  stackId = "policy-test",
): { report: PolicyReport; built: T; stack: TerraformStack } {
  const { stack, built } = fixtureStack(build, stackId);
  return { report: evaluate(stack, { rules: [rule], production }), built, stack };
}

/** The findings of `rule` on a fixture, which must hold a resource the rule checks. */
export function findingsOf(rule: Rule, build: Build, production = true, stackId = "policy-rules"): Finding[] {
  const { stack } = fixtureStack(build, stackId);
  // A fixture without a resource the rule checks would pass vacuously.
  expect(ruleTypesIn(stack, rule)).not.toEqual([]);
  return evaluate(stack, { rules: [rule], production }).findings;
}

/** Exactly one finding, of `rule`, saying `found` (and of `severity`, about `address`, when given). */
export function expectFinding(rule: Rule, findings: Finding[], found: string, severity?: Finding["severity"], address?: string): void {
  expect(findings.map((f) => f.rule)).toEqual([ruleKey(rule)]);
  expect(findings[0].found).toContain(found);
  if (severity) expect(findings[0].severity).toBe(severity);
  if (address) expect(findings[0].address).toBe(address);
}

// ---------------------------------------------------------------- identifiers

export const ACCOUNT = "123456789012";
export const arn = (service: string, resource: string, region = "ap-northeast-2") => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
export const VPC_ID = "vpc-0123456789abcdef0";
export const PEER_SG = "sg-0fedcba9876543210";
export const SUBNETS = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0cccccccccccccccc"];
export const TARGET_GROUP_ARN = arn("elasticloadbalancing", "targetgroup/backend-api/0123456789abcdef");
const CERTIFICATE_ARN = arn("acm", "certificate/00000000-0000-0000-0000-000000000000");
export const KEY_ARN = arn("kms", "key/0b6f3c52-4c1e-4a8e-9d0f-2a1b3c4d5e6f");
const ROTATION_LAMBDA = arn("lambda", "function:ecg-rotate-secret");
const TLS13 = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** A literal JSON policy document of these statements. */
export const literalPolicy = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });

// ---------------------------------------------------------------- network

/** A described security group; inline rules only when given. */
export const securityGroup = (stack: TerraformStack, config: Partial<SecurityGroupConfig> = {}, id = "sg") =>
  new SecurityGroup(stack, id, { name: id, description: "Backend API tasks", vpcId: VPC_ID, ...config });

/** An inline rule: HTTPS in from the internet, over IPv4 and IPv6. */
export const HTTPS_FROM_INTERNET = {
  description: "HTTPS from the internet",
  protocol: "tcp",
  fromPort: 443,
  toPort: 443,
  cidrBlocks: ["0.0.0.0/0"],
  ipv6CidrBlocks: ["::/0"],
};

/** A rule resource: HTTPS in from the internet (IPv4) to `sg`, with `ipProtocol` spelled as given. */
export const httpsFromInternetRule = (stack: TerraformStack, sg: SecurityGroup, ipProtocol = "tcp") =>
  new VpcSecurityGroupIngressRule(stack, "https", {
    securityGroupId: sg.id,
    ipProtocol,
    fromPort: 443,
    toPort: 443,
    cidrIpv4: "0.0.0.0/0",
    description: "HTTPS from the internet",
  });

// ---------------------------------------------------------------- load balancing

/** A compliant internet-facing ALB: access logs, drop invalid headers, deletion protection. */
export const loadBalancer = (stack: TerraformStack, config: Partial<LbConfig> = {}, id = "alb") =>
  new Lb(stack, id, {
    name: `ecg-${id}`,
    loadBalancerType: "application",
    internal: false,
    subnets: SUBNETS,
    securityGroups: [PEER_SG],
    dropInvalidHeaderFields: true,
    enableDeletionProtection: true,
    accessLogs: { bucket: "ecg-alb-access-logs", prefix: id, enabled: true },
    ...config,
  });

/** A TLS 1.2+ HTTPS listener of `lb` that forwards to the backend target group. */
export const httpsListener = (stack: TerraformStack, lb: Lb, config: Partial<LbListenerConfig> = {}, id = "https") =>
  new LbListener(stack, id, {
    loadBalancerArn: lb.arn,
    port: 443,
    protocol: "HTTPS",
    sslPolicy: TLS13,
    certificateArn: CERTIFICATE_ARN,
    defaultAction: [{ type: "forward", targetGroupArn: TARGET_GROUP_ARN }],
    ...config,
  });

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

/** A rule running the AWS managed rule group `name`. */
export const managedRuleGroup = (name: string, priority: number): Wafv2WebAclRule => ({
  name,
  priority,
  overrideAction: { none: {} },
  statement: { managed_rule_group_statement: { name, vendor_name: "AWS" } },
  visibilityConfig: visibility(name),
});

export const RATE_LIMIT: Wafv2WebAclRule = {
  name: "rate-limit-per-ip",
  priority: 0,
  action: { block: {} },
  statement: { rate_based_statement: { limit: 1000, aggregate_key_type: "IP" } },
  visibilityConfig: visibility("rate-limit-per-ip"),
};

/** A regional web ACL with these rules (`rule` blocks or `rule_json`); by default rate limiting and known bad inputs. */
export const webAcl = (
  stack: TerraformStack,
  rules: Pick<Wafv2WebAclConfig, "rule" | "ruleJson"> = { rule: [RATE_LIMIT, managedRuleGroup("AWSManagedRulesKnownBadInputsRuleSet", 1)] },
) =>
  new Wafv2WebAcl(stack, "waf", {
    name: "ecg-alb",
    scope: "REGIONAL",
    defaultAction: { allow: {} },
    visibilityConfig: visibility("ecg-alb"),
    ...rules,
  });

// ---------------------------------------------------------------- ECS and compute

/** The Backend API container; `extra` adds or overrides its fields (undefined drops one). */
export const backendContainer = (extra: Record<string, unknown> = {}) => ({
  name: "backend-api",
  image: "ecg-backend-api:latest",
  essential: true,
  portMappings: [{ containerPort: 8000, protocol: "tcp" }],
  environment: [{ name: "REDIS_URL", value: "rediss://redis.internal:6379" }],
  secrets: [{ name: "DB_PASSWORD", valueFrom: arn("secretsmanager", "secret:ecg/db-AbCdEf") }],
  ...extra,
});

/** A Fargate task definition with separate execution and task roles. */
export const taskDefinition = (stack: TerraformStack, containers: unknown[] | string, config: Partial<EcsTaskDefinitionConfig> = {}) =>
  new EcsTaskDefinition(stack, "task", {
    family: "backend-api",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "2048",
    memory: "4096",
    containerDefinitions: typeof containers === "string" ? containers : JSON.stringify(containers),
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/backend-api-execution`,
    taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/backend-api-task`,
    ...config,
  });

/** A compliant GPU launch template: IMDSv2, encrypted root volume, no public IP. */
export const launchTemplate = (stack: TerraformStack, config: Partial<LaunchTemplateConfig> = {}) =>
  new LaunchTemplate(stack, "gpu-render", {
    namePrefix: "gpu-render-",
    imageId: "ami-0123456789abcdef0",
    instanceType: "g4dn.2xlarge",
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
    blockDeviceMappings: [
      { deviceName: "/dev/xvda", ebs: { volumeSize: 100, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
    ],
    networkInterfaces: [{ associatePublicIpAddress: "false", securityGroups: [PEER_SG] }],
    ...config,
  });

/** A compliant EC2 instance: IMDSv2, an encrypted root volume, no public IP. */
export const ec2Instance = (stack: TerraformStack, config: Partial<InstanceConfig> = {}, id = "instance") =>
  new Instance(stack, id, {
    ami: "ami-0123456789abcdef0",
    instanceType: "t3.small",
    subnetId: SUBNETS[0],
    associatePublicIpAddress: false,
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
    rootBlockDevice: { volumeSize: 20, volumeType: "gp3", encrypted: true },
    ...config,
  });

/**
 * A launch configuration with IMDSv2 and an encrypted root volume: compliant with
 * CKV_AWS_8 and CKV_AWS_79, though ECG_NO_LAUNCH_CONFIGURATION fails every one.
 */
export const launchConfiguration = (stack: TerraformStack, config: Partial<LaunchConfigurationConfig> = {}, id = "legacy") =>
  new LaunchConfiguration(stack, id, {
    namePrefix: `${id}-`,
    imageId: "ami-0123456789abcdef0",
    instanceType: "g4dn.xlarge",
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required" },
    rootBlockDevice: { volumeSize: 100, volumeType: "gp3", encrypted: true },
    ...config,
  });

/** An Auto Scaling group "asg" on `template` (its latest version). */
export const templateGroup = (stack: TerraformStack, template: LaunchTemplate, config: Omit<AutoscalingGroupConfig, "launchTemplate">) =>
  new AutoscalingGroup(stack, "asg", { ...config, launchTemplate: { id: template.id, version: "$Latest" } });

/** Spot above an On-Demand base of one, on `template` with these overrides. */
export const mixedInstances = (
  template: LaunchTemplate,
  override: AutoscalingGroupMixedInstancesPolicyLaunchTemplateOverride[],
  onDemandPercentageAboveBaseCapacity = 0,
): AutoscalingGroupMixedInstancesPolicy => ({
  instancesDistribution: {
    onDemandBaseCapacity: 1,
    onDemandPercentageAboveBaseCapacity,
    spotAllocationStrategy: "price-capacity-optimized",
  },
  launchTemplate: {
    launchTemplateSpecification: { launchTemplateId: template.id, version: "$Latest" },
    override,
  },
});

// ---------------------------------------------------------------- IAM and secrets

/** Statements for the "no Allow *" rule. */
export const READ_OBJECTS: DataAwsIamPolicyDocumentStatement = {
  effect: "Allow",
  actions: ["s3:GetObject", "s3:PutObject"],
  resources: ["arn:aws:s3:::ecg-test-bucket/*"],
};
export const ALLOW_ALL: DataAwsIamPolicyDocumentStatement = { effect: "Allow", actions: ["*"], resources: ["*"] };

/** A role policy of role ecg-test, whose JSON `policy` gives (and may add data sources for). */
export const rolePolicy =
  (policy: (stack: TerraformStack) => string): Build =>
  (stack) => {
    new IamRolePolicy(stack, "policy", { role: "ecg-test", policy: policy(stack) });
  };

/** A role trusting `principals` through an aws_iam_policy_document. */
export const trustDocument =
  (principals: { type: string; identifiers: string[] }): Build =>
  (stack) => {
    const doc = new DataAwsIamPolicyDocument(stack, "trust-doc", {
      statement: [{ effect: "Allow", actions: ["sts:AssumeRole"], principals: [principals] }],
    });
    new IamRole(stack, "role", { name: "ecg-test", assumeRolePolicy: doc.json });
  };

/** A role whose trust policy is the literal `assumeRolePolicy`. */
export const trustLiteral =
  (assumeRolePolicy: string): Build =>
  (stack) => {
    new IamRole(stack, "role", { name: "ecg-test", assumeRolePolicy });
  };

/** A secret, rotated with `rotationRules` unless they are undefined. */
export const secret =
  (kmsKeyId: string | undefined, rotationRules?: SecretsmanagerSecretRotationRotationRules): Build =>
  (stack) => {
    const s = new SecretsmanagerSecret(stack, "secret", { name: "ecg/test", kmsKeyId });
    if (rotationRules)
      new SecretsmanagerSecretRotation(stack, "rotation", { secretId: s.id, rotationLambdaArn: ROTATION_LAMBDA, rotationRules });
  };

// ---------------------------------------------------------------- buckets and bucket policies

/** The bucket ecg-test-bucket. */
export const testBucket = (stack: TerraformStack, config: Partial<S3BucketConfig> = {}) =>
  new S3Bucket(stack, "bucket", { bucket: "ecg-test-bucket", ...config });

/** A bucket and the settings resources `settings` adds for it (`bucket: bucket.id`). */
export const bucketWith =
  (settings: (stack: TerraformStack, bucket: S3Bucket) => void = () => undefined): Build =>
  (stack) =>
    settings(stack, testBucket(stack));

/** A bucket with a bucket policy whose JSON `policy` gives (and may add data sources for). */
export const bucketPolicy = (policy: (stack: TerraformStack) => string): Build =>
  bucketWith((stack, bucket) => {
    new S3BucketPolicy(stack, "bucket-policy", { bucket: bucket.id, policy: policy(stack) });
  });

/** A bucket policy read from an aws_iam_policy_document (`policy: doc.json`). */
export const bucketPolicyDocument = (...statement: DataAwsIamPolicyDocumentStatement[]) =>
  bucketPolicy((stack) => new DataAwsIamPolicyDocument(stack, "bucket-policy-doc", { statement }).json);

/** A bucket policy given as a literal string (JSON or not). */
export const bucketPolicyLiteral = (policy: string) => bucketPolicy(() => policy);

/** A statement denying every S3 request not made over TLS; `actions` narrows it. */
export const denyInsecure = (actions = ["s3:*"]): DataAwsIamPolicyDocumentStatement => ({
  sid: "DenyInsecureTransport",
  effect: "Deny",
  actions,
  resources: ["arn:aws:s3:::ecg-test-bucket", "arn:aws:s3:::ecg-test-bucket/*"],
  principals: [{ type: "*", identifiers: ["*"] }],
  condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
});

/** The same deny as a literal JSON statement. */
export const DENY_INSECURE_JSON = {
  Sid: "DenyInsecureTransport",
  Effect: "Deny",
  Principal: "*",
  Action: "s3:*",
  Resource: ["arn:aws:s3:::ecg-test-bucket", "arn:aws:s3:::ecg-test-bucket/*"],
  Condition: { Bool: { "aws:SecureTransport": "false" } },
};

/** Reads of the bucket's objects by the account. */
export const ALLOW_READ: DataAwsIamPolicyDocumentStatement = {
  sid: "AccountReads",
  effect: "Allow",
  actions: ["s3:GetObject"],
  resources: ["arn:aws:s3:::ecg-test-bucket/*"],
  principals: [{ type: "AWS", identifiers: [`arn:aws:iam::${ACCOUNT}:root`] }],
};
