import { referencedId, resourcesOf, type SynthesizedStack } from "../helpers";
import { synthProgram } from "./synth";
import { UPLOAD_RETENTION_DAYS } from "../../stacks/composites/data-layer";

// The services and the data layer of every environment, on one synthesis of the program.
const program = synthProgram();
const stack = (name: string): SynthesizedStack => program.stacks[name];
const ENV_STACKS = ["ecg-dev", "ecg-staging", "ecg-prod"];

const named = (s: SynthesizedStack, type: string, name: string) => {
  const found = resourcesOf(s, type).filter(([, r]) => (r.name ?? r.family) === name);
  if (found.length !== 1) throw new Error(`${type} named ${name}: found ${found.length}`);
  return found[0];
};
const service = (s: SynthesizedStack, name: string) => named(s, "aws_ecs_service", name)[1];
/**
 * A container's image as Terraform will see it: the release's local value, the
 * promoted digest of `repository` once a release wrote one, else its `tag`.
 */
const releasedImage = (s: SynthesizedStack, image: string, repository: string, tag: string) => {
  const local = /^\$\{local\.([\w-]+)\}$/.exec(image)?.[1];
  expect(local).toBeDefined();
  const url = `\\$\\{aws_ecr_repository\\.registry_${repository}_[A-Z0-9]+\\.repository_url\\}`;
  const digest = `aws_ssm_parameter\\.release-digests_${repository}_[A-Z0-9]+\\.insecure_value`;
  expect((s as any).locals[local!]).toMatch(
    new RegExp(`^\\$\\{\\(${digest} == "none"\\) \\? "${url}:${tag}" : "${url}@\\$\\{${digest}\\}"\\}$`),
  );
};

/** A task's containers but the init container that prepares its volumes. */
const containers = (s: SynthesizedStack, family: string): any[] =>
  JSON.parse(named(s, "aws_ecs_task_definition", family)[1].container_definitions).filter((c: any) => c.name !== "prepare-volumes");
const byName = (list: any[]) => Object.fromEntries(list.map((c) => [c.name, c]));
/** The statements of a role's inline policy, by the role policy's name. */
const policyOf = (s: SynthesizedStack, policyName: string): any[] =>
  s.data!.aws_iam_policy_document[referencedId(named(s, "aws_iam_role_policy", policyName)[1].policy)].statement;

describe("Backend API (Fargate)", () => {
  const prod = stack("ecg-prod");

  it("[CMP-2] prod runs 2 vCPU / 4 GB tasks of ecg-backend-api (the released digest, :latest before any release) on port 8000 in both private subnets", () => {
    const [, task] = named(prod, "aws_ecs_task_definition", "ecg-prod-backend-api");
    expect([task.cpu, task.memory, task.requires_compatibilities, task.network_mode]).toEqual(["2048", "4096", ["FARGATE"], "awsvpc"]);
    const api = byName(containers(prod, "ecg-prod-backend-api"))["backend-api"];
    releasedImage(prod, api.image, "ecg-backend-api", "latest");
    expect(api.portMappings).toEqual([{ containerPort: 8000, hostPort: 8000, protocol: "tcp" }]);
    const svc = service(prod, "ecg-prod-backend-api");
    expect(svc.network_configuration.subnets).toEqual(
      resourcesOf(prod, "aws_subnet")
        .filter(([, r]) => r.tags.Tier === "private")
        .map(([id]) => `\${aws_subnet.${id}.id}`),
    );
    expect(svc.network_configuration.assign_public_ip).toBe(false);
    expect(svc.load_balancer).toEqual([
      { container_name: "backend-api", container_port: 8000, target_group_arn: expect.stringContaining("aws_lb_target_group.") },
    ]);
  });

  it("[CMP-2] scales between 2 and 10 tasks on 70% CPU in prod", () => {
    const [, target] = resourcesOf(prod, "aws_appautoscaling_target")[0];
    expect([target.min_capacity, target.max_capacity, target.scalable_dimension]).toEqual([2, 10, "ecs:service:DesiredCount"]);
    const [, policy] = resourcesOf(prod, "aws_appautoscaling_policy")[0];
    expect(policy.target_tracking_scaling_policy_configuration).toMatchObject({
      target_value: 70,
      predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
    });
    expect(service(prod, "ecg-prod-backend-api").lifecycle.ignore_changes).toContain("desired_count");
  });

  it("[CI-3] is released blue/green by CodeDeploy in every environment: the task definition and target group in use are CodeDeploy's after creation", () => {
    for (const name of ["ecg-dev", "ecg-staging", "ecg-prod"]) {
      const svc = service(stack(name), `${name}-backend-api`);
      expect(svc.deployment_controller).toEqual({ type: "CODE_DEPLOY" });
      expect(svc.deployment_circuit_breaker).toBeUndefined();
      expect(svc.lifecycle.ignore_changes).toEqual(["desired_count", "task_definition", "load_balancer"]);
    }
  });

  it("[CMP-2] gets DATABASE_URL, REDIS_URL and S3_BUCKET from the data layer, and its credentials as secrets only", () => {
    const api = byName(containers(prod, "ecg-prod-backend-api"))["backend-api"];
    const env = Object.fromEntries(api.environment.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({
      // IAM database authentication as ecg_app: no password anywhere.
      DATABASE_URL: expect.stringMatching(
        /^postgresql:\/\/ecg_app@\$\{aws_db_instance\.data_postgres_primary_[A-Z0-9]+\.address\}:5432\/ecg\?sslmode=verify-full$/,
      ),
      DATABASE_IAM_AUTH: "true",
      REDIS_URL: expect.stringMatching(/^rediss:\/\/\$\{aws_elasticache_replication_group\.[^}]+\.configuration_endpoint_address\}:6379$/),
      S3_BUCKET: expect.stringMatching(/^ecg-videos-prod-\$\{data\.aws_caller_identity\.[^}]+\.account_id\}$/),
      // The cluster's Cloud Map namespace, ecg-prod.internal.
      ML_AUDIO_URL: expect.stringMatching(/^http:\/\/ml-audio\.\$\{aws_service_discovery_private_dns_namespace\.[^}]+\.name\}:8080$/),
      GPU_RENDER_URL: expect.stringMatching(/^http:\/\/gpu-render\.\$\{aws_service_discovery_private_dns_namespace\.[^}]+\.name\}:8090$/),
    });
    expect(api.secrets.map((s: any) => s.name)).toEqual(["JWT_SIGNING_KEY", "SERVICE_API_KEY"]);
    expect(api.secrets.find((s: any) => s.name === "JWT_SIGNING_KEY").valueFrom).toMatch(
      /^\$\{aws_secretsmanager_secret\.data_secrets_secret-jwt-signing-key_[A-Z0-9]+\.arn\}:value::$/,
    );
    // The CDN signing key's secret is named by ARN for the API to read; its value is never in the environment.
    const named = api.environment.filter((e: any) => e.name !== "CDN_SIGNING_KEY_ARN");
    expect(JSON.stringify(named)).not.toMatch(/secretsmanager|PASSWORD|TOKEN/);
  });

  it("[RED-3] publishes the Redis key prefixes that replace the seed's DB numbers to the API and the render service", () => {
    for (const family of ["ecg-prod-backend-api", "ecg-prod-gpu-render"]) {
      const names = containers(prod, family).flatMap((c) => (c.environment ?? []).map((e: any) => e.name));
      expect(names).toEqual(
        expect.arrayContaining([
          "REDIS_PREFIX_CELERY_BROKER",
          "REDIS_PREFIX_CELERY_RESULTS",
          "REDIS_PREFIX_SESSIONS",
          "REDIS_PREFIX_PROGRESS",
          "REDIS_PREFIX_PHASE2_METRICS",
        ]),
      );
    }
  });

  it("[PLT-2] needs no inputs: every environment stack plans without variables (the one it declares, the role its providers assume, has its default)", () => {
    for (const name of ENV_STACKS) {
      const variables = Object.entries<any>(stack(name).variable ?? {});
      expect(variables.map(([variable, v]) => [variable, typeof v.default])).toEqual([["account_role_arn", "string"]]);
    }
  });

  it("[ENV-2] dev runs one small task on Fargate Spot; prod and staging on Fargate", () => {
    const provider = (name: string) => service(stack(name), `${name}-backend-api`).capacity_provider_strategy[0].capacity_provider;
    expect(ENV_STACKS.map(provider)).toEqual(["FARGATE_SPOT", "FARGATE", "FARGATE"]);
    const [, devTask] = named(stack("ecg-dev"), "aws_ecs_task_definition", "ecg-dev-backend-api");
    expect([devTask.cpu, devTask.memory]).toEqual(["512", "1024"]);
  });
});

describe("GPU services (ECS on EC2)", () => {
  const prod = stack("ecg-prod");
  const fleetAttribute = (s: SynthesizedStack, fleet: string) => {
    const [, template] = named(s, "aws_launch_template", fleet);
    return template.user_data as string;
  };

  it("[CMP-3] ML Audio: one task with 1 GPU on every host of its own fleet, ecg-ml-audio (the released digest, :latest before any release) on port 8080", () => {
    const svc = service(prod, "ecg-prod-ml-audio");
    expect([svc.scheduling_strategy, svc.launch_type, svc.desired_count]).toEqual(["DAEMON", "EC2", undefined]);
    expect(svc.placement_constraints).toEqual([{ type: "memberOf", expression: "attribute:ecg.fleet == ecg-prod-ml-audio" }]);
    // The fleet's hosts carry that attribute from their user data.
    expect(fleetAttribute(prod, "ecg-prod-ml-audio")).toContain('ECS_INSTANCE_ATTRIBUTES={\\"ecg.fleet\\":\\"ecg-prod-ml-audio\\"}');
    const ml = byName(containers(prod, "ecg-prod-ml-audio"))["ml-audio-server"];
    releasedImage(prod, ml.image, "ecg-ml-audio", "latest");
    expect([ml.portMappings[0].containerPort, ml.resourceRequirements]).toEqual([8080, [{ type: "GPU", value: "1" }]]);
    expect(svc.network_configuration.security_groups).toEqual([
      expect.stringContaining("aws_security_group.foundation_network_security-groups_mlAudio_"),
    ]);
  });

  it("[CMP-4] GPU Render: the server on port 8090 and 4 Celery workers holding the task's GPU, ecg-gpu-render (the released digest, :phase2 before any release)", () => {
    const svc = service(prod, "ecg-prod-gpu-render");
    expect(svc.placement_constraints).toEqual([{ type: "memberOf", expression: "attribute:ecg.fleet == ecg-prod-gpu-render" }]);
    const c = byName(containers(prod, "ecg-prod-gpu-render"));
    expect(Object.keys(c)).toEqual(["gpu-render-server", "celery-workers", "xray-daemon"]);
    expect(c["gpu-render-server"].portMappings[0].containerPort).toBe(8090);
    releasedImage(prod, c["gpu-render-server"].image, "ecg-gpu-render", "phase2");
    expect(c["celery-workers"].image).toBe(c["gpu-render-server"].image);
    // The render queue, as node render@<hostname>: what the hosts' termination watcher cancels and inspects.
    expect(c["celery-workers"].command.join(" ")).toBe(
      "celery --app ecg_render.worker worker --queues render --hostname render@%h --concurrency 4 --loglevel INFO",
    );
    expect(c["celery-workers"].resourceRequirements).toEqual([{ type: "GPU", value: "1" }]);
  });

  it("[CMP-3] [CMP-4] both register in Cloud Map under the cluster's namespace for the Backend API's calls", () => {
    const [[nsId, ns]] = resourcesOf(prod, "aws_service_discovery_private_dns_namespace");
    expect(ns.name).toBe("ecg-prod.internal");
    const names = resourcesOf(prod, "aws_service_discovery_service").map(([, d]) => [d.name, d.dns_config.namespace_id]);
    expect(names.sort()).toEqual([
      ["gpu-render", `\${aws_service_discovery_private_dns_namespace.${nsId}.id}`],
      ["ml-audio", `\${aws_service_discovery_private_dns_namespace.${nsId}.id}`],
    ]);
  });

  it("every GPU task fits the smallest instance type of its fleet", () => {
    for (const name of ENV_STACKS) {
      const [, ml] = named(stack(name), "aws_ecs_task_definition", `${name}-ml-audio`);
      const [, render] = named(stack(name), "aws_ecs_task_definition", `${name}-gpu-render`);
      // g4dn.xlarge: 4 vCPU / 16 GiB; g4dn.2xlarge: 8 vCPU / 32 GiB.
      expect(Number(ml.cpu)).toBeLessThanOrEqual(4096);
      expect(Number(ml.memory)).toBeLessThan(16384);
      expect(Number(render.cpu)).toBeLessThanOrEqual(8192);
      expect(Number(render.memory)).toBeLessThan(32768);
    }
  });
});

describe("ALB and WAF", () => {
  it("[CMP-6] an internet-facing ALB across both public subnets serves HTTPS 443 with a DNS-validated certificate for the environment's name", () => {
    // Each in the public zone of its own account: dev's and staging's are subzones of prod's.
    for (const [name, domain, zone] of [
      ["ecg-dev", "api.dev.ecg-render.com", "dev.ecg-render.com"],
      ["ecg-staging", "api.staging.ecg-render.com", "staging.ecg-render.com"],
      ["ecg-prod", "api.ecg-render.com", "ecg-render.com"],
    ]) {
      const s = stack(name);
      const [, alb] = named(s, "aws_lb", `${name}-api`);
      expect([alb.internal, alb.load_balancer_type, alb.subnets.length, alb.drop_invalid_header_fields]).toEqual([
        false,
        "application",
        2,
        true,
      ]);
      const [[, listener]] = resourcesOf(s, "aws_lb_listener");
      expect([listener.port, listener.protocol, listener.ssl_policy]).toEqual([443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06"]);
      expect(listener.certificate_arn).toMatch(/^\$\{aws_acm_certificate_validation\./);
      const [, cert] = resourcesOf(s, "aws_acm_certificate").find(([id]) => id.startsWith("entry_ingress_"))!;
      expect([cert.domain_name, cert.validation_method]).toEqual([domain, "DNS"]);
      const zones = Object.values<any>(s.data!.aws_route53_zone).map((z) => [z.name, z.private_zone]);
      expect(zones).toEqual([[zone, false]]);
      // The public name: a simple alias, or (prod, with its standby) the PRIMARY failover record.
      const records = resourcesOf(s, "aws_route53_record").filter(([, r]) => r.type === "A" && r.name === domain);
      expect(records).toHaveLength(1);
      expect(records[0][1].alias.name).toBe(`\${aws_lb.${named(s, "aws_lb", `${name}-api`)[0]}.dns_name}`);
      expect(records[0][1].failover_routing_policy?.type).toBe(name === "ecg-prod" ? "PRIMARY" : undefined);
    }
  });

  it("[CMP-6] the target group health-checks the API on /health; deletion protection is on in prod only", () => {
    const [[, group]] = resourcesOf(stack("ecg-prod"), "aws_lb_target_group");
    expect([group.port, group.target_type, group.health_check.path, group.health_check.matcher]).toEqual([8000, "ip", "/health", "200"]);
    const protection = (name: string) => named(stack(name), "aws_lb", `${name}-api`)[1].enable_deletion_protection;
    expect(ENV_STACKS.map(protection)).toEqual([false, false, true]);
  });

  it("[CMP-6] writes access logs to the environment's log bucket, which only ELB may write to under alb/", () => {
    const prod = stack("ecg-prod");
    const [, alb] = named(prod, "aws_lb", "ecg-prod-api");
    expect(alb.access_logs).toMatchObject({ enabled: true, prefix: "alb" });
    const logsBucket = (s: SynthesizedStack) => resourcesOf(s, "aws_s3_bucket").find(([id]) => id.startsWith("entry_logs-bucket_"))!;
    const [bucketId, bucket] = logsBucket(prod);
    expect(bucket.bucket).toMatch(/^ecg-prod-logs-\$\{data\.aws_caller_identity\.[^}]+\.account_id\}$/);
    expect(alb.access_logs.bucket).toBe(`\${aws_s3_bucket.${bucketId}.id}`);
    expect([bucket.lifecycle?.prevent_destroy, logsBucket(stack("ecg-dev"))[1].force_destroy]).toEqual([true, true]);
  });

  it("[SEC-3] every environment's WAF allows only KR, US and JP, limits each IP to 1000 requests per 5 minutes and screens SQL injection and XSS", () => {
    for (const name of ENV_STACKS) {
      const s = stack(name);
      const [aclId, acl] = resourcesOf(s, "aws_wafv2_web_acl").find(([id]) => id.startsWith("entry_ingress_"))!;
      const rules = JSON.parse(acl.rule_json);
      expect(rules[0].Statement.NotStatement.Statement.GeoMatchStatement.CountryCodes).toEqual(["KR", "US", "JP"]);
      expect(rules[1].Statement.RateBasedStatement).toEqual({ Limit: 1000, AggregateKeyType: "IP", EvaluationWindowSec: 300 });
      const managed = rules.map((r: any) => r.Statement.ManagedRuleGroupStatement?.Name).filter(Boolean);
      expect(managed).toEqual(expect.arrayContaining(["AWSManagedRulesSQLiRuleSet", "AWSManagedRulesCommonRuleSet"]));
      const [[, association]] = resourcesOf(s, "aws_wafv2_web_acl_association");
      expect(association.web_acl_arn).toBe(`\${aws_wafv2_web_acl.${aclId}.arn}`);
      expect(association.resource_arn).toMatch(/^\$\{aws_lb\./);
    }
  });
});

describe("roles, logs and traces", () => {
  const prod = stack("ecg-prod");
  const SERVICES = ["backend-api", "ml-audio", "gpu-render"];

  it("[SEC-1] every service has its own execution role and its own task role", () => {
    for (const svc of SERVICES) {
      const [, task] = named(prod, "aws_ecs_task_definition", `ecg-prod-${svc}`);
      expect(task.execution_role_arn).toBe(`\${aws_iam_role.${named(prod, "aws_iam_role", `ecg-prod-${svc}-execution`)[0]}.arn}`);
      expect(task.task_role_arn).toBe(`\${aws_iam_role.${named(prod, "aws_iam_role", `ecg-prod-${svc}-task`)[0]}.arn}`);
    }
  });

  it("[SEC-1] least privilege: the API reads and writes the videos bucket; render only rendered/*; ML reads uploads/ and writes analyzed/", () => {
    const s3 = (svc: string) =>
      policyOf(prod, `ecg-prod-${svc}-task-policy`)
        .filter((st) => st.actions.some((a: string) => a.startsWith("s3:")))
        .map((st) =>
          `${st.actions.join(",")} ${st.resources.join(",")}`
            .replace(/\$\{data\.aws_partition\.[^}]+\}/g, "aws")
            .replace(/\$\{data\.aws_caller_identity\.[^}]+\}/g, "${ACCOUNT}"),
        );
    const bucket = "arn:aws:s3:::ecg-videos-prod-${ACCOUNT}";
    expect(s3("backend-api")).toEqual([
      `s3:ListBucket ${bucket}`,
      `s3:GetObject,s3:PutObject,s3:AbortMultipartUpload ${bucket}/*`,
      `s3:DeleteObject ${bucket}/uploads/*,${bucket}/temp/*`,
      `s3:PutObjectRetention ${bucket}/uploads/*`,
    ]);
    // Each service deletes what it owns (#17): the render service its renders, ML its analysis.
    expect(s3("gpu-render")).toEqual([
      `s3:ListBucket ${bucket}`,
      `s3:GetObject,s3:PutObject,s3:DeleteObject,s3:AbortMultipartUpload ${bucket}/rendered/*`,
    ]);
    expect(s3("ml-audio")).toEqual([
      `s3:ListBucket ${bucket}`,
      `s3:GetObject ${bucket}/uploads/*`,
      `s3:GetObject,s3:PutObject,s3:DeleteObject ${bucket}/analyzed/*`,
    ]);
  });

  it("[SEC-1] the API connects to the database as its own user through IAM database authentication", () => {
    const connect = policyOf(prod, "ecg-prod-backend-api-task-policy").find((st) => st.sid === "ConnectAsApiDatabaseUser");
    expect(connect.actions).toEqual(["rds-db:connect"]);
    expect(connect.resources[0]).toMatch(/:rds-db:.+:dbuser:\$\{aws_db_instance\.data_postgres_primary_[A-Z0-9]+\.resource_id\}\/ecg_app$/);
    for (const svc of ["ml-audio", "gpu-render"]) {
      expect(JSON.stringify(policyOf(prod, `ecg-prod-${svc}-task-policy`))).not.toContain("rds-db");
    }
  });

  it("[SEC-1] [SEC-2] the API and the render service sign in to Redis with IAM as the cluster's client user: REDIS_USER and elasticache:Connect on the group and the user, no AUTH token", () => {
    const [[userId]] = resourcesOf(prod, "aws_elasticache_user").filter(([, u]) => u.user_name === "ecg-prod-app");
    const [[groupId]] = resourcesOf(prod, "aws_elasticache_replication_group");
    for (const [family, svc] of [
      ["ecg-prod-backend-api", "backend-api"],
      ["ecg-prod-gpu-render", "gpu-render"],
    ]) {
      for (const container of containers(prod, family).filter((c) => c.name !== "xray-daemon")) {
        const env = Object.fromEntries(container.environment.map((e: any) => [e.name, e.value]));
        expect({ container: container.name, user: env.REDIS_USER, iam: env.REDIS_IAM_AUTH }).toEqual({
          container: container.name,
          user: `\${aws_elasticache_user.${userId}.user_name}`,
          iam: "true",
        });
        expect(JSON.stringify(container.secrets ?? [])).not.toContain("REDIS");
      }
      const connect = policyOf(prod, `ecg-prod-${svc}-task-policy`).find((st) => st.sid === "ConnectToRedis");
      expect(connect).toMatchObject({
        actions: ["elasticache:Connect"],
        resources: [`\${aws_elasticache_replication_group.${groupId}.arn}`, `\${aws_elasticache_user.${userId}.arn}`],
      });
    }
    expect(JSON.stringify(policyOf(prod, "ecg-prod-ml-audio-task-policy"))).not.toContain("elasticache");
  });

  it("[SEC-1] no service policy grants a wildcard action, and Resource * only where the API has no resource", () => {
    for (const svc of SERVICES) {
      for (const kind of ["execution", "task"]) {
        for (const st of policyOf(prod, `ecg-prod-${svc}-${kind}-policy`)) {
          for (const action of st.actions) expect(action).not.toMatch(/\*/);
          if (st.resources.includes("*")) {
            // ECS Exec's channels and the log group lookup take no resource either.
            expect({
              sid: st.sid,
              actions: st.actions.every((a: string) =>
                /^(ecr:GetAuthorizationToken$|xray:|cloudwatch:PutMetricData$|ssmmessages:|logs:DescribeLogGroups$)/.test(a),
              ),
            }).toEqual({ sid: st.sid, actions: true });
          }
        }
      }
    }
    const metrics = policyOf(prod, "ecg-prod-gpu-render-task-policy").find((st) => st.sid === "PublishRenderMetrics");
    expect(metrics.condition).toEqual([{ test: "StringEquals", variable: "cloudwatch:namespace", values: ["ECG/Render"] }]);
  });

  it("[MON-3] log groups /ecs/<env>/backend-api, ml-audio-server, gpu-render-server and celery-workers, encrypted, with the environment's retention", () => {
    for (const [name, days] of [
      ["ecg-dev", 30],
      ["ecg-staging", 90],
      ["ecg-prod", 365],
    ] as const) {
      const groups = Object.fromEntries(resourcesOf(stack(name), "aws_cloudwatch_log_group").map(([, g]) => [g.name, g]));
      for (const group of ["backend-api", "ml-audio-server", "gpu-render-server", "celery-workers"]) {
        expect(groups[`/ecs/${name}/${group}`]).toMatchObject({
          retention_in_days: days,
          kms_key_id: expect.stringContaining("aws_kms_key.foundation_logs-key"),
        });
      }
    }
  });

  it("[MON-4] every task carries the X-Ray daemon from ECR's pull-through cache of its region (the account stack's rule), and the VPC reaches X-Ray privately", () => {
    for (const svc of SERVICES) {
      const xray = byName(containers(prod, `ecg-prod-${svc}`))["xray-daemon"];
      // #17: by the digest of 3.7.0, not by a tag that can move.
      expect(xray.image).toMatch(/\.dkr\.ecr\..+\.amazonaws\.com\/ecr-public\/xray\/aws-xray-daemon@sha256:[0-9a-f]{64}$/);
      expect(policyOf(prod, `ecg-prod-${svc}-task-policy`).some((st) => st.actions.includes("xray:PutTraceSegments"))).toBe(true);
    }
    // The cache rule is the registry's, created once by the account stack of prod's region.
    expect(resourcesOf(prod, "aws_ecr_pull_through_cache_rule")).toEqual([]);
    // Prod's account's stack in its region.
    const account = stack(`ecg-account-${prod.provider!.aws[0].allowed_account_ids[0]}-ap-northeast-2`);
    expect(account.provider!.aws[0].region).toBe(prod.provider!.aws.find((p: any) => !p.alias).region);
    expect(
      resourcesOf(account, "aws_ecr_pull_through_cache_rule").map(([, r]) => [r.ecr_repository_prefix, r.upstream_registry_url]),
    ).toEqual([["ecr-public", "public.ecr.aws"]]);
    expect(resourcesOf(prod, "aws_vpc_endpoint").map(([, e]) => e.service_name.split(".").pop())).toContain("xray");
  });

  it("[ECR User Guide: pulling through a cache needs ecr:BatchImportUpstreamImage, and ecr:CreateRepository for the first pull] execution roles may fill the cache repositories they pull, and no other", () => {
    const cacheArn =
      /^arn:\$\{data\.aws_partition\.[^}]+\}:ecr:\$\{data\.aws_region\.[^}]+\}:\$\{data\.aws_caller_identity\.[^}]+\}:repository\/ecr-public\/(.+)$/;
    const expected: Record<string, string[]> = {
      "ecg-prod-backend-api-execution-policy": ["xray/aws-xray-daemon"],
      "ecg-prod-ml-audio-execution-policy": ["xray/aws-xray-daemon"],
      "ecg-prod-gpu-render-execution-policy": ["xray/aws-xray-daemon"],
      "ecg-prod-db-migrate-execution-policy": ["docker/library/postgres"],
    };
    for (const [policyName, repositories] of Object.entries(expected)) {
      const statements = policyOf(prod, policyName);
      const fill = statements.filter((st) =>
        st.actions.some((a: string) => a === "ecr:BatchImportUpstreamImage" || a === "ecr:CreateRepository"),
      );
      expect(fill.map((st) => [st.sid, st.actions])).toEqual([
        ["FillPullThroughCache", ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]],
      ]);
      expect({ policyName, repositories: fill[0].resources.map((arn: string) => cacheArn.exec(arn)?.[1]) }).toEqual({
        policyName,
        repositories,
      });
      // The project's own repositories are pulled only.
      const pull = statements.find((st) => st.sid === "PullServiceImages");
      expect(pull.actions).toEqual(["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]);
      expect(pull.resources).toEqual(expect.arrayContaining(fill[0].resources));
    }
  });

  it("[ECS Developer Guide: ECS Exec needs enableExecuteCommand, the task role's ssmmessages permissions and, without internet, an ssmmessages endpoint] every service can be exec'd into, audited in the cluster's encrypted log group", () => {
    for (const name of ENV_STACKS) {
      const s = stack(name);
      const [[clusterId, cluster]] = resourcesOf(s, "aws_ecs_cluster");
      const exec = cluster.configuration.execute_command_configuration;
      expect(exec).toMatchObject({ logging: "OVERRIDE", log_configuration: { cloud_watch_encryption_enabled: true } });
      const [logGroupId] = resourcesOf(s, "aws_cloudwatch_log_group").find(
        ([id]) => `\${aws_cloudwatch_log_group.${id}.name}` === exec.log_configuration.cloud_watch_log_group_name,
      )!;
      const services = resourcesOf(s, "aws_ecs_service").map(([, svc]) => svc);
      expect(services.map((svc) => [svc.name, svc.cluster, svc.enable_execute_command]).sort()).toEqual(
        SERVICES.map((svc) => [`${name}-${svc}`, `\${aws_ecs_cluster.${clusterId}.arn}`, true]).sort(),
      );
      for (const svc of SERVICES) {
        const statements = Object.fromEntries(policyOf(s, `${name}-${svc}-task-policy`).map((st) => [st.sid, st]));
        expect(statements.ExecSessionChannels.actions).toEqual([
          "ssmmessages:CreateControlChannel",
          "ssmmessages:CreateDataChannel",
          "ssmmessages:OpenControlChannel",
          "ssmmessages:OpenDataChannel",
        ]);
        expect(statements.ExecSessionEncryption).toMatchObject({ actions: ["kms:Decrypt"], resources: [exec.kms_key_id] });
        expect(statements.ExecSessionLog).toMatchObject({
          actions: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
          resources: [`\${aws_cloudwatch_log_group.${logGroupId}.arn}:*`],
        });
      }
      expect(resourcesOf(s, "aws_vpc_endpoint").map(([, e]) => e.service_name.split(".").pop())).toContain("ssmmessages");
    }
  });
});

// --- The data layer ---
const instances = (s: SynthesizedStack) => resourcesOf(s, "aws_db_instance").map(([, db]) => db);
const primaryOf = (s: SynthesizedStack) => instances(s).find((db) => !db.replicate_source_db);
const providerRegion = (s: SynthesizedStack, alias: string | undefined) =>
  alias ? s.provider!.aws.find((p: any) => `aws.${p.alias}` === alias).region : s.provider!.aws.find((p: any) => !p.alias).region;

describe("PostgreSQL per environment", () => {
  it("[RDS-1] [RDS-2] prod runs the seed's database: PostgreSQL 15 (RDS keeps the minor current) on db.r6g.xlarge, gp3 500 GB / 12,000 IOPS / 500 MiB/s, Multi-AZ, 7-day backups", () => {
    expect(primaryOf(stack("ecg-prod"))).toMatchObject({
      engine: "postgres",
      // [RDS User Guide: with a major version only and automatic minor upgrades, RDS picks and upgrades the minor] 15.4 can no longer be created.
      engine_version: "15",
      auto_minor_version_upgrade: true,
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

  it("[RDS-3] [RDS-4] prod has a replica in Seoul, and one in Tokyo (in its standby's stack and network) that copies its backups there under the Tokyo key", () => {
    const prod = stack("ecg-prod");
    const replicas = instances(prod).filter((db) => db.replicate_source_db);
    expect(replicas.map((db) => providerRegion(prod, db.provider))).toEqual(["ap-northeast-2"]);
    const standby = stack("ecg-prod-standby");
    const [tokyo] = instances(standby);
    expect(standby.provider!.aws[0].region).toBe("ap-northeast-1");
    expect(tokyo).toMatchObject({
      identifier: "ecg-prod-replica-remote",
      storage_encrypted: true,
      deletion_protection: true,
      lifecycle: { prevent_destroy: true },
    });
    // The source by a literal ARN: no lookup into Seoul, so the standby plans while Seoul is down.
    expect(tokyo.replicate_source_db).toMatch(
      /^arn:\$\{data\.aws_partition\.[^}]+\}:rds:ap-northeast-2:\$\{data\.aws_caller_identity\.[^}]+\.account_id\}:db:ecg-prod$/,
    );
    const [[, copy]] = resourcesOf(standby, "aws_db_instance_automated_backups_replication");
    expect(copy.source_db_instance_arn).toBe(tokyo.replicate_source_db);
    // The Tokyo key is the primary stack's (it encrypts the secrets' replicas before the standby exists), found by its alias.
    const alias = standby.data!.aws_kms_alias[referencedId(copy.kms_key_id)];
    expect(alias.name).toBe("alias/ecg-prod/data-replica");
    expect([tokyo.kms_key_id, tokyo.performance_insights_kms_key_id]).toEqual([copy.kms_key_id, copy.kms_key_id]);
    const [tokyoKeyAlias] = resourcesOf(prod, "aws_kms_alias").filter(([, a]) => a.name === "alias/ecg-prod/data-replica");
    expect(providerRegion(prod, tokyoKeyAlias[1].provider)).toBe("ap-northeast-1");
  });

  it("[ENV-2] dev runs one small single-AZ instance without replicas or protection; staging keeps prod's topology", () => {
    expect(instances(stack("ecg-dev"))).toHaveLength(1);
    expect(primaryOf(stack("ecg-dev"))).toMatchObject({
      instance_class: "db.t4g.medium",
      multi_az: false,
      deletion_protection: false,
      skip_final_snapshot: true,
    });
    expect(primaryOf(stack("ecg-dev")).iops).toBeUndefined();
    expect(resourcesOf(stack("ecg-dev"), "aws_db_instance_automated_backups_replication")).toEqual([]);
    const staging = instances(stack("ecg-staging"));
    expect(staging.map((db) => providerRegion(stack("ecg-staging"), db.provider)).sort()).toEqual([
      "ap-northeast-1",
      "ap-northeast-2",
      "ap-northeast-2",
    ]);
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
      // The master password from the program's master secret (JSON key "password"), which the execution role alone may read.
      const [secretId] = named(stack(name), "aws_secretsmanager_secret", `${name}/db/master`);
      expect(container.secrets).toEqual([{ name: "PGPASSWORD", valueFrom: `\${aws_secretsmanager_secret.${secretId}.arn}:password::` }]);
      const inject = policyOf(stack(name), `${name}-db-migrate-execution-policy`).find((st) => st.sid === "InjectSecrets");
      expect(inject).toMatchObject({
        actions: ["secretsmanager:GetSecretValue"],
        resources: [`\${aws_secretsmanager_secret.${secretId}.arn}`],
      });
      expect(stack(name).output!.db_migrate_command.value).toMatch(
        /--task-definition \$\{aws_ecs_task_definition\.data_migrate_task_[A-Z0-9]+\.family\}/,
      );
    }
  });
});

describe("PostgreSQL master credentials and the replica's network", () => {
  /** Top-level arguments of a resource whose value mentions an ephemeral resource. */
  const ephemeralArguments = (config: Record<string, unknown>) =>
    Object.keys(config).filter((key) => JSON.stringify(config[key]).includes("ephemeral."));

  it("[SEC-2] [Terraform: ephemeral values are accepted only in write-only arguments, which are never stored] no stack sets manage_master_user_password or a plain password; every primary takes password_wo from an ephemeral random password", () => {
    let primaries = 0;
    for (const [name, s] of Object.entries(program.stacks)) {
      expect({ name, managed: JSON.stringify(s).includes("manage_master_user_password") }).toEqual({ name, managed: false });
      for (const [id, db] of resourcesOf(s, "aws_db_instance")) {
        expect({ db: id, password: db.password, secretKey: db.master_user_secret_kms_key_id }).toEqual({
          db: id,
          password: undefined,
          secretKey: undefined,
        });
        if (db.replicate_source_db) {
          // A replica has its source's credentials.
          expect({ db: id, wo: db.password_wo }).toEqual({ db: id, wo: undefined });
          continue;
        }
        primaries++;
        const [, address] = /^\$\{(ephemeral\.aws_secretsmanager_random_password\.[\w-]+)\.random_password\}$/.exec(db.password_wo) ?? [];
        expect({ db: id, address: Boolean(address), version: db.password_wo_version }).toEqual({ db: id, address: true, version: 1 });
        const [, , ephemeralName] = address.split(".");
        expect((s as any).ephemeral.aws_secretsmanager_random_password[ephemeralName]).toEqual({
          password_length: 64,
          exclude_punctuation: true,
          include_space: false,
        });
      }
      // Terraform refuses an ephemeral value anywhere it would be stored.
      for (const [type, byId] of Object.entries(s.resource)) {
        for (const [id, config] of Object.entries<any>(byId)) {
          for (const key of ephemeralArguments(config))
            expect({ resource: `${type}.${id}`, key, writeOnly: key.endsWith("_wo") }).toEqual({
              resource: `${type}.${id}`,
              key,
              writeOnly: true,
            });
        }
      }
    }
    expect(primaries).toBe(3);
  });

  it("[SEC-2] [DR-1] each primary's credentials are in <stack>/db/master under the data key, written once write-only; prod's is replicated to Tokyo under the Tokyo key", () => {
    for (const name of ENV_STACKS) {
      const s = stack(name);
      const [secretId, secret] = named(s, "aws_secretsmanager_secret", `${name}/db/master`);
      const [dataKeyAlias] = resourcesOf(s, "aws_kms_alias")
        .filter(([, a]) => a.name === `alias/${name}/data`)
        .map(([, a]) => a);
      expect(secret.kms_key_id).toBe(dataKeyAlias.target_key_id.replace(".key_id}", ".arn}"));
      const versions = resourcesOf(s, "aws_secretsmanager_secret_version")
        .filter(([, v]) => v.secret_id === `\${aws_secretsmanager_secret.${secretId}.id}`)
        .map(([, v]) => v);
      expect(versions).toHaveLength(1);
      const [version] = versions;
      expect([version.secret_string, version.secret_string_wo_version, version.lifecycle]).toEqual([
        undefined,
        1,
        { ignore_changes: ["version_stages"] },
      ]);
      // What the rotation function and the migration task read: RDS's rotation-template keys.
      const primary = resourcesOf(s, "aws_db_instance").find(([, db]) => !db.replicate_source_db)!;
      for (const field of [
        '"username" = "ecg_admin"',
        '"dbname" = "ecg"',
        '"engine" = "postgres"',
        `"host" = aws_db_instance.${primary[0]}.address`,
        `"password" = ${primary[1].password_wo.slice(2, -1)}`,
      ]) {
        expect(version.secret_string_wo).toContain(field);
      }
    }
    const [tokyoKeyAlias] = resourcesOf(stack("ecg-prod"), "aws_kms_alias")
      .filter(([, a]) => a.name === "alias/ecg-prod/data-replica")
      .map(([, a]) => a);
    expect(named(stack("ecg-prod"), "aws_secretsmanager_secret", "ecg-prod/db/master")[1].replica).toEqual([
      { region: "ap-northeast-1", kms_key_id: tokyoKeyAlias.target_key_id.replace(".key_id}", ".arn}") },
    ]);
    for (const name of ["ecg-dev", "ecg-staging"])
      expect(named(stack(name), "aws_secretsmanager_secret", `${name}/db/master`)[1].replica).toBeUndefined();
  });

  it("[RDS-3] [RDS API Reference, CreateDBInstanceReadReplica DBSubnetGroupName: without it the replica is not in a VPC of ours] staging's Tokyo replica lives in a private-only VPC of its own: its subnet group and a rule-less group in ap-northeast-1, no route out", () => {
    const s = stack("ecg-staging");
    const [, replica] = resourcesOf(s, "aws_db_instance").find(([, db]) => db.identifier === "ecg-staging-replica-remote")!;
    expect(providerRegion(s, replica.provider)).toBe("ap-northeast-1");
    const [[vpcId, vpc]] = resourcesOf(s, "aws_vpc").filter(([, v]) => v.provider === replica.provider);
    expect([vpc.cidr_block, vpc.tags.Name]).toEqual(["10.11.0.0/16", "ecg-staging-replica-vpc"]);
    const inVpc = (type: string) => resourcesOf(s, type).filter(([, r]) => r.vpc_id === `\${aws_vpc.${vpcId}.id}`);

    const [, subnetGroup] = resourcesOf(s, "aws_db_subnet_group").find(
      ([id]) => replica.db_subnet_group_name === `\${aws_db_subnet_group.${id}.name}`,
    )!;
    expect(subnetGroup.provider).toBe(replica.provider);
    const subnets = inVpc("aws_subnet");
    expect(subnetGroup.subnet_ids.sort()).toEqual(subnets.map(([id]) => `\${aws_subnet.${id}.id}`).sort());
    expect(subnets.map(([, sub]) => [sub.availability_zone, sub.cidr_block, sub.map_public_ip_on_launch, sub.provider])).toEqual([
      ["ap-northeast-1a", "10.11.1.0/24", false, replica.provider],
      ["ap-northeast-1c", "10.11.2.0/24", false, replica.provider],
    ]);

    const [[groupId, group]] = inVpc("aws_security_group");
    expect(replica.vpc_security_group_ids).toEqual([`\${aws_security_group.${groupId}.id}`]);
    // No rules: nothing in, nothing out (the replica takes changes from its source over RDS's own network).
    expect([group.ingress, group.egress]).toEqual([undefined, undefined]);
    for (const type of ["aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule", "aws_security_group_rule"]) {
      expect({ type, rules: resourcesOf(s, type).filter(([, r]) => JSON.stringify(r).includes(`aws_security_group.${groupId}.`)) }).toEqual(
        { type, rules: [] },
      );
    }
    const [[, defaultGroup]] = inVpc("aws_default_security_group");
    expect([defaultGroup.ingress, defaultGroup.egress]).toEqual([undefined, undefined]);

    // No way out of the VPC, and nothing in Tokyo that could give one.
    for (const type of [
      "aws_internet_gateway",
      "aws_egress_only_internet_gateway",
      "aws_nat_gateway",
      "aws_route_table",
      "aws_route",
      "aws_vpc_endpoint",
      "aws_vpc_peering_connection",
      "aws_ec2_transit_gateway_vpc_attachment",
    ]) {
      expect({
        type,
        tokyo: resourcesOf(s, type).filter(([, r]) => r.provider === replica.provider || JSON.stringify(r).includes(`aws_vpc.${vpcId}.`))
          .length,
      }).toEqual({ type, tokyo: 0 });
    }
    // NET-6: flow-logged into a Tokyo log group under the Tokyo key.
    const [[, flowLog]] = inVpc("aws_flow_log");
    const [, logGroup] = resourcesOf(s, "aws_cloudwatch_log_group").find(
      ([id]) => flowLog.log_destination === `\${aws_cloudwatch_log_group.${id}.arn}`,
    )!;
    expect([flowLog.traffic_type, flowLog.provider, logGroup.provider, logGroup.name, logGroup.retention_in_days]).toEqual([
      "ALL",
      replica.provider,
      replica.provider,
      "/aws/vpc/ecg-staging-replica/flow-logs",
      90,
    ]);
    expect(logGroup.kms_key_id).toBe(replica.kms_key_id);
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
      const buckets = resourcesOf(s, "aws_s3_bucket").map(([, b]) => [
        b.bucket.replace(/\$\{[^}]+\}/, "<account>"),
        providerRegion(s, b.provider),
      ]);
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
    for (const [name, domain] of [
      ["ecg-dev", "cdn.dev.ecg-render.com"],
      ["ecg-staging", "cdn.staging.ecg-render.com"],
      ["ecg-prod", "cdn.ecg-render.com"],
    ]) {
      const s = stack(name);
      const [[, cdn]] = resourcesOf(s, "aws_cloudfront_distribution");
      expect([cdn.aliases, cdn.origin[0].origin_path, cdn.viewer_certificate.minimum_protocol_version]).toEqual([
        [domain],
        "/rendered",
        "TLSv1.2_2021",
      ]);
      const [, cert] = resourcesOf(s, "aws_acm_certificate").find(([, c]) => c.domain_name === domain)!;
      expect(providerRegion(s, cert.provider)).toBe("us-east-1");
      expect(s.output!.cdn_url.value).toMatch(/^https:\/\/\$\{aws_route53_record\.data_cdn_alias_[A-Z0-9]+\.fqdn\}$/);
    }
  });

  it("[SEC-2] every environment rotates its JWT signing key and API key every 30 days with the project's function", () => {
    for (const name of ENV_STACKS) {
      const s = stack(name);
      const secrets = resourcesOf(s, "aws_secretsmanager_secret")
        .map(([, x]) => x.name)
        .sort();
      // The CDN signing key (set by hand, not rotated: a key pair is replaced through the key group) besides the rotated ones.
      expect(secrets).toEqual([
        `${name}/app/jwt-signing-key`,
        `${name}/app/service-api-key`,
        `${name}/cdn/signing-key`,
        `${name}/db/master`,
      ]);
      const functions = Object.fromEntries(
        resourcesOf(s, "aws_lambda_function").map(([id, f]) => [`\${aws_lambda_function.${id}.arn}`, f]),
      );
      const secretNames = Object.fromEntries(
        resourcesOf(s, "aws_secretsmanager_secret").map(([id, x]) => [`\${aws_secretsmanager_secret.${id}.id}`, x.name]),
      );
      const rotations = resourcesOf(s, "aws_secretsmanager_secret_rotation").map(([, r]) => [
        secretNames[r.secret_id],
        functions[r.rotation_lambda_arn]?.function_name,
        r.rotation_rules.automatically_after_days,
      ]);
      // The two application secrets with the application secrets' function, the master password with its own (ROTATION_TARGET rds-master).
      expect(rotations.sort()).toEqual([
        [`${name}/app/jwt-signing-key`, `${name}-secret-rotation`, 30],
        [`${name}/app/service-api-key`, `${name}-secret-rotation`, 30],
        [`${name}/db/master`, `${name}-rds-rotation`, 30],
      ]);
      const [, rdsRotation] = resourcesOf(s, "aws_lambda_function").find(([, f]) => f.function_name === `${name}-rds-rotation`)!;
      expect(rdsRotation.environment.variables).toMatchObject({ ROTATION_TARGET: "rds-master" });
    }
  });

  it("[AWS Lambda Developer Guide, Lambda runtimes: nodejs20.x is deprecated since 2026-04-30] every Lambda function of the program runs on nodejs22.x", () => {
    const runtimes = Object.entries(program.stacks).flatMap(([name, s]) =>
      resourcesOf(s, "aws_lambda_function").map(([, f]) => [name, f.function_name, f.runtime]),
    );
    expect(runtimes.length).toBeGreaterThanOrEqual(7);
    for (const [name, fn, runtime] of runtimes) expect({ name, fn, runtime }).toEqual({ name, fn, runtime: "nodejs22.x" });
  });

  it("[ENV-2] a torn-down dev or staging frees its secret names at once; prod can restore a deleted secret for a week", () => {
    const windows = (name: string) => [
      ...new Set(resourcesOf(stack(name), "aws_secretsmanager_secret").map(([, x]) => x.recovery_window_in_days)),
    ];
    expect(ENV_STACKS.map(windows)).toEqual([[0], [0], [7]]);
  });

  it("[PLT-2] [SEC-2] every stack declares the providers it uses: one aws provider per other region, and no random provider (no generated secret in the state)", () => {
    for (const name of ENV_STACKS) {
      const regions = stack(name)
        .provider!.aws.map((p: any) => p.region)
        .sort();
      expect(regions).toEqual(["ap-northeast-1", "ap-northeast-2", "us-east-1", "us-west-2"]);
      expect(Object.keys(stack(name).provider!)).toEqual(["aws"]);
    }
  });
});

describe("Operations: dashboards, alarms, GPU metrics and tracing", () => {
  it("[MON-5] both GPU fleets of every environment run the CloudWatch agent with the environment's configuration in SSM", () => {
    for (const name of ENV_STACKS) {
      const [[, parameter]] = resourcesOf(stack(name), "aws_ssm_parameter");
      expect(parameter.name).toBe(`AmazonCloudWatch-${name}-gpu-hosts`);
      expect(parameter.value).toContain("nvidia_gpu");
      const templates = resourcesOf(stack(name), "aws_launch_template");
      expect(templates).toHaveLength(2);
      for (const [, template] of templates) expect(template.user_data).toContain(`-c ssm:${parameter.name}`);
    }
  });

  it("[MON-5] the ML fleet scales on the GPU utilization the agent publishes", () => {
    const policy = resourcesOf(stack("ecg-prod"), "aws_autoscaling_policy").find(
      ([, p]) => p.name === "ecg-prod-ml-audio-nvidia_smi_utilization_gpu",
    );
    expect(policy?.[1].target_tracking_configuration.customized_metric_specification).toMatchObject({
      namespace: "CWAgent",
      metric_name: "nvidia_smi_utilization_gpu",
    });
  });

  it("[MON-1] every environment has its system, GPU and application dashboards over its own cluster, fleets and ALB", () => {
    for (const name of ENV_STACKS) {
      const dashboards = Object.fromEntries(
        resourcesOf(stack(name), "aws_cloudwatch_dashboard").map(([, d]) => [d.dashboard_name, d.dashboard_body]),
      );
      expect(Object.keys(dashboards).sort()).toEqual([`${name}-application`, `${name}-gpu`, `${name}-system`]);
      const [[clusterId]] = resourcesOf(stack(name), "aws_ecs_cluster");
      expect(dashboards[`${name}-system`]).toContain(`aws_ecs_cluster.${clusterId}.name`);
      for (const [id] of resourcesOf(stack(name), "aws_autoscaling_group"))
        expect(dashboards[`${name}-gpu`]).toContain(`aws_autoscaling_group.${id}.name`);
      expect(dashboards[`${name}-application`]).toContain(`"QueueDepth","Environment","${name.slice(4)}"`);
    }
  });

  it("[MON-2] every alarm notifies the environment's topic of its severity, and the topics are KMS-encrypted", () => {
    for (const name of ENV_STACKS) {
      const topics = Object.fromEntries(resourcesOf(stack(name), "aws_sns_topic").map(([id, t]) => [t.name, { id, ...t }]));
      expect(Object.keys(topics).sort()).toEqual([`${name}-alarms-critical`, `${name}-alarms-warning`]);
      for (const topic of Object.values<any>(topics)) expect(topic.kms_master_key_id).toMatch(/^\$\{aws_kms_key\./);
      const alarms = resourcesOf(stack(name), "aws_cloudwatch_metric_alarm");
      expect(alarms.length).toBeGreaterThan(10);
      for (const [, alarm] of alarms) {
        const severity = alarm.alarm_actions[0].includes(topics[`${name}-alarms-critical`].id) ? "critical" : "warning";
        expect(alarm.alarm_actions).toEqual([`\${aws_sns_topic.${topics[`${name}-alarms-${severity}`].id}.arn}`]);
        expect(alarm.ok_actions).toEqual(alarm.alarm_actions);
      }
    }
  });

  it("[MON-4] the containers report the X-Ray names the sampling rules select", () => {
    const prod = stack("ecg-prod");
    const rules = resourcesOf(prod, "aws_xray_sampling_rule").map(([, r]) => r.service_name);
    const api = byName(containers(prod, "ecg-prod-backend-api"))["backend-api"];
    const render = byName(containers(prod, "ecg-prod-gpu-render"));
    const tracingName = (c: any) => c.environment.find((e: any) => e.name === "AWS_XRAY_TRACING_NAME").value;
    expect(rules).toEqual(
      expect.arrayContaining([tracingName(api), tracingName(render["gpu-render-server"]), tracingName(render["celery-workers"])]),
    );
  });

  it("[MON-2] the services publish their metrics with the environment as dimension, and may write only their own namespace", () => {
    const prod = stack("ecg-prod");
    const env = (c: any) => Object.fromEntries(c.environment.map((e: any) => [e.name, e.value]));
    expect(env(byName(containers(prod, "ecg-prod-backend-api"))["backend-api"])).toMatchObject({
      METRICS_NAMESPACE: "ECG/Api",
      METRICS_ENVIRONMENT: "prod",
    });
    expect(env(byName(containers(prod, "ecg-prod-gpu-render"))["gpu-render-server"])).toMatchObject({
      METRICS_NAMESPACE: "ECG/Render",
      METRICS_ENVIRONMENT: "prod",
    });
    const publish = policyOf(prod, "ecg-prod-backend-api-task-policy").find((s) => s.sid === "PublishApiMetrics");
    expect(publish.condition).toEqual([{ test: "StringEquals", variable: "cloudwatch:namespace", values: ["ECG/Api"] }]);
  });
});

describe("Delivery: the pipeline and each environment's blue/green deployment agree", () => {
  const delivery = stack("ecg-delivery");
  const [[, pipeline]] = resourcesOf(delivery, "aws_codepipeline");
  const stages = Object.fromEntries(pipeline.stage.map((s: any) => [s.name, s.action]));
  const projects = Object.fromEntries(resourcesOf(delivery, "aws_codebuild_project").map(([id, p]) => [id, p]));
  const projectOf = (action: any) => projects[referencedId(action.configuration.ProjectName)];
  const envVar = (project: any, name: string) => project.environment.environment_variable.find((v: any) => v.name === name)?.value;

  it("[CI-1] [CI-2] builds on a push to the application's main, then releases dev → staging → prod", () => {
    expect(pipeline.stage.map((s: any) => s.name)).toEqual(["Source", "Build", "Dev", "Staging", "Prod"]);
    expect(stages.Source[0].configuration).toMatchObject({
      FullRepositoryId: "ecg-render/ecg-render-system",
      BranchName: "main",
      DetectChanges: "true",
    });
  });

  it("[CI-3] [CI-5] deploys through the CodeDeploy application and group each environment stack creates, for its API service and listeners", () => {
    for (const env of ENV_STACKS) {
      const stage = stages[env.charAt(4).toUpperCase() + env.slice(5)];
      const deploy = stage.find((a: any) => a.category === "Deploy");
      const [[, group]] = resourcesOf(stack(env), "aws_codedeploy_deployment_group");
      const [[, app]] = resourcesOf(stack(env), "aws_codedeploy_app");
      expect(deploy.configuration).toMatchObject({ ApplicationName: app.name, DeploymentGroupName: group.deployment_group_name });
      expect(group.ecs_service).toEqual({
        cluster_name: expect.stringContaining("aws_ecs_cluster."),
        service_name: expect.stringContaining("aws_ecs_service."),
      });
      expect(group.auto_rollback_configuration).toEqual({ enabled: true, events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] });
      // The ALB's 5xx share and, for blue and green, unhealthy hosts, 5xx share and p90 latency.
      const alarmNames = Object.fromEntries(resourcesOf(stack(env), "aws_cloudwatch_metric_alarm").map(([id, a]) => [id, a.alarm_name]));
      expect(group.alarm_configuration.alarms.map((ref: string) => alarmNames[referencedId(ref)])).toEqual([
        `${env}-alb-5xx`,
        ...["blue", "green"].flatMap((g) => [
          `${env}-alb-unhealthy-hosts-${g}`,
          `${env}-target-5xx-${g}`,
          `${env}-target-response-time-${g}`,
        ]),
      ]);
      // The render step reads the family and container the environment's task definition really has.
      const render = projectOf(stage.find((a: any) => a.name === "Render"));
      expect(containers(stack(env), envVar(render, "TASK_FAMILY")).map((c) => c.name)).toContain(envVar(render, "CONTAINER_NAME"));
      const [repository] = resourcesOf(stack(env), "aws_ecr_repository").filter(([, r]) => r.name === `${env}/ecg-backend-api`);
      expect(repository).toBeDefined();
      expect(envVar(render, "IMAGE_REPOSITORY_URL")).toMatch(new RegExp(`/${env}/ecg-backend-api$`));
    }
  });

  it("[CI-3] dev and staging shift all traffic at once; [CI-5] prod goes 10% (hook) → 50% → 100% with its hook named in the AppSpec", () => {
    const configOf = (env: string) => resourcesOf(stack(env), "aws_codedeploy_deployment_group")[0][1].deployment_config_name;
    expect([configOf("ecg-dev"), configOf("ecg-staging")]).toEqual(["CodeDeployDefault.ECSAllAtOnce", "CodeDeployDefault.ECSAllAtOnce"]);
    const [[, canary]] = resourcesOf(stack("ecg-prod"), "aws_codedeploy_deployment_config");
    expect(canary.traffic_routing_config).toEqual({ type: "TimeBasedCanary", time_based_canary: { percentage: 50, interval: 10 } });
    const [[, hook]] = resourcesOf(stack("ecg-prod"), "aws_lambda_function").filter(([, f]) =>
      f.function_name.startsWith("CodeDeployHook_"),
    );
    expect(hook.function_name).toBe("CodeDeployHook_ecg-prod-api");
    const appspec = envVar(projectOf(stages.Prod.find((a: any) => a.name === "Render")), "APPSPEC");
    expect(appspec).toContain("BeforeAllowTraffic");
    expect(appspec).toContain(hook.function_name);
    expect(envVar(projectOf(stages.Dev.find((a: any) => a.name === "Render")), "APPSPEC")).not.toContain("Hooks");
  });

  it("[CI-3] each release keeps its environment's capacity provider: dev's API stays on Fargate Spot", () => {
    const providerOf = (env: string) =>
      resourcesOf(stack(env), "aws_ecs_service").find(([, s]) => s.name === `${env}-backend-api`)![1].capacity_provider_strategy[0]
        .capacity_provider;
    for (const [stageName, env] of [
      ["Dev", "ecg-dev"],
      ["Prod", "ecg-prod"],
    ]) {
      const appspec = envVar(projectOf(stages[stageName].find((a: any) => a.name === "Render")), "APPSPEC");
      expect(appspec).toContain(`CapacityProvider: "${providerOf(env)}"`);
    }
    expect(providerOf("ecg-dev")).toBe("FARGATE_SPOT");
  });

  it("[CI-4] staging and prod wait for a person; staging then runs the load test and the performance validation", () => {
    expect(stages.Dev.map((a: any) => a.category)).not.toContain("Approval");
    expect(stages.Staging.map((a: any) => a.name)).toEqual([
      "Approve",
      "Promote",
      "Render",
      "Deploy",
      "load-test",
      "performance-validation",
      "Record",
    ]);
    expect(stages.Prod.map((a: any) => a.name)).toEqual(["Approve", "Promote", "Render", "Deploy", "Record"]);
  });
});

describe("Recovery objectives and the seed's cost figures", () => {
  const prod = stack("ecg-prod");

  it("[DR-1] [DR-2] prod keeps its data in a second region: a Tokyo replica, backups replicated to Tokyo, videos replicated under 15-minute RTC", () => {
    const [[, primary]] = resourcesOf(prod, "aws_db_instance").filter(([, d]) => !d.replicate_source_db);
    const standby = stack("ecg-prod-standby");
    const [[, tokyo]] = resourcesOf(standby, "aws_db_instance");
    expect(tokyo.replicate_source_db).toMatch(new RegExp(`:rds:ap-northeast-2:.*:db:${primary.identifier}$`));
    const [[, backups]] = resourcesOf(standby, "aws_db_instance_automated_backups_replication");
    expect([backups.source_db_instance_arn, backups.retention_period]).toEqual([
      tokyo.replicate_source_db,
      primary.backup_retention_period,
    ]);
    const [[, replication]] = resourcesOf(prod, "aws_s3_bucket_replication_configuration");
    for (const rule of replication.rule) {
      expect(rule.destination.replication_time).toEqual({ status: "Enabled", time: { minutes: 15 } });
      expect(rule.destination.metrics).toEqual({ status: "Enabled", event_threshold: { minutes: 15 } });
    }
  });

  it("[DR-1] prod's images are replicated to the failover region (a standby pulls them there); dev's and staging's are not", () => {
    const [[, config]] = resourcesOf(prod, "aws_ecr_replication_configuration");
    expect(config.replication_configuration.rule).toEqual([
      {
        destination: [{ region: "ap-northeast-1", registry_id: expect.stringContaining("data.aws_caller_identity.") }],
        repository_filter: [{ filter: "ecg-prod/", filter_type: "PREFIX_MATCH" }],
      },
    ]);
    for (const env of ["ecg-dev", "ecg-staging"]) expect(resourcesOf(stack(env), "aws_ecr_replication_configuration")).toEqual([]);
  });

  it("[COST-4] prod's render fleet has the seed's Phase 2 shape: g4dn.2xlarge hosts, four of them through working hours, up to 8", () => {
    const [[, render]] = resourcesOf(prod, "aws_autoscaling_group").filter(([, g]) => g.name === "ecg-prod-gpu-render");
    expect(render.mixed_instances_policy.launch_template.override[0].instance_type).toBe("g4dn.2xlarge");
    expect(render.max_size).toBe(8);
    const peak = resourcesOf(prod, "aws_autoscaling_schedule").find(
      ([, s]) => s.scheduled_action_name === "ecg-prod-gpu-render-weekday-peak",
    );
    expect(peak?.[1]).toMatchObject({ min_size: 4, recurrence: "0 9 * * MON-FRI", time_zone: "Asia/Seoul" });
  });
});

describe("[#17] the videos bucket: encrypted health data, guarded originals, signed delivery", () => {
  const prod = stack("ecg-prod");
  const { videos } = { videos: resourcesOf(prod, "aws_s3_bucket").filter(([, b]) => /^ecg-videos-prod-/.test(b.bucket)) };
  const keyOf = (alias: string) => {
    const [, found] = resourcesOf(prod, "aws_kms_alias").find(([, a]) => a.name === `alias/${alias}`)!;
    return found.target_key_id.replace(/\.key_id\}$/, ".arn}");
  };

  it("encrypts both sides of the replication with keys of their own (SSE-KMS, bucket key), and the services use the primary's through S3 only", () => {
    expect(videos.map(([, b]) => b.bucket).sort()).toEqual([
      expect.stringMatching(/^ecg-videos-prod-.*\}$/),
      expect.stringMatching(/-replica$/),
    ]);
    const encryption = Object.values<any>(prod.resource.aws_s3_bucket_server_side_encryption_configuration);
    for (const [id] of videos) {
      const rule = encryption.find((e) => e.bucket === `\${aws_s3_bucket.${id}.id}`).rule[0];
      expect(rule).toMatchObject({ bucket_key_enabled: true, apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" } });
    }
    for (const svc of ["backend-api", "ml-audio", "gpu-render"]) {
      const grant = policyOf(prod, `ecg-prod-${svc}-task-policy`).find((st) => st.sid === "UseTheVideosKeyThroughS3");
      expect({ svc, resources: grant.resources }).toEqual({ svc, resources: [keyOf("ecg-prod/videos")] });
    }
  });

  it(`keeps every upload ${UPLOAD_RETENTION_DAYS} days whoever deletes it (Object Lock, GOVERNANCE), and the API deletes only what it owns`, () => {
    for (const [, bucket] of videos) expect(bucket.object_lock_enabled).toBe(true);
    const api = policyOf(prod, "ecg-prod-backend-api-task-policy");
    const deletes = api.filter((st) => st.actions.includes("s3:DeleteObject"));
    expect(deletes.map((st) => st.resources.map((r: string) => r.replace(/^.*\//, "").replace(/^/, "")))).toHaveLength(1);
    expect(deletes[0].resources.map((r: string) => r.split("/").slice(1).join("/"))).toEqual(["uploads/*", "temp/*"]);
    expect(api.find((st) => st.sid === "LockTheUploads").actions).toEqual(["s3:PutObjectRetention"]);
  });

  it("hands the API the CDN key pair's id and the secret of its private half, which only the API reads", () => {
    const [[, keyGroup]] = resourcesOf(prod, "aws_cloudfront_key_group");
    expect(keyGroup.items).toHaveLength(1);
    const [[secretId]] = resourcesOf(prod, "aws_secretsmanager_secret").filter(([, s]) => s.name === "ecg-prod/cdn/signing-key");
    expect(resourcesOf(prod, "aws_secretsmanager_secret_version").some(([, v]) => v.secret_id.includes(secretId))).toBe(false);
    const reads = (svc: string) =>
      JSON.stringify(policyOf(prod, `ecg-prod-${svc}-task-policy`)).includes(`aws_secretsmanager_secret.${secretId}.arn`);
    expect(["backend-api", "ml-audio", "gpu-render"].map(reads)).toEqual([true, false, false]);
  });
});
