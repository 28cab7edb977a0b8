import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { TerraformOutput, Testing } from "cdktf";
import { REDIS_KEY_PATTERNS, REDIS_KEY_PREFIXES, RedisCluster, type RedisClusterProps } from "../../modules/redis-cluster";
import { errorOf, only, referencedId, resourcesOf, type SynthesizedStack, synthJson } from "../helpers";

const KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/data";
const LOGS_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/logs";

const props: RedisClusterProps = {
  name: "ecg-test",
  nodeType: "cache.r6g.large",
  shards: 3,
  replicasPerShard: 2,
  subnetIds: ["subnet-a", "subnet-c"],
  securityGroupIds: ["sg-redis"],
  kmsKeyArn: KEY,
  snapshotRetentionDays: 7,
  logsKmsKeyArn: LOGS_KEY,
};

const synth = (overrides: Partial<RedisClusterProps> = {}): SynthesizedStack =>
  synthJson(Testing.synthScope((scope) => new RedisCluster(scope, "redis", { ...props, ...overrides })));

/** CRC16-CCITT (XModem), the checksum Redis Cluster maps keys to slots with. */
function crc16(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text, "utf8")) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** Redis Cluster's HASH_SLOT: only the part between the first `{` and the next `}` is hashed, when it is not empty. */
function keySlot(key: string): number {
  const open = key.indexOf("{");
  if (open >= 0) {
    const close = key.indexOf("}", open + 1);
    if (close > open + 1) return crc16(key.slice(open + 1, close)) % 16384;
  }
  return crc16(key) % 16384;
}

describe("RedisCluster module", () => {
  const stack = synthJson(
    Testing.synthScope((scope) => {
      new TerraformOutput(scope, "url", { value: new RedisCluster(scope, "redis", props).url });
    }),
  );
  const json = JSON.stringify(stack);
  const [groupId, group] = only(stack, "aws_elasticache_replication_group");

  it("[RED-1] runs Redis 7.0 by default on the given node type in cluster mode (default.redis7.cluster.on) with 3 shards of 2 replicas", () => {
    expect(json).toHaveResourceWithProperties(ElasticacheReplicationGroup, {
      replication_group_id: "ecg-test",
      engine: "redis",
      engine_version: "7.0",
      node_type: "cache.r6g.large",
      port: 6379,
      parameter_group_name: "default.redis7.cluster.on",
      num_node_groups: 3,
      replicas_per_node_group: 2,
    });
  });

  it("[RED-1] takes the engine version, shard and replica counts it is given", () => {
    const [, custom] = only(
      synth({ engineVersion: "7.1", shards: 5, replicasPerShard: 1, nodeType: "cache.m7g.xlarge" }),
      "aws_elasticache_replication_group",
    );
    expect(custom).toMatchObject({
      engine_version: "7.1",
      parameter_group_name: "default.redis7.cluster.on",
      num_node_groups: 5,
      replicas_per_node_group: 1,
      node_type: "cache.m7g.xlarge",
    });
  });

  it("[RED-2] fails over automatically across AZs, in the private subnets behind the given security groups", () => {
    expect(group).toMatchObject({ automatic_failover_enabled: true, multi_az_enabled: true, security_group_ids: ["sg-redis"] });
    const [subnetGroupId, subnetGroup] = only(stack, "aws_elasticache_subnet_group");
    expect(subnetGroup).toMatchObject({ name: "ecg-test", subnet_ids: ["subnet-a", "subnet-c"] });
    expect(referencedId(group.subnet_group_name)).toBe(subnetGroupId);
  });

  it("[RED-2] [SEC-4] encrypts at rest with the given key and in transit", () => {
    // The provider types at_rest_encryption_enabled as a string.
    expect(group).toMatchObject({ at_rest_encryption_enabled: "true", kms_key_id: KEY, transit_encryption_enabled: true });
  });

  it("[RED-2] DR-2: keeps daily snapshots for the given days, taken in the 18:00-19:00 UTC window", () => {
    expect(group).toMatchObject({ snapshot_retention_limit: 7, snapshot_window: "18:00-19:00" });
    expect(only(synth({ snapshotRetentionDays: 35 }), "aws_elasticache_replication_group")[1].snapshot_retention_limit).toBe(35);
  });

  it("[RED-2] delivers the slow log as JSON to a KMS-encrypted /aws/elasticache/<name>/slow-log group with 30-day retention", () => {
    const [logGroupId, logGroup] = only(stack, "aws_cloudwatch_log_group");
    expect(logGroup).toMatchObject({ name: "/aws/elasticache/ecg-test/slow-log", retention_in_days: 30, kms_key_id: LOGS_KEY });
    expect(group.log_delivery_configuration).toEqual([
      {
        destination: `\${aws_cloudwatch_log_group.${logGroupId}.name}`,
        destination_type: "cloudwatch-logs",
        log_format: "json",
        log_type: "slow-log",
      },
    ]);
  });

  it("[RED-2] keeps the slow log for the given retention", () => {
    expect(only(synth({ logRetentionDays: 365 }), "aws_cloudwatch_log_group")[1].retention_in_days).toBe(365);
  });

  it('[SEC-2] [ElastiCache User Guide, "Authenticating with IAM": Redis OSS 7.0+ with TLS, user id = user name] authenticates clients with IAM through an RBAC user group: no AUTH token, no password, no secret', () => {
    expect(group.auth_token).toBeUndefined();
    expect(json).not.toMatch(/random_password|aws_secretsmanager|"passwords"/);
    const [userGroupId, userGroup] = only(stack, "aws_elasticache_user_group");
    expect(group.user_group_ids).toEqual([`\${aws_elasticache_user_group.${userGroupId}.user_group_id}`]);
    const users = Object.fromEntries(resourcesOf(stack, "aws_elasticache_user").map(([id, user]) => [user.user_name, { id, ...user }]));
    expect(Object.keys(users).sort()).toEqual(["default", "ecg-test-app"]);
    expect(userGroup).toMatchObject({ user_group_id: "ecg-test", engine: "redis" });
    expect(userGroup.user_ids).toEqual(["default", "ecg-test-app"].map((name) => `\${aws_elasticache_user.${users[name].id}.user_id}`));
    expect(users["ecg-test-app"]).toMatchObject({ user_id: "ecg-test-app", engine: "redis", authentication_mode: { type: "iam" } });
  });

  it("[SEC-2] switches the group's mandatory default user off, so a client without a token can do nothing", () => {
    const [, user] = resourcesOf(stack, "aws_elasticache_user").find(([, u]) => u.user_name === "default")!;
    expect(user).toMatchObject({
      user_id: "ecg-test-default",
      access_string: "off -@all",
      authentication_mode: { type: "no-password-required" },
    });
  });

  it("[RED-3] [SEC-1] lets the services' user reach the RED-3 key prefixes only, without admin or dangerous commands", () => {
    const [, user] = resourcesOf(stack, "aws_elasticache_user").find(([, u]) => u.user_name === "ecg-test-app")!;
    expect(REDIS_KEY_PATTERNS).toEqual(Object.values(REDIS_KEY_PREFIXES).map((prefix) => `~${prefix}*`));
    expect(user.access_string).toBe(`on ${REDIS_KEY_PATTERNS.join(" ")} &* +@all -@admin -@dangerous`);
    expect(user.access_string).not.toMatch(/~\*/);
  });

  it("exposes the client user and the two elasticache:Connect resources IAM authentication needs (the group and the user)", () => {
    const [userId] = resourcesOf(stack, "aws_elasticache_user").find(([, u]) => u.user_name === "ecg-test-app")!;
    const cluster = Testing.synthScope((scope) => {
      const redis = new RedisCluster(scope, "redis", props);
      new TerraformOutput(scope, "connect", { value: redis.connectArns });
      new TerraformOutput(scope, "user", { value: redis.clientUser.userName });
    });
    const outputs = synthJson(cluster).output!;
    expect(outputs.connect.value).toEqual([
      `\${aws_elasticache_replication_group.${groupId}.arn}`,
      `\${aws_elasticache_user.${userId}.arn}`,
    ]);
    expect(outputs.user.value).toBe(`\${aws_elasticache_user.${userId}.user_name}`);
  });

  it("exposes url as rediss://<configuration endpoint>:6379", () => {
    expect(stack.output!.url.value).toBe(`rediss://\${aws_elasticache_replication_group.${groupId}.configuration_endpoint_address}:6379`);
  });

  it("[RED-3] names exactly the five uses of the seed's DB 0-4", () => {
    expect(Object.keys(REDIS_KEY_PREFIXES).sort()).toEqual(
      [
        "REDIS_PREFIX_CELERY_BROKER",
        "REDIS_PREFIX_CELERY_RESULTS",
        "REDIS_PREFIX_PHASE2_METRICS",
        "REDIS_PREFIX_PROGRESS",
        "REDIS_PREFIX_SESSIONS",
      ].sort(),
    );
    const prefixes = Object.values(REDIS_KEY_PREFIXES);
    expect(new Set(prefixes).size).toBe(5);
    // No prefix is the start of another, so no use can read another's keys by prefix.
    for (const a of prefixes) for (const b of prefixes) if (a !== b) expect(b.startsWith(a)).toBe(false);
  });

  it("[RED-3] makes each prefix a Redis Cluster hash tag `{use}:` so every key of one use maps to one slot (multi-key commands stay valid in cluster mode)", () => {
    // The checksum as Redis documents it: CRC16("123456789") = 0x31C3, and CLUSTER KEYSLOT foo = 12182.
    expect(crc16("123456789")).toBe(0x31c3);
    expect(keySlot("foo")).toBe(12182);
    for (const prefix of Object.values(REDIS_KEY_PREFIXES)) {
      expect(prefix).toMatch(/^\{[a-z0-9-]+\}:$/);
      const tag = prefix.slice(1, -2);
      const slots = new Set(["celery", "task:1", "_kombu.binding.celery", "session:abc", "{x}"].map((key) => keySlot(`${prefix}${key}`)));
      expect([...slots]).toEqual([keySlot(tag)]);
    }
  });

  it("sets prevent_destroy on the replication group only when asked", () => {
    expect(group.lifecycle).toBeUndefined();
    const [, protectedGroup] = only(synth({ preventDestroy: true }), "aws_elasticache_replication_group");
    expect(protectedGroup.lifecycle).toEqual({ prevent_destroy: true });
    expect(only(synth({ preventDestroy: false }), "aws_elasticache_replication_group")[1].lifecycle).toBeUndefined();
  });

  it("[ENV-4] tags every taggable cache resource with Component=cache", () => {
    for (const type of ["aws_elasticache_replication_group", "aws_elasticache_subnet_group", "aws_cloudwatch_log_group"]) {
      const [, resource] = only(stack, type);
      expect(resource.tags).toEqual({ Component: "cache" });
    }
  });

  it("accepts the limits of its validation", () => {
    for (const overrides of [
      { name: "a" },
      { name: `a${"-b".repeat(19)}c` },
      { shards: 1 },
      { shards: 500 },
      { replicasPerShard: 1 },
      { replicasPerShard: 5 },
      { snapshotRetentionDays: 1 },
      { snapshotRetentionDays: 35 },
      { logRetentionDays: 1 },
    ] satisfies Partial<RedisClusterProps>[]) {
      expect(() => synth(overrides)).not.toThrow();
    }
  });

  const nameRule = "must be 1-40 lower-case letters, digits or single hyphens, starting with a letter (replication group id)";
  const versionRule = "must be a Redis 7 version (7.0, 7.1): the cluster-mode parameter group is default.redis7.cluster.on";
  it.each<[Partial<RedisClusterProps>, string]>([
    [{ name: "Ecg-test" }, `name: "Ecg-test" ${nameRule}`],
    [{ name: "ecg_test" }, `name: "ecg_test" ${nameRule}`],
    [{ name: "1ecg" }, `name: "1ecg" ${nameRule}`],
    [{ name: "ecg-test-" }, `name: "ecg-test-" ${nameRule}`],
    [{ name: "ecg--test" }, `name: "ecg--test" ${nameRule}`],
    [{ name: "a".repeat(41) }, `name: "${"a".repeat(41)}" ${nameRule}`],
    [{ name: "" }, `name: "" ${nameRule}`],
    [{ engineVersion: "5.0" }, `engineVersion: "5.0" ${versionRule}`],
    [{ engineVersion: "7" }, `engineVersion: "7" ${versionRule}`],
    [{ engineVersion: "7.0.7" }, `engineVersion: "7.0.7" ${versionRule}`],
    [{ nodeType: "r6g.large" }, 'nodeType: "r6g.large" is not an ElastiCache node type'],
    [{ nodeType: "db.r6g.large" }, 'nodeType: "db.r6g.large" is not an ElastiCache node type'],
    [{ shards: 0 }, "shards: 0 must be 1-500: cluster mode needs at least one node group"],
    [{ shards: 501 }, "shards: 501 must be 1-500: cluster mode needs at least one node group"],
    [{ shards: 2.5 }, "shards: 2.5 must be 1-500: cluster mode needs at least one node group"],
    [{ replicasPerShard: 0 }, "replicasPerShard: 0 must be 1-5: automatic failover and Multi-AZ need a replica in every shard"],
    [{ replicasPerShard: 6 }, "replicasPerShard: 6 must be 1-5: automatic failover and Multi-AZ need a replica in every shard"],
    [{ replicasPerShard: 1.5 }, "replicasPerShard: 1.5 must be 1-5: automatic failover and Multi-AZ need a replica in every shard"],
    [{ subnetIds: ["subnet-a"] }, "subnetIds: 1 given; Multi-AZ needs subnets in at least 2 AZs"],
    [{ subnetIds: [] }, "subnetIds: 0 given; Multi-AZ needs subnets in at least 2 AZs"],
    [{ securityGroupIds: [] }, "securityGroupIds: at least one security group is required"],
    [{ snapshotRetentionDays: 0 }, "snapshotRetentionDays: 0 must be 1-35 (daily snapshots, RED-2)"],
    [{ snapshotRetentionDays: 36 }, "snapshotRetentionDays: 36 must be 1-35 (daily snapshots, RED-2)"],
    [{ snapshotRetentionDays: 1.5 }, "snapshotRetentionDays: 1.5 must be 1-35 (daily snapshots, RED-2)"],
    [{ logRetentionDays: 10 }, "logRetentionDays: 10 is not a CloudWatch Logs retention value"],
  ])("refuses %j", (overrides, message) => {
    expect(() => synth(overrides)).toThrow(`RedisCluster "redis" is misconfigured:\n`);
    expect(() => synth(overrides)).toThrow(message);
  });

  it("reports every problem of its props at once", () => {
    const message = errorOf(() =>
      synth({ name: "Bad", engineVersion: "5.0", shards: 0, replicasPerShard: 0, securityGroupIds: [], logRetentionDays: 10 }),
    );
    expect(message).toMatch(/^RedisCluster "redis" is misconfigured:\n/);
    const problems = message.split("\n").filter((line) => line.startsWith("  - "));
    expect(problems).toHaveLength(6);
    expect(problems.slice(0, 5)).toEqual([
      `  - name: "Bad" ${nameRule}`,
      `  - engineVersion: "5.0" ${versionRule}`,
      "  - shards: 0 must be 1-500: cluster mode needs at least one node group",
      "  - replicasPerShard: 0 must be 1-5: automatic failover and Multi-AZ need a replica in every shard",
      "  - securityGroupIds: at least one security group is required",
    ]);
    expect(problems[5]).toContain("logRetentionDays: 10 is not a CloudWatch Logs retention value");
  });
});
