import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { interfaceEndpointPolicy, WITHOUT_ENDPOINT_POLICY } from "../../modules/network/endpoints";
import {
  DEFAULT_INTERFACE_ENDPOINTS,
  IsolatedNetwork,
  type IsolatedNetworkProps,
  Network,
  type NetworkProps,
  subnetLayoutProblems,
} from "../../modules/network";
import { errorOf, referencedId, resourcesOf, statementsOf, type SynthesizedStack, synthJson, TEST_ACCOUNT } from "../helpers";

const SEED_LAYOUT = {
  vpcCidr: "10.0.0.0/16",
  availabilityZones: ["ap-northeast-2a", "ap-northeast-2c"],
  subnets: {
    public: ["10.0.1.0/24", "10.0.10.0/24"],
    private: ["10.0.2.0/24", "10.0.20.0/24"],
    gpu: ["10.0.3.0/24", "10.0.30.0/24"],
  },
};

const baseProps: NetworkProps = {
  name: "net-test",
  account: TEST_ACCOUNT,
  flowLogKmsKeyArn: "arn:aws:kms:ap-northeast-2:123456789012:key/test",
  ...SEED_LAYOUT,
};

function synthNetwork(overrides: Partial<NetworkProps> = {}): SynthesizedStack {
  return synthJson(Testing.synthScope((scope) => new Network(scope, "network", { ...baseProps, ...overrides })));
}

const seedNetwork = synthNetwork();
const singleNatNetwork = synthNetwork({ natGateways: "single" });

/** Logical id of a resource → its config, for one type. */
const byId = (stack: SynthesizedStack, type: string) => new Map(resourcesOf(stack, type));

describe("Network module", () => {
  it("[NET-1] creates one VPC with the given CIDR and DNS support and hostnames on", () => {
    expect(resourcesOf(seedNetwork, "aws_vpc")).toHaveLength(1);
    expect(JSON.stringify(seedNetwork)).toHaveResourceWithProperties(Vpc, {
      cidr_block: "10.0.0.0/16",
      enable_dns_support: true,
      enable_dns_hostnames: true,
    });
  });

  it("[NET-2] lays out public, private and GPU subnets in both AZs exactly as given", () => {
    const subnets = resourcesOf(seedNetwork, "aws_subnet").map(([, s]) => [s.tags.Tier, s.availability_zone, s.cidr_block]);
    expect(subnets.sort()).toEqual(
      [
        ["gpu", "ap-northeast-2a", "10.0.3.0/24"],
        ["gpu", "ap-northeast-2c", "10.0.30.0/24"],
        ["private", "ap-northeast-2a", "10.0.2.0/24"],
        ["private", "ap-northeast-2c", "10.0.20.0/24"],
        ["public", "ap-northeast-2a", "10.0.1.0/24"],
        ["public", "ap-northeast-2c", "10.0.10.0/24"],
      ].sort(),
    );
    for (const [, subnet] of resourcesOf(seedNetwork, "aws_subnet")) expect(subnet.map_public_ip_on_launch).toBe(false);
  });

  it("[NET-3] routes public subnets to the internet gateway and each private/GPU subnet to the NAT of its AZ", () => {
    const routes = [...byId(seedNetwork, "aws_route").values()];
    const tables = byId(seedNetwork, "aws_route_table");
    const nats = byId(seedNetwork, "aws_nat_gateway");
    const subnets = byId(seedNetwork, "aws_subnet");
    expect(nats.size).toBe(2);
    const associations = [...byId(seedNetwork, "aws_route_table_association").values()];
    const tierAz = (subnetRef: string) => {
      const s = subnets.get(referencedId(subnetRef));
      return `${s.tags.Tier}-${s.availability_zone.slice(-1)}`;
    };
    const routeOf = (tableRef: string) => routes.find((r) => r.route_table_id === tableRef);
    const egress = Object.fromEntries(
      associations.map((a) => {
        const route = routeOf(a.route_table_id);
        expect(route.destination_cidr_block).toBe("0.0.0.0/0");
        const target = route.gateway_id ? "igw" : `nat-in-${tierAz(nats.get(referencedId(route.nat_gateway_id)).subnet_id)}`;
        return [tierAz(a.subnet_id), target];
      }),
    );
    expect(egress).toEqual({
      "public-a": "igw",
      "public-c": "igw",
      "private-a": "nat-in-public-a",
      "private-c": "nat-in-public-c",
      "gpu-a": "nat-in-public-a",
      "gpu-c": "nat-in-public-c",
    });
    expect(tables.size).toBe(5);
  });

  it("[NET-3] with natGateways=single, one NAT gateway in the AZ-c public subnet serves every AZ", () => {
    const nats = resourcesOf(singleNatNetwork, "aws_nat_gateway");
    expect(nats).toHaveLength(1);
    const natSubnet = byId(singleNatNetwork, "aws_subnet").get(referencedId(nats[0][1].subnet_id));
    expect(natSubnet.cidr_block).toBe("10.0.10.0/24");
    const natRoutes = resourcesOf(singleNatNetwork, "aws_route").filter(([, r]) => r.nat_gateway_id);
    expect(natRoutes).toHaveLength(4);
    for (const [, route] of natRoutes) expect(referencedId(route.nat_gateway_id)).toBe(nats[0][0]);
    expect(resourcesOf(singleNatNetwork, "aws_eip")).toHaveLength(1);
  });

  describe("[NET-4] security-group matrix", () => {
    // The matrix, written out independently of the module: from, to, port.
    // "internet" is 0.0.0.0/0, "s3" the S3 gateway endpoint's prefix list.
    const SEED_PATHS = [
      ["internet", "alb", 443],
      ["alb", "backend", 8000],
      ["backend", "mlAudio", 8080],
      ["backend", "gpuRender", 8090],
      ["backend", "redis", 6379],
      ["backend", "rds", 5432],
      ["gpuRender", "s3", 443],
      ["gpuRender", "redis", 6379],
    ];
    // The additions NET-4 allows, each needed to start a task or host.
    const ADDED_PATHS = [
      ["backend", "endpoints", 443],
      ["mlAudio", "endpoints", 443],
      ["gpuRender", "endpoints", 443],
      ["backend", "s3", 443],
      ["mlAudio", "s3", 443],
    ];
    const EXPECTED = [...SEED_PATHS, ...ADDED_PATHS].map(([from, to, port]) => `${from} -> ${to} :${port}`).sort();
    const GROUPS = ["alb", "backend", "mlAudio", "gpuRender", "redis", "rds", "endpoints"];

    const groups = byId(seedNetwork, "aws_security_group");
    const endpoints = byId(seedNetwork, "aws_vpc_endpoint");
    const roleOf = (ref: string) => {
      const sg = groups.get(referencedId(ref));
      return GROUPS.find((role) => sg.name_prefix === `net-test-${role}-`);
    };
    const peer = (rule: any) =>
      rule.referenced_security_group_id
        ? roleOf(rule.referenced_security_group_id)
        : rule.cidr_ipv4 === "0.0.0.0/0"
          ? "internet"
          : rule.prefix_list_id && endpoints.get(referencedId(rule.prefix_list_id))?.service_name === "com.amazonaws.ap-northeast-2.s3"
            ? "s3"
            : `unexpected:${JSON.stringify(rule)}`;
    const egress = resourcesOf(seedNetwork, "aws_vpc_security_group_egress_rule").map(([, r]) => r);
    const ingress = resourcesOf(seedNetwork, "aws_vpc_security_group_ingress_rule").map(([, r]) => r);

    it("has exactly the seven groups, none with inline rules", () => {
      expect([...groups.values()].map((g) => g.name_prefix).sort()).toEqual(GROUPS.map((r) => `net-test-${r}-`).sort());
      for (const group of groups.values()) {
        expect(group.ingress).toBeUndefined();
        expect(group.egress).toBeUndefined();
        expect(group.description).toBeTruthy();
      }
    });

    it("opens every allowed path and nothing else, on both sides of each group-to-group path", () => {
      const egressPaths = egress.map((r) => `${roleOf(r.security_group_id)} -> ${peer(r)} :${r.from_port}`);
      const ingressPaths = ingress.map((r) => `${peer(r)} -> ${roleOf(r.security_group_id)} :${r.from_port}`);
      const isGroup = (name: string) => GROUPS.includes(name);
      const expectedEgress = EXPECTED.filter((p) => isGroup(p.split(" ")[0]));
      const expectedIngress = EXPECTED.filter((p) => isGroup(p.split(" ")[2]));
      expect(egressPaths.sort()).toEqual(expectedEgress);
      expect(ingressPaths.sort()).toEqual(expectedIngress);
      expect(new Set([...egressPaths, ...ingressPaths])).toEqual(new Set(EXPECTED));
    });

    it("uses single-port TCP rules, each with a description", () => {
      for (const rule of [...egress, ...ingress]) {
        expect(rule.ip_protocol).toBe("tcp");
        expect(rule.to_port).toBe(rule.from_port);
        expect(rule.description).toMatch(/^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{10,255}$/);
      }
    });

    it("has no allow-all egress and no internet ingress except HTTPS to the ALB", () => {
      expect(egress.filter((r) => r.cidr_ipv4 || r.cidr_ipv6)).toEqual([]);
      const open = ingress.filter((r) => r.cidr_ipv4 || r.cidr_ipv6);
      expect(open).toHaveLength(1);
      expect(open[0]).toMatchObject({ cidr_ipv4: "0.0.0.0/0", from_port: 443, to_port: 443 });
      expect(roleOf(open[0].security_group_id)).toBe("alb");
    });

    it("closes the default security group (CKV2_AWS_12)", () => {
      const [[, defaultSg]] = resourcesOf(seedNetwork, "aws_default_security_group");
      expect(defaultSg.ingress).toBeUndefined();
      expect(defaultSg.egress).toBeUndefined();
    });

    it("follows the configured service ports", () => {
      const custom = synthNetwork({ ports: { api: 9000 } });
      const rules = resourcesOf(custom, "aws_vpc_security_group_ingress_rule").map(([, r]) => r.from_port);
      expect(rules).toContain(9000);
      expect(rules).not.toContain(8000);
    });
  });

  it("[NET-5] has an S3 gateway endpoint on the private and GPU route tables and private-DNS interface endpoints", () => {
    const endpoints = resourcesOf(seedNetwork, "aws_vpc_endpoint").map(([, e]) => e);
    const gateway = endpoints.filter((e) => e.vpc_endpoint_type === "Gateway");
    expect(gateway).toHaveLength(1);
    expect(gateway[0].service_name).toBe("com.amazonaws.ap-northeast-2.s3");
    const tables = byId(seedNetwork, "aws_route_table");
    expect(gateway[0].route_table_ids.map((ref: string) => tables.get(referencedId(ref)).tags.Name).sort()).toEqual([
      "net-test-gpu-a",
      "net-test-gpu-c",
      "net-test-private-a",
      "net-test-private-c",
    ]);
    const services = endpoints.filter((e) => e.vpc_endpoint_type === "Interface").map((e) => e.service_name.split(".").slice(3).join("."));
    expect(services).toEqual(expect.arrayContaining(["secretsmanager", "ecr.api", "ecr.dkr", "logs", "ecs", "ecs-agent", "ecs-telemetry"]));
    for (const e of endpoints.filter((x) => x.vpc_endpoint_type === "Interface")) {
      expect(e.private_dns_enabled).toBe(true);
      expect(e.subnet_ids).toHaveLength(2);
      expect(e.security_group_ids).toHaveLength(1);
    }
  });

  it("[#17] gives every endpoint a policy of this account's principals, but ECS's and ssmmessages (which take none), and the S3 gateway this account's buckets and the AWS-owned ones the hosts read", () => {
    const endpoints = resourcesOf(seedNetwork, "aws_vpc_endpoint").map(([, e]) => e);
    const { accountId } = TEST_ACCOUNT;
    for (const e of endpoints.filter((x) => x.vpc_endpoint_type === "Interface")) {
      const service = e.service_name.split(".").slice(3).join(".");
      if (WITHOUT_ENDPOINT_POLICY.includes(service)) expect([service, e.policy]).toEqual([service, undefined]);
      else expect([service, e.policy]).toEqual([service, interfaceEndpointPolicy(TEST_ACCOUNT)]);
    }
    expect(JSON.parse(interfaceEndpointPolicy(TEST_ACCOUNT)).Statement).toEqual([
      {
        Sid: "ThisAccountsPrincipalsOnly",
        Effect: "Allow",
        Principal: "*",
        Action: "*",
        Resource: "*",
        Condition: { StringEquals: { "aws:PrincipalAccount": accountId } },
      },
    ]);
    const [gateway] = endpoints.filter((e) => e.vpc_endpoint_type === "Gateway");
    const statements = JSON.parse(gateway.policy).Statement;
    expect(statements[0].Condition).toEqual({ StringEquals: { "aws:PrincipalAccount": accountId, "aws:ResourceAccount": accountId } });
    expect(statements[1]).toMatchObject({
      Action: "s3:GetObject",
      Resource: ["arn:aws:s3:::prod-ap-northeast-2-starport-layer-bucket/*", "arn:aws:s3:::al2023-repos-ap-northeast-2-*/*"],
    });
    // ECR's presigned layer URLs and the anonymous package reads carry no principal of this account.
    expect(statements[1].Condition).toBeUndefined();
  });

  it('[NET-5] [ECS Developer Guide, "Monitor Amazon ECS containers with ECS Exec": private tasks need an ssmmessages endpoint] [EC2 Auto Scaling User Guide, "Connect to Amazon EC2 Auto Scaling using an interface VPC endpoint"] adds the ssmmessages and autoscaling interface endpoints by default', () => {
    expect(DEFAULT_INTERFACE_ENDPOINTS).toEqual(expect.arrayContaining(["ssmmessages", "autoscaling", "ssm", "ec2", "xray", "monitoring"]));
    const services = resourcesOf(seedNetwork, "aws_vpc_endpoint")
      .map(([, e]) => e)
      .filter((e) => e.vpc_endpoint_type === "Interface")
      .map((e) => e.service_name);
    expect(services).toContain("com.amazonaws.ap-northeast-2.ssmmessages");
    expect(services).toContain("com.amazonaws.ap-northeast-2.autoscaling");
    // One endpoint per default service, none twice.
    expect([...services].sort()).toEqual(DEFAULT_INTERFACE_ENDPOINTS.map((service) => `com.amazonaws.ap-northeast-2.${service}`).sort());
  });

  it("[NET-6] sends flow logs of all traffic to a KMS-encrypted log group through a scoped role", () => {
    expect(JSON.stringify(seedNetwork)).toHaveResourceWithProperties(FlowLog, {
      traffic_type: "ALL",
      log_destination_type: "cloud-watch-logs",
      max_aggregation_interval: 60,
    });
    const [[, flowLog]] = resourcesOf(seedNetwork, "aws_flow_log");
    const [[groupId, group]] = resourcesOf(seedNetwork, "aws_cloudwatch_log_group");
    expect(flowLog.log_destination).toBe(`\${aws_cloudwatch_log_group.${groupId}.arn}`);
    expect(group).toMatchObject({ retention_in_days: 365, kms_key_id: baseProps.flowLogKmsKeyArn });
    const docs = seedNetwork.data!.aws_iam_policy_document;
    const trust = Object.values(docs).find((d: any) => d.statement[0].actions?.includes("sts:AssumeRole")) as any;
    expect(trust.statement[0].principals[0].identifiers).toEqual(["vpc-flow-logs.amazonaws.com"]);
    expect(trust.statement[0].condition).toEqual(
      expect.arrayContaining([expect.objectContaining({ variable: "aws:SourceAccount", values: ["123456789012"] })]),
    );
  });

  it("[ENV-4] tags every taggable resource with Component=network", () => {
    for (const type of [
      "aws_vpc",
      "aws_subnet",
      "aws_security_group",
      "aws_vpc_endpoint",
      "aws_nat_gateway",
      "aws_flow_log",
      "aws_iam_role",
    ]) {
      for (const [, resource] of resourcesOf(seedNetwork, type)) expect(resource.tags.Component).toBe("network");
    }
  });

  it("exposes subnet ids per tier in AZ order and a security-group id per role", () => {
    let network: Network | undefined;
    Testing.synthScope((scope) => {
      network = new Network(scope, "network", baseProps);
    });
    expect(network!.subnetIds.gpu).toHaveLength(2);
    expect(network!.subnets.gpu.map((s) => s.cidrBlockInput)).toEqual(["10.0.3.0/24", "10.0.30.0/24"]);
    expect(Object.keys(network!.securityGroupIds).sort()).toEqual(["alb", "backend", "endpoints", "gpuRender", "mlAudio", "rds", "redis"]);
  });

  describe("validation at construction", () => {
    it.each<[string, Partial<NetworkProps>, string]>([
      ["a malformed VPC CIDR", { vpcCidr: "10.0.0/16" }, 'vpcCidr: "10.0.0/16" is not an IPv4 CIDR'],
      [
        "a subnet outside the VPC",
        { subnets: { ...SEED_LAYOUT.subnets, gpu: ["10.0.3.0/24", "10.9.30.0/24"] } },
        "subnets.gpu[1]: 10.9.30.0/24 is outside the VPC CIDR 10.0.0.0/16",
      ],
      [
        "overlapping subnets",
        { subnets: { ...SEED_LAYOUT.subnets, private: ["10.0.1.0/25", "10.0.20.0/24"] } },
        "subnets.private[0]: 10.0.1.0/25 overlaps subnets.public[0] (10.0.1.0/24)",
      ],
      ["one AZ", { availabilityZones: ["ap-northeast-2a"] }, "availabilityZones: lists 1 AZ(s); at least 2 are required"],
      [
        "a tier without a subnet per AZ",
        { subnets: { ...SEED_LAYOUT.subnets, public: ["10.0.1.0/24"] } },
        "subnets.public: has 1 CIDR(s) but there are 2 AZs",
      ],
      ["an unknown NAT policy", { natGateways: "none" as never }, 'natGateways: "none" must be "one-per-az" or "single"'],
      ["a retention CloudWatch refuses", { flowLogRetentionDays: 10 }, "flowLogRetentionDays: 10 is not a CloudWatch Logs retention value"],
      ["a port out of range", { ports: { redis: 70000 } }, "ports.redis: 70000 is not a TCP port"],
      ["an empty name", { name: "" }, 'name: "" must be 2-31 lower-case letters'],
    ])("refuses %s with the field and the reason", (_, overrides, message) => {
      expect(() => synthNetwork(overrides)).toThrow(message);
    });
  });
});

describe("Network module with an ALB test listener", () => {
  const stack = synthNetwork({ albTestListenerPort: 8443 });

  it("[NET-4] [CI-3] admits the blue/green test port on ALB-SG from the NAT gateways' addresses only", () => {
    const eips = resourcesOf(stack, "aws_eip").map(([id]) => `\${aws_eip.${id}.public_ip}/32`);
    expect(eips).toHaveLength(2);
    const testRules = resourcesOf(stack, "aws_vpc_security_group_ingress_rule").filter(([, r]) => r.from_port === 8443);
    expect(testRules.map(([, r]) => r.cidr_ipv4).sort()).toEqual(eips.sort());
    for (const [, rule] of testRules)
      expect(rule).toMatchObject({ to_port: 8443, ip_protocol: "tcp", description: expect.stringContaining("test listener") });
    // Without a test listener, nothing but 443 reaches the ALB from outside.
    const outside = resourcesOf(seedNetwork, "aws_vpc_security_group_ingress_rule").filter(([, r]) => r.cidr_ipv4);
    expect(outside.map(([, r]) => [r.cidr_ipv4, r.from_port])).toEqual([["0.0.0.0/0", 443]]);
  });

  it.each([443, 0])("refuses albTestListenerPort %d", (port) => {
    expect(() => synthNetwork({ albTestListenerPort: port })).toThrow(`albTestListenerPort: ${port} must be a TCP port other than 443`);
  });
});

describe("Network module with HTTPS through NAT", () => {
  const stack = synthNetwork({ httpsThroughNat: true });
  const groups = byId(stack, "aws_security_group");
  const role = (ref: string) => groups.get(referencedId(ref)).name_prefix.replace(/^net-test-|-$/g, "");
  const toInternet = (s: SynthesizedStack) =>
    resourcesOf(s, "aws_vpc_security_group_egress_rule")
      .filter(([, r]) => r.cidr_ipv4 === "0.0.0.0/0")
      .map(([, r]) => r);

  it("[NET-4] [DR-1] lets the service tiers reach any address on 443 only (S3 of another region, through NAT)", () => {
    const rules = toInternet(stack);
    expect(rules.map((r) => role(r.security_group_id)).sort()).toEqual(["backend", "gpuRender", "mlAudio"]);
    for (const rule of rules)
      expect(rule).toMatchObject({
        ip_protocol: "tcp",
        from_port: 443,
        to_port: 443,
        description: expect.stringContaining("another region"),
      });
  });

  it("[NET-4] opens nothing towards the internet by default", () => {
    expect(toInternet(seedNetwork)).toEqual([]);
  });
});

describe("IsolatedNetwork module (a private-only VPC in another region)", () => {
  const TOKYO_ACCOUNT = { ...TEST_ACCOUNT, region: "ap-northeast-1" };
  const props: IsolatedNetworkProps = {
    name: "ecg-test-replica",
    account: TOKYO_ACCOUNT,
    vpcCidr: "10.11.0.0/16",
    availabilityZones: ["ap-northeast-1a", "ap-northeast-1c"],
    subnets: ["10.11.1.0/24", "10.11.2.0/24"],
    flowLogRetentionDays: 90,
    logsKmsKeyArn: "arn:aws:kms:ap-northeast-1:123456789012:key/logs",
  };
  let built: IsolatedNetwork | undefined;
  const synthIsolated = (overrides: Partial<IsolatedNetworkProps> = {}, tokyo = true) =>
    synthJson(
      Testing.synthScope((scope) => {
        const provider = tokyo ? new AwsProvider(scope, "tokyo", { region: "ap-northeast-1", alias: "tokyo" }) : undefined;
        built = new IsolatedNetwork(scope, "isolated", { ...props, provider, ...overrides });
      }),
    );
  const stack = synthIsolated();
  const network = built!;
  const [[vpcId, vpc]] = resourcesOf(stack, "aws_vpc");

  it("[RDS-3] creates the VPC and one private subnet per AZ in the given region, with no public IPs", () => {
    expect(resourcesOf(stack, "aws_vpc")).toHaveLength(1);
    expect(vpc).toMatchObject({ cidr_block: "10.11.0.0/16", enable_dns_support: true, enable_dns_hostnames: true, provider: "aws.tokyo" });
    const subnets = resourcesOf(stack, "aws_subnet").map(([, subnet]) => subnet);
    expect(subnets.map((subnet) => [subnet.availability_zone, subnet.cidr_block, subnet.tags.Tier])).toEqual([
      ["ap-northeast-1a", "10.11.1.0/24", "private"],
      ["ap-northeast-1c", "10.11.2.0/24", "private"],
    ]);
    for (const subnet of subnets)
      expect(subnet).toMatchObject({ vpc_id: `\${aws_vpc.${vpcId}.id}`, map_public_ip_on_launch: false, provider: "aws.tokyo" });
    expect(network.subnetIds).toHaveLength(2);
  });

  it("[NET-4] has no route out: no internet or NAT gateway, no endpoint, no route, no public subnet", () => {
    for (const type of [
      "aws_internet_gateway",
      "aws_nat_gateway",
      "aws_eip",
      "aws_vpc_endpoint",
      "aws_route",
      "aws_route_table",
      "aws_route_table_association",
    ]) {
      expect(resourcesOf(stack, type)).toEqual([]);
    }
  });

  it("[NET-4] CKV2_AWS_12: closes the VPC's default security group (no rules)", () => {
    const [[, closed]] = resourcesOf(stack, "aws_default_security_group");
    expect(closed.vpc_id).toBe(`\${aws_vpc.${vpcId}.id}`);
    expect(closed.ingress).toBeUndefined();
    expect(closed.egress).toBeUndefined();
  });

  it("[NET-4] [Terraform aws_security_group: the provider removes AWS's default allow-all egress rule of a new group] gives out a security group without rules: nothing in, nothing out", () => {
    const [[, group]] = resourcesOf(stack, "aws_security_group");
    expect(resourcesOf(stack, "aws_security_group")).toHaveLength(1);
    expect(group).toMatchObject({ name: "ecg-test-replica-isolated", vpc_id: `\${aws_vpc.${vpcId}.id}`, provider: "aws.tokyo" });
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toBeUndefined();
    expect(resourcesOf(stack, "aws_vpc_security_group_ingress_rule")).toEqual([]);
    expect(resourcesOf(stack, "aws_vpc_security_group_egress_rule")).toEqual([]);
    expect(resourcesOf(stack, "aws_security_group_rule")).toEqual([]);
  });

  it("[NET-6] flow-logs all traffic in its region to a KMS-encrypted group, through a role trusted for flow logs of that region", () => {
    const [[, flowLog]] = resourcesOf(stack, "aws_flow_log");
    const [[groupId, group]] = resourcesOf(stack, "aws_cloudwatch_log_group");
    expect(flowLog).toMatchObject({
      vpc_id: `\${aws_vpc.${vpcId}.id}`,
      traffic_type: "ALL",
      provider: "aws.tokyo",
      log_destination: `\${aws_cloudwatch_log_group.${groupId}.arn}`,
    });
    expect(group).toMatchObject({
      name: "/aws/vpc/ecg-test-replica/flow-logs",
      retention_in_days: 90,
      kms_key_id: props.logsKmsKeyArn,
      provider: "aws.tokyo",
    });
    const [[, role]] = resourcesOf(stack, "aws_iam_role");
    // IAM is global: the role has no provider of its own.
    expect(role.provider).toBeUndefined();
    const [trust] = statementsOf(stack, role.assume_role_policy);
    expect(trust.condition).toContainEqual({
      test: "ArnLike",
      variable: "aws:SourceArn",
      values: ["arn:aws:ec2:ap-northeast-1:123456789012:vpc-flow-log/*"],
    });
  });

  it("[ENV-4] tags every taggable resource with Component=network", () => {
    for (const type of [
      "aws_vpc",
      "aws_subnet",
      "aws_security_group",
      "aws_default_security_group",
      "aws_flow_log",
      "aws_cloudwatch_log_group",
      "aws_iam_role",
    ]) {
      const all = resourcesOf(stack, type);
      expect(all.length).toBeGreaterThan(0);
      for (const [, resource] of all) expect(resource.tags.Component).toBe("network");
    }
  });

  it("uses the stack's default provider when given none", () => {
    const plain = synthIsolated({}, false);
    for (const type of ["aws_vpc", "aws_subnet", "aws_security_group", "aws_flow_log", "aws_cloudwatch_log_group"]) {
      for (const [, resource] of resourcesOf(plain, type)) expect(resource.provider).toBeUndefined();
    }
  });

  it.each<[string, Partial<IsolatedNetworkProps>, string]>([
    ["a malformed VPC CIDR", { vpcCidr: "10.11.0/16" }, 'vpcCidr: "10.11.0/16" is not an IPv4 CIDR'],
    [
      "one AZ",
      { availabilityZones: ["ap-northeast-1a"], subnets: ["10.11.1.0/24"] },
      "availabilityZones: lists 1 AZ(s); at least 2 are required",
    ],
    ["a subnet per AZ missing", { subnets: ["10.11.1.0/24"] }, "subnets.private: has 1 CIDR(s) but there are 2 AZs"],
    [
      "a subnet outside the VPC",
      { subnets: ["10.11.1.0/24", "10.12.2.0/24"] },
      "subnets.private[1]: 10.12.2.0/24 is outside the VPC CIDR 10.11.0.0/16",
    ],
    [
      "overlapping subnets",
      { subnets: ["10.11.1.0/24", "10.11.1.0/25"] },
      "subnets.private[1]: 10.11.1.0/25 overlaps subnets.private[0] (10.11.1.0/24)",
    ],
    ["a retention CloudWatch refuses", { flowLogRetentionDays: 10 }, "flowLogRetentionDays: 10 is not a CloudWatch Logs retention value"],
  ])("refuses %s", (_, overrides, message) => {
    const error = errorOf(() => synthIsolated(overrides));
    expect(error).toMatch(/^IsolatedNetwork "isolated" is misconfigured:\n/);
    expect(error).toContain(message);
  });
});

describe("subnetLayoutProblems with tiers", () => {
  it("checks only the given tiers (the three of NET-2 by default)", () => {
    const layout = {
      vpcCidr: "10.0.0.0/16",
      availabilityZones: ["ap-northeast-2a", "ap-northeast-2c"],
      subnets: { private: ["10.0.2.0/24", "10.0.20.0/24"] },
    };
    expect(subnetLayoutProblems(layout, "", ["private"])).toEqual([]);
    const defaults = subnetLayoutProblems(layout as never).map((p) => p.path);
    expect(defaults).toEqual(expect.arrayContaining(["subnets.public", "subnets.gpu"]));
    expect(subnetLayoutProblems({ ...layout, subnets: { private: ["10.0.2.0/24"] } }, "net.", ["private"])).toEqual([
      expect.objectContaining({ path: "net.subnets.private" }),
    ]);
  });
});
