/** A secret as the emulator holds it: every version's string. */
export interface StoredSecret {
  readonly name: string;
  readonly versions: readonly string[];
  /** Versions the emulator lists but cannot return. @default 0 */
  readonly unreadable?: number;
}

/** JSON fields that hold a secret's secret part (RDS rotation templates: `password`; the application secrets: `value`). */
const SECRET_FIELDS = /password|value|token|key|secret/i;
/** Shorter strings (a port, an engine name) are not secrets and occur in any state. */
const MIN_LENGTH = 16;

/** The strings of a version that must not be in a state: the whole string and, of a JSON object, its secret-looking fields. */
export function secretParts(text: string): string[] {
  const parts = [text];
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      for (const [field, value] of Object.entries(parsed)) if (typeof value === "string" && SECRET_FIELDS.test(field)) parts.push(value);
    }
  } catch {
    // Not JSON: the whole string is the secret.
  }
  return parts.filter((part) => part.length >= MIN_LENGTH);
}

/**
 * The secrets with a value in `state`, by name (never the value), how many
 * values were looked for, and the secrets with versions the emulator could
 * not return (named, so a report shows what was not looked at).
 */
export function secretsInState(
  state: string,
  secrets: readonly StoredSecret[],
): { readonly found: string[]; readonly values: number; readonly unreadable: string[] } {
  let values = 0;
  const found = secrets.filter((secret) => {
    const parts = secret.versions.flatMap(secretParts);
    values += parts.length;
    return parts.some((part) => state.includes(part));
  });
  const unreadable = secrets.filter((secret) => (secret.unreadable ?? 0) > 0).map((secret) => secret.name);
  return { found: found.map((secret) => secret.name), values, unreadable };
}
