import type { Rule } from "../engine";
import { flag, isTrue, nested, text, Uninspectable } from "./helpers";
import type { Json } from "../../common/json";
import { isRootUser } from "../../ecs-service/containers";

/** Container definitions are a JSON string; one built with jsonencode() of expressions cannot be read here. */
function containers(config: Json): Json[] {
  const definitions = config.container_definitions;
  if (Array.isArray(definitions)) return definitions.filter((c) => typeof c === "object" && c !== null);
  if (typeof definitions !== "string") throw new Uninspectable("container_definitions is not a JSON string");
  let parsed: unknown;
  try {
    parsed = JSON.parse(definitions);
  } catch {
    throw new Uninspectable("container_definitions is not literal JSON (build it with JSON.stringify)");
  }
  if (!Array.isArray(parsed)) throw new Uninspectable("container_definitions is not a JSON list");
  return parsed.filter((c) => typeof c === "object" && c !== null);
}

// trivy AWS-0036 (no_plaintext_secrets): an environment variable whose lowercased name
// contains one of these words, unless it starts with token_type or version, or whose
// value looks like a credential.
const SECRET_NAME_WORDS = ["password", "secret", "private_key", "aws_access_key_id", "aws_secret_access_key", "token", "api_key"];
const SECRET_VALUE = [
  /\bAKIA[0-9A-Z]{16}\b/, // AWS access key id
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bgh[pousr]_[A-Za-z0-9]{36}\b/, // GitHub tokens
  /\bxox[baprs]-[A-Za-z0-9-]{10,}/, // Slack tokens
];
function looksSecret(variable: Json): boolean {
  const name = String(variable.name ?? "").toLowerCase();
  const byName = !name.startsWith("token_type") && !name.startsWith("version") && SECRET_NAME_WORDS.some((w) => name.includes(w));
  return byName || (typeof variable.value === "string" && SECRET_VALUE.some((pattern) => pattern.test(variable.value)));
}

/**
 * An image of a public registry: Docker Hub (no registry host, or docker.io),
 * ECR Public, GitHub's, Quay, or an ECR pull-through cache of one (its
 * repositories are named after the upstream: `<prefix>/...`).
 */
function isPublicImage(image: string): boolean {
  // Wholly an expression (the release's digest parameter, modules/container-registry/release-digests.ts):
  // what it names is decided at apply, not here.
  if (/^\$\{[^}]*\}$/.test(image)) return false;
  const name = image.replace(/\$\{[^}]*\}/g, "x");
  const [first, ...rest] = name.split("/");
  // Docker's rule: the first segment is a registry host only if more follow and it has a dot or a port.
  const host = rest.length > 0 && (first.includes(".") || first.includes(":")) ? first : undefined;
  if (!host) return true;
  if (/^(docker\.io|registry-1\.docker\.io|public\.ecr\.aws|ghcr\.io|quay\.io|registry\.k8s\.io)$/.test(host)) return true;
  return /\.dkr\.ecr\.[^/]+\.amazonaws\.com(\.cn)?$/.test(host) && /^[^/]+\/(ecr-public|docker-hub|github|quay|k8s)\//.test(name);
}

/** "<what>: <names>" of the containers that `offend`, or undefined when none does: the finding of a per-container rule. */
function offendingContainers(all: readonly Json[], offend: (c: Json) => boolean, what: string): string | undefined {
  const names = all.filter(offend).map((c) => c.name);
  return names.length ? `${what}: ${names.join(", ")}` : undefined;
}

export const ecsRules: Rule[] = [
  {
    ids: ["CKV_AWS_65"],
    title: "ECS clusters have Container Insights",
    severity: "error",
    types: ["aws_ecs_cluster"],
    check: ({ config }) =>
      nested(config, "setting").some(
        (s) => text(s, "name") === "containerInsights" && ["enabled", "enhanced"].includes(text(s, "value") ?? ""),
      )
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
      nested(config, "network_configuration").some((n) => flag(n, "assign_public_ip") === true) ? "assign_public_ip = true" : undefined,
    fix: "run tasks in private subnets with assign_public_ip = false",
  },
  {
    ids: ["CKV_AWS_334"],
    title: "Containers are not privileged",
    severity: "error",
    types: ["aws_ecs_task_definition"],
    check: ({ config }) => offendingContainers(containers(config), (c) => isTrue(c.privileged), "privileged containers"),
    fix: "drop privileged; grant the specific Linux capability or device (GPUs use resourceRequirements)",
    note: "Reads ECS's key privileged (checkov reads a misspelled privilege, so it never fails a privileged container).",
  },
  {
    ids: ["CKV_AWS_336"],
    title: "Containers have read-only root filesystems",
    severity: "error",
    types: ["aws_ecs_task_definition"],
    check: ({ config }) => offendingContainers(containers(config), (c) => !isTrue(c.readonlyRootFilesystem), "writable root filesystems"),
    fix: "set readonlyRootFilesystem = true and give the container task volumes for what it writes (/tmp, scratch)",
  },
  {
    ids: ["ECG_ECS_NON_ROOT"],
    title: "Containers run as a user that is not root",
    severity: "error",
    types: ["aws_ecs_task_definition"],
    check: ({ config }) => {
      const all = containers(config);
      // An init container (not essential, the others waiting for its success) may be root: it prepares the volumes and exits.
      const init = (c: Json) =>
        !isTrue(c.essential ?? true) &&
        all.some((other) =>
          (Array.isArray(other.dependsOn) ? other.dependsOn : []).some(
            (d: Json) => d.containerName === c.name && ["SUCCESS", "COMPLETE"].includes(d.condition),
          ),
        );
      return offendingContainers(
        all,
        (c) => !init(c) && (typeof c.user !== "string" || isRootUser(c.user)),
        "root or the image's default user (no user)",
      );
    },
    fix: 'set user to an unprivileged uid:gid (modules/ecs-service: "1000:1000" by default); only an init container the others wait for may be root',
  },
  {
    ids: ["ECG_PUBLIC_IMAGE_DIGEST"],
    title: "Images from public registries (and ECR's pull-through caches of them) are pinned by digest",
    severity: "error",
    types: ["aws_ecs_task_definition"],
    check: ({ config }) =>
      offendingContainers(
        containers(config),
        (c) => typeof c.image === "string" && isPublicImage(c.image) && !c.image.includes("@sha256:"),
        "public images by tag",
      ),
    fix: "name the image <repository>@sha256:<digest> (a tag can be moved to other content; a digest cannot)",
  },
  {
    ids: ["CKV_AWS_249"],
    title: "The task role is not the execution role",
    severity: "error",
    types: ["aws_ecs_task_definition"],
    check: ({ config }) =>
      config.execution_role_arn && config.task_role_arn === config.execution_role_arn
        ? "task_role_arn equals execution_role_arn"
        : undefined,
    fix: "give the agent (image pull, logs, secrets) and the application separate roles",
  },
  {
    ids: ["AWS-0036"],
    title: "No secret-looking values in plain container environment",
    severity: "error",
    types: ["aws_ecs_task_definition"],
    check: ({ config }) => {
      const names = containers(config)
        .flatMap((c) => (Array.isArray(c.environment) ? c.environment : []))
        .filter((e: unknown): e is Json => typeof e === "object" && e !== null && looksSecret(e as Json))
        .map((e) => e.name);
      return names.length ? `plain environment variables that look secret: ${names.join(", ")}` : undefined;
    },
    fix: "pass them through `secrets` (valueFrom a Secrets Manager ARN)",
  },
];
