import type { Rule } from "../engine";
import { blocks, isTrue } from "./helpers";
import type { Json } from "../../common/json";

/** Container definitions are a JSON string; one built with jsonencode() cannot be read here. */
function containers(config: Json): Json[] | string {
  try {
    const parsed = JSON.parse(config.container_definitions);
    return Array.isArray(parsed) ? parsed : "container_definitions is not a JSON list";
  } catch {
    return "container_definitions is not literal JSON, so it cannot be inspected (build it with JSON.stringify)";
  }
}

// trivy AWS-0036: names that say "secret" belong in `secrets`, not `environment`.
// Whole words of the name (TOKENIZERS_PARALLELISM is not a token), and names
// that only point at a secret (SECRET_NAME, DB_PASSWORD_ARN) are fine.
const SECRET_WORD = /(^|[_-])(secret|passw(or)?d|token|api[_-]?key|private[_-]?key|credentials?|access[_-]?key)([_-]|$)/i;
const POINTER_SUFFIX = /[_-](name|arn|id|path|file)$/i;
const looksSecret = (name: string) => SECRET_WORD.test(name) && !POINTER_SUFFIX.test(name);

export const ecsRules: Rule[] = [
  {
    ids: ["CKV_AWS_65"],
    title: "ECS clusters have Container Insights",
    severity: "error",
    types: ["aws_ecs_cluster"],
    check: ({ config }) =>
      blocks(config.setting).some((s) => s.name === "containerInsights" && ["enabled", "enhanced"].includes(s.value))
        ? undefined
        : "containerInsights is not enabled",
    fix: 'add setting { name = "containerInsights", value = "enabled" }',
  },
  {
    ids: ["CKV_AWS_333"],
    title: "ECS services do not assign public IPs",
    severity: "error",
    types: ["aws_ecs_service"],
    check: ({ config }) =>
      blocks(config.network_configuration).some((n) => isTrue(n.assign_public_ip)) ? "assign_public_ip = true" : undefined,
    fix: "run tasks in private subnets with assign_public_ip = false",
  },
  {
    ids: ["CKV_AWS_334"],
    title: "Containers are not privileged",
    severity: "error",
    types: ["aws_ecs_task_definition"],
    check: ({ config }) => {
      const list = containers(config);
      if (typeof list === "string") return list;
      const privileged = list.filter((c) => c.privileged === true).map((c) => c.name);
      return privileged.length ? `privileged containers: ${privileged.join(", ")}` : undefined;
    },
    fix: "drop privileged; grant the specific Linux capability or device (GPUs use resourceRequirements)",
  },
  {
    ids: ["CKV_AWS_249"],
    title: "The task role is not the execution role",
    severity: "error",
    types: ["aws_ecs_task_definition"],
    check: ({ config }) =>
      config.task_role_arn && config.task_role_arn === config.execution_role_arn ? "task_role_arn equals execution_role_arn" : undefined,
    fix: "give the agent (image pull, logs, secrets) and the application separate roles",
  },
  {
    ids: ["AWS-0036"],
    title: "No secret-looking values in plain container environment",
    severity: "error",
    types: ["aws_ecs_task_definition"],
    check: ({ config }) => {
      const list = containers(config);
      if (typeof list === "string") return list;
      const names = list.flatMap((c) => (c.environment ?? []).map((e: Json) => e.name)).filter(looksSecret);
      return names.length ? `plain environment variables that look secret: ${names.join(", ")}` : undefined;
    },
    fix: "pass them through `secrets` (valueFrom a Secrets Manager ARN)",
  },
];
