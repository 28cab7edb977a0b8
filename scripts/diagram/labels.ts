/** Turning Terraform names and expressions into the words a reader of the picture expects. */
import { lookup, nameOf, type StackJson } from "./terraform";

const ACRONYMS = new Set([
  "alb",
  "api",
  "cdn",
  "db",
  "dns",
  "ec2",
  "ecr",
  "ecs",
  "gpu",
  "ip",
  "lb",
  "ml",
  "nat",
  "rds",
  "s3",
  "sg",
  "vpc",
  "waf",
]);

const REGION_NAMES: Readonly<Record<string, string>> = {
  "ap-northeast-1": "Tokyo",
  "ap-northeast-2": "Seoul",
  "us-east-1": "N. Virginia",
  "us-west-2": "Oregon",
};

/** "backend-api" → "Backend API", "gpuRender" → "GPU Render". */
export function humanize(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_-]+/)
    .filter((word) => word.length > 0)
    .map((word) => (ACRONYMS.has(word.toLowerCase()) ? word.toUpperCase() : word[0].toUpperCase() + word.slice(1)))
    .join(" ");
}

/** A name without its stack's prefix: "ecg-prod-gpu-a" → "gpu-a" in ecg-prod. */
export const withoutStackPrefix = (name: string, stackName: string): string =>
  name.startsWith(`${stackName}-`) ? name.slice(stackName.length + 1) : name;

export const regionTitle = (region: string): string => (REGION_NAMES[region] ? `${REGION_NAMES[region]} · ${region}` : region);

// The data sources whose value is the same for the whole stack read as a placeholder.
const PLACEHOLDERS: Readonly<Record<string, string>> = {
  aws_caller_identity: "account",
  aws_partition: "partition",
  aws_region: "region",
};

/**
 * Interpolations made readable: `${data.aws_caller_identity.x.account_id}` →
 * `<account>`, `${aws_eip.x.public_ip}` → `<ecg-prod-nat-a public ip>`; what
 * does not resolve in the stack keeps its expression between the brackets.
 */
export function readable(stack: StackJson, value: string): string {
  return value.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    const [first, ...rest] = inner.split(".");
    const [type, name, attribute] = first === "data" ? rest : [first, ...rest];
    const resource = attribute && lookup(stack, `${first === "data" ? "data." : ""}${type}.${name}`);
    if (!resource) return `<${inner || whole}>`;
    return `<${PLACEHOLDERS[type] ?? `${nameOf(resource)} ${attribute.replace(/_/g, " ")}`}>`;
  });
}

/** Words joined with ", " into lines of at most `width` characters. */
export function wrap(words: readonly string[], width: number): string[] {
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + word.length + 2 <= width) lines[last] = `${lines[last]}, ${word}`;
    else lines.push(word);
  }
  return lines;
}

export const plural = (count: number | string, word: string): string => `${count} ${word}${String(count) === "1" ? "" : "s"}`;
