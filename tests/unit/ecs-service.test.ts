import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { ServiceDiscoveryService } from "@cdktf/provider-aws/lib/service-discovery-service";
import { Testing } from "cdktf";
import type { Construct } from "constructs";
import {
  ContainerService,
  type ContainerServiceProps,
  type ContainerSpec,
  INIT_CONTAINER,
  XRAY_CONTAINER,
  XRAY_DAEMON_ADDRESS,
} from "../../modules/ecs-service";
import { referencedId, resourcesOf, type SynthesizedStack, synthJson, TEST_ACCOUNT } from "../helpers";

const DB_SECRET = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:ecg-test/db-AbCdEf";
const REDIS_SECRET = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:ecg-test/redis-GhIjKl";
const API_REPOSITORY = "arn:aws:ecr:ap-northeast-2:123456789012:repository/ecg-test/ecg-backend-api";
const XRAY_REPOSITORY = "arn:aws:ecr:ap-northeast-2:123456789012:repository/ecg-test/xray-daemon";

const api: ContainerSpec = {
  name: "backend-api",
  image: "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/ecg-test/ecg-backend-api:1.0.0",
  port: 8000,
  logGroupName: "/ecs/ecg-test/backend-api",
};

/** The backend API of CMP-2: Fargate, 2 vCPU / 4 GB, port 8000, scaled on CPU. */
const props: ContainerServiceProps = {
  name: "ecg-test-backend-api",
  cluster: { name: "ecg-test", arn: "arn:aws:ecs:ap-northeast-2:123456789012:cluster/ecg-test" },
  account: TEST_ACCOUNT,
  subnetIds: ["subnet-a", "subnet-c"],
  securityGroupIds: ["sg-backend"],
  cpu: 2048,
  memoryMiB: 4096,
  scheduling: { kind: "fargate", desiredCount: 2, autoScaling: { maxCount: 10, targetCpuPercent: 70 } },
  containers: [api],
  pullFrom: [API_REPOSITORY],
  logsKmsKeyArn: "arn:aws:kms:ap-northeast-2:123456789012:key/logs",
};

/** Props, or props built in the test scope (for constructs such as a listener). */
type Overrides = Partial<ContainerServiceProps> | ((scope: Construct) => Partial<ContainerServiceProps>);
const synth = (overrides: Overrides = {}) =>
  synthJson(
    Testing.synthScope(
      (scope) => new ContainerService(scope, "svc", { ...props, ...(typeof overrides === "function" ? overrides(scope) : overrides) }),
    ),
  );

/** A stand-in listener: any resource works, the service only depends on it. */
const withListener =
  (extra: Partial<ContainerServiceProps> = {}, healthCheckGracePeriodSeconds?: number) =>
  (scope: Construct) => ({
    ...extra,
    loadBalancer: {
      targetGroupArn: "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/api/0123456789abcdef",
      listener: new S3Bucket(scope, "listener", { bucket: "ecg-test-listener-stand-in" }),
      ...(healthCheckGracePeriodSeconds === undefined ? {} : { healthCheckGracePeriodSeconds }),
    },
  });

const only = (stack: SynthesizedStack, type: string): any => {
  const resources = resourcesOf(stack, type);
  expect(resources).toHaveLength(1);
  return resources[0][1];
};
const definitionsOf = (stack: SynthesizedStack): any[] => JSON.parse(only(stack, "aws_ecs_task_definition").container_definitions);
/** The task's containers but the init container that prepares the volumes (its own tests below). */
const containersOf = (stack: SynthesizedStack): any[] => definitionsOf(stack).filter((c) => c.name !== INIT_CONTAINER);

const DOCUMENT_REF = /^\$\{data\.aws_iam_policy_document\.([^.}]+)\.json\}$/;
/** The statements of the policy document a `${data.aws_iam_policy_document.x.json}` reference names. */
function documentStatements(stack: SynthesizedStack, reference: string): any[] {
  const match = DOCUMENT_REF.exec(reference);
  if (!match) throw new Error(`not a policy document reference: ${reference}`);
  const document = stack.data?.aws_iam_policy_document?.[match[1]];
  if (!document) throw new Error(`no policy document ${match[1]}`);
  return document.statement;
}
/** [logical id, config] of the role named `name`. */
function roleNamed(stack: SynthesizedStack, name: string): [string, any] {
  const roles = resourcesOf(stack, "aws_iam_role").filter(([, r]) => r.name === name);
  expect(roles).toHaveLength(1);
  return roles[0];
}
/** The inline policy statements of a role, or undefined when it has none. */
function roleStatements(stack: SynthesizedStack, name: string): any[] | undefined {
  const [roleId] = roleNamed(stack, name);
  const policies = resourcesOf(stack, "aws_iam_role_policy").filter(([, p]) => referencedId(p.role) === roleId);
  if (policies.length === 0) return undefined;
  expect(policies).toHaveLength(1);
  return documentStatements(stack, policies[0][1].policy);
}
const bySid = (statements: any[]): Record<string, any> => Object.fromEntries(statements.map((s) => [s.sid, s]));
const EXECUTION = `${props.name}-execution`;
const TASK = `${props.name}-task`;
const XRAY_ACTIONS = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "xray:GetSamplingStatisticSummaries",
];

describe("ContainerService module", () => {
  describe("Fargate service with defaults", () => {
    const stack = synth();
    const json = JSON.stringify(stack);
    const service = only(stack, "aws_ecs_service");

    it("[CMP-2] runs 2 vCPU / 4 GB Fargate tasks of the family named after the service, on Linux x86_64 in awsvpc mode", () => {
      expect(json).toHaveResourceWithProperties(EcsTaskDefinition, {
        family: "ecg-test-backend-api",
        requires_compatibilities: ["FARGATE"],
        network_mode: "awsvpc",
        cpu: "2048",
        memory: "4096",
        runtime_platform: { operating_system_family: "LINUX", cpu_architecture: "X86_64" },
      });
      const [[taskId]] = resourcesOf(stack, "aws_ecs_task_definition");
      expect(service.task_definition).toBe(`\${aws_ecs_task_definition.${taskId}.arn}`);
      expect(service.cluster).toBe(props.cluster.arn);
    });

    it("[CMP-2] serves port 8000 over TCP from an essential container with an init process", () => {
      const [container] = containersOf(stack);
      expect(container).toMatchObject({
        name: "backend-api",
        image: api.image,
        essential: true,
        portMappings: [{ containerPort: 8000, hostPort: 8000, protocol: "tcp" }],
        linuxParameters: { initProcessEnabled: true },
      });
      expect(container.command).toBeUndefined();
      expect(container.resourceRequirements).toBeUndefined();
    });

    it("[#17] runs every container as uid 1000 on a read-only root filesystem, writing only to the task's ephemeral /tmp volume, and none privileged", () => {
      const [task] = resourcesOf(stack, "aws_ecs_task_definition").map(([, t]) => t);
      expect(task.volume).toEqual([{ name: "tmp" }]);
      for (const container of containersOf(stack)) {
        expect(container).toMatchObject({
          user: "1000:1000",
          readonlyRootFilesystem: true,
          mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
        });
        expect(container.privileged).toBeUndefined();
        // None starts before the volumes are writable.
        expect(container.dependsOn).toEqual([{ containerName: INIT_CONTAINER, condition: "SUCCESS" }]);
      }
    });

    it('[#17] [ECS Developer Guide, "Use bind mounts": an empty volume is root-owned (0755) unless the image declares it] makes the ephemeral volumes writable for every user first: a non-essential root container of the main image that runs chmod 1777 and exits', () => {
      const init = definitionsOf(stack).find((c) => c.name === INIT_CONTAINER);
      expect(init).toEqual({
        name: "prepare-volumes",
        image: api.image,
        essential: false,
        user: "0",
        readonlyRootFilesystem: true,
        mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
        command: ["sh", "-c", "chmod 1777 /tmp"],
        logConfiguration: {
          logDriver: "awslogs",
          options: { "awslogs-group": api.logGroupName, "awslogs-region": "ap-northeast-2", "awslogs-stream-prefix": "prepare-volumes" },
        },
      });
    });

    it("[CMP-2] rolls back failed deployments with the circuit breaker", () => {
      expect(service.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
    });

    it("defaults to the FARGATE capacity provider on the latest platform, private subnets without public IPs, ECS-managed tags propagated from the service", () => {
      expect(json).toHaveResourceWithProperties(EcsService, {
        name: "ecg-test-backend-api",
        desired_count: 2,
        capacity_provider_strategy: [{ capacity_provider: "FARGATE", weight: 1 }],
        platform_version: "LATEST",
        network_configuration: { subnets: ["subnet-a", "subnet-c"], security_groups: ["sg-backend"], assign_public_ip: false },
        propagate_tags: "SERVICE",
        enable_ecs_managed_tags: true,
      });
      expect(service.launch_type).toBeUndefined();
      expect(service.scheduling_strategy).toBeUndefined();
    });

    it("is not load balanced nor registered in Cloud Map unless asked", () => {
      expect(service.load_balancer).toBeUndefined();
      expect(service.health_check_grace_period_seconds).toBeUndefined();
      expect(service.depends_on).toBeUndefined();
      expect(service.service_registries).toBeUndefined();
      expect(resourcesOf(stack, "aws_service_discovery_service")).toEqual([]);
    });

    it("[CMP-2] scales on the service's average CPU between desiredCount and maxCount", () => {
      const target = only(stack, "aws_appautoscaling_target");
      expect(json).toHaveResourceWithProperties(AppautoscalingTarget, {
        service_namespace: "ecs",
        scalable_dimension: "ecs:service:DesiredCount",
        min_capacity: 2,
        max_capacity: 10,
      });
      const [[serviceId]] = resourcesOf(stack, "aws_ecs_service");
      expect(target.resource_id).toBe(`service/ecg-test/\${aws_ecs_service.${serviceId}.name}`);
      expect(json).toHaveResourceWithProperties(AppautoscalingPolicy, {
        name: "ecg-test-backend-api-cpu-70",
        policy_type: "TargetTrackingScaling",
        target_tracking_scaling_policy_configuration: {
          target_value: 70,
          predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
          scale_out_cooldown: 60,
          scale_in_cooldown: 300,
        },
      });
      const [[targetId]] = resourcesOf(stack, "aws_appautoscaling_target");
      const policy = only(stack, "aws_appautoscaling_policy");
      expect(policy.resource_id).toBe(`\${aws_appautoscaling_target.${targetId}.resource_id}`);
      expect(policy.service_namespace).toBe(`\${aws_appautoscaling_target.${targetId}.service_namespace}`);
      expect(policy.scalable_dimension).toBe(`\${aws_appautoscaling_target.${targetId}.scalable_dimension}`);
    });

    it("[CMP-2] leaves desired_count to the scaling policy once auto scaled", () => {
      expect(service.lifecycle).toEqual({ ignore_changes: ["desired_count"] });
    });

    it("[MON-3] creates one KMS-encrypted log group with 90 days of retention by default, and the container logs to it", () => {
      const group = only(stack, "aws_cloudwatch_log_group");
      expect(group).toMatchObject({ name: "/ecs/ecg-test/backend-api", retention_in_days: 90, kms_key_id: props.logsKmsKeyArn });
      expect(containersOf(stack)[0].logConfiguration).toEqual({
        logDriver: "awslogs",
        options: {
          "awslogs-group": "/ecs/ecg-test/backend-api",
          "awslogs-region": "ap-northeast-2",
          "awslogs-stream-prefix": "backend-api",
        },
      });
    });

    it("[MON-4] without tracing: no X-Ray sidecar, no daemon address, no X-Ray permission", () => {
      const containers = containersOf(stack);
      expect(containers.map((c) => c.name)).toEqual(["backend-api"]);
      expect(containers[0].environment).toEqual([]);
      expect(json).not.toContain("xray:");
      // No task statements and no tracing: the task role has no policy at all.
      expect(roleStatements(stack, TASK)).toBeUndefined();
    });

    it("[SEC-1] without secrets or secret keys the execution role gets no secret or KMS permission", () => {
      const statements = roleStatements(stack, EXECUTION)!;
      expect(statements.map((s) => s.sid)).toEqual(["EcrLogin", "PullServiceImages", "WriteContainerLogs"]);
      expect(JSON.stringify(statements)).not.toMatch(/secretsmanager:|kms:/);
      expect(containersOf(stack)[0].secrets).toBeUndefined();
    });

    it("tags its resources with Component=compute", () => {
      for (const type of [
        "aws_ecs_service",
        "aws_ecs_task_definition",
        "aws_cloudwatch_log_group",
        "aws_iam_role",
        "aws_appautoscaling_target",
      ]) {
        for (const [, r] of resourcesOf(stack, type)) expect(r.tags).toEqual({ Component: "compute" });
      }
    });
  });

  it("[ECS API Reference, CapacityProviderStrategyItem: only capacity providers already associated with the cluster can be used in a strategy] a Fargate service waits for the cluster's capacity-provider association; a daemon takes none", () => {
    const association = (scope: Construct) => new S3Bucket(scope, "association", { bucket: "ecg-test-association-stand-in" });
    const fargate = synth((scope) => ({ cluster: { ...props.cluster, capacityProviders: association(scope) } }));
    const [bucketId] = Object.keys(fargate.resource.aws_s3_bucket);
    expect(only(fargate, "aws_ecs_service").depends_on).toEqual([`aws_s3_bucket.${bucketId}`]);
    const daemon = synth((scope) => ({
      cluster: { ...props.cluster, capacityProviders: association(scope) },
      scheduling: { kind: "ec2-daemon", placementConstraint: { type: "memberOf", expression: "attribute:ecg.fleet == x" } },
    }));
    expect(only(daemon, "aws_ecs_service").depends_on).toBeUndefined();
  });

  describe("fixed-count Fargate service", () => {
    const stack = synth({ scheduling: { kind: "fargate", capacityProvider: "FARGATE_SPOT", desiredCount: 3 } });
    const service = only(stack, "aws_ecs_service");

    it("runs on the given capacity provider with a fixed count, no scaling target and desired_count under Terraform's control", () => {
      expect(service.capacity_provider_strategy).toEqual([{ capacity_provider: "FARGATE_SPOT", weight: 1 }]);
      expect(service.desired_count).toBe(3);
      expect(service.lifecycle).toBeUndefined();
      expect(resourcesOf(stack, "aws_appautoscaling_target")).toEqual([]);
      expect(resourcesOf(stack, "aws_appautoscaling_policy")).toEqual([]);
    });
  });

  describe("load balancer and Cloud Map", () => {
    it("registers the first container's name and port with the target group, after the listener, with a 60 s grace period by default", () => {
      const sidecar: ContainerSpec = { name: "sidecar", image: "sidecar:1", port: 9000, logGroupName: "/ecs/ecg-test/sidecar" };
      const stack = synth(withListener({ containers: [api, sidecar] }));
      const service = only(stack, "aws_ecs_service");
      expect(service.load_balancer).toEqual([
        {
          target_group_arn: "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/api/0123456789abcdef",
          container_name: "backend-api",
          container_port: 8000,
        },
      ]);
      expect(service.health_check_grace_period_seconds).toBe(60);
      const [[listenerId]] = resourcesOf(stack, "aws_s3_bucket");
      expect(service.depends_on).toEqual([`aws_s3_bucket.${listenerId}`]);
    });

    it("takes the given health check grace period", () => {
      expect(only(synth(withListener({}, 180)), "aws_ecs_service").health_check_grace_period_seconds).toBe(180);
    });

    it("registers the tasks in Cloud Map as MULTIVALUE A records, healthy tasks only", () => {
      const stack = synth({ discovery: { namespaceId: "ns-0123456789", name: "backend-api" } });
      expect(JSON.stringify(stack)).toHaveResourceWithProperties(ServiceDiscoveryService, {
        name: "backend-api",
        dns_config: { namespace_id: "ns-0123456789", dns_records: [{ type: "A", ttl: 10 }], routing_policy: "MULTIVALUE" },
        health_check_custom_config: { failure_threshold: 1 },
      });
      const [[discoveryId]] = resourcesOf(stack, "aws_service_discovery_service");
      expect(only(stack, "aws_ecs_service").service_registries).toEqual({
        registry_arn: `\${aws_service_discovery_service.${discoveryId}.arn}`,
      });
    });
  });

  describe("GPU daemon service on an EC2 fleet", () => {
    const placementConstraint = { type: "memberOf", expression: "attribute:ecg.fleet == ecg-test-render" };
    const stack = synth({
      name: "ecg-test-gpu-render",
      cpu: 4096,
      memoryMiB: 15360,
      scheduling: { kind: "ec2-daemon", placementConstraint },
      containers: [
        { name: "gpu-render-server", image: "render:1", port: 8080, logGroupName: "/ecs/ecg-test/gpu-render-server" },
        {
          name: "celery-workers",
          image: "render:1",
          command: ["celery", "-A", "render", "worker", "--concurrency=4"],
          gpus: 1,
          logGroupName: "/ecs/ecg-test/celery-workers",
        },
      ],
    });
    const service = only(stack, "aws_ecs_service");

    it("[CMP-5] [#17] mounts the host's scratch directory read-write at the same path in every container, beside /tmp", () => {
      const scratch = synth({
        scheduling: { kind: "ec2-daemon", placementConstraint },
        scratchHostPath: "/scratch",
        containers: [{ name: "gpu-render-server", image: "render:1", port: 8080, logGroupName: "/ecs/ecg-test/gpu-render-server" }],
      });
      const [task] = resourcesOf(scratch, "aws_ecs_task_definition").map(([, t]) => t);
      expect(task.volume).toEqual([{ name: "tmp" }, { name: "scratch", host_path: "/scratch" }]);
      expect(containersOf(scratch)[0].mountPoints).toEqual([
        { sourceVolume: "tmp", containerPath: "/tmp", readOnly: false },
        { sourceVolume: "scratch", containerPath: "/scratch", readOnly: false },
      ]);
    });

    it("[CMP-3] [CMP-4] reserves the GPU for the container that asks for it, and only that one", () => {
      const [server, workers] = containersOf(stack);
      expect(workers.resourceRequirements).toEqual([{ type: "GPU", value: "1" }]);
      expect(workers.command).toEqual(["celery", "-A", "render", "worker", "--concurrency=4"]);
      expect(workers.portMappings).toBeUndefined();
      expect(server.resourceRequirements).toBeUndefined();
    });

    it("[CMP-3] [CMP-4] runs one task per fleet host: DAEMON on EC2 with the placement constraint", () => {
      expect(JSON.stringify(stack)).toHaveResourceWithProperties(EcsService, {
        name: "ecg-test-gpu-render",
        scheduling_strategy: "DAEMON",
        launch_type: "EC2",
        placement_constraints: [placementConstraint],
        deployment_circuit_breaker: { enable: true, rollback: true },
        network_configuration: expect.objectContaining({ assign_public_ip: false }),
      });
      expect(only(stack, "aws_ecs_task_definition")).toMatchObject({
        requires_compatibilities: ["EC2"],
        network_mode: "awsvpc",
        cpu: "4096",
        memory: "15360",
      });
    });

    it("[CMP-3] [CMP-4] leaves the count to the fleet: no desired count, capacity provider, platform version or scaling target", () => {
      expect(service.desired_count).toBeUndefined();
      expect(service.capacity_provider_strategy).toBeUndefined();
      expect(service.platform_version).toBeUndefined();
      expect(service.lifecycle).toBeUndefined();
      expect(resourcesOf(stack, "aws_appautoscaling_target")).toEqual([]);
      expect(resourcesOf(stack, "aws_appautoscaling_policy")).toEqual([]);
    });

    it("[MON-3] gives each container its own log group", () => {
      expect(resourcesOf(stack, "aws_cloudwatch_log_group").map(([, g]) => g.name)).toEqual([
        "/ecs/ecg-test/gpu-render-server",
        "/ecs/ecg-test/celery-workers",
      ]);
    });
  });

  describe("environment and secrets", () => {
    const stack = synth({
      containers: [
        {
          ...api,
          environment: { S3_BUCKET: "ecg-test-videos", DATABASE_URL: "postgresql://db:5432/ecg", MODE: "api" },
          secrets: { REDIS_AUTH_TOKEN: { secretArn: REDIS_SECRET }, DATABASE_PASSWORD: { secretArn: DB_SECRET, jsonKey: "password" } },
        },
      ],
    });
    const [container] = containersOf(stack);

    it("sorts environment variables by name", () => {
      expect(container.environment).toEqual([
        { name: "DATABASE_URL", value: "postgresql://db:5432/ecg" },
        { name: "MODE", value: "api" },
        { name: "S3_BUCKET", value: "ecg-test-videos" },
      ]);
    });

    it("[SEC-4] injects secrets through `secrets` with valueFrom (`<arn>:<jsonKey>::` for a JSON key), sorted by name", () => {
      expect(container.secrets).toEqual([
        { name: "DATABASE_PASSWORD", valueFrom: `${DB_SECRET}:password::` },
        { name: "REDIS_AUTH_TOKEN", valueFrom: REDIS_SECRET },
      ]);
    });

    it("[SEC-4] (trivy AWS-0036) never puts a secret into `environment`", () => {
      const names = container.environment.map((e: any) => e.name);
      expect(names).not.toContain("DATABASE_PASSWORD");
      expect(names).not.toContain("REDIS_AUTH_TOKEN");
      expect(JSON.stringify(container.environment)).not.toContain("secretsmanager");
    });

    it("[SEC-1] grants the secrets to the execution role, and no kms:Decrypt without secretsKmsKeyArns", () => {
      const statements = roleStatements(stack, EXECUTION)!;
      expect(statements.map((s) => s.sid)).toEqual(["EcrLogin", "PullServiceImages", "WriteContainerLogs", "InjectSecrets"]);
      expect([...bySid(statements).InjectSecrets.resources].sort()).toEqual([DB_SECRET, REDIS_SECRET].sort());
      expect(JSON.stringify(statements)).not.toContain("kms:");
    });
  });

  describe("[SEC-1] least-privilege roles", () => {
    const appStatement = {
      sid: "ReadWriteVideos",
      actions: ["s3:GetObject", "s3:PutObject"],
      resources: ["arn:aws:s3:::ecg-test-videos/*"],
    };
    const stack = synth({
      containers: [
        {
          ...api,
          secrets: { DATABASE_PASSWORD: { secretArn: DB_SECRET, jsonKey: "password" }, REDIS_AUTH_TOKEN: { secretArn: REDIS_SECRET } },
        },
        // Shares the API's log group and one of its secrets: each is granted once.
        {
          name: "worker",
          image: "worker:1",
          secrets: { DATABASE_USER: { secretArn: DB_SECRET, jsonKey: "username" } },
          logGroupName: "/ecs/ecg-test/backend-api",
        },
        { name: "migrations", image: "worker:1", logGroupName: "/ecs/ecg-test/migrations" },
      ],
      pullFrom: [API_REPOSITORY, XRAY_REPOSITORY],
      secretsKmsKeyArns: ["arn:aws:kms:ap-northeast-2:123456789012:key/secrets"],
      taskStatements: [appStatement],
      tracing: { image: "public.ecr.aws/xray/aws-xray-daemon:3.3.14" },
    });
    const execution = roleStatements(stack, EXECUTION)!;
    const task = roleStatements(stack, TASK)!;

    it("[SEC-1] gives the task definition two separate roles, named after the service", () => {
      const [executionId] = roleNamed(stack, EXECUTION);
      const [taskId] = roleNamed(stack, TASK);
      expect(executionId).not.toBe(taskId);
      expect(only(stack, "aws_ecs_task_definition")).toMatchObject({
        execution_role_arn: `\${aws_iam_role.${executionId}.arn}`,
        task_role_arn: `\${aws_iam_role.${taskId}.arn}`,
      });
    });

    it("[SEC-1] both roles trust only ECS tasks of this account", () => {
      for (const name of [EXECUTION, TASK]) {
        const [, role] = roleNamed(stack, name);
        expect(role.max_session_duration).toBe(3600);
        expect(documentStatements(stack, role.assume_role_policy)).toEqual([
          {
            actions: ["sts:AssumeRole"],
            principals: [{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }],
            condition: [
              { test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] },
              { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:ecs:ap-northeast-2:123456789012:*"] },
            ],
          },
        ]);
      }
    });

    it("[SEC-1] the execution role pulls only the given repositories (GetAuthorizationToken has no resource)", () => {
      const { EcrLogin, PullServiceImages } = bySid(execution);
      expect(EcrLogin).toEqual({ sid: "EcrLogin", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] });
      expect([...PullServiceImages.actions].sort()).toEqual([
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
      ]);
      // Besides the given ones, GuardDuty's agent repository of the region (runtime monitoring adds the agent to Fargate tasks).
      expect(PullServiceImages.resources).toEqual([
        API_REPOSITORY,
        XRAY_REPOSITORY,
        "arn:aws:ecr:ap-northeast-2:*:repository/aws-guardduty-agent-fargate",
      ]);
      // No pull-through cache among them: nothing may import upstream images or create repositories.
      expect(bySid(execution).FillPullThroughCache).toBeUndefined();
      expect(JSON.stringify(execution)).not.toMatch(/BatchImportUpstreamImage|CreateRepository/);
    });

    it('[SEC-1] [ECR User Guide, "IAM permissions required to sync an upstream registry with an Amazon ECR private registry": ecr:BatchImportUpstreamImage and ecr:CreateRepository] the execution role fills the pull-through cache repositories it is given, and only those', () => {
      const CACHE = "arn:aws:ecr:ap-northeast-2:123456789012:repository/ecr-public/xray/*";
      const cached = synth({
        pullFrom: [API_REPOSITORY, CACHE],
        pullThroughFrom: [CACHE],
        tracing: { image: "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/ecr-public/xray/aws-xray-daemon:3.3.14" },
      });
      const statements = bySid(roleStatements(cached, EXECUTION)!);
      expect(statements.FillPullThroughCache).toEqual({
        sid: "FillPullThroughCache",
        actions: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
        resources: [CACHE],
      });
      // Pulling is the general statement's, over every repository.
      expect(statements.PullServiceImages.resources).toEqual([
        API_REPOSITORY,
        CACHE,
        expect.stringMatching(/aws-guardduty-agent-fargate$/),
      ]);
      expect(statements.PullServiceImages.actions).not.toContain("ecr:BatchImportUpstreamImage");
      expect(roleStatements(cached, EXECUTION)!.map((s) => s.sid)).toEqual([
        "EcrLogin",
        "PullServiceImages",
        "WriteContainerLogs",
        "FillPullThroughCache",
      ]);
      // Not the task role's business.
      expect(JSON.stringify(roleStatements(cached, TASK))).not.toContain("ecr:");
    });

    it("[SEC-1] [MON-3] the execution role writes only to the service's own log groups, one per distinct name", () => {
      const groups = resourcesOf(stack, "aws_cloudwatch_log_group");
      expect(groups.map(([, g]) => g.name)).toEqual(["/ecs/ecg-test/backend-api", "/ecs/ecg-test/migrations"]);
      const { WriteContainerLogs } = bySid(execution);
      expect(WriteContainerLogs.actions).toEqual(["logs:CreateLogStream", "logs:PutLogEvents"]);
      expect(WriteContainerLogs.resources).toEqual(groups.map(([id]) => `\${aws_cloudwatch_log_group.${id}.arn}:log-stream:*`));
    });

    it("[SEC-1] the execution role reads exactly the referenced secrets, each once, by secret ARN without the JSON key suffix", () => {
      const { InjectSecrets } = bySid(execution);
      expect(InjectSecrets.actions).toEqual(["secretsmanager:GetSecretValue"]);
      expect([...InjectSecrets.resources].sort()).toEqual([DB_SECRET, REDIS_SECRET].sort());
      for (const arn of InjectSecrets.resources) expect(arn).not.toMatch(/::$/);
    });

    it("[SEC-1] the execution role decrypts with the given keys only through Secrets Manager", () => {
      expect(bySid(execution).DecryptSecrets).toEqual({
        sid: "DecryptSecrets",
        actions: ["kms:Decrypt"],
        resources: ["arn:aws:kms:ap-northeast-2:123456789012:key/secrets"],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: ["secretsmanager.ap-northeast-2.amazonaws.com"] }],
      });
    });

    it("[SEC-1] the execution role has nothing else, and none of the application's permissions", () => {
      expect(execution.map((s) => s.sid)).toEqual([
        "EcrLogin",
        "PullServiceImages",
        "WriteContainerLogs",
        "InjectSecrets",
        "DecryptSecrets",
      ]);
      expect(JSON.stringify(execution)).not.toMatch(/s3:|xray:/);
    });

    it("[SEC-1] [MON-4] the task role gets the given statements and, with tracing, the X-Ray write and sampling calls", () => {
      expect(task).toEqual([appStatement, { sid: "SendTraces", actions: XRAY_ACTIONS, resources: ["*"] }]);
      expect(JSON.stringify(task)).not.toMatch(/ecr:|logs:|secretsmanager:GetSecretValue|kms:/);
    });

    it("[SEC-1] no action has a wildcard, and Resource * only for the calls without a resource", () => {
      for (const statement of [...execution, ...task]) {
        for (const action of statement.actions) expect(action).not.toContain("*");
        if (statement.resources.includes("*")) expect(["EcrLogin", "SendTraces"]).toContain(statement.sid);
      }
    });

    it("[MON-4] adds the X-Ray daemon as a non-essential sidecar on UDP 2000, logging to the main container's group", () => {
      const containers = containersOf(stack);
      expect(containers.map((c) => c.name)).toEqual(["backend-api", "worker", "migrations", XRAY_CONTAINER]);
      expect(containers[3]).toEqual({
        name: "xray-daemon",
        image: "public.ecr.aws/xray/aws-xray-daemon:3.3.14",
        essential: false,
        cpu: 32,
        memoryReservation: 256,
        user: "1000:1000",
        readonlyRootFilesystem: true,
        mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
        portMappings: [{ containerPort: 2000, hostPort: 2000, protocol: "udp" }],
        environment: [{ name: "AWS_REGION", value: "ap-northeast-2" }],
        linuxParameters: { initProcessEnabled: true },
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": "/ecs/ecg-test/backend-api",
            "awslogs-region": "ap-northeast-2",
            "awslogs-stream-prefix": "xray-daemon",
          },
        },
        dependsOn: [{ containerName: INIT_CONTAINER, condition: "SUCCESS" }],
      });
    });

    it("[MON-4] tells every application container where the daemon listens", () => {
      expect(XRAY_DAEMON_ADDRESS).toBe("127.0.0.1:2000");
      for (const container of containersOf(stack).slice(0, 3)) {
        expect(container.environment).toContainEqual({ name: "AWS_XRAY_DAEMON_ADDRESS", value: "127.0.0.1:2000" });
      }
    });
  });

  describe("ECS Exec", () => {
    const EXEC_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/exec";
    const EXEC_LOGS = "arn:aws:logs:ap-northeast-2:123456789012:log-group:/ecs/ecg-test/exec";
    const appStatement = { sid: "ReadVideos", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::ecg-test-videos/*"] };
    const stack = synth({ execCommand: { kmsKeyArn: EXEC_KEY, logGroupArn: EXEC_LOGS }, taskStatements: [appStatement] });
    const task = roleStatements(stack, TASK)!;

    it("[ECS Developer Guide, ECS Exec with a read-only root filesystem: the SSM agent writes to /var/lib/amazon and /var/log/amazon] gives every container those two as task volumes", () => {
      const [task] = resourcesOf(stack, "aws_ecs_task_definition").map(([, t]) => t);
      expect(task.volume).toEqual([{ name: "tmp" }, { name: "ssm-agent-lib" }, { name: "ssm-agent-log" }]);
      for (const container of containersOf(stack)) {
        expect(container.mountPoints.map((m: { containerPath: string }) => m.containerPath)).toEqual([
          "/tmp",
          "/var/lib/amazon",
          "/var/log/amazon",
        ]);
      }
    });

    it('[ECS Developer Guide, "Monitor Amazon ECS containers with ECS Exec": the service needs enableExecuteCommand] turns execute-command on only when asked', () => {
      expect(only(stack, "aws_ecs_service").enable_execute_command).toBe(true);
      expect(only(synth(), "aws_ecs_service").enable_execute_command).toBeUndefined();
    });

    it('[SEC-1] [ECS Developer Guide, "Monitor Amazon ECS containers with ECS Exec", IAM permissions: the task role opens the ssmmessages channels, decrypts with the session key and writes the session log] gives the task role exactly the ECS Exec statements, after the given ones', () => {
      expect(task).toEqual([
        appStatement,
        {
          sid: "ExecSessionChannels",
          actions: [
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
          ],
          resources: ["*"],
        },
        { sid: "ExecSessionEncryption", actions: ["kms:Decrypt"], resources: [EXEC_KEY] },
        { sid: "ExecSessionLogLookup", actions: ["logs:DescribeLogGroups"], resources: ["*"] },
        {
          sid: "ExecSessionLog",
          actions: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
          resources: [`${EXEC_LOGS}:*`],
        },
      ]);
    });

    it("[SEC-1] leaves the execution role as it is, and without execCommand the task role has no exec permission", () => {
      expect(roleStatements(stack, EXECUTION)).toEqual(roleStatements(synth({ taskStatements: [appStatement] }), EXECUTION));
      expect(JSON.stringify(roleStatements(synth({ taskStatements: [appStatement] }), TASK))).not.toMatch(/ssmmessages:|ExecSession/);
    });

    it("[SEC-1] no action has a wildcard, and Resource * only for the calls that take no resource", () => {
      for (const statement of task) {
        for (const action of statement.actions) expect(action).not.toContain("*");
        if (statement.resources.includes("*")) expect(["ExecSessionChannels", "ExecSessionLogLookup"]).toContain(statement.sid);
      }
    });
  });

  it("[MON-3] takes the given log retention", () => {
    expect(only(synth({ logRetentionDays: 365 }), "aws_cloudwatch_log_group").retention_in_days).toBe(365);
  });

  it("[SEC-1] [MON-4] gives the task role exactly the given statements, and no X-Ray permission without tracing", () => {
    const statement = { sid: "ReadVideos", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::ecg-test-videos/*"] };
    const stack = synth({ taskStatements: [statement] });
    expect(roleStatements(stack, TASK)).toEqual([statement]);
    expect(containersOf(stack).map((c) => c.name)).not.toContain(XRAY_CONTAINER);
  });

  it("[MON-4] sorts the daemon address in among the application's variables", () => {
    const stack = synth({ containers: [{ ...api, environment: { ZONE: "a", APP: "api" } }], tracing: { image: "xray:3" } });
    expect(containersOf(stack)[0].environment.map((e: any) => e.name)).toEqual(["APP", "AWS_XRAY_DAEMON_ADDRESS", "ZONE"]);
  });

  const listener = { fqn: "aws_lb_listener.http" };
  const targetGroupArn = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/api/0123456789abcdef";
  it.each<[Partial<ContainerServiceProps>, string]>([
    [
      { name: "bad name" },
      'name: "bad name" must be 1-54 letters, digits, - or _ (the role names append -execution, and IAM allows 64 characters)',
    ],
    [{ name: "" }, 'name: "" must be 1-54 letters, digits, - or _ (the role names append -execution, and IAM allows 64 characters)'],
    [
      { name: "a".repeat(55) },
      `name: "${"a".repeat(55)}" must be 1-54 letters, digits, - or _ (the role names append -execution, and IAM allows 64 characters)`,
    ],
    [{ pullFrom: [] }, "pullFrom: name at least one repository ARN the images come from"],
    [
      {
        containers: [{ ...api, gpus: 0.5 }],
        scheduling: { kind: "ec2-daemon", placementConstraint: { type: "memberOf", expression: "attribute:x == y" } },
      },
      "containers[0].gpus: 0.5 must be a whole number",
    ],
    [
      { containers: [{ ...api, name: "xray-daemon" }], tracing: { image: "xray:3" } },
      'containers[0].name: "xray-daemon" is the tracing sidecar\'s name',
    ],
    [
      {
        containers: [
          {
            ...api,
            environment: { TOKEN_URL: "x" },
            secrets: { TOKEN_URL: { secretArn: "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:t" } },
          },
        ],
      },
      "containers[0]: TOKEN_URL set both as environment and as secret",
    ],
    [{ discovery: { namespaceId: "ns-0123456789", name: "-api" } }, 'discovery.name: "-api" must be a DNS label'],
    [{ subnetIds: ["subnet-a"] }, "subnetIds: 1 given; at least 2 (one per AZ) are required"],
    [{ securityGroupIds: [] }, "securityGroupIds: at least one security group is required"],
    [{ containers: [] }, "containers: at least one container is required"],
    [{ containers: [api, { ...api, port: 9000 }] }, 'containers[1].name: "backend-api" is used twice'],
    [{ containers: [{ ...api, port: 70000 }] }, "containers[0].port: 70000 is not a TCP port"],
    [{ containers: [{ ...api, port: 0 }] }, "containers[0].port: 0 is not a TCP port"],
    [{ containers: [{ ...api, port: 80.5 }] }, "containers[0].port: 80.5 is not a TCP port"],
    [{ containers: [{ ...api, gpus: 1 }] }, "containers[0].gpus: Fargate has no GPUs; run GPU containers on an EC2 fleet"],
    [
      { containers: [{ ...api, logGroupName: "ecs/ecg-test/backend-api" }] },
      'containers[0].logGroupName: "ecs/ecg-test/backend-api" must be a full log group name starting with /',
    ],
    [{ cpu: 3000, memoryMiB: 8192 }, "cpu: 3000 is not a Fargate CPU value (256, 512, 1024, 2048, 4096, 8192, 16384)"],
    [{ memoryMiB: 2048 }, "memoryMiB: 2048 is not a Fargate memory size for 2048 CPU (4096-16384 MiB in steps of 1024)"],
    [{ memoryMiB: 16385 }, "memoryMiB: 16385 is not a Fargate memory size for 2048 CPU (4096-16384 MiB in steps of 1024)"],
    [{ cpu: 256, memoryMiB: 4096 }, "memoryMiB: 4096 is not a Fargate memory size for 256 CPU (512-2048 MiB in steps of 512)"],
    [{ cpu: 256, memoryMiB: 1536 }, "memoryMiB: 1536 is not a Fargate memory size for 256 CPU"],
    [{ cpu: 1024, memoryMiB: 2500 }, "memoryMiB: 2500 is not a Fargate memory size for 1024 CPU (2048-8192 MiB in steps of 1024)"],
    [{ cpu: 4096, memoryMiB: 32768 }, "memoryMiB: 32768 is not a Fargate memory size for 4096 CPU (8192-30720 MiB in steps of 1024)"],
    [{ cpu: 8192, memoryMiB: 18432 }, "memoryMiB: 18432 is not a Fargate memory size for 8192 CPU (16384-61440 MiB in steps of 4096)"],
    [{ cpu: 16384, memoryMiB: 131072 }, "memoryMiB: 131072 is not a Fargate memory size for 16384 CPU (32768-122880 MiB in steps of 8192)"],
    [{ scheduling: { kind: "fargate", desiredCount: -1 } }, "scheduling.desiredCount: -1 must be a whole number >= 0"],
    [{ scheduling: { kind: "fargate", desiredCount: 1.5 } }, "scheduling.desiredCount: 1.5 must be a whole number >= 0"],
    [
      { scheduling: { kind: "fargate", desiredCount: 4, autoScaling: { maxCount: 3, targetCpuPercent: 70 } } },
      "scheduling.autoScaling.maxCount: 3 must be a whole number >= desiredCount (4) and >= 1",
    ],
    [
      { scheduling: { kind: "fargate", desiredCount: 0, autoScaling: { maxCount: 0, targetCpuPercent: 70 } } },
      "scheduling.autoScaling.maxCount: 0 must be a whole number >= desiredCount (0) and >= 1",
    ],
    [
      { scheduling: { kind: "fargate", desiredCount: 2, autoScaling: { maxCount: 10, targetCpuPercent: 0 } } },
      "scheduling.autoScaling.targetCpuPercent: 0 must be 1-100",
    ],
    [
      { scheduling: { kind: "fargate", desiredCount: 2, autoScaling: { maxCount: 10, targetCpuPercent: 101 } } },
      "scheduling.autoScaling.targetCpuPercent: 101 must be 1-100",
    ],
    [
      {
        cpu: 64,
        memoryMiB: 512,
        scheduling: { kind: "ec2-daemon", placementConstraint: { type: "memberOf", expression: "attribute:x == y" } },
      },
      "cpu/memoryMiB: 64/512 must be at least 128 each",
    ],
    [
      { containers: [{ ...api, port: undefined }], loadBalancer: { targetGroupArn, listener } },
      "loadBalancer: the first container must have a port to register with the target group",
    ],
    [{ discovery: { namespaceId: "ns-0123456789", name: "Backend_API" } }, 'discovery.name: "Backend_API" must be a DNS label'],
    [{ logRetentionDays: 10 }, "logRetentionDays: 10 is not a CloudWatch Logs retention value"],
    [{ containers: [{ ...api, user: "0" }] }, 'containers[0].user: "0" is root; run as an unprivileged uid (the default is 1000:1000)'],
    [{ containers: [{ ...api, user: "root:root" }] }, 'containers[0].user: "root:root" is root'],
    [{ scratchHostPath: "/scratch" }, 'scratchHostPath: "/scratch" is a host directory, which Fargate does not mount'],
    [
      {
        scratchHostPath: "scratch",
        scheduling: { kind: "ec2-daemon", placementConstraint: { type: "memberOf", expression: "attribute:x == y" } },
      },
      'scratchHostPath: "scratch" must be an absolute path',
    ],
  ])("refuses %p: %s", (overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });

  it.each([
    [256, 512],
    [256, 2048],
    [1024, 3072],
    [4096, 30720],
    [8192, 20480],
    [16384, 122880],
  ])("accepts the Fargate size %d CPU / %d MiB", (cpu, memoryMiB) => {
    expect(() => synth({ cpu, memoryMiB })).not.toThrow();
  });

  it("accepts GPUs and any CPU/memory of at least 128 on an EC2 daemon", () => {
    const daemon: Partial<ContainerServiceProps> = {
      cpu: 128,
      memoryMiB: 128,
      scheduling: { kind: "ec2-daemon", placementConstraint: { type: "memberOf", expression: "attribute:x == y" } },
      containers: [{ ...api, gpus: 1 }],
    };
    expect(() => synth(daemon)).not.toThrow();
  });

  it("reports every problem at once, naming the construct", () => {
    const refuse = () =>
      synth({ name: "bad name", subnetIds: [], logRetentionDays: 10, containers: [{ ...api, port: 0, logGroupName: "x" }] });
    expect(refuse).toThrow(/^ContainerService "svc" is misconfigured:\n/);
    let message = "";
    try {
      refuse();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split("\n").slice(1)).toEqual([
      '  - name: "bad name" must be 1-54 letters, digits, - or _ (the role names append -execution, and IAM allows 64 characters)',
      "  - containers[0].port: 0 is not a TCP port",
      '  - containers[0].logGroupName: "x" must be a full log group name starting with /',
      expect.stringMatching(/^ {2}- logRetentionDays: 10 is not a CloudWatch Logs retention value/),
      "  - subnetIds: 0 given; at least 2 (one per AZ) are required",
    ]);
  });

  it("[CI-3] under CodeDeploy (blue/green), hands rollouts to CodeDeploy: no circuit breaker, task definition and target group ignored after creation", () => {
    const service = only(synth(withListener({ deploymentController: "CODE_DEPLOY" })), "aws_ecs_service");
    expect(service.deployment_controller).toEqual({ type: "CODE_DEPLOY" });
    expect(service.deployment_circuit_breaker).toBeUndefined();
    expect(service.lifecycle.ignore_changes).toEqual(expect.arrayContaining(["task_definition", "load_balancer"]));
    const rolling = only(synth(withListener()), "aws_ecs_service");
    expect(rolling.deployment_controller).toBeUndefined();
    expect(rolling.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
  });

  it("refuses CODE_DEPLOY without a load balancer", () => {
    expect(() => synth({ deploymentController: "CODE_DEPLOY" })).toThrow(
      "deploymentController: CODE_DEPLOY (blue/green) needs a load-balanced Fargate service",
    );
  });
});
