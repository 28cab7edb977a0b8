/**
 * Independent evidence for every emulator gap (issue #13, item 13).
 *
 * The offline lane cannot apply these resource types on moto (or, for the
 * global stack, even plan them): tests/terraform/emulator-gaps.ts APPLY_GAPS and
 * VALIDATE_ONLY. moto accepting or refusing a call proves nothing about AWS, so
 * here the constraints AWS documents for each type are asserted on the
 * synthesized JSON, each test titled with the documentation it comes from.
 *
 * Every assertion iterates over what is synthesized (every resource of the type
 * in every stack), so a new resource of a gap type is covered without a new test.
 * Each describe block is tagged from tests/stacks/apply-gap-evidence-tags.ts;
 * the gap list names the tags (tests/unit/apply-gap-evidence-links.test.ts).
 */
import { parse as parseYaml } from "yaml";
import { providerPlacements } from "../../modules/policy/program-checks";
import { EVIDENCE } from "./apply-gap-evidence-tags";
import { synthProgram } from "./synth";

type Json = Record<string, any>;
interface Found {
  readonly stack: string;
  readonly id: string;
  readonly config: Json;
  /** `<stack>: <type>.<id>`, for messages. */
  readonly at: string;
}

const { stacks } = synthProgram();
const STACKS = Object.entries(stacks);

/** Every resource of `type` in every stack. */
function everywhere(type: string): Found[] {
  return STACKS.flatMap(([stack, s]) =>
    Object.entries<Json>(s.resource?.[type] ?? {}).map(([id, config]) => ({ stack, id, config, at: `${stack}: ${type}.${id}` })),
  );
}

/** The literal region a resource lands in (its provider's, as the program checks place it). */
function regionOf(stackName: string, config: Json): string {
  const provider = typeof config.provider === "string" ? config.provider : "aws";
  const region = providerPlacements(stacks[stackName]).get(provider)?.region;
  if (!region) throw new Error(`${stackName}: provider ${provider} has no literal region`);
  return region;
}

interface Reference {
  readonly data: boolean;
  readonly type: string;
  readonly id: string;
  readonly attribute: string;
}
/** `${aws_x.id.attr}` / `${data.aws_x.id.attr}` → its parts; undefined for anything else. */
function reference(expression: unknown): Reference | undefined {
  if (typeof expression !== "string") return undefined;
  const match = /^\$\{(data\.)?([a-z0-9_]+)\.([^.}]+)\.([a-z0-9_]+)\}$/.exec(expression);
  return match ? { data: Boolean(match[1]), type: match[2], id: match[3], attribute: match[4] } : undefined;
}
/** The config a reference names in the same stack. */
function resolve(stackName: string, ref: Reference): Json {
  const s = stacks[stackName];
  const config = (ref.data ? s.data : s.resource)?.[ref.type]?.[ref.id];
  if (!config) throw new Error(`${stackName}: ${ref.data ? "data." : ""}${ref.type}.${ref.id} does not exist`);
  return config;
}
/** The region in a literal ARN (`arn:<partition>:<service>:<region>:...`, partition possibly an expression). */
function arnRegion(arn: string): string | undefined {
  const match = /^arn:(?:\$\{[^}]+\}|[a-z-]+):[a-z0-9-]+:([a-z0-9-]*):/.exec(arn);
  return match?.[1] || undefined;
}
/** The region a reference or literal ARN of a regional resource (KMS key, security group, ...) lands in. */
function regionOfValue(stackName: string, value: unknown): string | undefined {
  const ref = reference(value);
  if (ref) return regionOf(stackName, resolve(stackName, ref));
  return typeof value === "string" ? arnRegion(value) : undefined;
}
const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const block = (value: any): Json | undefined => (Array.isArray(value) ? value[0] : value);
const isTrue = (value: unknown) => value === true || value === "true";
const literal = (value: unknown): value is string => typeof value === "string" && !value.includes("${");
/** Fails with every offender listed (so one run names them all). */
function expectNone(problems: string[]): void {
  expect(problems).toEqual([]);
}
/** A gap type with nothing synthesized would make its evidence vacuous. */
function present(type: string): Found[] {
  const all = everywhere(type);
  expect(all.length).toBeGreaterThan(0);
  return all;
}

// ---------------------------------------------------------------------------------------------
describe(EVIDENCE.appAutoScaling, () => {
  const targets = () => present("aws_appautoscaling_target");
  const policies = () => present("aws_appautoscaling_policy");

  it("[Application Auto Scaling API Reference, RegisterScalableTarget: an ECS service is ResourceId service/<cluster>/<service> with ScalableDimension ecs:service:DesiredCount in namespace ecs] every ECS scalable target names a cluster and a service of that cluster", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of targets()) {
      if (config.service_namespace !== "ecs") continue;
      if (config.scalable_dimension !== "ecs:service:DesiredCount") problems.push(`${at}: dimension ${config.scalable_dimension}`);
      const match =
        /^service\/(\$\{aws_ecs_cluster\.[^.}]+\.name\}|[A-Za-z0-9_-]+)\/(\$\{aws_ecs_service\.[^.}]+\.name\}|[A-Za-z0-9_-]+)$/.exec(
          config.resource_id,
        );
      if (!match) {
        problems.push(`${at}: resource_id ${config.resource_id} is not service/<cluster>/<service>`);
        continue;
      }
      const cluster = reference(match[1]);
      const service = reference(match[2]);
      if (cluster && service) {
        const svc = resolve(stack, service);
        if (reference(svc.cluster)?.id !== cluster.id)
          problems.push(`${at}: service ${service.id} runs in ${svc.cluster}, not in cluster ${cluster.id}`);
      }
    }
    expectNone(problems);
  });

  it("[Application Auto Scaling API Reference, RegisterScalableTarget: MinCapacity and MaxCapacity are required to register a target; a policy never scales outside [min, max]] every target has 0 <= min <= max", () => {
    expectNone(
      targets()
        .filter(
          ({ config }) =>
            !(
              Number.isInteger(config.min_capacity) &&
              Number.isInteger(config.max_capacity) &&
              config.min_capacity >= 0 &&
              config.min_capacity <= config.max_capacity
            ),
        )
        .map(({ at, config }) => `${at}: min ${config.min_capacity}, max ${config.max_capacity}`),
    );
  });

  it("[Terraform AWS provider 5.x, aws_ecs_service: desired_count is changed by Application Auto Scaling, so it goes in lifecycle ignore_changes] every scaled ECS service ignores desired_count", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of targets()) {
      const service = reference(/\/(\$\{aws_ecs_service\.[^}]+\})$/.exec(config.resource_id ?? "")?.[1]);
      if (!service) continue;
      const svc = resolve(stack, service);
      if (!asList(svc.lifecycle?.ignore_changes).includes("desired_count"))
        problems.push(`${at}: aws_ecs_service.${service.id} does not ignore desired_count`);
    }
    expectNone(problems);
  });

  it("[Application Auto Scaling API Reference, PutScalingPolicy: a policy applies to a registered scalable target, identified by ResourceId, ScalableDimension and ServiceNamespace] every policy takes all three from a target of its stack (so it is created after it)", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of policies()) {
      const refs = ["resource_id", "scalable_dimension", "service_namespace"].map((attribute) => reference(config[attribute]));
      const ids = new Set(refs.map((r) => (r?.type === "aws_appautoscaling_target" ? r.id : undefined)));
      if (ids.size !== 1 || ids.has(undefined))
        problems.push(`${at}: does not take resource_id, scalable_dimension and service_namespace from one aws_appautoscaling_target`);
      else resolve(stack, refs[0]!);
    }
    expectNone(problems);
  });

  it("[Application Auto Scaling API Reference, TargetTrackingScalingPolicyConfiguration and TargetTrackingMetricDataQuery: a TargetValue and exactly one of a predefined or a customized metric; with metric math, ReturnData true on exactly one query] every target-tracking policy", () => {
    const problems: string[] = [];
    for (const { at, config } of policies()) {
      if ((config.policy_type ?? "StepScaling") === "StepScaling") {
        if (!block(config.step_scaling_policy_configuration)) problems.push(`${at}: StepScaling without step_scaling_policy_configuration`);
        continue;
      }
      if (config.policy_type !== "TargetTrackingScaling") {
        problems.push(`${at}: policy_type ${config.policy_type}`);
        continue;
      }
      const tt = block(config.target_tracking_scaling_policy_configuration);
      if (!tt || typeof tt.target_value !== "number") {
        problems.push(`${at}: no target_value`);
        continue;
      }
      const predefined = block(tt.predefined_metric_specification);
      const customized = block(tt.customized_metric_specification);
      if (Boolean(predefined) === Boolean(customized))
        problems.push(`${at}: needs exactly one of predefined_metric_specification and customized_metric_specification`);
      if (predefined?.predefined_metric_type === "ALBRequestCountPerTarget" && !predefined.resource_label)
        problems.push(`${at}: ALBRequestCountPerTarget needs resource_label`);
      const queries = asList(customized?.metrics);
      if (queries.length > 0 && queries.filter((q: Json) => q.return_data === true || q.return_data === undefined).length !== 1) {
        problems.push(`${at}: metric math needs return_data true on exactly one query`);
      }
      for (const cooldown of ["scale_in_cooldown", "scale_out_cooldown"]) {
        if (tt[cooldown] !== undefined && !(Number.isInteger(tt[cooldown]) && tt[cooldown] >= 0))
          problems.push(`${at}: ${cooldown} ${tt[cooldown]}`);
      }
    }
    expectNone(problems);
  });
});

// ---------------------------------------------------------------------------------------------
describe(EVIDENCE.ecrPullThroughCache, () => {
  const rules = () => present("aws_ecr_pull_through_cache_rule");
  /** Upstreams that ECR documents as needing a Secrets Manager credential. */
  const NEEDS_CREDENTIAL = /^(registry-1\.docker\.io|ghcr\.io|registry\.gitlab\.com|[a-z0-9-]+\.azurecr\.io)$/;

  it("[Amazon ECR API Reference, CreatePullThroughCacheRule: ecrRepositoryPrefix is 2-30 characters of (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*] every prefix", () => {
    const pattern = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
    expectNone(
      rules()
        .filter(
          ({ config }) =>
            !(
              literal(config.ecr_repository_prefix) &&
              config.ecr_repository_prefix.length >= 2 &&
              config.ecr_repository_prefix.length <= 30 &&
              pattern.test(config.ecr_repository_prefix)
            ),
        )
        .map(({ at, config }) => `${at}: ${config.ecr_repository_prefix}`),
    );
  });

  it("[Amazon ECR User Guide, creating a pull through cache rule: Amazon ECR Public (public.ecr.aws) needs no credential; Docker Hub, GitHub, GitLab and Azure upstreams need a Secrets Manager secret named ecr-pullthroughcache/...] every rule's credential", () => {
    const problems: string[] = [];
    for (const { at, config } of rules()) {
      const upstream = String(config.upstream_registry_url);
      if (upstream === "public.ecr.aws" && config.credential_arn) problems.push(`${at}: ECR Public takes no credential_arn`);
      if (NEEDS_CREDENTIAL.test(upstream) && !config.credential_arn) problems.push(`${at}: ${upstream} needs credential_arn`);
      if (literal(config.credential_arn) && !/:secret:ecr-pullthroughcache\//.test(config.credential_arn))
        problems.push(`${at}: the secret's name must start with ecr-pullthroughcache/`);
    }
    expectNone(problems);
  });

  it("[Amazon ECR User Guide, pull through cache rules: a rule is a setting of the private registry, one per repository prefix per account and Region (CreatePullThroughCacheRule: PullThroughCacheRuleAlreadyExistsException)] no two stacks create the same prefix in one account and Region (a stack pinned to no account counts as every account's)", () => {
    const placed = rules().map(({ stack, config, at }) => {
      const provider = typeof config.provider === "string" ? config.provider : "aws";
      const accounts = providerPlacements(stacks[stack]).get(provider)?.accounts;
      return { at, accounts, region: regionOf(stack, config), prefix: config.ecr_repository_prefix };
    });
    const overlap = (a?: readonly string[], b?: readonly string[]) => !a || !b || a.some((id) => b.includes(id));
    const problems = placed.flatMap((rule, i) =>
      placed
        .slice(0, i)
        .filter((first) => first.region === rule.region && first.prefix === rule.prefix && overlap(first.accounts, rule.accounts))
        .map((first) => `${rule.at} repeats ${first.at} (prefix ${rule.prefix} in ${rule.region})`),
    );
    expect(placed.length).toBeGreaterThan(1);
    expectNone(problems);
  });

  it("[Amazon ECR User Guide, IAM permissions required to sync an upstream registry: pulling through the cache needs ecr:BatchImportUpstreamImage, and ecr:CreateRepository while the cached repository does not exist] every policy that pulls a cached repository may import and create it", () => {
    const prefixes = new Set(rules().map(({ config }) => config.ecr_repository_prefix as string));
    const created = new Set(everywhere("aws_ecr_repository").map(({ config }) => config.name));
    const problems: string[] = [];
    for (const [stack, s] of STACKS) {
      // One policy document is one grant: what it allows on a repository, over all its statements.
      for (const [documentId, document] of Object.entries<Json>(s.data?.aws_iam_policy_document ?? {})) {
        const allows = asList<Json>(document.statement).filter((st) => st.effect !== "Deny");
        const allowed = (repository: string, action: string) =>
          allows.some(
            (st) =>
              asList<string>(st.actions).some((a) => a === action || a === "ecr:*") &&
              asList<string>(st.resources).some((r) => r === "*" || r.endsWith(`:repository/${repository}`)),
          );
        const pulled = new Set(
          allows
            .filter((st) => asList<string>(st.actions).some((a) => /^ecr:(BatchGetImage|GetDownloadUrlForLayer|\*)$/.test(a)))
            .flatMap((st) => asList<string>(st.resources).map((r) => /:repository\/(.+)$/.exec(r)?.[1]))
            .filter((r): r is string => Boolean(r) && [...prefixes].some((p) => r!.startsWith(`${p}/`))),
        );
        for (const repository of pulled) {
          if (!allowed(repository, "ecr:BatchImportUpstreamImage"))
            problems.push(`${stack}: ${documentId} pulls ${repository} without ecr:BatchImportUpstreamImage`);
          if (!created.has(repository) && !allowed(repository, "ecr:CreateRepository"))
            problems.push(
              `${stack}: ${documentId}: the first pull of ${repository} needs ecr:CreateRepository (no aws_ecr_repository creates it)`,
            );
        }
      }
    }
    expectNone([...new Set(problems)]);
  });
});

// ---------------------------------------------------------------------------------------------
describe(EVIDENCE.ecrCreationTemplate, () => {
  const templates = () => present("aws_ecr_repository_creation_template");

  it("[Amazon ECR API Reference, CreateRepositoryCreationTemplate: appliedFor lists PULL_THROUGH_CACHE and/or REPLICATION; the prefix of a pull through cache rule is the template's prefix] every pull-through rule has a template for its prefix, applied for PULL_THROUGH_CACHE, in its stack and Region", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of present("aws_ecr_pull_through_cache_rule")) {
      const match = templates().find(
        (t) =>
          t.stack === stack && t.config.prefix === config.ecr_repository_prefix && regionOf(t.stack, t.config) === regionOf(stack, config),
      );
      if (!match) problems.push(`${at}: no creation template for prefix ${config.ecr_repository_prefix}`);
      else if (!asList<string>(match.config.applied_for).includes("PULL_THROUGH_CACHE"))
        problems.push(`${match.at}: not applied for PULL_THROUGH_CACHE`);
    }
    for (const { config, at } of templates()) {
      if (!asList<string>(config.applied_for).every((a) => ["PULL_THROUGH_CACHE", "REPLICATION"].includes(a)))
        problems.push(`${at}: applied_for ${config.applied_for}`);
    }
    expectNone(problems);
  });

  it('[Amazon ECR User Guide, "Creating a repository creation template": a template with KMS encryption or resource tags needs a custom role that ECR assumes (trusted by ecr.amazonaws.com, with ecr:CreateRepository and KMS grant permissions)] every KMS-encrypting template names a role of its stack that ECR may assume and that may create the repositories and use the key', () => {
    const problems: string[] = [];
    for (const { stack, config, at } of templates()) {
      const encryption = asList<Json>(config.encryption_configuration)[0];
      if (encryption?.encryption_type !== "KMS") continue;
      const ref = reference(config.custom_role_arn);
      if (ref?.type !== "aws_iam_role") {
        problems.push(`${at}: custom_role_arn is not a role of this stack`);
        continue;
      }
      const role = resolve(stack, ref);
      const trust = reference(role.assume_role_policy);
      const trustDoc = trust ? resolve(stack, trust) : undefined;
      const principals = asList<Json>(trustDoc?.statement).flatMap((st) =>
        asList<Json>(st.principals).flatMap((p) => asList<string>(p.identifiers)),
      );
      if (!principals.includes("ecr.amazonaws.com")) problems.push(`${at}: its role is not trusted by ecr.amazonaws.com`);
      const grants = Object.values<Json>(stacks[stack].resource.aws_iam_role_policy ?? {})
        .filter((p) => p.role === `\${aws_iam_role.${ref.id}.id}`)
        .flatMap((p) => {
          const doc = reference(p.policy);
          return doc ? asList<Json>(resolve(stack, doc).statement) : [];
        })
        .flatMap((st) => asList<string>(st.actions));
      for (const action of ["ecr:CreateRepository", "kms:CreateGrant", "kms:DescribeKey"]) {
        if (!grants.includes(action)) problems.push(`${at}: its role may not ${action}`);
      }
    }
    expectNone(problems);
  });

  it("[Amazon ECR API Reference, CreateRepositoryCreationTemplate: imageTagMutability MUTABLE or IMMUTABLE; a KMS encryptionConfiguration names its key] every template's settings are ones the API takes", () => {
    const problems: string[] = [];
    for (const { config, at } of templates()) {
      if (!["MUTABLE", "IMMUTABLE", undefined].includes(config.image_tag_mutability))
        problems.push(`${at}: image_tag_mutability ${config.image_tag_mutability}`);
      const encryption = asList<Json>(config.encryption_configuration)[0];
      if (encryption && !["AES256", "KMS", "KMS_DSSE"].includes(encryption.encryption_type))
        problems.push(`${at}: encryption_type ${encryption.encryption_type}`);
      if (encryption?.encryption_type === "KMS" && !encryption.kms_key) problems.push(`${at}: KMS without a key`);
    }
    expectNone(problems);
  });
});

// ---------------------------------------------------------------------------------------------
describe(EVIDENCE.elastiCacheSubnetGroup, () => {
  const groups = () => present("aws_elasticache_subnet_group");

  it("[ElastiCache User Guide, subnets and subnet groups / Multi-AZ: a Multi-AZ replication group needs its subnet group to span at least two Availability Zones] every subnet group has subnets in two or more AZs", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of groups()) {
      const zones = new Set(
        asList<string>(config.subnet_ids).map((id) => {
          const ref = reference(id);
          return ref ? (resolve(stack, ref).availability_zone ?? resolve(stack, ref).availability_zone_id) : id;
        }),
      );
      if (zones.size < 2) problems.push(`${at}: subnets in ${[...zones].join(", ")}`);
    }
    expectNone(problems);
  });

  it("[Terraform AWS provider 5.x, aws_elasticache_subnet_group: ElastiCache converts the name to lowercase (CreateCacheSubnetGroup: at most 255 letters, digits or hyphens)] every name is lower-case already, so it does not drift", () => {
    expectNone(
      groups()
        .filter(({ config }) => !(literal(config.name) && /^[a-z0-9-]{1,255}$/.test(config.name)))
        .map(({ at, config }) => `${at}: ${config.name}`),
    );
  });

  it("[ElastiCache API Reference, CreateReplicationGroup: CacheSubnetGroupName names an existing subnet group of the same Region] every replication group's subnet group is one of its stack, with its provider", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of present("aws_elasticache_replication_group")) {
      const ref = reference(config.subnet_group_name);
      if (ref?.type !== "aws_elasticache_subnet_group") {
        problems.push(`${at}: subnet_group_name ${config.subnet_group_name} is not a subnet group of the stack`);
        continue;
      }
      if (regionOf(stack, resolve(stack, ref)) !== regionOf(stack, config)) problems.push(`${at}: subnet group in another Region`);
    }
    expectNone(problems);
  });
});

// ---------------------------------------------------------------------------------------------
describe(EVIDENCE.redisClusterMode, () => {
  const groups = () => present("aws_elasticache_replication_group");
  const clusterMode = (config: Json) => config.num_node_groups !== undefined || /\.cluster\.on$/.test(String(config.parameter_group_name));
  /** The parameter group family of an engine version: redis7 for 7.x, redis6.x for 6.x, valkey8 for valkey 8.x. */
  const family = (engine: string, version: string) => {
    const major = Number(String(version).split(".")[0]);
    return engine === "valkey" ? `valkey${major}` : major >= 7 ? `redis${major}` : `redis${major}.x`;
  };

  it("[ElastiCache User Guide, parameter groups: cluster mode requires a parameter group with cluster-enabled=yes (the defaults are default.<family>.cluster.on) of the engine version's family] every cluster-mode group", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of groups()) {
      if (!clusterMode(config)) continue;
      const expected = family(config.engine ?? "redis", config.engine_version);
      const ref = reference(config.parameter_group_name);
      if (ref) {
        const pg = resolve(stack, ref);
        if (pg.family !== expected)
          problems.push(`${at}: parameter group family ${pg.family}, engine ${config.engine_version} needs ${expected}`);
        if (!asList<Json>(pg.parameter).some((p) => p.name === "cluster-enabled" && p.value === "yes"))
          problems.push(`${at}: parameter group without cluster-enabled=yes`);
      } else if (config.parameter_group_name !== `default.${expected}.cluster.on`) {
        problems.push(`${at}: ${config.parameter_group_name} is not default.${expected}.cluster.on`);
      }
    }
    expectNone(problems);
  });

  it("[ElastiCache User Guide, Multi-AZ and automatic failover: cluster mode enabled requires automatic failover; Multi-AZ requires automatic failover and at least one replica per shard] every cluster-mode group", () => {
    const problems: string[] = [];
    for (const { config, at } of groups()) {
      const replicas = config.replicas_per_node_group ?? 0;
      if (clusterMode(config) && !isTrue(config.automatic_failover_enabled))
        problems.push(`${at}: cluster mode without automatic_failover_enabled`);
      if (isTrue(config.multi_az_enabled) && !isTrue(config.automatic_failover_enabled))
        problems.push(`${at}: multi_az_enabled without automatic failover`);
      if (isTrue(config.automatic_failover_enabled) && clusterMode(config) && replicas < 1)
        problems.push(`${at}: automatic failover needs a replica per shard`);
    }
    expectNone(problems);
  });

  it("[ElastiCache API Reference, CreateReplicationGroup / NodeGroupConfiguration: 1-500 shards (NumNodeGroups), 0-5 replicas per shard (ReplicasPerNodeGroup)] every cluster-mode group's shape", () => {
    expectNone(
      groups()
        .filter(({ config }) => clusterMode(config))
        .filter(
          ({ config }) =>
            !(
              config.num_node_groups >= 1 &&
              config.num_node_groups <= 500 &&
              (config.replicas_per_node_group ?? 0) >= 0 &&
              (config.replicas_per_node_group ?? 0) <= 5
            ),
        )
        .map(({ at, config }) => `${at}: ${config.num_node_groups} shards, ${config.replicas_per_node_group} replicas`),
    );
  });

  it("[ElastiCache API Reference, CreateReplicationGroup: AuthToken and UserGroupIds are alternatives; AuthToken requires TransitEncryptionEnabled] every group authenticates through RBAC user groups, with TLS, and without an AUTH token", () => {
    const problems: string[] = [];
    for (const { config, at } of groups()) {
      if (config.auth_token !== undefined) problems.push(`${at}: an AUTH token (the state would hold it)`);
      if (asList(config.user_group_ids).length !== 1) problems.push(`${at}: ${asList(config.user_group_ids).length} user groups`);
      if (!isTrue(config.transit_encryption_enabled)) problems.push(`${at}: no transit encryption`);
    }
    expectNone(problems);
  });

  it("[Terraform AWS provider 5.x, aws_elasticache_replication_group: kms_key_id requires at_rest_encryption_enabled = true; ElastiCache: the key must be in the group's Region] every encrypted group", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of groups()) {
      if (config.kms_key_id === undefined) continue;
      if (!isTrue(config.at_rest_encryption_enabled)) problems.push(`${at}: kms_key_id without at_rest_encryption_enabled`);
      const keyRegion = regionOfValue(stack, config.kms_key_id);
      if (keyRegion !== regionOf(stack, config)) problems.push(`${at}: key in ${keyRegion}`);
    }
    expectNone(problems);
  });
});

// ---------------------------------------------------------------------------------------------

describe(EVIDENCE.elastiCacheUserGroups, () => {
  const userGroups = () => present("aws_elasticache_user_group");
  /** The users a group's user_ids reference, in its stack. */
  const members = (stack: string, config: Json) =>
    asList<string>(config.user_ids).map((id) => {
      const ref = reference(id);
      if (ref?.type !== "aws_elasticache_user" || ref.attribute !== "user_id")
        throw new Error(`${stack}: user id ${id} is not a user's user_id`);
      return resolve(stack, ref);
    });

  it("[ElastiCache User Guide, Applying RBAC to a cache: every user group includes a user named default; engine redis for Redis OSS caches] every user group", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of userGroups()) {
      const users = members(stack, config);
      if (users.filter((user) => user.user_name === "default").length !== 1) problems.push(`${at}: not exactly one default user`);
      for (const user of [config, ...users]) if (user.engine !== "redis") problems.push(`${at}: engine ${user.engine}`);
    }
    expectNone(problems);
  });

  it("[ElastiCache User Guide, Authenticating with IAM: the user id and user name are identical and lower-case; Redis OSS 7.0 or later with in-transit encryption; elasticache:Connect names the cache and the user] every IAM-authenticated user and its cache", () => {
    const problems: string[] = [];
    const iamUsers = present("aws_elasticache_user").filter(({ config }) => block(config.authentication_mode)?.type === "iam");
    expect(iamUsers.length).toBeGreaterThan(0);
    for (const { config, at } of iamUsers) {
      if (config.user_id !== config.user_name) problems.push(`${at}: user id ${config.user_id} is not its name ${config.user_name}`);
      if (!/^[a-z][a-z0-9-]*$/.test(config.user_id))
        problems.push(`${at}: user id ${config.user_id} is not lower-case letters, digits and hyphens`);
    }
    for (const { stack, config, at } of present("aws_elasticache_replication_group")) {
      if (Number(String(config.engine_version).split(".")[0]) < 7) problems.push(`${at}: engine ${config.engine_version} below 7.0`);
      if (!isTrue(config.transit_encryption_enabled)) problems.push(`${at}: no transit encryption`);
      const group = resolve(stack, reference(asList(config.user_group_ids)[0])!);
      if (!members(stack, group).some((user) => block(user.authentication_mode)?.type === "iam")) problems.push(`${at}: no IAM user`);
    }
    expectNone(problems);
  });

  it("[ElastiCache User Guide, RBAC access strings: on or off is part of the string; a user with neither is off] every user says on or off", () => {
    expectNone(
      present("aws_elasticache_user")
        .filter(({ config }) => !/(^| )(on|off)( |$)/.test(config.access_string))
        .map(({ at, config }) => `${at}: ${config.access_string}`),
    );
  });
});
describe(EVIDENCE.s3IntelligentTiering, () => {
  const configs = () => present("aws_s3_bucket_intelligent_tiering_configuration");

  it("[Amazon S3 API Reference, Tiering: AccessTier ARCHIVE_ACCESS after at least 90 days, DEEP_ARCHIVE_ACCESS after at least 180, at most 730 days, each tier once] every configuration's tiers", () => {
    const problems: string[] = [];
    for (const { config, at } of configs()) {
      const tiers = asList<Json>(config.tiering);
      if (tiers.length === 0) problems.push(`${at}: no tiering`);
      const names = tiers.map((t) => t.access_tier);
      if (new Set(names).size !== names.length) problems.push(`${at}: a tier twice`);
      for (const t of tiers) {
        const min = { ARCHIVE_ACCESS: 90, DEEP_ARCHIVE_ACCESS: 180 }[t.access_tier as string];
        if (min === undefined || !(t.days >= min && t.days <= 730)) problems.push(`${at}: ${t.access_tier} after ${t.days} days`);
      }
    }
    expectNone(problems);
  });

  it("[Amazon S3 User Guide, S3 Intelligent-Tiering: the archive access tiers apply only to objects stored in the INTELLIGENT_TIERING storage class] every configured prefix is moved into INTELLIGENT_TIERING by a lifecycle rule of the same bucket", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of configs()) {
      const prefix = block(config.filter)?.prefix ?? "";
      const lifecycles = Object.values<Json>(stacks[stack].resource.aws_s3_bucket_lifecycle_configuration ?? {}).filter(
        (l) => l.bucket === config.bucket,
      );
      const covered = lifecycles.some((l) =>
        asList<Json>(l.rule).some((rule) => {
          const rulePrefix = block(rule.filter)?.prefix ?? rule.prefix ?? "";
          return (
            rule.status === "Enabled" &&
            String(prefix).startsWith(rulePrefix) &&
            asList<Json>(rule.transition).some((t) => t.storage_class === "INTELLIGENT_TIERING")
          );
        }),
      );
      if (!covered) problems.push(`${at}: nothing moves ${prefix || "the bucket"} into INTELLIGENT_TIERING`);
    }
    expectNone(problems);
  });

  it("[Amazon S3 API Reference, PutBucketIntelligentTieringConfiguration: the Id names the configuration within its bucket (a second put with the Id replaces the first)] every (bucket, name) is configured once, on a bucket of the stack", () => {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const { stack, config, at } of configs()) {
      const ref = reference(config.bucket);
      if (ref?.type !== "aws_s3_bucket") problems.push(`${at}: bucket ${config.bucket} is not a bucket of the stack`);
      else resolve(stack, ref);
      const key = `${stack} ${config.bucket} ${config.name}`;
      if (seen.has(key)) problems.push(`${at}: ${config.name} twice`);
      seen.add(key);
    }
    expectNone(problems);
  });
});

// ---------------------------------------------------------------------------------------------
/** A read replica, with where its source is. */
interface Replica extends Found {
  readonly region: string;
  /** The source's Region: from the ARN, or the replica's own for an identifier. */
  readonly sourceRegion?: string;
  /** The source's config when it is a resource of the same stack. */
  readonly source?: Json;
  readonly byArn: boolean;
}
function replicas(): Replica[] {
  const all = everywhere("aws_db_instance").filter(({ config }) => Boolean(config.replicate_source_db));
  expect(all.length).toBeGreaterThan(0);
  return all.map((found) => {
    const { stack, config } = found;
    const region = regionOf(stack, config);
    const ref = reference(config.replicate_source_db);
    if (ref) {
      const source = resolve(stack, ref);
      return { ...found, region, source, sourceRegion: regionOf(stack, source), byArn: ref.attribute === "arn" };
    }
    const byArn = String(config.replicate_source_db).startsWith("arn:");
    return { ...found, region, sourceRegion: byArn ? arnRegion(config.replicate_source_db) : region, byArn };
  });
}

describe(EVIDENCE.rdsReadReplicas, () => {
  it("[Terraform AWS provider 5.x, aws_db_instance replicate_source_db: the source's identifier in the same Region, its ARN across Regions] every replica names its source the way its Region requires", () => {
    const problems: string[] = [];
    for (const r of replicas()) {
      if (!r.sourceRegion) problems.push(`${r.at}: the source's Region is unknown (${r.config.replicate_source_db})`);
      else if (r.sourceRegion === r.region && r.byArn) problems.push(`${r.at}: same-Region replica names its source by ARN`);
      else if (r.sourceRegion !== r.region && !r.byArn) problems.push(`${r.at}: cross-Region replica must name its source by ARN`);
    }
    expectNone(problems);
  });

  it("[Amazon RDS API Reference, CreateDBInstanceReadReplica KmsKeyId: across Regions, a KMS key of the destination Region is required (KMS keys are Regional); in the same Region the replica uses the source's key] every encrypted replica's key", () => {
    const problems: string[] = [];
    for (const r of replicas()) {
      if (r.sourceRegion !== r.region) {
        if (!r.config.kms_key_id) problems.push(`${r.at}: cross-Region replica without kms_key_id`);
        else if (regionOfValue(r.stack, r.config.kms_key_id) !== r.region) problems.push(`${r.at}: kms_key_id is not a key of ${r.region}`);
        if (r.source && !isTrue(r.source.storage_encrypted))
          problems.push(`${r.at}: an encrypted cross-Region replica needs an encrypted source`);
      } else if (r.config.kms_key_id !== undefined && r.source && r.config.kms_key_id !== r.source.kms_key_id) {
        problems.push(`${r.at}: a same-Region replica is encrypted with the source's key, not ${r.config.kms_key_id}`);
      }
      if (
        r.config.performance_insights_kms_key_id !== undefined &&
        regionOfValue(r.stack, r.config.performance_insights_kms_key_id) !== r.region
      ) {
        problems.push(`${r.at}: performance_insights_kms_key_id is not a key of ${r.region}`);
      }
    }
    expectNone(problems);
  });

  it("[Amazon RDS User Guide, working with read replicas: a replica inherits the source's database, master user and password (Terraform aws_db_instance: username/password are not set on a replica)] no replica sets db_name, username or a password", () => {
    const inherited = [
      "db_name",
      "username",
      "password",
      "password_wo",
      "password_wo_version",
      "manage_master_user_password",
      "master_user_secret_kms_key_id",
    ];
    expectNone(replicas().flatMap((r) => inherited.filter((k) => r.config[k] !== undefined).map((k) => `${r.at}: sets ${k}`)));
  });

  it("[Amazon RDS API Reference, CreateDBInstanceReadReplica DBParameterGroupName: an existing parameter group of the Region the replica is created in (else the engine's default there); the family is the source's engine family] every replica's parameter group", () => {
    const problems: string[] = [];
    for (const r of replicas()) {
      if (r.config.parameter_group_name === undefined) continue;
      const ref = reference(r.config.parameter_group_name);
      if (ref?.type !== "aws_db_parameter_group") {
        problems.push(`${r.at}: parameter_group_name ${r.config.parameter_group_name} is not a parameter group of the stack`);
        continue;
      }
      const group = resolve(r.stack, ref);
      if (regionOf(r.stack, group) !== r.region) problems.push(`${r.at}: parameter group in ${regionOf(r.stack, group)}`);
      const sourceGroupRef = r.source && reference(r.source.parameter_group_name);
      const sourceFamily = sourceGroupRef ? resolve(r.stack, sourceGroupRef).family : undefined;
      const sourceEngine = r.source?.engine;
      if (sourceFamily && group.family !== sourceFamily) problems.push(`${r.at}: family ${group.family}, the source's is ${sourceFamily}`);
      if (!sourceFamily && sourceEngine && !String(group.family).startsWith(sourceEngine))
        problems.push(`${r.at}: family ${group.family} for a ${sourceEngine} source`);
      if (!r.source && !/^postgres\d+$|^mysql\d|^mariadb\d/.test(String(group.family))) problems.push(`${r.at}: family ${group.family}`);
    }
    expectNone(problems);
  });

  it("[Amazon RDS API Reference, CreateDBInstanceReadReplica DBSubnetGroupName: not allowed for a replica in the source's Region (DBSubnetGroupNotAllowedFault); across Regions a subnet group of the destination Region, without which the replica is created outside the program's VPC] every replica's network", () => {
    const problems: string[] = [];
    for (const r of replicas()) {
      if (r.sourceRegion === r.region) {
        if (r.config.db_subnet_group_name !== undefined) problems.push(`${r.at}: a same-Region replica must not set db_subnet_group_name`);
        continue;
      }
      const group = reference(r.config.db_subnet_group_name);
      if (group?.type !== "aws_db_subnet_group")
        problems.push(`${r.at}: cross-Region replica without a db_subnet_group_name of ${r.region}`);
      else if (regionOf(r.stack, resolve(r.stack, group)) !== r.region) problems.push(`${r.at}: db subnet group outside ${r.region}`);
      const sgs = asList<string>(r.config.vpc_security_group_ids);
      if (sgs.length === 0)
        problems.push(`${r.at}: cross-Region replica without vpc_security_group_ids (it would take the default VPC's default group)`);
      for (const sg of sgs)
        if (regionOfValue(r.stack, sg) !== r.region) problems.push(`${r.at}: security group ${sg} is not in ${r.region}`);
    }
    expectNone(problems);
  });

  it("[Amazon RDS API Reference, CreateDBInstanceReadReplica: the source DB instance must have backup retention enabled] every source the program defines keeps backups", () => {
    expectNone(
      replicas()
        .filter((r) => r.source && !(Number(r.source.backup_retention_period) >= 1))
        .map((r) => `${r.at}: source backup_retention_period ${r.source!.backup_retention_period}`),
    );
  });
});

// ---------------------------------------------------------------------------------------------
describe(EVIDENCE.rdsBackupReplication, () => {
  const replications = () =>
    present("aws_db_instance_automated_backups_replication").map((found) => {
      const ref = reference(found.config.source_db_instance_arn);
      const source = ref ? resolve(found.stack, ref) : undefined;
      const sourceRegion = source ? regionOf(found.stack, source) : arnRegion(String(found.config.source_db_instance_arn));
      return { ...found, ref, source, sourceRegion, region: regionOf(found.stack, found.config) };
    });

  it("[Amazon RDS API Reference, StartDBInstanceAutomatedBackupsReplication: SourceDBInstanceArn is the source's ARN; Terraform aws_db_instance_automated_backups_replication: created with a provider of the destination Region] every replication names its source by ARN in another Region", () => {
    const problems: string[] = [];
    for (const r of replications()) {
      if (
        r.ref
          ? r.ref.attribute !== "arn"
          : !/^arn:[^:]+:rds:[a-z0-9-]+:[^:]+:db:[a-z][a-z0-9-]*$/.test(String(r.config.source_db_instance_arn))
      ) {
        problems.push(`${r.at}: source_db_instance_arn ${r.config.source_db_instance_arn} is not an RDS DB instance ARN`);
      }
      if (!r.sourceRegion) problems.push(`${r.at}: the source's Region is unknown`);
      else if (r.sourceRegion === r.region) problems.push(`${r.at}: replicates into the source's own Region ${r.region}`);
    }
    expectNone(problems);
  });

  it("[Amazon RDS API Reference, StartDBInstanceAutomatedBackupsReplication KmsKeyId: the ARN of a KMS key in the destination Region (required for an encrypted source)] every replication's key", () => {
    const problems: string[] = [];
    for (const r of replications()) {
      if (!r.config.kms_key_id) problems.push(`${r.at}: no kms_key_id (every source of the program is encrypted)`);
      else if (regionOfValue(r.stack, r.config.kms_key_id) !== r.region) problems.push(`${r.at}: kms_key_id is not a key of ${r.region}`);
    }
    expectNone(problems);
  });

  it("[Amazon RDS User Guide, replicating automated backups to another Region: the source must have automated backups (retention 1-35 days), and the replicated backups keep their own retention period (1-35 days)] every replication's retention", () => {
    const problems: string[] = [];
    for (const r of replications()) {
      const retention = r.config.retention_period ?? 7;
      if (!(Number.isInteger(retention) && retention >= 1 && retention <= 35)) problems.push(`${r.at}: retention_period ${retention}`);
      if (r.source && !(Number(r.source.backup_retention_period) >= 1)) problems.push(`${r.at}: source without automated backups`);
    }
    expectNone(problems);
  });
});

// ---------------------------------------------------------------------------------------------
describe(EVIDENCE.xraySamplingRules, () => {
  it("[AWS X-Ray API Reference, SamplingRule: Priority 1-9999, FixedRate 0-1, ReservoirSize >= 0, Version 1, RuleName 1-32, Host <= 64, HTTPMethod <= 10, ServiceName <= 64, ServiceType <= 64, URLPath <= 128, ResourceARN <= 500, at most 5 Attributes] every sampling rule", () => {
    const problems: string[] = [];
    const maxLength: Record<string, number> = {
      rule_name: 32,
      host: 64,
      http_method: 10,
      service_name: 64,
      service_type: 64,
      url_path: 128,
      resource_arn: 500,
    };
    for (const { config, at } of present("aws_xray_sampling_rule")) {
      if (!(Number.isInteger(config.priority) && config.priority >= 1 && config.priority <= 9999))
        problems.push(`${at}: priority ${config.priority}`);
      if (!(config.fixed_rate >= 0 && config.fixed_rate <= 1)) problems.push(`${at}: fixed_rate ${config.fixed_rate}`);
      if (!(Number.isInteger(config.reservoir_size) && config.reservoir_size >= 0))
        problems.push(`${at}: reservoir_size ${config.reservoir_size}`);
      if (config.version !== 1) problems.push(`${at}: version ${config.version}`);
      for (const [field, max] of Object.entries(maxLength)) {
        const value = config[field];
        if (typeof value !== "string" || value.length === 0 || (literal(value) && value.length > max))
          problems.push(`${at}: ${field} ${JSON.stringify(value)} (1-${max})`);
      }
      if (Object.keys(config.attributes ?? {}).length > 5) problems.push(`${at}: more than 5 attributes`);
    }
    expectNone(problems);
  });
});

describe(EVIDENCE.xrayGroups, () => {
  it("[AWS X-Ray API Reference, CreateGroup: GroupName 1-32 characters and not the reserved Default; NotificationsEnabled only with InsightsEnabled] every group", () => {
    const problems: string[] = [];
    for (const { config, at } of present("aws_xray_group")) {
      if (
        !(literal(config.group_name) && config.group_name.length >= 1 && config.group_name.length <= 32) ||
        config.group_name === "Default"
      )
        problems.push(`${at}: group_name ${config.group_name}`);
      const insights = block(config.insights_configuration);
      if (insights && isTrue(insights.notifications_enabled) && !isTrue(insights.insights_enabled))
        problems.push(`${at}: notifications without insights`);
      if (
        config.filter_expression !== undefined &&
        !(typeof config.filter_expression === "string" && config.filter_expression.trim().length > 0)
      )
        problems.push(`${at}: empty filter_expression`);
    }
    expectNone(problems);
  });

  it('[AWS X-Ray Developer Guide, filter expressions: service("name") matches the name a service records in its segments] every service a group filters on is one the program samples (a sampling rule\'s service_name in the same stack)', () => {
    const problems: string[] = [];
    for (const { stack, config, at } of present("aws_xray_group")) {
      const sampled = new Set(Object.values<Json>(stacks[stack].resource.aws_xray_sampling_rule ?? {}).map((r) => r.service_name));
      for (const [, name] of String(config.filter_expression ?? "").matchAll(/service\("([^"]+)"\)/g)) {
        if (!sampled.has(name)) problems.push(`${at}: filters on ${name}, which no sampling rule of ${stack} names`);
      }
    }
    expectNone(problems);
  });
});

// ---------------------------------------------------------------------------------------------
/** A CodeDeploy ECS deployment group, with what it deploys. */
function ecsDeploymentGroups() {
  const all = present("aws_codedeploy_deployment_group").filter(({ config }) => block(config.ecs_service));
  expect(all.length).toBeGreaterThan(0);
  return all.map((found) => {
    const ecs = block(found.config.ecs_service)!;
    const serviceRef = reference(ecs.service_name);
    const service = serviceRef ? resolve(found.stack, serviceRef) : undefined;
    const pair = block(block(found.config.load_balancer_info)?.target_group_pair_info);
    return { ...found, ecs, serviceRef, service, pair };
  });
}

describe(EVIDENCE.codeDeployApplication, () => {
  it("[CodeDeploy API Reference, CreateApplication: computePlatform Server, Lambda or ECS, and a deployment group deploys to its application's platform; ApplicationName 1-100 characters] every application is used, on the platform of its groups", () => {
    const problems: string[] = [];
    for (const { stack, id, config, at } of present("aws_codedeploy_app")) {
      if (!["Server", "Lambda", "ECS"].includes(config.compute_platform ?? "Server"))
        problems.push(`${at}: compute_platform ${config.compute_platform}`);
      if (!(literal(config.name) && config.name.length >= 1 && config.name.length <= 100)) problems.push(`${at}: name ${config.name}`);
      const groups = Object.values<Json>(stacks[stack].resource.aws_codedeploy_deployment_group ?? {}).filter(
        (g) => reference(g.app_name)?.id === id,
      );
      if (groups.length === 0) problems.push(`${at}: no deployment group`);
      for (const g of groups)
        if (block(g.ecs_service) && config.compute_platform !== "ECS")
          problems.push(`${at}: an ECS deployment group in a ${config.compute_platform ?? "Server"} application`);
    }
    expectNone(problems);
  });
});

describe(EVIDENCE.codeDeployConfig, () => {
  it("[CodeDeploy User Guide, deployment configurations on an Amazon ECS compute platform: traffic shifts TimeBasedCanary, TimeBasedLinear or AllAtOnce; minimum healthy hosts and zonal settings are for EC2/On-premises only] every ECS deployment configuration", () => {
    const problems: string[] = [];
    for (const { config, at } of present("aws_codedeploy_deployment_config")) {
      if (config.compute_platform !== "ECS") continue;
      if (block(config.minimum_healthy_hosts) || block(config.zonal_config))
        problems.push(`${at}: minimum_healthy_hosts/zonal_config on ECS`);
      const routing = block(config.traffic_routing_config);
      if (!routing || !["TimeBasedCanary", "TimeBasedLinear", "AllAtOnce"].includes(routing.type)) {
        problems.push(`${at}: traffic_routing_config type ${routing?.type}`);
        continue;
      }
      const shift = block(
        routing.type === "TimeBasedCanary"
          ? routing.time_based_canary
          : routing.type === "TimeBasedLinear"
            ? routing.time_based_linear
            : undefined,
      );
      if (
        routing.type !== "AllAtOnce" &&
        !(shift && shift.percentage >= 1 && shift.percentage <= 99 && Number.isInteger(shift.interval) && shift.interval >= 1)
      ) {
        problems.push(`${at}: ${routing.type} needs a percentage (1-99) and an interval in minutes`);
      }
    }
    expectNone(problems);
  });

  it("[CodeDeploy User Guide, predefined deployment configurations for ECS: CodeDeployDefault.ECS*; a custom configuration must be of the ECS compute platform] every ECS deployment group's configuration", () => {
    const problems: string[] = [];
    for (const g of ecsDeploymentGroups()) {
      const name = g.config.deployment_config_name;
      const ref = reference(name);
      if (ref) {
        if (ref.type !== "aws_codedeploy_deployment_config" || resolve(g.stack, ref).compute_platform !== "ECS")
          problems.push(`${g.at}: ${name} is not an ECS deployment configuration`);
      } else if (!/^CodeDeployDefault\.ECS[A-Za-z0-9]+$/.test(String(name))) {
        problems.push(`${g.at}: ${name} is not a predefined ECS configuration`);
      }
    }
    expectNone(problems);
  });
});

describe(EVIDENCE.codeDeployEcsBlueGreen, () => {
  it("[CodeDeploy API Reference, DeploymentStyle: an Amazon ECS deployment is BLUE_GREEN with WITH_TRAFFIC_CONTROL] every ECS deployment group", () => {
    expectNone(
      ecsDeploymentGroups()
        .filter((g) => {
          const style = block(g.config.deployment_style);
          return style?.deployment_type !== "BLUE_GREEN" || style?.deployment_option !== "WITH_TRAFFIC_CONTROL";
        })
        .map((g) => `${g.at}: ${JSON.stringify(g.config.deployment_style)}`),
    );
  });

  it("[CodeDeploy User Guide, set up a load balancer, target groups and listeners for ECS deployments: two target groups (original and replacement task sets) and one production listener, optionally one test listener] every ECS deployment group's target group pair", () => {
    const problems: string[] = [];
    for (const g of ecsDeploymentGroups()) {
      const groups = asList<Json>(g.pair?.target_group).map((t) => t.name);
      if (groups.length !== 2 || new Set(groups).size !== 2) problems.push(`${g.at}: target groups ${JSON.stringify(groups)}`);
      const prod = asList<string>(block(g.pair?.prod_traffic_route)?.listener_arns);
      const test = asList<string>(block(g.pair?.test_traffic_route)?.listener_arns);
      if (prod.length !== 1) problems.push(`${g.at}: ${prod.length} production listeners`);
      if (test.length > 1 || test.some((l) => prod.includes(l))) problems.push(`${g.at}: test listeners ${JSON.stringify(test)}`);
      const tgIds = groups.map((n) => reference(n)?.id);
      for (const listener of [...prod, ...test]) {
        const ref = reference(listener);
        if (ref?.type !== "aws_lb_listener") {
          problems.push(`${g.at}: listener ${listener} is not a listener of the stack`);
          continue;
        }
        const forwards = asList<Json>(resolve(g.stack, ref).default_action).map((a) => reference(a.target_group_arn)?.id);
        if (!forwards.some((id) => tgIds.includes(id))) problems.push(`${g.at}: ${ref.id} forwards to neither target group of the pair`);
      }
      const targets = tgIds.map((id) => (id ? stacks[g.stack].resource.aws_lb_target_group?.[id] : undefined));
      if (targets.some((t) => !t)) problems.push(`${g.at}: a target group of the pair is not in the stack`);
      else if (new Set(targets.map((t) => `${t.vpc_id} ${t.target_type} ${t.protocol}`)).size !== 1)
        problems.push(`${g.at}: the two target groups differ in VPC, target type or protocol`);
    }
    expectNone(problems);
  });

  it("[Amazon ECS API Reference, DeploymentController and DeploymentCircuitBreaker: a CodeDeploy blue/green service has deployment controller CODE_DEPLOY, and the circuit breaker is only for the rolling update (ECS) type] every service a deployment group deploys", () => {
    const problems: string[] = [];
    for (const g of ecsDeploymentGroups()) {
      if (!g.service) {
        problems.push(`${g.at}: ecs_service.service_name ${g.ecs.service_name} is not a service of the stack`);
        continue;
      }
      const at = `${g.stack}: aws_ecs_service.${g.serviceRef!.id}`;
      if (block(g.service.deployment_controller)?.type !== "CODE_DEPLOY")
        problems.push(`${at}: deployment_controller ${JSON.stringify(g.service.deployment_controller)}`);
      if (block(g.service.deployment_circuit_breaker)) problems.push(`${at}: deployment_circuit_breaker with CODE_DEPLOY`);
      if (g.service.scheduling_strategy === "DAEMON") problems.push(`${at}: the DAEMON scheduling strategy does not support CODE_DEPLOY`);
      const cluster = reference(g.ecs.cluster_name);
      if (!cluster || reference(g.service.cluster)?.id !== cluster.id)
        problems.push(`${g.at}: cluster_name ${g.ecs.cluster_name} is not the service's cluster ${g.service.cluster}`);
    }
    expectNone(problems);
  });

  it("[Amazon ECS API Reference, UpdateService: for the blue/green (CODE_DEPLOY) controller the task definition and load balancer change only through a CodeDeploy deployment] every such service registers with a target group of the pair, and Terraform leaves task_definition and load_balancer to CodeDeploy", () => {
    const problems: string[] = [];
    for (const g of ecsDeploymentGroups()) {
      if (!g.service) continue;
      const at = `${g.stack}: aws_ecs_service.${g.serviceRef!.id}`;
      const pairIds = asList<Json>(g.pair?.target_group).map((t) => reference(t.name)?.id);
      const lbs = asList<Json>(g.service.load_balancer);
      if (lbs.length !== 1 || !pairIds.includes(reference(lbs[0].target_group_arn)?.id))
        problems.push(`${at}: load_balancer is not one target group of the pair`);
      const ignored = asList<string>(g.service.lifecycle?.ignore_changes);
      for (const attribute of ["task_definition", "load_balancer"])
        if (!ignored.includes(attribute)) problems.push(`${at}: does not ignore ${attribute}`);
    }
    expectNone(problems);
  });

  it("[Amazon ECS Developer Guide, load balancing: a service in awsvpc network mode registers tasks by IP, so its target groups have target type ip] both target groups of every awsvpc service's pair", () => {
    const problems: string[] = [];
    for (const g of ecsDeploymentGroups()) {
      if (!g.service || !block(g.service.network_configuration)) continue;
      for (const t of asList<Json>(g.pair?.target_group)) {
        const ref = reference(t.name);
        const tg = ref && stacks[g.stack].resource.aws_lb_target_group?.[ref.id];
        if (tg?.target_type !== "ip") problems.push(`${g.at}: target group ${ref?.id} has target_type ${tg?.target_type}`);
      }
    }
    expectNone(problems);
  });

  it("[CodeDeploy User Guide, automatic rollback and alarms: DEPLOYMENT_STOP_ON_ALARM needs an enabled alarm configuration, with at most 10 alarms per deployment group] every ECS deployment group's rollback", () => {
    const problems: string[] = [];
    for (const g of ecsDeploymentGroups()) {
      const rollback = block(g.config.auto_rollback_configuration);
      const alarms = block(g.config.alarm_configuration);
      const names = asList<string>(alarms?.alarms);
      if (asList<string>(rollback?.events).includes("DEPLOYMENT_STOP_ON_ALARM") && !(isTrue(alarms?.enabled) && names.length > 0))
        problems.push(`${g.at}: rollback on alarm without alarms`);
      if (names.length > 10) problems.push(`${g.at}: ${names.length} alarms (at most 10)`);
      for (const name of names) {
        const ref = reference(name);
        if (ref && ref.type !== "aws_cloudwatch_metric_alarm" && ref.type !== "aws_cloudwatch_composite_alarm")
          problems.push(`${g.at}: alarm ${name}`);
        if (ref) resolve(g.stack, ref);
      }
    }
    expectNone(problems);
  });

  it("[CodeDeploy API Reference, BlueGreenDeploymentConfiguration: for ECS the original task set is terminated (TERMINATE, wait 0-2880 minutes), a wait time only with STOP_DEPLOYMENT, no green fleet provisioning (EC2 only)] every ECS deployment group's blue/green settings", () => {
    const problems: string[] = [];
    for (const g of ecsDeploymentGroups()) {
      const bg = block(g.config.blue_green_deployment_config);
      if (!bg) {
        problems.push(`${g.at}: no blue_green_deployment_config`);
        continue;
      }
      const terminate = block(bg.terminate_blue_instances_on_deployment_success);
      if (
        terminate?.action !== "TERMINATE" ||
        !(terminate.termination_wait_time_in_minutes >= 0 && terminate.termination_wait_time_in_minutes <= 2880)
      )
        problems.push(`${g.at}: ${JSON.stringify(terminate)}`);
      const ready = block(bg.deployment_ready_option);
      if (ready?.action_on_timeout === "CONTINUE_DEPLOYMENT" && ready.wait_time_in_minutes !== undefined)
        problems.push(`${g.at}: wait_time_in_minutes with CONTINUE_DEPLOYMENT`);
      if (block(bg.green_fleet_provisioning_option)) problems.push(`${g.at}: green_fleet_provisioning_option on ECS`);
    }
    expectNone(problems);
  });

  it("[CodeDeploy User Guide, Amazon ECS deployments: the service role needs AWSCodeDeployRoleForECS (or the same permissions)] every ECS deployment group's role has the managed policy attached", () => {
    const problems: string[] = [];
    for (const g of ecsDeploymentGroups()) {
      const role = reference(g.config.service_role_arn);
      if (role?.type !== "aws_iam_role") {
        problems.push(`${g.at}: service_role_arn ${g.config.service_role_arn}`);
        continue;
      }
      const attached = Object.values<Json>(stacks[g.stack].resource.aws_iam_role_policy_attachment ?? {}).some(
        (a) => reference(a.role)?.id === role.id && /:iam::aws:policy\/AWSCodeDeployRoleForECS(Limited)?$/.test(String(a.policy_arn)),
      );
      if (!attached) problems.push(`${g.at}: role ${role.id} without AWSCodeDeployRoleForECS`);
    }
    expectNone(problems);
  });

  it("[CodeDeploy User Guide, AppSpec 'resources' and 'hooks' for Amazon ECS: TargetService AWS::ECS::Service with the <TASK_DEFINITION> placeholder and the container name and port the load balancer routes to; hooks are Lambda functions (AWSCodeDeployRoleForECS invokes only CodeDeployHook_*)] every AppSpec the pipeline renders matches the service it deploys", () => {
    const problems: string[] = [];
    const deploys = pipelineActions().filter(({ action }) => action.provider === "CodeDeployToECS");
    expect(deploys.length).toBeGreaterThan(0);
    for (const { action, render, at } of deploys) {
      const appspecVar = asList<Json>(block(render?.project?.environment)?.environment_variable).find((v) => v.name === "APPSPEC");
      if (!appspecVar) {
        problems.push(`${at}: no rendered AppSpec (APPSPEC of the project that makes ${action.configuration.AppSpecTemplateArtifact})`);
        continue;
      }
      const target = deploymentGroupNamed(action.configuration.ApplicationName, action.configuration.DeploymentGroupName);
      if (!target?.service) {
        problems.push(
          `${at}: deployment group ${action.configuration.ApplicationName}/${action.configuration.DeploymentGroupName} with an ECS service is in no stack`,
        );
        continue;
      }
      const appspec = parseYaml(appspecVar.value);
      const resources = asList<Json>(appspec?.Resources);
      const props = resources.map((r) => r.TargetService).find((t) => t?.Type === "AWS::ECS::Service")?.Properties;
      if (resources.length !== 1 || !props) {
        problems.push(`${at}: the AppSpec needs exactly one AWS::ECS::Service TargetService`);
        continue;
      }
      if (props.TaskDefinition !== "<TASK_DEFINITION>")
        problems.push(`${at}: TaskDefinition ${props.TaskDefinition} is not the <TASK_DEFINITION> placeholder`);
      const lb = asList<Json>(target.service.load_balancer)[0];
      if (props.LoadBalancerInfo?.ContainerName !== lb?.container_name || props.LoadBalancerInfo?.ContainerPort !== lb?.container_port) {
        problems.push(
          `${at}: LoadBalancerInfo ${JSON.stringify(props.LoadBalancerInfo)} is not the service's ${lb?.container_name}:${lb?.container_port}`,
        );
      }
      const strategy = (list: Json[]) =>
        JSON.stringify(list.map((s) => [s.capacity_provider ?? s.CapacityProvider, s.weight ?? s.Weight ?? 0, s.base ?? s.Base ?? 0]));
      if (
        props.CapacityProviderStrategy &&
        strategy(asList(props.CapacityProviderStrategy)) !== strategy(asList(target.service.capacity_provider_strategy))
      ) {
        problems.push(
          `${at}: the AppSpec's capacity providers ${strategy(asList(props.CapacityProviderStrategy))} differ from the service's ${strategy(asList(target.service.capacity_provider_strategy))}`,
        );
      }
      const functions = new Set(Object.values<Json>(stacks[target.stack].resource.aws_lambda_function ?? {}).map((f) => f.function_name));
      for (const hook of asList<Json>(appspec.Hooks)) {
        for (const [event, fn] of Object.entries<string>(hook)) {
          if (!["BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"].includes(event))
            problems.push(`${at}: hook ${event} is not an ECS lifecycle event`);
          if (!functions.has(fn)) problems.push(`${at}: hook ${fn} is no Lambda function of ${target.stack}`);
          if (!fn.startsWith("CodeDeployHook_")) problems.push(`${at}: hook ${fn} is not named CodeDeployHook_*`);
        }
      }
    }
    expectNone(problems);
  });
});

// ---------------------------------------------------------------------------------------------
/** Every action of every pipeline, with its stage and (for an action that consumes a rendered artifact) the CodeBuild project that rendered it. */
function pipelineActions() {
  return present("aws_codepipeline").flatMap(({ stack, id, config }) =>
    asList<Json>(config.stage).flatMap((stage, stageIndex) =>
      asList<Json>(stage.action).map((action) => {
        const producer = asList<Json>(config.stage)
          .flatMap((s) => asList<Json>(s.action))
          .find((a) => asList(a.output_artifacts).some((o) => asList(action.input_artifacts).includes(o)) && a.provider === "CodeBuild");
        const projectRef = reference(producer?.configuration?.ProjectName);
        const project = projectRef ? resolve(stack, projectRef) : undefined;
        return {
          stack,
          pipeline: id,
          stage,
          stageIndex,
          action,
          render: producer ? { action: producer, project } : undefined,
          at: `${stack}: ${id} ${stage.name}/${action.name}`,
        };
      }),
    ),
  );
}
function deploymentGroupNamed(application: string, group: string) {
  for (const [stack, s] of STACKS) {
    for (const [id, g] of Object.entries<Json>(s.resource?.aws_codedeploy_deployment_group ?? {})) {
      const appRef = reference(g.app_name);
      const appName = appRef ? resolve(stack, appRef).name : g.app_name;
      if (appName !== application || g.deployment_group_name !== group) continue;
      const serviceRef = reference(block(g.ecs_service)?.service_name);
      return { stack, id, config: g, service: serviceRef ? resolve(stack, serviceRef) : undefined };
    }
  }
  return undefined;
}

describe(EVIDENCE.codeStarConnection, () => {
  it("[CodeConnections API Reference, CreateConnection: ConnectionName 1-32 characters; a connection to a cloud provider (Bitbucket, GitHub, GitLab) names ProviderType, one to an installed provider names a HostArn (Terraform: provider_type conflicts with host_arn)] every connection", () => {
    const problems: string[] = [];
    for (const { config, at } of present("aws_codestarconnections_connection")) {
      if (!(literal(config.name) && config.name.length >= 1 && config.name.length <= 32)) problems.push(`${at}: name ${config.name}`);
      if (Boolean(config.provider_type) === Boolean(config.host_arn)) problems.push(`${at}: exactly one of provider_type and host_arn`);
      if (
        config.provider_type &&
        !["Bitbucket", "GitHub", "GitHubEnterpriseServer", "GitLab", "GitLabSelfManaged"].includes(config.provider_type)
      )
        problems.push(`${at}: provider_type ${config.provider_type}`);
      if (["GitHubEnterpriseServer", "GitLabSelfManaged"].includes(config.provider_type))
        problems.push(`${at}: ${config.provider_type} needs a host (host_arn)`);
    }
    expectNone(problems);
  });

  it("[Developer Tools console User Guide, connections: a connection created by the API is PENDING until its handshake is completed in the console; CodePipeline's CodeStarSourceConnection action uses it by ARN, and the pipeline role needs codestar-connections:UseConnection] every connection is used by a source action whose pipeline role may use it", () => {
    const problems: string[] = [];
    const sources = pipelineActions().filter(({ action }) => action.provider === "CodeStarSourceConnection");
    for (const { stack, id, at } of present("aws_codestarconnections_connection")) {
      const users = sources.filter((s) => s.stack === stack && reference(s.action.configuration?.ConnectionArn)?.id === id);
      if (users.length === 0) problems.push(`${at}: no source action uses it`);
      for (const user of users) {
        const pipeline = stacks[stack].resource.aws_codepipeline[user.pipeline];
        const role = reference(pipeline.role_arn);
        const policies = Object.values<Json>(stacks[stack].resource.aws_iam_role_policy ?? {}).filter(
          (p) => reference(p.role)?.id === role?.id,
        );
        const granted = policies.some((p) =>
          asList<Json>(stacks[stack].data?.aws_iam_policy_document?.[reference(p.policy)?.id ?? ""]?.statement).some(
            (s) =>
              s.effect !== "Deny" &&
              asList<string>(s.actions).some((a) => /^(codestar-connections|codeconnections):(UseConnection|\*)$/.test(a)) &&
              asList<string>(s.resources).some((r) => r === `\${aws_codestarconnections_connection.${id}.arn}` || r === "*"),
          ),
        );
        if (!granted) problems.push(`${user.at}: the pipeline role may not use the connection`);
      }
    }
    expectNone(problems);
  });
});

describe(EVIDENCE.codeBuildProjects, () => {
  const projects = () => present("aws_codebuild_project");

  it("[CodeBuild API Reference, ProjectSource and ProjectArtifacts: type CODEPIPELINE takes the source from, and gives the output to, the pipeline's action (no location); the two go together] every project run by a pipeline", () => {
    const problems: string[] = [];
    for (const { config, at } of projects()) {
      const source = block(config.source);
      const artifacts = block(config.artifacts);
      if ((source?.type === "CODEPIPELINE") !== (artifacts?.type === "CODEPIPELINE"))
        problems.push(`${at}: source ${source?.type}, artifacts ${artifacts?.type}`);
      if (source?.type === "CODEPIPELINE" && source.location !== undefined) problems.push(`${at}: a CODEPIPELINE source takes no location`);
    }
    expectNone(problems);
  });

  it("[CodeBuild API Reference, CreateProject: name 2-255 characters [A-Za-z0-9][A-Za-z0-9-_]{1,254}; timeoutInMinutes 5-2160; encryptionKey a KMS key] every project", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of projects()) {
      if (!(literal(config.name) && /^[A-Za-z0-9][A-Za-z0-9\-_]{1,254}$/.test(config.name))) problems.push(`${at}: name ${config.name}`);
      const timeout = config.build_timeout ?? 60;
      if (!(Number.isInteger(timeout) && timeout >= 5 && timeout <= 2160)) problems.push(`${at}: build_timeout ${timeout}`);
      if (config.encryption_key !== undefined) {
        const ref = reference(config.encryption_key);
        if (ref && !["aws_kms_key", "aws_kms_alias", "aws_kms_replica_key"].includes(ref.type))
          problems.push(`${at}: encryption_key ${config.encryption_key}`);
        if (ref && regionOf(stack, resolve(stack, ref)) !== regionOf(stack, config))
          problems.push(`${at}: encryption key in another Region`);
      }
    }
    expectNone(problems);
  });

  it("[CodeBuild User Guide, Docker in custom image / build environment: building Docker images needs privilegedMode (the Docker daemon)] every project whose buildspec runs docker build or docker push is privileged", () => {
    expectNone(
      projects()
        .filter(
          ({ config }) =>
            /\bdocker (build|push|buildx)\b/.test(String(block(config.source)?.buildspec ?? "")) &&
            !isTrue(block(config.environment)?.privileged_mode),
        )
        .map(({ at }) => `${at}: runs docker without privileged_mode`),
    );
  });

  it("[CodeBuild User Guide, build specification reference: version 0.2 with phases; artifacts.files for what the build hands on] every inline buildspec parses and declares version 0.2", () => {
    const problems: string[] = [];
    for (const { config, at } of projects()) {
      const text = block(config.source)?.buildspec;
      if (typeof text !== "string") continue;
      let spec: any;
      try {
        spec = parseYaml(text);
      } catch (error) {
        problems.push(`${at}: buildspec does not parse: ${(error as Error).message}`);
        continue;
      }
      if (String(spec?.version) !== "0.2") problems.push(`${at}: buildspec version ${spec?.version}`);
      if (!spec?.phases || Object.keys(spec.phases).length === 0) problems.push(`${at}: no phases`);
    }
    expectNone(problems);
  });
});

describe(EVIDENCE.codePipeline, () => {
  it("[CodePipeline User Guide, pipeline structure reference: at least two stages, the first holding only source actions and no other stage a source action; stage names unique, action names unique within a stage] every pipeline's structure", () => {
    const problems: string[] = [];
    for (const { config, at } of present("aws_codepipeline")) {
      const stages = asList<Json>(config.stage);
      if (stages.length < 2) problems.push(`${at}: ${stages.length} stage(s)`);
      if (new Set(stages.map((s) => s.name)).size !== stages.length) problems.push(`${at}: stage names repeat`);
      stages.forEach((stage, i) => {
        const actions = asList<Json>(stage.action);
        if (new Set(actions.map((a) => a.name)).size !== actions.length) problems.push(`${at}: action names repeat in ${stage.name}`);
        const sources = actions.filter((a) => a.category === "Source").length;
        if (i === 0 ? sources !== actions.length || sources === 0 : sources > 0) problems.push(`${at}: source actions in ${stage.name}`);
      });
    }
    expectNone(problems);
  });

  it("[CodePipeline User Guide, input and output artifacts: output artifact names are unique in the pipeline, and an action's input is the output of an action that runs before it (an earlier stage, or a lower runOrder in its stage)] every artifact", () => {
    const problems: string[] = [];
    for (const { config, at } of present("aws_codepipeline")) {
      const produced = new Map<string, [number, number]>();
      const stages = asList<Json>(config.stage);
      stages.forEach((stage, i) => {
        for (const a of asList<Json>(stage.action))
          for (const o of asList<string>(a.output_artifacts)) {
            if (produced.has(o)) problems.push(`${at}: output artifact ${o} twice`);
            produced.set(o, [i, a.run_order ?? 1]);
          }
      });
      stages.forEach((stage, i) => {
        for (const a of asList<Json>(stage.action))
          for (const input of asList<string>(a.input_artifacts)) {
            const from = produced.get(input);
            if (!from || !(from[0] < i || (from[0] === i && from[1] < (a.run_order ?? 1))))
              problems.push(`${at}: ${stage.name}/${a.name} takes ${input} before any action makes it`);
          }
      });
    }
    expectNone(problems);
  });

  it("[CodePipeline User Guide, action structure / artifact stores: one artifact store without a region for a single-Region pipeline (artifact_store with region only for cross-Region actions), encrypted with a KMS key of its Region] every pipeline's artifact store", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of present("aws_codepipeline")) {
      const stores = asList<Json>(config.artifact_store);
      const actionRegions = new Set(
        asList<Json>(config.stage)
          .flatMap((s) => asList<Json>(s.action))
          .map((a) => a.region ?? regionOf(stack, config)),
      );
      if (actionRegions.size === 1 ? stores.length !== 1 || stores[0].region !== undefined : stores.length !== actionRegions.size)
        problems.push(`${at}: ${stores.length} artifact stores for Regions ${[...actionRegions].join(", ")}`);
      for (const store of stores) {
        const key = block(store.encryption_key);
        if (key && (key.type !== "KMS" || regionOfValue(stack, key.id) !== (store.region ?? regionOf(stack, config))))
          problems.push(`${at}: artifact store key ${JSON.stringify(key)}`);
      }
    }
    expectNone(problems);
  });

  it("[CodePipeline User Guide, action reference: CodeStarSourceConnection needs ConnectionArn, FullRepositoryId and BranchName (OutputArtifactFormat CODE_ZIP or CODEBUILD_CLONE_REF); CodeBuild needs ProjectName, a project of source type CODEPIPELINE] every source and build action", () => {
    const problems: string[] = [];
    for (const { stack, action, at } of pipelineActions()) {
      const c = action.configuration ?? {};
      if (action.provider === "CodeStarSourceConnection") {
        for (const key of ["ConnectionArn", "FullRepositoryId", "BranchName"]) if (!c[key]) problems.push(`${at}: no ${key}`);
        if (c.OutputArtifactFormat && !["CODE_ZIP", "CODEBUILD_CLONE_REF"].includes(c.OutputArtifactFormat))
          problems.push(`${at}: OutputArtifactFormat ${c.OutputArtifactFormat}`);
        if (!/^[^/\s]+\/[^/\s]+$/.test(String(c.FullRepositoryId)))
          problems.push(`${at}: FullRepositoryId ${c.FullRepositoryId} is not owner/repository`);
      }
      if (action.provider === "CodeBuild") {
        const ref = reference(c.ProjectName);
        if (ref?.type !== "aws_codebuild_project") problems.push(`${at}: ProjectName ${c.ProjectName} is not a project of the stack`);
        else if (block(resolve(stack, ref).source)?.type !== "CODEPIPELINE")
          problems.push(`${at}: project ${ref.id} is not a CODEPIPELINE project`);
        if (asList(action.input_artifacts).length === 0) problems.push(`${at}: a CodeBuild action needs an input artifact`);
        if (c.EnvironmentVariables) {
          const vars = JSON.parse(c.EnvironmentVariables);
          if (
            !Array.isArray(vars) ||
            vars.some((v: Json) => !v.name || !["PLAINTEXT", "PARAMETER_STORE", "SECRETS_MANAGER"].includes(v.type ?? "PLAINTEXT"))
          )
            problems.push(`${at}: EnvironmentVariables ${c.EnvironmentVariables}`);
        }
      }
    }
    expectNone(problems);
  });

  it("[CodePipeline User Guide, Amazon ECS and CodeDeploy blue-green deploy action reference (CodeDeployToECS): ApplicationName, DeploymentGroupName, TaskDefinitionTemplateArtifact and AppSpecTemplateArtifact among its (at most 3) input artifacts; Image1ContainerName is the <placeholder> in the task definition and Image1ArtifactName holds imageDetail.json] every ECS deploy action, against the deployment group it names", () => {
    const problems: string[] = [];
    const deploys = pipelineActions().filter(({ action }) => action.provider === "CodeDeployToECS");
    expect(deploys.length).toBeGreaterThan(0);
    for (const { action, render, at } of deploys) {
      const c = action.configuration ?? {};
      const inputs = asList<string>(action.input_artifacts);
      if (inputs.length < 1 || inputs.length > 3) problems.push(`${at}: ${inputs.length} input artifacts`);
      for (const key of ["ApplicationName", "DeploymentGroupName", "TaskDefinitionTemplateArtifact", "AppSpecTemplateArtifact"])
        if (!c[key]) problems.push(`${at}: no ${key}`);
      for (const key of ["TaskDefinitionTemplateArtifact", "AppSpecTemplateArtifact", "Image1ArtifactName"])
        if (c[key] && !inputs.includes(c[key])) problems.push(`${at}: ${key} ${c[key]} is not an input artifact`);
      if (!deploymentGroupNamed(c.ApplicationName, c.DeploymentGroupName))
        problems.push(`${at}: no stack has deployment group ${c.ApplicationName}/${c.DeploymentGroupName}`);
      const buildspec = String(block(render?.project?.source)?.buildspec ?? "");
      const files = (() => {
        try {
          return asList<string>(parseYaml(buildspec)?.artifacts?.files);
        } catch {
          return [];
        }
      })();
      for (const file of [
        c.TaskDefinitionTemplatePath ?? "taskdef.json",
        c.AppSpecTemplatePath ?? "appspec.yaml",
        ...(c.Image1ArtifactName ? ["imageDetail.json"] : []),
      ]) {
        if (!files.includes(file)) problems.push(`${at}: the rendering project does not hand on ${file}`);
      }
      if (c.Image1ContainerName && !buildspec.includes(`<${c.Image1ContainerName}>`))
        problems.push(`${at}: the task definition has no <${c.Image1ContainerName}> placeholder`);
    }
    expectNone(problems);
  });
});

// ---------------------------------------------------------------------------------------------
describe(EVIDENCE.globalAccelerator, () => {
  const GA_TYPES = ["aws_globalaccelerator_accelerator", "aws_globalaccelerator_listener", "aws_globalaccelerator_endpoint_group"];

  it("[Global Accelerator API Reference, CreateAccelerator: a global service whose API is called in US West (Oregon), us-west-2] every Global Accelerator resource uses a us-west-2 provider", () => {
    expectNone(
      GA_TYPES.flatMap((type) => present(type))
        .filter(({ stack, config }) => regionOf(stack, config) !== "us-west-2")
        .map(({ at, stack, config }) => `${at}: ${regionOf(stack, config)}`),
    );
  });

  it("[Global Accelerator API Reference, CreateAccelerator: Name up to 64 letters, digits, periods or hyphens, not starting or ending with a hyphen or period; IpAddressType IPV4 or DUAL_STACK] every accelerator", () => {
    expectNone(
      present("aws_globalaccelerator_accelerator")
        .filter(
          ({ config }) =>
            !(
              literal(config.name) &&
              /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,62}[A-Za-z0-9])?$/.test(config.name) &&
              ["IPV4", "DUAL_STACK", undefined].includes(config.ip_address_type)
            ),
        )
        .map(({ at, config }) => `${at}: ${config.name} ${config.ip_address_type}`),
    );
  });

  it("[Global Accelerator API Reference, CreateListener / PortRange: Protocol TCP or UDP, ports 1-65535 with FromPort <= ToPort, ClientAffinity NONE or SOURCE_IP] every listener; HTTPS to the ALBs is TCP 443", () => {
    const problems: string[] = [];
    for (const { stack, id, config, at } of present("aws_globalaccelerator_listener")) {
      if (!["TCP", "UDP"].includes(config.protocol)) problems.push(`${at}: protocol ${config.protocol}`);
      if (!["NONE", "SOURCE_IP", undefined].includes(config.client_affinity))
        problems.push(`${at}: client_affinity ${config.client_affinity}`);
      const ranges = asList<Json>(config.port_range);
      if (ranges.length === 0 || ranges.some((r) => !(r.from_port >= 1 && r.from_port <= r.to_port && r.to_port <= 65535)))
        problems.push(`${at}: port ranges ${JSON.stringify(ranges)}`);
      const albs = Object.values<Json>(stacks[stack].resource.aws_globalaccelerator_endpoint_group ?? {}).filter(
        (g) => reference(g.listener_arn)?.id === id,
      );
      if (albs.length > 0 && !(config.protocol === "TCP" && ranges.some((r) => r.from_port <= 443 && r.to_port >= 443)))
        problems.push(`${at}: the ALBs' HTTPS needs TCP 443`);
    }
    expectNone(problems);
  });

  it("[Global Accelerator Developer Guide, endpoint groups: one endpoint group per Region per listener, all its endpoints in that Region; TrafficDialPercentage 0-100, endpoint Weight 0-255] every endpoint group", () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const { stack, config, at } of present("aws_globalaccelerator_endpoint_group")) {
      const key = `${stack} ${config.listener_arn} ${config.endpoint_group_region}`;
      if (seen.has(key)) problems.push(`${at}: a second group for ${config.endpoint_group_region}`);
      seen.add(key);
      if (!(config.traffic_dial_percentage === undefined || (config.traffic_dial_percentage >= 0 && config.traffic_dial_percentage <= 100)))
        problems.push(`${at}: traffic dial ${config.traffic_dial_percentage}`);
      const endpoints = asList<Json>(config.endpoint_configuration);
      if (endpoints.length === 0) problems.push(`${at}: no endpoints`);
      for (const e of endpoints) {
        if (!(e.weight === undefined || (Number.isInteger(e.weight) && e.weight >= 0 && e.weight <= 255)))
          problems.push(`${at}: weight ${e.weight}`);
        const region = regionOfValue(stack, e.endpoint_id);
        if (region !== config.endpoint_group_region)
          problems.push(`${at}: endpoint ${e.endpoint_id} in ${region}, group in ${config.endpoint_group_region}`);
      }
    }
    expectNone(problems);
  });

  it("[Global Accelerator Developer Guide, endpoints / preserve client IP addresses: an Application Load Balancer endpoint by ARN, client IP preservation supported (internal or internet-facing ALB)] every ALB endpoint is a load balancer a regional stack of the program creates, in that Region, with a listener on each accelerator port", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of present("aws_globalaccelerator_endpoint_group")) {
      const listener = reference(config.listener_arn);
      const ports = listener ? asList<Json>(resolve(stack, listener).port_range).map((r) => r.from_port as number) : [];
      if (!listener) problems.push(`${at}: listener_arn ${config.listener_arn} is not a listener of the stack`);
      for (const e of asList<Json>(config.endpoint_configuration)) {
        if (e.client_ip_preservation_enabled !== undefined && typeof e.client_ip_preservation_enabled !== "boolean")
          problems.push(`${at}: client_ip_preservation_enabled ${e.client_ip_preservation_enabled}`);
        const ref = reference(e.endpoint_id);
        if (ref?.attribute !== "arn" || ref.type !== "aws_lb") {
          problems.push(`${at}: endpoint ${e.endpoint_id} is not a load balancer ARN`);
          continue;
        }
        const lookup = resolve(stack, ref);
        const lbs = everywhere("aws_lb").filter(
          (lb) =>
            lb.config.name === lookup.name &&
            regionOf(lb.stack, lb.config) === config.endpoint_group_region &&
            (lb.config.load_balancer_type ?? "application") === "application",
        );
        if (lbs.length !== 1) {
          problems.push(`${at}: ${lbs.length} ALBs named ${lookup.name} in ${config.endpoint_group_region} across the program`);
          continue;
        }
        const [lb] = lbs;
        const listenerPorts = Object.values<Json>(stacks[lb.stack].resource.aws_lb_listener ?? {})
          .filter((l) => l.load_balancer_arn === `\${aws_lb.${lb.id}.arn}`)
          .map((l) => l.port);
        for (const port of ports) if (!listenerPorts.includes(port)) problems.push(`${at}: ${lb.at} has no listener on ${port}`);
      }
    }
    expectNone(problems);
  });

  it("[Global Accelerator Developer Guide, health check options: HealthCheckProtocol TCP, HTTP or HTTPS (path only for HTTP/S), interval 10 or 30 seconds, threshold 1-10; for ALB endpoints Global Accelerator uses the load balancer's own health checks] every endpoint group, and every target group behind its ALBs checks health", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of present("aws_globalaccelerator_endpoint_group")) {
      const protocol = config.health_check_protocol ?? "TCP";
      if (!["TCP", "HTTP", "HTTPS"].includes(protocol)) problems.push(`${at}: health_check_protocol ${protocol}`);
      if (protocol === "TCP" && config.health_check_path !== undefined) problems.push(`${at}: a TCP health check takes no path`);
      if (![undefined, 10, 30].includes(config.health_check_interval_seconds))
        problems.push(`${at}: interval ${config.health_check_interval_seconds}`);
      if (!(config.threshold_count === undefined || (config.threshold_count >= 1 && config.threshold_count <= 10)))
        problems.push(`${at}: threshold ${config.threshold_count}`);
      if (!(config.health_check_port === undefined || (config.health_check_port >= 1 && config.health_check_port <= 65535)))
        problems.push(`${at}: port ${config.health_check_port}`);
      for (const e of asList<Json>(config.endpoint_configuration)) {
        const ref = reference(e.endpoint_id);
        const name = ref && resolve(stack, ref).name;
        for (const lb of everywhere("aws_lb").filter(
          (l) => l.config.name === name && regionOf(l.stack, l.config) === config.endpoint_group_region,
        )) {
          const tgIds = Object.values<Json>(stacks[lb.stack].resource.aws_lb_listener ?? {})
            .filter((l) => l.load_balancer_arn === `\${aws_lb.${lb.id}.arn}`)
            .flatMap((l) => asList<Json>(l.default_action).map((a) => reference(a.target_group_arn)?.id));
          for (const id of tgIds) {
            const tg = id && stacks[lb.stack].resource.aws_lb_target_group?.[id];
            if (!tg || block(tg.health_check)?.enabled === false) problems.push(`${lb.at}: target group ${id} without a health check`);
          }
        }
      }
    }
    expectNone(problems);
  });
});

describe(EVIDENCE.accessAnalyzer, () => {
  it("[IAM Access Analyzer API Reference, CreateAnalyzer: analyzerName 1-255 characters [A-Za-z][A-Za-z_.-]*; type ACCOUNT or ORGANIZATION] every analyzer, one per account stack", () => {
    const analyzers = present("aws_accessanalyzer_analyzer");
    expectNone(
      analyzers
        .filter(({ config }) => !(/^[A-Za-z][A-Za-z0-9_.-]{0,254}$/.test(config.analyzer_name) && config.type === "ACCOUNT"))
        .map(({ at, config }) => `${at}: ${config.analyzer_name} ${config.type}`),
    );
    expect(new Set(analyzers.map(({ stack }) => stack)).size).toBe(analyzers.length);
  });
});

describe(EVIDENCE.cloudTrail, () => {
  const trails = () => present("aws_cloudtrail");
  it("[CloudTrail API Reference, CreateTrail: a name of 3-128 letters, digits, periods, underscores and dashes, starting and ending with a letter or digit; S3KeyPrefix at most 200 characters] every trail", () => {
    expectNone(
      trails()
        .filter(
          ({ config }) =>
            !/^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/.test(config.name) || String(config.s3_key_prefix ?? "").length > 200,
        )
        .map(({ at, config }) => `${at}: ${config.name}`),
    );
  });

  it("[CloudTrail User Guide, \"Configure AWS KMS key policies for CloudTrail\": the KMS key must be in the same Region as the S3 bucket that receives the logs] every trail's key is an ARN (the provider takes no name) in the archive's Region", () => {
    const archiveRegion = stacks["ecg-state"].provider!.aws.find((p: Json) => !p.alias).region;
    expectNone(
      trails()
        .filter(
          ({ config }) =>
            !/^arn:[^:]+:kms:/.test(config.kms_key_id.replace(/\$\{data\.aws_partition\.[^}]+\}/, "aws")) ||
            !config.kms_key_id.includes(`:kms:${archiveRegion}:`),
        )
        .map(({ at, config }) => `${at}: ${config.kms_key_id}`),
    );
  });

  it("[CloudTrail User Guide, advanced event selectors: fields eventCategory, resources.type and resources.ARN; a data-event selector names eventCategory Data and a resources.type] every advanced event selector", () => {
    const fields = new Set(["eventCategory", "resources.type", "resources.ARN", "readOnly", "eventName", "eventSource"]);
    const problems: string[] = [];
    for (const { at, config } of trails()) {
      for (const selector of asList<Json>(config.advanced_event_selector)) {
        const used = asList<Json>(selector.field_selector);
        for (const f of used) if (!fields.has(f.field)) problems.push(`${at}: field ${f.field}`);
        const data = used.some((f) => f.field === "eventCategory" && asList(f.equals).includes("Data"));
        if (data && !used.some((f) => f.field === "resources.type")) problems.push(`${at}: a data selector without resources.type`);
      }
    }
    expectNone(problems);
  });
});

describe(EVIDENCE.guardDutyFeatures, () => {
  it("[GuardDuty API Reference, DetectorFeatureConfiguration: Name S3_DATA_EVENTS, EKS_AUDIT_LOGS, EBS_MALWARE_PROTECTION, RDS_LOGIN_EVENTS, EKS_RUNTIME_MONITORING, LAMBDA_NETWORK_LOGS or RUNTIME_MONITORING; RUNTIME_MONITORING's additional configuration EKS_ADDON_MANAGEMENT, ECS_FARGATE_AGENT_MANAGEMENT or EC2_AGENT_MANAGEMENT] every feature of every detector", () => {
    const names = [
      "S3_DATA_EVENTS",
      "EKS_AUDIT_LOGS",
      "EBS_MALWARE_PROTECTION",
      "RDS_LOGIN_EVENTS",
      "EKS_RUNTIME_MONITORING",
      "LAMBDA_NETWORK_LOGS",
      "RUNTIME_MONITORING",
    ];
    const additional = ["EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT"];
    const problems: string[] = [];
    for (const { at, config } of present("aws_guardduty_detector_feature")) {
      if (!names.includes(config.name) || !["ENABLED", "DISABLED"].includes(config.status))
        problems.push(`${at}: ${config.name} ${config.status}`);
      for (const extra of asList<Json>(config.additional_configuration)) {
        if (config.name !== "RUNTIME_MONITORING" || !additional.includes(extra.name))
          problems.push(`${at}: ${config.name} with ${extra.name}`);
      }
    }
    expectNone(problems);
  });
});

describe(EVIDENCE.ecrRegistryScanning, () => {
  it("[Amazon ECR API Reference, PutRegistryScanningConfiguration: scanType BASIC or ENHANCED; BASIC scanning supports scanFrequency SCAN_ON_PUSH (and MANUAL) only; filterType WILDCARD] every registry scanning configuration, one per account stack", () => {
    const configs = present("aws_ecr_registry_scanning_configuration");
    const problems: string[] = [];
    for (const { at, config } of configs) {
      if (!["BASIC", "ENHANCED"].includes(config.scan_type)) problems.push(`${at}: scan type ${config.scan_type}`);
      for (const rule of asList<Json>(config.rule)) {
        if (config.scan_type === "BASIC" && rule.scan_frequency !== "SCAN_ON_PUSH")
          problems.push(`${at}: BASIC with ${rule.scan_frequency}`);
        for (const filter of asList<Json>(rule.repository_filter))
          if (filter.filter_type !== "WILDCARD") problems.push(`${at}: filter ${filter.filter_type}`);
      }
    }
    expectNone(problems);
    expect(new Set(configs.map(({ stack }) => stack)).size).toBe(configs.length);
  });
});

describe(EVIDENCE.configRecorder, () => {
  it("[AWS Config Developer Guide, Permissions for the IAM role assigned to AWS Config: attach the AWS managed policy AWS_ConfigRole (service-role path)] every recorder's role has AWS_ConfigRole", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of present("aws_config_configuration_recorder")) {
      const role = reference(config.role_arn);
      const attached = Object.values<Json>(stacks[stack].resource?.aws_iam_role_policy_attachment ?? {}).filter(
        (a) => reference(a.role)?.id === role?.id,
      );
      if (!attached.some((a) => /:iam::aws:policy\/service-role\/AWS_ConfigRole$/.test(a.policy_arn)))
        problems.push(`${at}: no AWS_ConfigRole`);
    }
    expectNone(problems);
  });
});

describe(EVIDENCE.costBudgets, () => {
  it("[AWS Budgets API Reference, CreateBudget: BudgetName 1-100 characters without ':' or '\\', unique in the account; BudgetType COST with a BudgetLimit and TimeUnit MONTHLY] every budget", () => {
    const problems: string[] = [];
    const names = new Map<string, string>();
    for (const { stack, config, at } of present("aws_budgets_budget")) {
      if (!/^[^:\\]{1,100}$/.test(config.name)) problems.push(`${at}: name ${config.name}`);
      if (config.budget_type !== "COST" || config.time_unit !== "MONTHLY" || config.limit_unit !== "USD")
        problems.push(`${at}: not a monthly USD cost budget`);
      if (!(Number(config.limit_amount) > 0)) problems.push(`${at}: limit ${config.limit_amount}`);
      // COST-6: actual cost at 80 % and 100 %.
      const actual = asList<Json>(config.notification)
        .filter((n) => n.notification_type === "ACTUAL")
        .map((n) => n.threshold);
      if (!(actual.includes(80) && actual.includes(100))) problems.push(`${at}: actual-cost alerts at ${actual.join(", ")}`);
      // AWS Budgets API Reference, CostFilters: a tag filter is TagKeyValue "user:<key>$<value>".
      for (const f of asList<Json>(config.cost_filter))
        if (f.name !== "TagKeyValue" || !asList<string>(f.values).every((v) => /^user:[^$]+\$.+$/.test(v)))
          problems.push(`${at}: cost filter ${JSON.stringify(f)}`);
      const account = JSON.stringify(providerPlacements(stacks[stack]).get("aws")?.accounts ?? []);
      const key = `${account}/${config.name}`;
      if (names.has(key)) problems.push(`${at}: the name of ${names.get(key)} in the same account`);
      names.set(key, at);
    }
    expectNone(problems);
  });

  it("[AWS Budgets API Reference, Notification and Subscriber: PERCENTAGE thresholds of ACTUAL or FORECASTED cost; at most 10 notifications per budget; an SNS subscriber is a topic of the budget's account] every notification", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of present("aws_budgets_budget")) {
      const notifications = asList<Json>(config.notification);
      if (notifications.length === 0 || notifications.length > 10) problems.push(`${at}: ${notifications.length} notifications`);
      for (const n of notifications) {
        const shape = ["ACTUAL", "FORECASTED"].includes(n.notification_type) && n.threshold_type === "PERCENTAGE" && n.threshold > 0;
        if (!shape || n.comparison_operator !== "GREATER_THAN") problems.push(`${at}: ${JSON.stringify(n)}`);
        for (const topic of asList<string>(n.subscriber_sns_topic_arns)) {
          const ref = reference(topic);
          if (ref?.type !== "aws_sns_topic" || !resolve(stack, ref))
            problems.push(`${at}: subscriber ${topic} is not a topic of its stack`);
        }
      }
    }
    expectNone(problems);
  });

  it("[AWS Cost Management User Guide, Creating an Amazon SNS topic for budget notifications: the topic policy lets budgets.amazonaws.com publish, for aws:SourceAccount and aws:SourceArn arn:aws:budgets::<account>:*; an encrypted topic's key lets it use the key] every subscribed topic admits AWS Budgets", () => {
    const problems: string[] = [];
    for (const { stack, config, at } of present("aws_budgets_budget")) {
      const s = stacks[stack];
      for (const topicRef of new Set(asList<Json>(config.notification).flatMap((n) => asList<string>(n.subscriber_sns_topic_arns)))) {
        const topic = reference(topicRef)!;
        const policy = Object.values<Json>(s.resource?.aws_sns_topic_policy ?? {}).find((p) => reference(p.arn)?.id === topic.id);
        const document = policy && resolve(stack, reference(policy.policy)!);
        const publish = asList<Json>(document?.statement).find((st) =>
          asList<Json>(st.principals).some((p) => asList(p.identifiers).includes("budgets.amazonaws.com")),
        );
        const conditions = asList<Json>(publish?.condition).map((c) => `${c.test} ${c.variable} ${asList(c.values).join()}`);
        if (
          !publish ||
          !conditions.some((c) => /^ArnLike aws:SourceArn arn:.*:budgets::.*:\*$/.test(c)) ||
          !conditions.some((c) => c.startsWith("StringEquals aws:SourceAccount "))
        )
          problems.push(`${at}: topic ${topic.id} does not admit this account's budgets`);
        const key = reference(resolve(stack, topic).kms_master_key_id);
        const keyPolicy = key && resolve(stack, reference(resolve(stack, key).policy)!);
        const grant = asList<Json>(keyPolicy?.statement).find((st) =>
          asList<Json>(st.principals).some((p) => asList(p.identifiers).includes("budgets.amazonaws.com")),
        );
        if (key && !asList(grant?.actions).includes("kms:GenerateDataKey*"))
          problems.push(`${at}: the key of topic ${topic.id} does not let AWS Budgets encrypt`);
      }
    }
    expectNone(problems);
  });
});
