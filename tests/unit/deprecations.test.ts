import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import type { TerraformStack } from "cdktf";
import { dev } from "../../environments/dev";
import { checkDeprecations, deprecationProblems } from "../../environments/deprecations-check";
import type { EnvironmentConfig } from "../../environments/types";
import { CALENDAR, type CalendarEntry, deprecationFindings, parseIsoDay, today } from "../../modules/common/deprecations";
import { deprecationRulesAt } from "../../modules/policy/rules/deprecations";
import {
  compareVersions,
  observedEntries,
  parseCacheEngineVersions,
  parseDbEngineVersions,
  parseDbMajorEngineVersions,
  renderObserved,
  replaceObserved,
  signQuery,
} from "../../scripts/deprecations-refresh";
import { evaluateFixture } from "./policy-fixtures";

/**
 * The deprecation calendar (issue #13, item 10): the dates and the documents
 * they rest on, the clock, the 90-day warning, the configuration check, the
 * policy rule ECG_DEPRECATION_1 and the refresh command's parsing of recorded
 * API responses (tests/fixtures/deprecations, no network).
 */

const day = (iso: string) => parseIsoDay(iso)!;
const levels = (kind: Parameters<typeof deprecationFindings>[0], value: string, iso: string) =>
  deprecationFindings(kind, value, day(iso)).map((f) => f.level);
const TODAY = "2026-12-01";
const AL2_GPU = "/aws/service/ecs/optimized-ami/amazon-linux-2/gpu/recommended/image_id";
const AL2023_GPU = "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id";

describe("calendar data", () => {
  test("every entry has a source, real ISO days, and creation is never blocked before the calendar says so twice", () => {
    for (const e of CALENDAR) {
      expect(e.source.trim().length).toBeGreaterThan(10);
      for (const date of [e.deprecated, e.createBlocked]) if (date !== undefined) expect(parseIsoDay(date)).toBeDefined();
    }
    const keys = CALENDAR.map((e) => `${e.kind} ${e.value}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test("an entry without dates says why (not published / not found), and judges nothing", () => {
    const undated = CALENDAR.filter((e) => !e.deprecated && !e.createBlocked);
    expect(undated.length).toBeGreaterThan(0);
    for (const e of undated) expect(e.source).toMatch(/not found|published|named|listed/i);
    expect(deprecationFindings("rds-postgres", "17", day(TODAY))).toEqual([]);
  });
});

describe("[AWS Lambda runtimes: supported and deprecated runtimes] Lambda runtimes", () => {
  test("[lambda-runtimes, as quoted in cfn-lint#4531] nodejs20.x is deprecated since 2026-04-30 and cannot be created from 2027-02-01", () => {
    expect(levels("lambda-runtime", "nodejs20.x", "2026-01-29")).toEqual([]);
    expect(levels("lambda-runtime", "nodejs20.x", TODAY)).toEqual(["warning"]);
    expect(deprecationFindings("lambda-runtime", "nodejs20.x", day(TODAY))[0].reason).toContain(
      "can no longer be created from 2027-02-01 (in 62 days)",
    );
    expect(levels("lambda-runtime", "nodejs20.x", "2027-01-31")).toEqual(["warning"]);
    expect(levels("lambda-runtime", "nodejs20.x", "2027-02-01")).toEqual(["error"]);
  });

  test("[lambda-runtimes, as quoted in cfn-lint#4334] nodejs18.x cannot be created since 2026-06-01", () => {
    expect(levels("lambda-runtime", "nodejs18.x", TODAY)).toEqual(["error"]);
    expect(deprecationFindings("lambda-runtime", "nodejs18.x", day(TODAY))[0].reason).toMatch(/since 2026-06-01; use nodejs22\.x/);
  });

  test("[Building Lambda functions with Node.js] nodejs22.x is clean today, warned 90 days before its 2027-04-30 deprecation, blocked from 2027-06-01", () => {
    expect(levels("lambda-runtime", "nodejs22.x", TODAY)).toEqual([]);
    expect(levels("lambda-runtime", "nodejs22.x", "2027-01-29")).toEqual([]);
    expect(levels("lambda-runtime", "nodejs22.x", "2027-01-30")).toEqual(["warning"]);
    expect(levels("lambda-runtime", "nodejs22.x", "2027-06-01")).toEqual(["error"]);
    expect(levels("lambda-runtime", "nodejs24.x", TODAY)).toEqual([]);
  });

  test("[tflint-ruleset-aws, from lambda-runtimes] python3.9 is deprecated since 2025-12-15; no block date was found, so a warning, never an invented error", () => {
    const [finding] = deprecationFindings("lambda-runtime", "python3.9", day(TODAY));
    expect(finding.level).toBe("warning");
    expect(finding.reason).toContain("no creation-block date in the calendar");
  });

  test("a runtime the calendar does not know is a warning to add it", () => {
    const [finding] = deprecationFindings("lambda-runtime", "ruby9.9", day(TODAY));
    expect(finding).toEqual({ level: "warning", reason: expect.stringContaining("is not in the deprecation calendar") });
  });
});

describe("[Amazon RDS for PostgreSQL release calendar and AWS Health notices] PostgreSQL", () => {
  test("[RDS notice quoted in aws-cdk#33663] 15.4 can no longer be created since 2024-12-09", () => {
    expect(levels("rds-postgres", "15.4", TODAY)).toEqual(["error"]);
    expect(levels("rds-postgres", "15.4", "2024-12-08")).toEqual(["warning"]);
    expect(deprecationFindings("rds-postgres", "15.4", day(TODAY))[0].reason).toContain("since 2024-12-09");
  });

  test("[RDS notices] 15.7/15.8 blocked since 2025-10-01, 15.9-15.12 since 2026-05-01", () => {
    expect(levels("rds-postgres", "15.8", "2025-10-01")).toEqual(["error"]);
    expect(levels("rds-postgres", "15.12", "2026-04-30")).toEqual(["warning"]);
    expect(levels("rds-postgres", "15.12", "2026-05-01")).toEqual(["error"]);
  });

  test("[RDS release calendar] a major alone (15, auto minor upgrades) is judged by its end of standard support, 2028-02-29", () => {
    expect(levels("rds-postgres", "15", TODAY)).toEqual([]);
    expect(levels("rds-postgres", "15", "2027-12-01")).toEqual(["warning"]);
    expect(levels("rds-postgres", "15", "2028-02-29")).toEqual(["error"]);
    // A minor is judged by its own date and by its major's.
    expect(levels("rds-postgres", "15.17", "2028-02-29")).toEqual(["error"]);
  });

  test("a minor missing from the calendar is a warning (its major still judges it), never a guessed error", () => {
    expect(levels("rds-postgres", "15.99", TODAY)).toEqual(["warning"]);
    expect(levels("rds-postgres", "15.17", TODAY)).toEqual([]);
  });
});

describe("[ElastiCache Extended Support / supported engine versions] ElastiCache and [Amazon Linux 2 FAQs] the GPU AMI", () => {
  test("Redis OSS 7.0 (the current cache) has no published end of support: nothing to report", () => {
    expect(levels("elasticache", "redis:7.0", TODAY)).toEqual([]);
    expect(levels("elasticache", "redis:7.0.7", TODAY)).toEqual([]);
  });

  test("[ElastiCache Extended Support] Redis OSS 5.0.6 is past its 2026-01-31 end of standard support: a warning", () => {
    expect(levels("elasticache", "redis:5.0.6", TODAY)).toEqual(["warning"]);
  });

  test("[Amazon Linux 2 FAQs] the AL2 ECS GPU AMI parameter is past AL2's 2026-06-30 end of support, the AL2023 one is clean", () => {
    const [finding] = deprecationFindings("gpu-ami", AL2_GPU, day(TODAY));
    expect(finding.level).toBe("warning");
    expect(finding.reason).toContain(AL2023_GPU);
    expect(deprecationFindings("gpu-ami", AL2023_GPU, day(TODAY))).toEqual([]);
  });
});

describe("the clock", () => {
  test("ECG_TODAY overrides the system date; the system date is taken as a UTC day otherwise", () => {
    expect(today({ ECG_TODAY: "2027-02-01" })).toEqual(day("2027-02-01"));
    expect(today({}, () => new Date("2026-12-01T23:30:00Z"))).toEqual(day(TODAY));
  });

  test("a malformed ECG_TODAY is refused, naming the variable", () => {
    expect(() => today({ ECG_TODAY: "2027-02-30" })).toThrow(/ECG_TODAY="2027-02-30" is not a date/);
    expect(() => today({ ECG_TODAY: "tomorrow" })).toThrow(/YYYY-MM-DD/);
  });
});

describe("the configuration check", () => {
  const withVersions = (engineVersion: string, cacheVersion = "7.0"): EnvironmentConfig => ({
    ...dev,
    database: { ...dev.database, engineVersion },
    cache: { ...dev.cache, engineVersion: cacheVersion },
  });

  test("engineVersion 15.4 is a problem naming the environment and the field; warnings are separate", () => {
    const { problems, warnings } = deprecationProblems([withVersions("15.4", "5.0.6")], day(TODAY));
    expect(problems).toEqual([
      { environment: dev.name, path: "database.engineVersion", reason: expect.stringContaining("since 2024-12-09") },
    ]);
    expect(warnings).toEqual([
      { environment: dev.name, path: "cache.engineVersion", reason: expect.stringContaining("deprecated since 2026-01-31") },
    ]);
  });

  test("the major 15 (auto minor upgrades) passes today", () => {
    expect(deprecationProblems([withVersions("15")], day(TODAY))).toEqual({ problems: [], warnings: [] });
  });

  test("checkDeprecations writes the warnings and returns the errors, for validateEnvironments", () => {
    const lines: string[] = [];
    const problems = checkDeprecations([withVersions("15.99")], day(TODAY), (line) => lines.push(line));
    expect(problems).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/^warning: dev: database\.engineVersion: .*not in the deprecation calendar/)]);
  });
});

describe("policy rule ECG_DEPRECATION_1 over the synthesized JSON", () => {
  const build = (runtime: string, engineVersion: string, amiParameter: string) => (stack: TerraformStack) => {
    new LambdaFunction(stack, "hook", {
      functionName: "ecg-hook",
      role: "arn:aws:iam::123456789012:role/hook",
      handler: "index.handler",
      runtime,
      filename: "hook.zip",
    });
    new DbInstance(stack, "db", {
      identifier: "ecg-db",
      engine: "postgres",
      engineVersion,
      instanceClass: "db.r6g.large",
      allocatedStorage: 20,
    });
    new ElasticacheReplicationGroup(stack, "redis", {
      replicationGroupId: "ecg-redis",
      description: "cache",
      engine: "redis",
      engineVersion: "7.0",
      nodeType: "cache.r6g.large",
    });
    new DataAwsSsmParameter(stack, "gpu-ami", { name: amiParameter });
  };
  const findings = (runtime: string, engineVersion: string, amiParameter: string, iso = TODAY) =>
    evaluateFixture(deprecationRulesAt(() => day(iso))[0], build(runtime, engineVersion, amiParameter)).report.findings.concat(
      evaluateFixture(deprecationRulesAt(() => day(iso))[1], build(runtime, engineVersion, amiParameter)).report.findings,
    );

  test("today's values: 15.4 is an error; nodejs20.x and the AL2 GPU AMI are warnings", () => {
    const found = findings("nodejs20.x", "15.4", AL2_GPU);
    expect(found.map((f) => [f.severity, f.address.split(".").slice(0, -1).join(".")]).sort()).toEqual([
      ["error", "aws_db_instance"],
      ["warning", "aws_lambda_function"],
      ["warning", "data.aws_ssm_parameter"],
    ]);
    expect(found.every((f) => f.rule === "ECG_DEPRECATION_1")).toBe(true);
    expect(found.find((f) => f.severity === "error")!.found).toContain('engine_version = "15.4"');
  });

  test("from 2027-02-01 (ECG_TODAY) nodejs20.x is an error too", () => {
    const found = findings("nodejs20.x", "15", AL2023_GPU, "2027-02-01");
    expect(found.map((f) => [f.severity, f.found.split(" = ")[0]])).toEqual([["error", "runtime"]]);
  });

  test("the replacements pass: nodejs22.x, major 15, the AL2023 GPU AMI", () => {
    expect(findings("nodejs22.x", "15", AL2023_GPU)).toEqual([]);
  });

  test("the default rules read the clock (ECG_TODAY)", () => {
    const saved = process.env.ECG_TODAY;
    process.env.ECG_TODAY = "2024-12-01";
    try {
      const [errorRule] = deprecationRulesAt();
      expect(evaluateFixture(errorRule, build("nodejs22.x", "15.4", AL2023_GPU)).report.findings).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.ECG_TODAY;
      else process.env.ECG_TODAY = saved;
    }
  });
});

describe("npm run deprecations:refresh, on recorded responses", () => {
  const fixture = (name: string) => readFileSync(join(__dirname, "..", "fixtures", "deprecations", name), "utf8");

  test("[RDS API DescribeDBEngineVersions] EngineVersion and Status of each DBEngineVersion, not of its upgrade targets; the Marker pages", () => {
    const first = parseDbEngineVersions(fixture("rds-describe-db-engine-versions.xml"));
    expect(first).toEqual({
      versions: [
        { version: "15.4", status: "deprecated" },
        { version: "15.15", status: "available" },
      ],
      marker: "page-2",
    });
    expect(parseDbEngineVersions(fixture("rds-describe-db-engine-versions-page-2.xml")).marker).toBeUndefined();
  });

  test("[RDS API DescribeDBMajorEngineVersions / SupportedEngineLifecycle] the open-source-rds-standard-support end date of each major", () => {
    expect(parseDbMajorEngineVersions(fixture("rds-describe-db-major-engine-versions.xml")).majors).toEqual([
      { major: "15", standardSupportEnds: "2028-02-29" },
      { major: "17", standardSupportEnds: undefined },
    ]);
  });

  test("[ElastiCache API DescribeCacheEngineVersions] Redis OSS and Valkey versions with their parameter group family (Memcached ignored)", () => {
    expect(parseCacheEngineVersions(fixture("elasticache-describe-cache-engine-versions.xml")).versions).toEqual([
      { engine: "redis", version: "7.0.7", family: "redis7" },
      { engine: "valkey", version: "8.0", family: "valkey8" },
    ]);
  });

  const observations = (dayIso: string) => ({
    day: dayIso,
    region: "ap-northeast-2",
    rdsMinors: [
      ...parseDbEngineVersions(fixture("rds-describe-db-engine-versions.xml")).versions,
      ...parseDbEngineVersions(fixture("rds-describe-db-engine-versions-page-2.xml")).versions,
    ],
    rdsMajors: parseDbMajorEngineVersions(fixture("rds-describe-db-major-engine-versions.xml")).majors,
    cacheVersions: parseCacheEngineVersions(fixture("elasticache-describe-cache-engine-versions.xml")).versions,
  });

  test("observations become sorted entries; a deprecated minor is blocked from the day first seen, and keeps that day", () => {
    const first = observedEntries(observations("2026-12-01"));
    expect(first.map((e) => e.value)).toEqual(["15", "15.4", "15.15", "15.17", "17", "17.7", "redis:7.0.7", "valkey:8.0"]);
    expect(first.find((e) => e.value === "15.4")!.createBlocked).toBe("2026-12-01");
    expect(first.find((e) => e.value === "15")!.createBlocked).toBe("2028-02-29");
    const later = observedEntries(observations("2027-01-15"), first);
    expect(later.find((e) => e.value === "15.4")!.createBlocked).toBe("2026-12-01");
  });

  test("a cache version no longer listed is blocked from the day it disappeared", () => {
    const previous: CalendarEntry[] = [{ kind: "elasticache", value: "redis:6.2.6", source: "listed before" }];
    const entries = observedEntries(observations("2026-12-01"), previous);
    expect(entries.find((e) => e.value === "redis:6.2.6")).toMatchObject({ createBlocked: "2026-12-01" });
  });

  test("the rewrite is deterministic and only touches the OBSERVED block of the calendar", () => {
    const file = readFileSync(join(__dirname, "..", "..", "modules", "common", "deprecations.ts"), "utf8");
    const entries = observedEntries(observations("2026-12-01"));
    const once = replaceObserved(file, entries);
    expect(replaceObserved(once, entries)).toBe(once);
    expect(once.split("// BEGIN OBSERVED")[0]).toBe(file.split("// BEGIN OBSERVED")[0]);
    expect(once.split("// END OBSERVED")[1]).toBe(file.split("// END OBSERVED")[1]);
    expect(once).toContain(renderObserved(entries));
    expect(replaceObserved(file, [])).toBe(file);
    expect(() => replaceObserved("no markers", entries)).toThrow(/BEGIN OBSERVED/);
  });

  test("versions sort numerically within an engine", () => {
    expect(["15.10", "15.9", "15", "valkey:8.0", "redis:7.0.7"].sort(compareVersions)).toEqual([
      "15",
      "15.9",
      "15.10",
      "redis:7.0.7",
      "valkey:8.0",
    ]);
  });

  test("[AWS Signature Version 4] requests are signed with the credential scope of the service and region", () => {
    const headers = signQuery(
      "rds",
      "ap-northeast-2",
      "rds.ap-northeast-2.amazonaws.com",
      "Action=DescribeDBEngineVersions",
      { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
      new Date("2026-12-01T00:00:00Z"),
    );
    expect(headers["x-amz-date"]).toBe("20261201T000000Z");
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261201\/ap-northeast-2\/rds\/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
  });
});
