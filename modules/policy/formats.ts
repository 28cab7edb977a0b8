import { createHash } from "node:crypto";
import type { Finding, PolicyReport, Rule } from "./engine";
import type { Json } from "../common/json";

/** Where a finding's resource is declared: a path relative to the repository root, and a 1-based line. */
interface FindingLocation {
  readonly uri: string;
  readonly line: number;
}

export type Locate = (report: PolicyReport, finding: { readonly address: string }) => FindingLocation;

/** `--format json`: every report as data, with each finding's file and line. */
export function jsonReport(reports: readonly PolicyReport[], locate: Locate): Json {
  return {
    stacks: reports.map((report) => ({
      name: report.stack,
      findings: report.findings.map((f) => ({ ...f, ...locate(report, f) })),
      suppressed: report.suppressed.map((s) => ({ ...s, ...locate(report, s) })),
      notChecked: report.notChecked ?? [],
    })),
    errors: reports.flatMap((r) => r.findings).filter((f) => f.severity === "error").length,
  };
}

const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

/** Public IDs of a rule and where to read their meaning. */
function helpUri(id: string): string | undefined {
  if (/^CKV2?_AWS_\d+$/.test(id)) return `https://www.checkov.io/5.Policy%20Index/terraform.html#${id}`;
  if (/^AWS-\d{4}$/.test(id)) return `https://avd.aquasec.com/misconfig/aws/${id.toLowerCase()}`;
  return undefined;
}

/**
 * `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it (one run; the pack's
 * rules as `tool.driver.rules`; one result per finding with its rule, level, message and
 * the resource's file and line as the physical location, its address and construct path
 * as logical locations). Suppressed findings are results with a `suppressions` entry
 * holding the reason, so code scanning shows them as dismissed rather than losing them.
 */
export function sarifReport(reports: readonly PolicyReport[], rules: readonly Rule[], locate: Locate, version: string): Json {
  const descriptors = new Map<string, Json>();
  for (const rule of rules) {
    for (const id of rule.ids) {
      if (descriptors.has(id)) continue;
      descriptors.set(id, {
        id,
        name: id,
        shortDescription: { text: rule.title },
        fullDescription: { text: rule.note ? `${rule.title}. ${rule.note}` : rule.title },
        help: { text: `Fix: ${rule.fix}` },
        ...(helpUri(id) ? { helpUri: helpUri(id) } : {}),
        defaultConfiguration: { level: rule.severity },
        properties: { tags: ["security", "terraform"], resourceTypes: rule.types },
      });
    }
  }
  const ruleIds = (finding: { rule: string }) => finding.rule.split("/");
  for (const report of reports) {
    for (const f of [...report.findings, ...report.suppressed]) {
      for (const id of ruleIds(f)) {
        if (!descriptors.has(id))
          descriptors.set(id, { id, name: id, shortDescription: { text: id }, defaultConfiguration: { level: "error" } });
      }
    }
  }
  const index = new Map([...descriptors.keys()].map((id, i) => [id, i]));
  const result = (report: PolicyReport, f: Finding | PolicyReport["suppressed"][number], level: string, text: string, extra: Json) => {
    const ruleId = ruleIds(f)[0];
    const where = locate(report, f);
    return {
      ruleId,
      ruleIndex: index.get(ruleId),
      level,
      message: { text },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: where.uri }, region: { startLine: where.line } },
          logicalLocations: [
            { name: f.address, fullyQualifiedName: `${report.stack}/${f.address}`, kind: "resource" },
            // The construct path, when the stack came from cdktf.
            ...(f.path === `${report.stack}/${f.address}` ? [] : [{ name: f.path, kind: "module" }]),
          ],
        },
      ],
      // Stable across line moves: code scanning matches a result to the one before by it.
      partialFingerprints: { "ecgPolicyFinding/v1": fingerprint(report.stack, ruleId, f.address) },
      ...extra,
    };
  };
  const results = reports.flatMap((report) => [
    ...report.findings.map((f) => result(report, f, f.severity, `${f.address}: ${f.found}. Fix: ${f.fix}`, {})),
    ...report.suppressed.map((s) =>
      result(report, s, "note", `${s.address}: suppressed`, { suppressions: [{ kind: "inSource", justification: s.reason }] }),
    ),
  ]);
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "ecg-policy", semanticVersion: version, rules: [...descriptors.values()] } },
        invocations: [
          {
            executionSuccessful: true,
            // Rules an input could not be judged by (a plan lacks what they read), so a clean run does not overstate.
            toolExecutionNotifications: reports.flatMap((report) =>
              (report.notChecked ?? []).map((n) => ({
                level: "note",
                message: { text: `${report.stack}: ${n.rule} not checked: ${n.reason}` },
                associatedRule: { id: n.rule.split("/")[0], index: index.get(n.rule.split("/")[0]) },
              })),
            ),
          },
        ],
        results,
        columnKind: "utf16CodeUnits",
      },
    ],
  };
}

const fingerprint = (...parts: string[]) => createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 32);
