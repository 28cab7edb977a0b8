import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { ComponentTags } from "../common/component-tags";
import { logRetentionProblem } from "../common/limits";
import { refuseProps } from "../common/props";
import { DEFAULT_INTERFACE_ENDPOINTS, InterfaceEndpoints, s3GatewayPolicy } from "./endpoints";
import { VpcFlowLogs } from "./flow-logs";
import { natPolicyProblem, type SubnetLayout, type SubnetTier, SUBNET_TIERS, subnetLayoutProblems } from "./layout";
import {
  DEFAULT_SERVICE_PORTS,
  SECURITY_GROUP_ROLES,
  type SecurityGroupRole,
  SecurityGroups,
  type ServicePorts,
  type TrafficPath,
} from "./security-groups";

export { DEFAULT_INTERFACE_ENDPOINTS } from "./endpoints";
export { IsolatedNetwork, type IsolatedNetworkProps } from "./isolated-network";
export { type SubnetTier, subnetLayoutProblems } from "./layout";
export { DEFAULT_SERVICE_PORTS, type SecurityGroupRole, type ServicePorts } from "./security-groups";

/** How many NAT gateways the VPC runs. */
export type NatGatewayPolicy =
  /** One per AZ, each AZ's private routes use their own: survives an AZ outage. */
  | "one-per-az"
  /** One, in the last public subnet (AZ-c in the seed), shared by every AZ: cheaper, not AZ-resilient. */
  | "single";

export interface NetworkProps extends SubnetLayout {
  /** Prefix of every resource name and Name tag, e.g. `ecg-prod`. */
  readonly name: string;
  /** Account and region the VPC is built in (endpoint service names, flow-log role). */
  readonly account: AwsAccount;
  /** @default "one-per-az" */
  readonly natGateways?: NatGatewayPolicy;
  /** KMS key that encrypts the flow-log group (CKV_AWS_158). */
  readonly flowLogKmsKeyArn: string;
  /** @default 365 */
  readonly flowLogRetentionDays?: number;
  /** Service ports the security-group matrix opens. @default DEFAULT_SERVICE_PORTS */
  readonly ports?: Partial<ServicePorts>;
  /**
   * Port of the ALB's blue/green test listener (CI-3): ALB-SG admits it from
   * the VPC's own NAT gateway addresses only (in-VPC smoke tests).
   * @default - no test listener
   */
  readonly albTestListenerPort?: number;
  /** Interface endpoint services (`com.amazonaws.<region>.<service>`). @default DEFAULT_INTERFACE_ENDPOINTS */
  readonly interfaceEndpoints?: readonly string[];
  /**
   * HTTPS (443 only) from the Backend, ML Audio and GPU Render tiers to any
   * address, through NAT: for AWS services of another region, which no
   * endpoint or prefix list of this VPC reaches (a failed-over standby reads
   * the videos' replica in us-west-2). Everything else stays closed.
   * @default false
   */
  readonly httpsThroughNat?: boolean;
}

/**
 * The VPC of NET-1..6: public, private and GPU subnets in every AZ, an
 * internet gateway, NAT gateway(s), one route table per private/GPU subnet,
 * the security-group matrix of NET-4, VPC endpoints and flow logs. The
 * default security group is emptied so nothing can use it by accident.
 */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly vpcId: string;
  /** Subnets per tier, in AZ order. */
  readonly subnets: Readonly<Record<SubnetTier, Subnet[]>>;
  /** Subnet ids per tier, in AZ order: what later modules take. */
  readonly subnetIds: Readonly<Record<SubnetTier, string[]>>;
  readonly internetGateway: InternetGateway;
  readonly natGateways: NatGateway[];
  /** Public addresses of the NAT gateways (what the internet, and the ALB, sees from the VPC). */
  readonly natPublicIps: string[];
  readonly publicRouteTable: RouteTable;
  /** Route tables of the private and GPU tiers, in AZ order. */
  readonly privateRouteTables: Readonly<Record<"private" | "gpu", RouteTable[]>>;
  readonly securityGroups: Readonly<Record<SecurityGroupRole, SecurityGroup>>;
  readonly securityGroupIds: Readonly<Record<SecurityGroupRole, string>>;
  /** Every allowed path of the security-group matrix. */
  readonly trafficPaths: readonly TrafficPath[];
  readonly s3Gateway: VpcEndpoint;
  readonly interfaceEndpoints: InterfaceEndpoints;
  /** Prefix list of the S3 gateway endpoint, for S3 egress rules. */
  readonly s3PrefixListId: string;
  readonly flowLogs: VpcFlowLogs;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const ports = { ...DEFAULT_SERVICE_PORTS, ...props.ports };
    validate(id, props, ports);
    const { name } = props;
    const zones = props.availabilityZones;
    const suffix = (az: string) => az.slice(-1);

    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.vpcCidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: `${name}-vpc` },
    });
    this.vpcId = this.vpc.id;
    // CKV2_AWS_12: the default group gets no rules, so it allows nothing.
    new DefaultSecurityGroup(this, "default-sg", { vpcId: this.vpcId, tags: { Name: `${name}-default-closed` } });

    const subnets = Object.fromEntries(
      SUBNET_TIERS.map((tier) => [
        tier,
        zones.map(
          (az, i) =>
            new Subnet(this, `${tier}-${suffix(az)}`, {
              vpcId: this.vpcId,
              cidrBlock: props.subnets[tier][i],
              availabilityZone: az,
              // Nothing is launched with a public IP, even in public subnets
              // (CKV_AWS_130): the ALB and NAT gateways have their own addresses.
              mapPublicIpOnLaunch: false,
              tags: { Name: `${name}-${tier}-${suffix(az)}`, Tier: tier },
            }),
        ),
      ]),
    ) as Record<SubnetTier, Subnet[]>;
    this.subnets = subnets;
    this.subnetIds = Object.fromEntries(SUBNET_TIERS.map((t) => [t, subnets[t].map((s) => s.id)])) as Record<SubnetTier, string[]>;

    this.internetGateway = new InternetGateway(this, "igw", { vpcId: this.vpcId, tags: { Name: `${name}-igw` } });
    this.publicRouteTable = new RouteTable(this, "public-rt", { vpcId: this.vpcId, tags: { Name: `${name}-public` } });
    new Route(this, "public-default-route", {
      routeTableId: this.publicRouteTable.id,
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: this.internetGateway.id,
    });
    subnets.public.forEach((subnet, i) => {
      new RouteTableAssociation(this, `public-${suffix(zones[i])}-rta`, { subnetId: subnet.id, routeTableId: this.publicRouteTable.id });
    });

    const natIndexes = (props.natGateways ?? "one-per-az") === "single" ? [zones.length - 1] : zones.map((_, i) => i);
    this.natPublicIps = [];
    this.natGateways = natIndexes.map((i) => {
      const az = suffix(zones[i]);
      const eip = new Eip(this, `nat-${az}-eip`, { domain: "vpc", tags: { Name: `${name}-nat-${az}` } });
      this.natPublicIps.push(eip.publicIp);
      return new NatGateway(this, `nat-${az}`, {
        allocationId: eip.allocationId,
        subnetId: subnets.public[i].id,
        tags: { Name: `${name}-nat-${az}` },
        dependsOn: [this.internetGateway],
      });
    });

    const privateTiers = ["private", "gpu"] as const;
    this.privateRouteTables = Object.fromEntries(
      privateTiers.map((tier) => [
        tier,
        zones.map((az, i) => {
          const table = new RouteTable(this, `${tier}-${suffix(az)}-rt`, {
            vpcId: this.vpcId,
            tags: { Name: `${name}-${tier}-${suffix(az)}` },
          });
          new Route(this, `${tier}-${suffix(az)}-default-route`, {
            routeTableId: table.id,
            destinationCidrBlock: "0.0.0.0/0",
            natGatewayId: this.natGateways[Math.min(i, this.natGateways.length - 1)].id,
          });
          new RouteTableAssociation(this, `${tier}-${suffix(az)}-rta`, { subnetId: subnets[tier][i].id, routeTableId: table.id });
          return table;
        }),
      ]),
    ) as Record<"private" | "gpu", RouteTable[]>;

    const region = props.account.region;
    this.s3Gateway = new VpcEndpoint(this, "s3-gateway-endpoint", {
      vpcId: this.vpcId,
      serviceName: `com.amazonaws.${region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: privateTiers.flatMap((tier) => this.privateRouteTables[tier].map((t) => t.id)),
      policy: s3GatewayPolicy(props.account),
      tags: { Name: `${name}-s3` },
    });
    this.s3PrefixListId = this.s3Gateway.prefixListId;

    const testListener =
      props.albTestListenerPort === undefined
        ? undefined
        : { port: props.albTestListenerPort, sourceCidrs: this.natPublicIps.map((ip) => `${ip}/32`) };
    const groups = new SecurityGroups(this, "security-groups", {
      name,
      vpcId: this.vpcId,
      s3PrefixListId: this.s3PrefixListId,
      ports,
      testListener,
      httpsThroughNat: props.httpsThroughNat,
    });
    this.securityGroups = groups.groups;
    this.securityGroupIds = Object.fromEntries(SECURITY_GROUP_ROLES.map((r) => [r, groups.groups[r].id])) as Record<
      SecurityGroupRole,
      string
    >;
    this.trafficPaths = groups.paths;

    this.interfaceEndpoints = new InterfaceEndpoints(this, "interface-endpoints", {
      name,
      account: props.account,
      vpcId: this.vpcId,
      region,
      subnetIds: this.subnetIds.private,
      securityGroupId: this.securityGroupIds.endpoints,
      services: props.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS,
    });

    this.flowLogs = new VpcFlowLogs(this, "flow-logs", {
      name,
      vpcId: this.vpcId,
      account: props.account,
      retentionInDays: props.flowLogRetentionDays ?? 365,
      kmsKeyArn: props.flowLogKmsKeyArn,
    });

    ComponentTags.apply(this, "network");
  }
}

function validate(id: string, props: NetworkProps, ports: ServicePorts): void {
  const problems = subnetLayoutProblems(props);
  if (!/^[a-z][a-z0-9-]{1,30}$/.test(props.name ?? "")) {
    problems.push({ path: "name", reason: `"${props.name ?? ""}" must be 2-31 lower-case letters, digits or dashes` });
  }
  const nat = props.natGateways === undefined ? undefined : natPolicyProblem(props.natGateways);
  if (nat) problems.push({ path: "natGateways", reason: nat });
  const retention = logRetentionProblem(props.flowLogRetentionDays ?? 365);
  if (retention) problems.push({ path: "flowLogRetentionDays", reason: retention });
  for (const [key, port] of Object.entries(ports)) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push({ path: `ports.${key}`, reason: `${port} is not a TCP port` });
  }
  if ((props.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS).some((s) => !/^[a-z0-9.-]+$/.test(s))) {
    problems.push({ path: "interfaceEndpoints", reason: "service names are lower-case, e.g. ecr.api" });
  }
  const test = props.albTestListenerPort;
  if (test !== undefined && (!Number.isInteger(test) || test < 1 || test > 65535 || test === 443)) {
    problems.push({ path: "albTestListenerPort", reason: `${test} must be a TCP port other than 443 (the production listener)` });
  }
  refuseProps(
    "Network",
    id,
    problems.map((p) => `${p.path}: ${p.reason}`),
  );
}
