import { referencedId, resourcesOf, type SynthesizedStack } from "../helpers";
import { synthProgram } from "./synth";

// The data layer of every environment, on the fully synthesized program.
const program = synthProgram();
const stack = (name: string): SynthesizedStack => program.stacks[name];
const ENV_STACKS = ["ecg-dev", "ecg-staging", "ecg-prod"];
const instances = (s: SynthesizedStack) => resourcesOf(s, "aws_db_instance").map(([, db]) => db);
const primaryOf = (s: SynthesizedStack) => instances(s).find((db) => !db.replicate_source_db);
const providerRegion = (s: SynthesizedStack, alias: string | undefined) =>
  alias ? s.provider!.aws.find((p: any) => `aws.${p.alias}` === alias).region : s.provider!.aws.find((p: any) => !p.alias).region;

describe("PostgreSQL per environment", () => {
  it("[RDS-1] [RDS-2] prod runs the seed's database: 15.4 on db.r6g.xlarge, gp3 500 GB / 12,000 IOPS / 500 MiB/s, Multi-AZ, 7-day backups", () => {
    expect(primaryOf(stack("ecg-prod"))).toMatchObject({
      engine: "postgres",
      engine_version: "15.4",
      instance_class: "db.r6g.xlarge",
      storage_type: "gp3",
      allocated_storage: 500,
      iops: 12000,
      storage_throughput: 500,
      multi_az: true,
      backup_retention_period: 7,
      storage_encrypted: true,
      iam_database_authentication_enabled: true,
      deletion_protection: true,
      skip_final_snapshot: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  it("[RDS-3] [RDS-4] prod has a replica in Seoul and one in Tokyo, and copies its backups to Tokyo under a Tokyo key", () => {
    const prod = stack("ecg-prod");
    const replicas = instances(prod).filter((db) => db.replicate_source_db);
    expect(replicas.map((db) => providerRegion(prod, db.provider)).sort()).toEqual(["ap-northeast-1", "ap-northeast-2"]);
    const [[, copy]] = resourcesOf(prod, "aws_db_instance_automated_backups_replication");
    expect(providerRegion(prod, copy.provider)).toBe("ap-northeast-1");
    const tokyoKey = resourcesOf(prod, "aws_kms_key").find(([id]) => id === referencedId(copy.kms_key_id))![1];
    expect(providerRegion(prod, tokyoKey.provider)).toBe("ap-northeast-1");
  });

  it("[ENV-2] dev runs one small single-AZ instance without replicas or protection; staging keeps prod's topology", () => {
    expect(instances(stack("ecg-dev"))).toHaveLength(1);
    expect(primaryOf(stack("ecg-dev"))).toMatchObject({ instance_class: "db.t4g.medium", multi_az: false, deletion_protection: false, skip_final_snapshot: true });
    expect(primaryOf(stack("ecg-dev")).iops).toBeUndefined();
    expect(resourcesOf(stack("ecg-dev"), "aws_db_instance_automated_backups_replication")).toEqual([]);
    const staging = instances(stack("ecg-staging"));
    expect(staging.map((db) => providerRegion(stack("ecg-staging"), db.provider)).sort()).toEqual(["ap-northeast-1", "ap-northeast-2", "ap-northeast-2"]);
    expect(primaryOf(stack("ecg-staging")).multi_az).toBe(true);
  });

  it("[RDS-5] every environment has the one-off migration task, which carries every migration file", () => {
    for (const name of ENV_STACKS) {
      const [, task] = resourcesOf(stack(name), "aws_ecs_task_definition").find(([, t]) => t.family === `${name}-db-migrate`)!;
      const [container] = JSON.parse(task.container_definitions);
      const sql = Buffer.from(container.environment.find((e: any) => e.name === "MIGRATIONS_B64").value, "base64").toString();
      expect(sql).toContain("CREATE TABLE IF NOT EXISTS render_jobs");
      expect(sql).toContain("CREATE ROLE ecg_app LOGIN");
      expect(sql.indexOf("VALUES ('001')")).toBeLessThan(sql.indexOf("VALUES ('002')"));
      expect(container.secrets).toEqual([{ name: "PGPASSWORD", valueFrom: expect.stringMatching(/master_user_secret\[0\]\.secret_arn\}:password::$/) }]);
      expect(stack(name).output!.db_migrate_command.value).toMatch(/--task-definition \$\{aws_ecs_task_definition\.data_migrate_task_[A-Z0-9]+\.family\}/);
    }
  });
});

describe("Redis per environment", () => {
  it("[RED-1] [RED-2] prod runs Redis 7.0 on cache.r6g.xlarge in cluster mode, 3 shards x 2 replicas, encrypted, with failover and snapshots", () => {
    const [[, redis]] = resourcesOf(stack("ecg-prod"), "aws_elasticache_replication_group");
    expect(redis).toMatchObject({
      engine_version: "7.0",
      node_type: "cache.r6g.xlarge",
      parameter_group_name: "default.redis7.cluster.on",
      num_node_groups: 3,
      replicas_per_node_group: 2,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      transit_encryption_enabled: true,
      snapshot_retention_limit: 7,
    });
  });

  it("[RED-3] publishes the key prefixes that replace the seed's DB 0-4 as a stack output", () => {
    expect(Object.keys(stack("ecg-prod").output!.redis_key_prefixes.value).sort()).toEqual([
      "REDIS_PREFIX_CELERY_BROKER",
      "REDIS_PREFIX_CELERY_RESULTS",
      "REDIS_PREFIX_PHASE2_METRICS",
      "REDIS_PREFIX_PROGRESS",
      "REDIS_PREFIX_SESSIONS",
    ]);
  });

  it("[ENV-2] dev runs one small shard with one replica", () => {
    const [[, redis]] = resourcesOf(stack("ecg-dev"), "aws_elasticache_replication_group");
    expect([redis.node_type, redis.num_node_groups, redis.replicas_per_node_group]).toEqual(["cache.t4g.small", 1, 1]);
  });
});

describe("videos bucket, CDN and secrets per environment", () => {
  it("[S3-1] [S3-6] every environment has its own videos bucket, replicated to us-west-2", () => {
    for (const name of ENV_STACKS) {
      const s = stack(name);
      const buckets = resourcesOf(s, "aws_s3_bucket").map(([, b]) => [b.bucket.replace(/\$\{[^}]+\}/, "<account>"), providerRegion(s, b.provider)]);
      const env = name.replace("ecg-", "");
      expect(buckets).toEqual(
        expect.arrayContaining([
          [`ecg-videos-${env}-<account>`, "ap-northeast-2"],
          [`ecg-videos-${env}-<account>-replica`, "us-west-2"],
        ]),
      );
    }
  });

  it("[S3-4] every environment serves rendered/ through its CDN name, with a certificate and WAF from us-east-1", () => {
    for (const [name, domain] of [["ecg-dev", "cdn.dev.ecg-render.com"], ["ecg-staging", "cdn.staging.ecg-render.com"], ["ecg-prod", "cdn.ecg-render.com"]]) {
      const s = stack(name);
      const [[, cdn]] = resourcesOf(s, "aws_cloudfront_distribution");
      expect([cdn.aliases, cdn.origin[0].origin_path, cdn.viewer_certificate.minimum_protocol_version]).toEqual([[domain], "/rendered", "TLSv1.2_2021"]);
      const [, cert] = resourcesOf(s, "aws_acm_certificate").find(([, c]) => c.domain_name === domain)!;
      expect(providerRegion(s, cert.provider)).toBe("us-east-1");
      expect(s.output!.cdn_url.value).toMatch(/^https:\/\/\$\{aws_route53_record\.data_cdn_alias_[A-Z0-9]+\.fqdn\}$/);
    }
  });

  it("[SEC-2] every environment rotates its JWT signing key and API key every 30 days with the project's function", () => {
    for (const name of ENV_STACKS) {
      const s = stack(name);
      const secrets = resourcesOf(s, "aws_secretsmanager_secret").map(([, x]) => x.name).sort();
      expect(secrets).toEqual([`${name}/app/jwt-signing-key`, `${name}/app/service-api-key`, `${name}/redis/auth-token`]);
      const rotations = resourcesOf(s, "aws_secretsmanager_secret_rotation").map(([, r]) => [Boolean(r.rotation_lambda_arn), r.rotation_rules.automatically_after_days]);
      // The two application secrets with the function, the RDS master secret by RDS itself.
      expect(rotations.sort()).toEqual([[false, 30], [true, 30], [true, 30]]);
    }
  });

  it("[ENV-2] a torn-down dev or staging frees its secret names at once; prod can restore a deleted secret for a week", () => {
    const windows = (name: string) => [...new Set(resourcesOf(stack(name), "aws_secretsmanager_secret").map(([, x]) => x.recovery_window_in_days))];
    expect(ENV_STACKS.map(windows)).toEqual([[0], [0], [7]]);
  });

  it("[PLT-2] every stack declares the providers it uses: the random provider and one aws provider per other region", () => {
    for (const name of ENV_STACKS) {
      const regions = stack(name).provider!.aws.map((p: any) => p.region).sort();
      expect(regions).toEqual(["ap-northeast-1", "ap-northeast-2", "us-east-1", "us-west-2"]);
      expect(stack(name).provider!.random).toHaveLength(1);
    }
  });
});
