/**
 * hashicorp/random has no offline binary on these machines. For the lane's
 * working copy only, every `random_*` resource (and the random provider) is
 * replaced by fixed literal values; nothing else in the stack is altered. The
 * synthesized JSON in cdktf.out is never edited. Users' runs use the real
 * provider.
 */

/** The literal each attribute of a random resource becomes. */
const LITERALS: Record<string, Record<string, string | number>> = {
  random_password: { result: "LaneFixedPassw0rd-NotSecret-32chars", bcrypt_hash: "$2a$10$laneFixedBcryptHashNotSecret" },
  random_string: { result: "lanefixedstring" },
  random_id: { hex: "0a1b2c3d", b64_std: "ChssPQ==", b64_url: "ChssPQ", dec: "169552957" },
  random_integer: { result: 42 },
  random_uuid: { result: "00000000-0000-4000-8000-000000000000" },
  random_pet: {},
  random_shuffle: {},
};

type Json = Record<string, any>;

export interface RandomReplacement {
  readonly stack: Json;
  /** Addresses of the replaced resources. */
  readonly replaced: string[];
}

function literalFor(type: string, name: string, attribute: string): string | number {
  if (type === "random_pet" || attribute === "id") return `lane-fixed-${name}`.slice(0, 60);
  const literal = LITERALS[type]?.[attribute];
  if (literal === undefined) throw new Error(`random literal: no fixed value for ${type}.${name}.${attribute}; add one to LITERALS`);
  return literal;
}

/** Returns a copy of the stack with random_* resources replaced by literals. */
export function replaceRandomResources(stack: Json): RandomReplacement {
  const copy: Json = structuredClone(stack);
  const replaced: string[] = [];
  for (const type of Object.keys(copy.resource ?? {})) {
    if (!type.startsWith("random_")) continue;
    for (const name of Object.keys(copy.resource[type])) replaced.push(`${type}.${name}`);
    delete copy.resource[type];
  }
  if (copy.resource && Object.keys(copy.resource).length === 0) delete copy.resource;
  if (replaced.length === 0 && !copy.provider?.random) return { stack, replaced };

  if (copy.provider) delete copy.provider.random;
  if (copy.terraform?.required_providers) delete copy.terraform.required_providers.random;

  const reference = /\b(random_[a-z_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\b/g;
  const rewrite = (value: any): any => {
    if (typeof value === "string") {
      // A whole-string reference becomes the bare literal (keeps numbers numbers);
      // one inside a larger expression becomes an HCL literal in that expression.
      const whole = /^\$\{(random_[a-z_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/.exec(value);
      if (whole) return literalFor(whole[1], whole[2], whole[3]);
      return value.replace(reference, (_, type, name, attribute) => JSON.stringify(literalFor(type, name, attribute)));
    }
    if (Array.isArray(value)) {
      return value.filter((item) => !(typeof item === "string" && /^random_[a-z_]+\.[A-Za-z0-9_-]+$/.test(item))).map(rewrite);
    }
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v)]));
    return value;
  };
  return { stack: rewrite(copy), replaced };
}
