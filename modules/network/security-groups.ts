import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";

/** The security groups of NET-4, plus the one the interface endpoints sit in. */
export const SECURITY_GROUP_ROLES = ["alb", "backend", "mlAudio", "gpuRender", "redis", "rds", "endpoints"] as const;
export type SecurityGroupRole = (typeof SECURITY_GROUP_ROLES)[number];

/** Ports of the services the matrix connects. */
export interface ServicePorts {
  /** Backend API container port (CMP-2). @default 8000 */
  readonly api: number;
  /** ML Audio container port (CMP-3). @default 8080 */
  readonly mlAudio: number;
  /** GPU Render container port (CMP-4). @default 8090 */
  readonly gpuRender: number;
  /** @default 6379 */
  readonly redis: number;
  /** @default 5432 */
  readonly postgres: number;
}

export const DEFAULT_SERVICE_PORTS: ServicePorts = { api: 8000, mlAudio: 8080, gpuRender: 8090, redis: 6379, postgres: 5432 };

const GROUP_DESCRIPTIONS: Record<SecurityGroupRole, string> = {
  alb: "ALB-SG: public HTTPS entry point, forwards to the Backend API only",
  backend: "Backend-SG: Backend API tasks on Fargate",
  mlAudio: "ML-SG: ML Audio tasks and their GPU hosts",
  gpuRender: "GPU-SG: GPU Render tasks and their GPU hosts",
  redis: "Redis-SG: ElastiCache Redis cluster",
  rds: "RDS-SG: PostgreSQL primary and replicas",
  endpoints: "Interface VPC endpoints, HTTPS from the service tiers only",
};

/** One end of an allowed path. */
type Peer = { readonly group: SecurityGroupRole } | { readonly cidr: string } | { readonly prefixList: "s3" };

/** One allowed TCP path. A group-to-group path becomes an egress and an ingress rule. */
export interface TrafficPath {
  readonly from: Peer;
  readonly to: Peer;
  readonly port: number;
  /** Rule description (AWS allows a-zA-Z0-9 spaces and ._-:/()#,@[]+=&;{}!$*). */
  readonly description: string;
  /** Construct id of the rule(s), where `<from>-to-<to>-<port>` would not be unique. @default - from the peers and port */
  readonly id?: string;
}

/**
 * The blue/green test listener of the ALB (CI-3): reachable from the given
 * CIDRs only. From inside the VPC, an internet-facing ALB is reached through
 * the NAT gateways, so in-VPC smoke tests arrive from the NAT addresses.
 */
interface TestListenerAccess {
  readonly port: number;
  readonly sourceCidrs: readonly string[];
}

const HTTPS = 443;

/**
 * NET-4, exactly: every path the seed lists and the few the services cannot
 * run without, each said why. Nothing else is opened, and no group has an
 * allow-all egress rule (Terraform removes the default one on create).
 */
function trafficMatrix(ports: ServicePorts, testListener?: TestListenerAccess, httpsThroughNat = false): TrafficPath[] {
  const s3 = { prefixList: "s3" } as const;
  const g = (group: SecurityGroupRole) => ({ group });
  return [
    // --- The seed's matrix (NET-4) ---
    { from: { cidr: "0.0.0.0/0" }, to: g("alb"), port: HTTPS, description: "HTTPS from the internet to the ALB (NET-4)" },
    { from: g("alb"), to: g("backend"), port: ports.api, description: "ALB to Backend API (NET-4)" },
    { from: g("backend"), to: g("mlAudio"), port: ports.mlAudio, description: "Backend API to ML Audio (NET-4)" },
    { from: g("backend"), to: g("gpuRender"), port: ports.gpuRender, description: "Backend API to GPU Render (NET-4)" },
    { from: g("backend"), to: g("redis"), port: ports.redis, description: "Backend API to Redis (NET-4)" },
    { from: g("backend"), to: g("rds"), port: ports.postgres, description: "Backend API to PostgreSQL (NET-4)" },
    { from: g("gpuRender"), to: s3, port: HTTPS, description: "GPU Render to S3 through the gateway endpoint (NET-4)" },
    { from: g("gpuRender"), to: g("redis"), port: ports.redis, description: "GPU Render to Redis, Celery broker (NET-4)" },

    // --- Additions the services cannot run without (NET-4, last bullet) ---
    // With no NAT egress allowed, image pulls (ECR api/dkr), secrets, logs and
    // the ECS agent of the GPU hosts reach AWS only through interface endpoints.
    { from: g("backend"), to: g("endpoints"), port: HTTPS, description: "Backend API to interface endpoints: ECR, Secrets Manager, Logs" },
    {
      from: g("mlAudio"),
      to: g("endpoints"),
      port: HTTPS,
      description: "ML Audio tasks and hosts to interface endpoints: ECR, ECS agent, Logs, metrics",
    },
    {
      from: g("gpuRender"),
      to: g("endpoints"),
      port: HTTPS,
      description: "GPU Render tasks and hosts to interface endpoints: ECR, ECS agent, Logs, metrics",
    },
    // ECR serves image layers from S3, so every tier that pulls images needs the
    // S3 prefix list; the Backend API also reads and writes the videos bucket (SEC-1).
    { from: g("backend"), to: s3, port: HTTPS, description: "Backend API to S3: videos bucket and ECR image layers" },
    { from: g("mlAudio"), to: s3, port: HTTPS, description: "ML Audio to S3: analyzed videos and ECR image layers" },
    // A failed-over standby reads and writes the videos' replica in another region:
    // S3 there has no prefix list here (prefix lists are regional), so HTTPS leaves through NAT.
    ...(httpsThroughNat
      ? (["backend", "mlAudio", "gpuRender"] as const).map((tier) => ({
          from: g(tier),
          to: { cidr: "0.0.0.0/0" },
          port: HTTPS,
          description: "HTTPS through NAT: S3 of another region (a failed-over standby's videos)",
        }))
      : []),
    // Blue/green deployments: the test listener forwards to the replacement tasks on the same API port as 443.
    ...(testListener
      ? testListener.sourceCidrs.map((cidr, i) => ({
          from: { cidr },
          to: g("alb"),
          port: testListener.port,
          description: "Blue/green test listener, from in-VPC smoke tests through NAT (CI-3)",
          id: `test-source-${i}-to-alb-${testListener.port}`,
        }))
      : []),
  ];
}

export interface SecurityGroupsProps {
  /** Prefix of the group names, e.g. `ecg-prod`. */
  readonly name: string;
  readonly vpcId: string;
  /** Prefix list id of the S3 gateway endpoint. */
  readonly s3PrefixListId: string;
  readonly ports: ServicePorts;
  /** @default - no test listener */
  readonly testListener?: TestListenerAccess;
  /** HTTPS (443 only) from the service tiers to anywhere, through NAT. @default false */
  readonly httpsThroughNat?: boolean;
}

/** Creates the groups of SECURITY_GROUP_ROLES and one rule resource per side of each path. */
export class SecurityGroups extends Construct {
  readonly groups: Record<SecurityGroupRole, SecurityGroup>;
  readonly paths: readonly TrafficPath[];

  constructor(scope: Construct, id: string, props: SecurityGroupsProps) {
    super(scope, id);
    this.groups = Object.fromEntries(
      SECURITY_GROUP_ROLES.map((role) => [
        role,
        new SecurityGroup(this, role, {
          // A prefix, not a fixed name: with create_before_destroy a replacement
          // group is created while the old one still holds the name.
          namePrefix: `${props.name}-${role}-`,
          description: GROUP_DESCRIPTIONS[role],
          vpcId: props.vpcId,
          tags: { Name: `${props.name}-${role}` },
          // Rules live in their own resources (groups reference each other both
          // ways); replacing a referenced group must create the new one first.
          lifecycle: { createBeforeDestroy: true },
        }),
      ]),
    ) as Record<SecurityGroupRole, SecurityGroup>;
    this.paths = trafficMatrix(props.ports, props.testListener, props.httpsThroughNat);

    const target = (peer: Peer) =>
      "group" in peer
        ? { referencedSecurityGroupId: this.groups[peer.group].id }
        : "cidr" in peer
          ? { cidrIpv4: peer.cidr }
          : { prefixListId: props.s3PrefixListId };
    const label = (peer: Peer) => ("group" in peer ? peer.group : "cidr" in peer ? "internet" : "s3");

    for (const path of this.paths) {
      const rule = { ipProtocol: "tcp", fromPort: path.port, toPort: path.port, description: path.description };
      const key = path.id ?? `${label(path.from)}-to-${label(path.to)}-${path.port}`;
      if ("group" in path.from) {
        new VpcSecurityGroupEgressRule(this, `${key}-egress`, {
          ...rule,
          securityGroupId: this.groups[path.from.group].id,
          ...target(path.to),
        });
      }
      if ("group" in path.to) {
        new VpcSecurityGroupIngressRule(this, `${key}-ingress`, {
          ...rule,
          securityGroupId: this.groups[path.to.group].id,
          ...target(path.from),
        });
      }
    }
  }
}
