import { TerraformResource, TerraformStack } from "cdktf";
import { environments, program as baseProgram } from "../../environments";
import { formatReport } from "../../modules/policy";
import { resourcesOf, type SynthesizedStack } from "../helpers";
import { synthProgram } from "./synth";

// One synthesis of the whole program serves every describe block below.
const program = synthProgram();
const stack = (name: string): SynthesizedStack => program.stacks[name];
const ENV_STACKS = ["ecg-dev", "ecg-staging", "ecg-prod"];

const subnetsOf = (s: SynthesizedStack) =>
  Object.fromEntries(resourcesOf(s, "aws_subnet").map(([, r]) => [r.tags.Name, `${r.availability_zone} ${r.cidr_block}`]));

describe("platform stacks", () => {
  it("[PLT-2] [CI-1] synthesizes the bootstrap stack, one stack per environment and the delivery pipeline's", () => {
    expect(Object.keys(program.stacks).sort()).toEqual(["ecg-delivery", "ecg-dev", "ecg-prod", "ecg-staging", "ecg-state"]);
  });

  it("[NET-1] [NET-2] [ENV-1] prod's VPC and subnets are exactly the seed's, in Seoul AZs a and c", () => {
    const prod = stack("ecg-prod");
    expect(prod.provider!.aws[0].region).toBe("ap-northeast-2");
    expect(resourcesOf(prod, "aws_vpc").map(([, v]) => [v.cidr_block, v.enable_dns_support, v.enable_dns_hostnames])).toEqual([
      ["10.0.0.0/16", true, true],
    ]);
    expect(subnetsOf(prod)).toEqual({
      "ecg-prod-public-a": "ap-northeast-2a 10.0.1.0/24",
      "ecg-prod-public-c": "ap-northeast-2c 10.0.10.0/24",
      "ecg-prod-private-a": "ap-northeast-2a 10.0.2.0/24",
      "ecg-prod-private-c": "ap-northeast-2c 10.0.20.0/24",
      "ecg-prod-gpu-a": "ap-northeast-2a 10.0.3.0/24",
      "ecg-prod-gpu-c": "ap-northeast-2c 10.0.30.0/24",
    });
  });

  it("[ENV-3] environments never share CIDR ranges, names or state", () => {
    const vpcs = ENV_STACKS.map((name) => resourcesOf(stack(name), "aws_vpc")[0][1].cidr_block);
    expect(vpcs).toEqual(["10.2.0.0/16", "10.1.0.0/16", "10.0.0.0/16"]);
    for (const name of ENV_STACKS) {
      for (const [, subnet] of resourcesOf(stack(name), "aws_subnet")) expect(subnet.tags.Name.startsWith(`${name}-`)).toBe(true);
      for (const [, group] of resourcesOf(stack(name), "aws_security_group")) expect(group.name_prefix.startsWith(`${name}-`)).toBe(true);
    }
    const keys = ENV_STACKS.map((name) => stack(name).terraform!.backend.s3.key);
    expect(new Set(keys).size).toBe(3);
  });

  it("[ENV-2] staging keeps prod's topology; dev runs one NAT gateway", () => {
    const nats = (name: string) => resourcesOf(stack(name), "aws_nat_gateway").length;
    expect([nats("ecg-prod"), nats("ecg-staging"), nats("ecg-dev")]).toEqual([2, 2, 1]);
    for (const name of ENV_STACKS) expect(Object.keys(subnetsOf(stack(name)))).toHaveLength(6);
  });

  it("[NET-4] [NET-5] [NET-6] every environment has the same security-group matrix, endpoints and flow logs", () => {
    const shape = (s: SynthesizedStack) => ({
      groups: resourcesOf(s, "aws_security_group").length,
      egress: resourcesOf(s, "aws_vpc_security_group_egress_rule").map(([, r]) => `${r.from_port} ${r.description}`).sort(),
      // One test-listener rule per NAT gateway (dev runs one): compared as a set.
      ingress: [...new Set(resourcesOf(s, "aws_vpc_security_group_ingress_rule").map(([, r]) => `${r.from_port} ${r.description}`))].sort(),
      endpoints: resourcesOf(s, "aws_vpc_endpoint").map(([, r]) => r.service_name).sort(),
      flowLogs: resourcesOf(s, "aws_flow_log").map(([, r]) => r.traffic_type),
    });
    const prodShape = shape(stack("ecg-prod"));
    expect(prodShape.groups).toBe(7);
    expect(prodShape.flowLogs).toEqual(["ALL"]);
    for (const name of ["ecg-dev", "ecg-staging"]) expect(shape(stack(name))).toEqual(prodShape);
  });

  it("[NET-6] encrypts flow logs with the environment's rotating logs key", () => {
    for (const name of ENV_STACKS) {
      const s = stack(name);
      const alias = resourcesOf(s, "aws_kms_alias").find(([, a]) => a.name === `alias/${name}/logs`)![1];
      const keyId = /^\$\{aws_kms_key\.([^.]+)\.key_id\}$/.exec(alias.target_key_id)![1];
      expect(s.resource.aws_kms_key[keyId].enable_key_rotation).toBe(true);
      const group = resourcesOf(s, "aws_cloudwatch_log_group").find(([, g]) => g.name === `/aws/vpc/${name}/flow-logs`)![1];
      expect(group.kms_key_id).toBe(`\${aws_kms_key.${keyId}.arn}`);
    }
  });

  it("[ENV-4] tags every taggable resource with Project, Environment, ManagedBy and Component", () => {
    for (const [name, config] of [...ENV_STACKS.map((n, i) => [n, environments[i].name]), ["ecg-state", "shared"]]) {
      const s = stack(name);
      expect(s.provider!.aws[0].default_tags).toEqual([
        { tags: { Project: "ecg-render", Environment: config, ManagedBy: "cdktf" } },
      ]);
      const construct = program.app.node.findChild(name) as TerraformStack;
      const taggable = construct.node
        .findAll()
        .filter((node): node is TerraformResource => node instanceof TerraformResource && "tagsInput" in node);
      expect(taggable.length).toBeGreaterThan(0);
      for (const resource of taggable) {
        const json = s.resource[resource.terraformResourceType][resource.friendlyUniqueId];
        expect({ resource: resource.node.path, component: json.tags?.Component }).toEqual({
          resource: resource.node.path,
          component: expect.stringMatching(/^[a-z-]+$/),
        });
      }
    }
  });
});

describe("compute", () => {
  const fleets = (name: string) =>
    Object.fromEntries(resourcesOf(stack(name), "aws_autoscaling_group").map(([, g]) => [g.name.replace(`${name}-`, ""), g]));

  it("[CMP-1] [CMP-7] every environment has its ECS cluster and the three ECR repositories", () => {
    for (const name of ENV_STACKS) {
      expect(resourcesOf(stack(name), "aws_ecs_cluster").map(([, c]) => c.name)).toEqual([name]);
      expect(resourcesOf(stack(name), "aws_ecr_repository").map(([, r]) => r.name).sort()).toEqual(
        ["ecg-backend-api", "ecg-gpu-render", "ecg-ml-audio"].map((image) => `${name}/${image}`),
      );
    }
  });

  it("[CMP-3] [CMP-4] prod runs ML Audio on g4dn.xlarge (1-4) and GPU Render on g4dn.2xlarge (2-8) in both GPU subnets", () => {
    const prod = fleets("ecg-prod");
    const primary = (g: any) => g.mixed_instances_policy.launch_template.override[0].instance_type;
    expect([primary(prod["ml-audio"]), prod["ml-audio"].min_size, prod["ml-audio"].max_size]).toEqual(["g4dn.xlarge", 1, 4]);
    expect([primary(prod["gpu-render"]), prod["gpu-render"].min_size, prod["gpu-render"].max_size]).toEqual(["g4dn.2xlarge", 2, 8]);
    for (const g of Object.values<any>(prod)) expect(g.vpc_zone_identifier).toHaveLength(2);
  });

  it("[COST-1] [ENV-2] prod keeps an On-Demand base under Spot; dev is all Spot", () => {
    const base = (name: string) => Object.values<any>(fleets(name)).map((g) => g.mixed_instances_policy.instances_distribution.on_demand_base_capacity);
    expect(base("ecg-prod")).toEqual([1, 1]);
    expect(base("ecg-dev")).toEqual([0, 0]);
  });

  it("[COST-2] [COST-3] prod's render fleet follows the Seoul working-hours schedule and scales predictively; dev has no schedule", () => {
    const schedules = (name: string) => resourcesOf(stack(name), "aws_autoscaling_schedule").map(([, s]) => `${s.recurrence} min ${s.min_size} ${s.time_zone}`);
    expect(schedules("ecg-prod").sort()).toEqual(
      ["0 9 * * MON-FRI min 4 Asia/Seoul", "0 18 * * MON-FRI min 2 Asia/Seoul", "0 0 * * SAT min 1 Asia/Seoul", "0 0 * * MON min 2 Asia/Seoul"].sort(),
    );
    expect(schedules("ecg-dev")).toEqual([]);
    const predictive = resourcesOf(stack("ecg-prod"), "aws_autoscaling_policy").filter(([, p]) => p.policy_type === "PredictiveScaling");
    expect(predictive).toHaveLength(2);
  });

  it("[CMP-3] [CMP-4] attaches both fleets' capacity providers (and Fargate) to the cluster", () => {
    const [[, attachment]] = resourcesOf(stack("ecg-prod"), "aws_ecs_cluster_capacity_providers");
    expect(attachment.capacity_providers).toHaveLength(4);
    expect(attachment.capacity_providers).toEqual(expect.arrayContaining(["FARGATE", "FARGATE_SPOT"]));
  });
});

describe("state backends", () => {
  it("[PLT-4] every environment stack keeps its state in the S3 bucket under its own key, encrypted and lock-filed", () => {
    for (const name of ENV_STACKS) {
      expect(stack(name).terraform!.backend).toEqual({
        s3: {
          bucket: "ecg-render-terraform-state",
          key: `${name}/terraform.tfstate`,
          region: "ap-northeast-2",
          encrypt: true,
          use_lockfile: true,
        },
      });
    }
  });

  it("[PLT-4] the bootstrap stack keeps its own state locally: the bucket cannot hold its own creation", () => {
    // Relative to cdktf.out/stacks/ecg-state: the project root, outside cdktf.out.
    expect(stack("ecg-state").terraform!.backend).toEqual({ local: { path: "../../../terraform.ecg-state.tfstate" } });
  });

  it("[PLT-5] ECG_TF_BACKEND=cloud switches every environment stack to one Terraform Cloud workspace each", () => {
    const cloud = synthProgram("cloud");
    for (const name of ENV_STACKS) {
      expect(cloud.stacks[name].terraform!.cloud).toEqual({
        hostname: "app.terraform.io",
        organization: "ecg-render",
        workspaces: { name },
      });
      expect(cloud.stacks[name].terraform!.backend).toBeUndefined();
      // Only the backend changes: the resources are the same.
      expect(cloud.stacks[name].resource).toEqual(stack(name).resource);
    }
  });

  it("[PLT-5] ECG_TF_BACKEND=s3 forces the S3 backend on an environment configured for Terraform Cloud", () => {
    // One environment is enough to see the override win over its configuration.
    const dev = environments.find((e) => e.name === "dev")!;
    const input = { ...baseProgram, environments: [{ ...dev, backend: { ...dev.backend, kind: "cloud" as const } }] };
    const forced = synthProgram("s3", input).stacks["ecg-dev"].terraform!;
    expect(forced.cloud).toBeUndefined();
    expect(forced.backend.s3).toMatchObject({ bucket: "ecg-render-terraform-state", key: "ecg-dev/terraform.tfstate", use_lockfile: true });
  });
});

describe("another region from the same code", () => {
  it("[SC-2] the production platform stands up in Tokyo from the same stacks and modules, with its copies in Seoul", () => {
    const prod = environments.find((e) => e.name === "prod")!;
    const tokyo = {
      ...prod,
      name: "tokyo",
      account: { region: "ap-northeast-1" },
      tags: { ...prod.tags, Environment: "tokyo" },
      network: {
        ...prod.network,
        vpcCidr: "10.20.0.0/16",
        availabilityZones: ["ap-northeast-1a", "ap-northeast-1c"],
        subnets: { public: ["10.20.1.0/24", "10.20.10.0/24"], private: ["10.20.2.0/24", "10.20.20.0/24"], gpu: ["10.20.3.0/24", "10.20.30.0/24"] },
      },
      ingress: { ...prod.ingress, domainName: "api.tokyo.ecg-render.com", cdnDomainName: "cdn.tokyo.ecg-render.com" },
      database: { ...prod.database, crossRegionReplicaRegion: "ap-northeast-2" },
      disasterRecovery: { failoverRegion: "ap-northeast-2", replicateImages: true },
    };
    const built = synthProgram(undefined, { ...baseProgram, environments: [tokyo], delivery: { ...baseProgram.delivery, region: "ap-northeast-1" } });
    const stack = built.stacks["ecg-tokyo"];
    const providers = stack.provider!.aws as any[];
    expect(providers.find((p) => !p.alias).region).toBe("ap-northeast-1");
    expect(providers.map((p) => p.region).sort()).toEqual(["ap-northeast-1", "ap-northeast-2", "us-east-1", "us-west-2"]);
    expect(resourcesOf(stack, "aws_subnet").map(([, s]) => s.availability_zone).sort()).toEqual(["ap-northeast-1a", "ap-northeast-1a", "ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1c", "ap-northeast-1c"]);
    // The same platform: every resource type of the Seoul production stack, and the policy pack passes.
    const types = (s: SynthesizedStack) => Object.keys(s.resource).sort();
    expect(types(stack)).toEqual(types(program.stacks["ecg-prod"]));
    expect(built.policy["ecg-tokyo"].findings.filter((f) => f.severity === "error")).toEqual([]);
    const [[, replica]] = resourcesOf(stack, "aws_db_instance").filter(([, d]) => d.provider === "aws.ap_northeast_2");
    expect(replica.replicate_source_db).toMatch(/^\$\{aws_db_instance\./);
  });
});

// --- The bootstrap stack ---
const state: SynthesizedStack = program.stacks["ecg-state"];
const buckets = Object.fromEntries(resourcesOf(state, "aws_s3_bucket").map(([id, b]) => [b.bucket, { id, ...b }]));
const STATE = "ecg-render-terraform-state";
const LOGS = "ecg-render-terraform-state-access-logs";
/** The settings resource of `type` that configures the bucket named `name`. */
const settingOf = (type: string, name: string) =>
  resourcesOf(state, type).find(([, r]) => r.bucket === `\${aws_s3_bucket.${buckets[name].id}.id}`)?.[1];

describe("[PLT-4] bootstrap stack", () => {
  it("creates the state bucket and its access-log bucket, both protected from terraform destroy", () => {
    expect(Object.keys(buckets).sort()).toEqual([STATE, LOGS]);
    for (const name of [STATE, LOGS]) expect(buckets[name].lifecycle).toEqual({ prevent_destroy: true });
  });

  it("gives both buckets the secure baseline (versioning, AES-256, public access blocked, ACLs off, TLS-only policy)", () => {
    for (const name of [STATE, LOGS]) {
      expect(settingOf("aws_s3_bucket_versioning", name).versioning_configuration).toEqual({ status: "Enabled" });
      expect(settingOf("aws_s3_bucket_server_side_encryption_configuration", name).rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "AES256" });
      expect(settingOf("aws_s3_bucket_public_access_block", name)).toMatchObject({ block_public_acls: true, restrict_public_buckets: true });
      expect(settingOf("aws_s3_bucket_ownership_controls", name).rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
      expect(settingOf("aws_s3_bucket_policy", name)).toBeDefined();
    }
  });

  it("keeps superseded state versions 90 days, and access logs 365 days", () => {
    expect(settingOf("aws_s3_bucket_lifecycle_configuration", STATE).rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 90 }]);
    expect(settingOf("aws_s3_bucket_lifecycle_configuration", LOGS).rule[0].expiration).toEqual([{ days: 365 }]);
  });

  it("logs state bucket access into the log bucket, which only the S3 logging service of this account may write to", () => {
    expect(settingOf("aws_s3_bucket_logging", STATE)).toMatchObject({
      target_bucket: `\${aws_s3_bucket.${buckets[LOGS].id}.id}`,
      target_prefix: `logs/${STATE}/`,
    });
    const documents = Object.values<any>(state.data!.aws_iam_policy_document);
    const delivery = documents.flatMap((d) => d.statement).find((s: any) => s.sid === "S3ServerAccessLogDelivery");
    expect(delivery.principals).toEqual([{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }]);
    const [sourceArn] = delivery.condition.find((c: any) => c.variable === "aws:SourceArn").values;
    expect(sourceArn).toMatch(new RegExp(`^arn:\\$\\{data\\.aws_partition\\.[^.]+\\.partition\\}:s3:::${STATE}$`));
  });
});

// --- The policy pack on every stack ---
const STACKS = ["ecg-state", "ecg-dev", "ecg-staging", "ecg-prod", "ecg-delivery"];

describe("policy pack on the environment stacks", () => {
  it("[SEC-4] every stack passes with no error; suppressions and advisories are listed", () => {
    expect(Object.keys(program.policy).sort()).toEqual([...STACKS].sort());
    for (const name of STACKS) {
      const report = program.policy[name];
      expect({ stack: name, errors: report.findings.filter((f) => f.severity === "error") }).toEqual({ stack: name, errors: [] });
    }
    // The suppression list, for the reviewer reading the test output.
    console.log(STACKS.map((name) => formatReport(program.policy[name])).join("\n\n"));
  });

  it("keeps prod to at most 5 suppressions, each with a reason a reviewer can judge", () => {
    const prod = program.policy["ecg-prod"].suppressed;
    expect(prod.length).toBeLessThanOrEqual(5);
    for (const s of Object.values(program.policy).flatMap((r) => r.suppressed)) expect(s.reason.length).toBeGreaterThanOrEqual(20);
  });

  it("applies production rules to prod and the state bucket only: their stateful resources cannot be destroyed", () => {
    const prevented = (stack: string, type: string) =>
      Object.values<any>(program.stacks[stack].resource[type] ?? {}).map((r) => r.lifecycle?.prevent_destroy === true);
    // logs, images, data, the Tokyo replica's data key, the CDN's WAF-logs key in us-east-1 and the alarm topics' key.
    expect(prevented("ecg-prod", "aws_kms_key")).toEqual([true, true, true, true, true, true]);
    expect(prevented("ecg-dev", "aws_kms_key")).toEqual([false, false, false, false, false]);
    for (const type of ["aws_db_instance", "aws_elasticache_replication_group", "aws_s3_bucket"]) {
      expect({ type, prevented: prevented("ecg-prod", type).every(Boolean) }).toEqual({ type, prevented: true });
      expect({ type, prevented: prevented("ecg-dev", type).some(Boolean) }).toEqual({ type, prevented: false });
    }
    expect(prevented("ecg-state", "aws_s3_bucket")).toEqual([true, true]);
  });
});
