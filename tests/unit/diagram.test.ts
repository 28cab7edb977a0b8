import {
  architectureDocuments,
  buildDiagramModel,
  type DiagramContents,
  type DiagramModel,
  isDiagrammed,
  nodesOf,
  renderDocument,
  renderMermaid,
  securityGroupPaths,
  type StackJson,
} from "../../scripts/diagram";

const VPC = "${aws_vpc.net.id}";
const sg = (name: string) => `\${aws_security_group.${name}.id}`;
const subnet = (name: string) => `\${aws_subnet.${name}.id}`;
const tcp = (from: number, to = from) => ({ ip_protocol: "tcp", from_port: from, to_port: to });

/** A small platform: an ALB, an app on Fargate, a database; every kind of rule the generator reads. */
const demo = (): StackJson => ({
  provider: { aws: [{ region: "ap-northeast-2" }, { alias: "us_west_2", region: "us-west-2" }] },
  data: { aws_caller_identity: { me: {} } },
  resource: {
    aws_vpc: { net: { cidr_block: "10.9.0.0/16", tags: { Name: 'demo-vpc <"blue">' } } },
    aws_subnet: {
      "public-a": {
        vpc_id: VPC,
        cidr_block: "10.9.1.0/24",
        availability_zone: "ap-northeast-2a",
        tags: { Name: "demo-public-a", Tier: "public" },
      },
      "app-a": {
        vpc_id: VPC,
        cidr_block: "10.9.2.0/24",
        availability_zone: "ap-northeast-2a",
        tags: { Name: "demo-app-a", Tier: "private" },
      },
      "app-c": {
        vpc_id: VPC,
        cidr_block: "10.9.20.0/24",
        availability_zone: "ap-northeast-2c",
        tags: { Name: "demo-app-c", Tier: "private" },
      },
    },
    aws_security_group: {
      lb: { vpc_id: VPC, tags: { Name: "demo-lb" } },
      // An inline rule, protocol -1: everything to the corporate range.
      app: { vpc_id: VPC, tags: { Name: "demo-app" }, egress: [{ protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["10.0.0.0/8"] }] },
      db: { vpc_id: VPC, name: "demo-db" },
    },
    aws_vpc_security_group_ingress_rule: {
      "internet-to-lb": { security_group_id: sg("lb"), cidr_ipv4: "0.0.0.0/0", ...tcp(443) },
      "lb-to-app": { security_group_id: sg("app"), referenced_security_group_id: sg("lb"), ...tcp(8080) },
      "shared-to-app": {
        security_group_id: sg("app"),
        referenced_security_group_id: "${data.aws_security_group.shared.id}",
        ...tcp(9000, 9100),
      },
      "office-to-lb": { security_group_id: sg("lb"), cidr_ipv4: "${var.office_ip}/32", ...tcp(8443) },
    },
    aws_vpc_security_group_egress_rule: {
      "lb-to-app": { security_group_id: sg("lb"), referenced_security_group_id: sg("app"), ...tcp(8080) },
      "app-to-s3": { security_group_id: sg("app"), prefix_list_id: "${aws_vpc_endpoint.s3.prefix_list_id}", ...tcp(443) },
    },
    // The classic rule resource, opened on the database's side only.
    aws_security_group_rule: {
      "app-to-db": {
        type: "ingress",
        security_group_id: sg("db"),
        source_security_group_id: sg("app"),
        protocol: "tcp",
        from_port: 5432,
        to_port: 5432,
      },
    },
    aws_vpc_endpoint: {
      s3: { vpc_id: VPC, service_name: "com.amazonaws.ap-northeast-2.s3", vpc_endpoint_type: "Gateway", tags: { Name: "demo-s3" } },
    },
    aws_lb: { api: { name: "demo-api", security_groups: [sg("lb")], subnets: [subnet("public-a")] } },
    aws_lb_listener: { https: { load_balancer_arn: "${aws_lb.api.arn}", port: 443, protocol: "HTTPS" } },
    aws_ecs_service: {
      app: {
        name: "demo-app",
        launch_type: "FARGATE",
        network_configuration: { security_groups: [sg("app")], subnets: [subnet("app-a"), subnet("app-c")] },
      },
    },
    aws_db_subnet_group: { main: { subnet_ids: [subnet("app-a"), subnet("app-c")] } },
    aws_db_instance: {
      main: {
        identifier: "demo",
        engine: "postgres",
        engine_version: "15",
        instance_class: "db.t4g.micro",
        vpc_security_group_ids: [sg("db")],
        db_subnet_group_name: "${aws_db_subnet_group.main.name}",
      },
    },
    aws_s3_bucket: {
      videos: { bucket: "demo-videos-${data.aws_caller_identity.me.account_id}" },
      replica: { bucket: "demo-replica", provider: "aws.us_west_2" },
    },
    aws_s3_bucket_replication_configuration: {
      videos: {
        bucket: "${aws_s3_bucket.videos.id}",
        rule: [{ status: "Enabled", filter: { prefix: "uploads/" }, destination: { bucket: "${aws_s3_bucket.replica.arn}" } }],
      },
    },
  },
});

/** A global entry point in front of an ALB of another stack, and a replica of a database of another stack. */
const globalDemo = (): StackJson => ({
  provider: { aws: [{ region: "us-west-2" }, { alias: "seoul", region: "ap-northeast-2" }, { alias: "tokyo", region: "ap-northeast-1" }] },
  data: { aws_lb: { primary: { name: "demo-api", provider: "aws.seoul" } } },
  resource: {
    aws_globalaccelerator_accelerator: { edge: { name: "demo-global" } },
    aws_globalaccelerator_listener: {
      https: {
        accelerator_arn: "${aws_globalaccelerator_accelerator.edge.arn}",
        protocol: "TCP",
        port_range: [{ from_port: 443, to_port: 443 }],
      },
    },
    aws_globalaccelerator_endpoint_group: {
      seoul: {
        listener_arn: "${aws_globalaccelerator_listener.https.arn}",
        endpoint_group_region: "ap-northeast-2",
        traffic_dial_percentage: 100,
        endpoint_configuration: [{ endpoint_id: "${data.aws_lb.primary.arn}" }],
      },
    },
    aws_db_instance: {
      standby: {
        identifier: "demo-standby",
        provider: "aws.tokyo",
        replicate_source_db: "arn:aws:rds:ap-northeast-2:123456789012:db:demo",
      },
    },
  },
});

const model = buildDiagramModel("demo", demo());

/** The model's node for an address. */
const node = (m: DiagramModel, address: string) => {
  const found = nodesOf(m).find((n) => n.address === address);
  if (!found) throw new Error(`no node for ${address}`);
  return found;
};

/** The nesting of groups (by title) and their nodes (by title). */
const outline = (contents: DiagramContents): unknown => ({
  nodes: contents.nodes.map((n) => n.title),
  ...Object.fromEntries(contents.groups.map((g) => [g.title, outline(g)])),
});

/** Edges as "from -> to: label" by node title, in the model's order. */
const edges = (m: DiagramModel, kind: "path" | "link") => {
  const title = new Map(nodesOf(m).map((n) => [n.id, n.title]));
  return m.edges.filter((e) => e.kind === kind).map((e) => `${title.get(e.from)} -> ${title.get(e.to)}: ${e.label}`);
};

/** The same JSON with every object's keys in reverse order (arrays kept). */
const reversed = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(reversed)
    : value && typeof value === "object"
      ? Object.fromEntries(
          Object.entries(value)
            .reverse()
            .map(([k, v]) => [k, reversed(v)]),
        )
      : value;

describe("diagram model", () => {
  it("nests region → VPC → tier, a tier's subnets in one node with their CIDRs and AZs", () => {
    expect(outline(model)).toEqual({
      nodes: ["Internet", "CIDR block", "Unresolved security group", "Unresolved CIDR block"],
      "Seoul · ap-northeast-2": {
        nodes: ["S3 demo-videos-<account>"],
        'VPC demo-vpc <"blue"> · 10.9.0.0/16': {
          nodes: ["S3 prefix list"],
          "Public tier": { nodes: ["LB", "1 subnet"] },
          "Private tier": { nodes: ["App", "DB", "2 subnets"] },
        },
      },
      "Oregon · us-west-2": { nodes: ["S3 demo-replica"] },
    });
    expect(node(model, "subnets of region ap-northeast-2 / vpc net / vpc net private").details).toEqual([
      "app-a · 10.9.2.0/24 · ap-northeast-2a",
      "app-c · 10.9.20.0/24 · ap-northeast-2c",
    ]);
  });

  it("gives each security group one node, named after the group and listing what it protects", () => {
    expect(node(model, "aws_security_group.lb").details).toEqual(["ALB demo-api · internet-facing", "HTTPS :443", "SG demo-lb"]);
    expect(node(model, "aws_security_group.app").details).toEqual(["ECS service demo-app", "Fargate", "SG demo-app"]);
    expect(node(model, "aws_security_group.db").details).toEqual(["PostgreSQL 15 · demo", "db.t4g.micro", "SG demo-db"]);
  });

  it("draws one edge per allowed path: an ingress rule and its matching egress rule are one edge labelled with the port", () => {
    expect(edges(model, "path")).toEqual([
      "Internet -> LB: 443/tcp",
      "App -> CIDR block: all traffic",
      "App -> S3 prefix list: 443/tcp",
      "App -> DB: 5432/tcp · ingress rule only",
      "LB -> App: 8080/tcp",
      "Unresolved security group -> App: 9000-9100/tcp",
      "Unresolved CIDR block -> LB: 8443/tcp",
    ]);
    const lbToApp = securityGroupPaths(demo()).find((p) => p.from.address === "aws_security_group.lb");
    expect(lbToApp).toEqual({
      from: { kind: "securityGroup", address: "aws_security_group.lb" },
      to: { kind: "securityGroup", address: "aws_security_group.app" },
      protocol: "tcp",
      ports: "8080",
      rules: ["egress", "ingress"],
    });
  });

  it("shows CIDR and prefix-list destinations as nodes of their own", () => {
    expect(node(model, "0.0.0.0/0")).toMatchObject({ kind: "peer", title: "Internet", details: ["0.0.0.0/0"] });
    expect(node(model, "10.0.0.0/8")).toMatchObject({ kind: "peer", title: "CIDR block", details: ["10.0.0.0/8"] });
    expect(node(model, "aws_vpc_endpoint.s3")).toMatchObject({
      kind: "peer",
      title: "S3 prefix list",
      details: ["gateway endpoint demo-s3"],
    });
  });

  it("turns an expression it cannot resolve into a node that shows it, instead of failing", () => {
    expect(node(model, "${data.aws_security_group.shared.id}")).toMatchObject({
      kind: "unresolved",
      title: "Unresolved security group",
      details: ["${data.aws_security_group.shared.id}"],
    });
    expect(node(model, "${var.office_ip}/32")).toMatchObject({ kind: "unresolved", details: ["${var.office_ip}/32"] });
    // A rule without its group: the owner is unknown, the rule still shows.
    const orphan = demo();
    const rules = { ...orphan.resource?.aws_vpc_security_group_egress_rule, lost: { cidr_ipv4: "0.0.0.0/0", ...tcp(25) } };
    const withOrphan = buildDiagramModel("demo", {
      ...orphan,
      resource: { ...orphan.resource, aws_vpc_security_group_egress_rule: rules },
    });
    expect(edges(withOrphan, "path")).toContain("Unresolved security group -> Internet: 25/tcp");
  });

  it("links a bucket to its replica, and what lives in another stack to a node that says so", () => {
    expect(edges(model, "link")).toEqual(["S3 demo-videos-<account> -> S3 demo-replica: replication uploads/"]);
    const global = buildDiagramModel("demo-global", globalDemo());
    expect(outline(global)).toEqual({
      nodes: [],
      "Global: DNS, CDN, accelerator": { nodes: ["Global Accelerator demo-global"] },
      "Seoul · ap-northeast-2": { nodes: ["LB demo-api", "RDS DB demo"] },
      "Tokyo · ap-northeast-1": { nodes: ["read replica demo-standby"] },
    });
    expect(edges(global, "link")).toEqual([
      "RDS DB demo -> read replica demo-standby: replication",
      "Global Accelerator demo-global -> LB demo-api: ap-northeast-2 · dial 100%",
    ]);
    expect(node(global, "data.aws_lb.primary")).toMatchObject({ kind: "external", details: ["outside this stack"] });
  });

  it("is deterministic: the same stack with its keys in another order gives the same page, byte for byte", () => {
    const page = renderDocument(model);
    expect(renderDocument(buildDiagramModel("demo", reversed(demo()) as StackJson))).toBe(page);
    expect(renderDocument(buildDiagramModel("demo", demo()))).toBe(page);
  });
});

describe("diagram rendering", () => {
  const page = renderDocument(model);
  const mermaid = renderMermaid(model);

  it("writes a heading, the generated-file note and one Mermaid flowchart", () => {
    const lines = page.split("\n");
    expect(lines.slice(0, 2)).toEqual(["# demo: architecture", ""]);
    expect(lines[2]).toMatch(
      /^Generated by `npm run diagram` from the synthesized `cdktf\.out\/stacks\/demo\/cdk\.tf\.json`: do not edit by hand\./,
    );
    expect(lines.slice(3, 5)).toEqual(["", "```mermaid"]);
    expect(page.endsWith(`${mermaid}\n\`\`\`\n`)).toBe(true);
    expect(mermaid.split("\n")[1]).toBe("flowchart LR");
  });

  it("writes security-group paths as solid arrows labelled with the port, links as dotted ones", () => {
    expect(mermaid).toContain('  sg_lb -->|"8080/tcp"| sg_app');
    expect(mermaid).toContain('  cidr_0_0_0_0_0 -->|"443/tcp"| sg_lb');
    expect(mermaid).toContain('  s3_demo_videos_account -.->|"replication uploads/"| s3_demo_replica');
  });

  it("nests groups as subgraphs and escapes what would break a label", () => {
    expect(mermaid).toContain('subgraph demo_vpc_blue["VPC demo-vpc #lt;#quot;blue#quot;#gt; · 10.9.0.0/16"]');
    expect(mermaid).toContain(
      'unresolved_data_aws_security_group_shared_id{{"<b>Unresolved security group</b><br/>${data.aws_security_group.shared.id}"}}',
    );
    expect(mermaid).toContain('"<b>S3 demo-videos-#lt;account#gt;</b>"');
  });
});

describe("diagram pages", () => {
  it("has a page for each stack with a network or a global entry point, and none for the others", () => {
    const bucketsOnly: StackJson = { resource: { aws_s3_bucket: { state: { bucket: "demo-state" } } } };
    expect(isDiagrammed(demo())).toBe(true);
    expect(isDiagrammed(globalDemo())).toBe(true);
    expect(isDiagrammed(bucketsOnly)).toBe(false);
    const pages = architectureDocuments({ "demo-state": bucketsOnly, demo: demo(), "demo-global": globalDemo() });
    expect([...pages.keys()]).toEqual(["demo.md", "demo-global.md"]);
    expect(pages.get("demo.md")).toBe(renderDocument(model));
  });
});
