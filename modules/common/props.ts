/**
 * Refuses a construct's props with every problem at once, each naming the
 * field and the reason: `Kind "id" is misconfigured:\n  - field: reason`.
 */
export function refuseProps(kind: string, id: string, problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(`${kind} "${id}" is misconfigured:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}
