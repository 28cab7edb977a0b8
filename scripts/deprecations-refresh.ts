/**
 * `npm run deprecations:refresh`: asks the AWS APIs which RDS for PostgreSQL
 * and ElastiCache versions exist and rewrites the OBSERVED part of
 * modules/common/deprecations.ts (between its BEGIN/END OBSERVED markers),
 * sorted, so the same answers always write the same file. The curated
 * entries are left as they are and win over observations.
 *
 * Calls (AWS Query API, SigV4-signed with node:crypto, no SDK):
 *  - RDS DescribeDBEngineVersions (Engine=postgres, IncludeAll=true): every
 *    minor and its Status (`available` or `deprecated`);
 *  - RDS DescribeDBMajorEngineVersions (Engine=postgres): each major's
 *    SupportedEngineLifecycles, whose `open-source-rds-standard-support`
 *    LifecycleSupportEndDate is the major's end of standard support;
 *  - ElastiCache DescribeCacheEngineVersions: the Redis OSS and Valkey
 *    versions that can be created (EngineVersion, CacheParameterGroupFamily).
 *
 * Needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN when
 * temporary) and AWS_REGION (default ap-northeast-2, the primary region);
 * without credentials it changes nothing and says so. ECG_TODAY sets the
 * observation day.
 */
import { createHash, createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CalendarEntry, isoDay, OBSERVED, today } from "../modules/common/deprecations";

// ---------------------------------------------------------------- XML (the Query API's answers)

/** An XML element: its name, child elements and text. */
export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  text: string;
}

const decode = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

/** Parses the element tree of a Query API response (no attributes, no CDATA: the APIs use neither for these fields). */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: "#root", children: [], text: "" };
  const stack = [root];
  for (const [, close, name, selfClose, text] of xml.matchAll(/<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>|([^<]+)|<[?!][^>]*>/g)) {
    const top = stack[stack.length - 1];
    if (text !== undefined) top.text += decode(text);
    else if (!name) continue;
    else if (close) stack.length > 1 && stack.pop();
    else {
      const element: XmlElement = { name, children: [], text: "" };
      top.children.push(element);
      if (!selfClose) stack.push(element);
    }
  }
  return root;
}

/** Every descendant element named `name`. */
const all = (e: XmlElement, name: string): XmlElement[] => e.children.flatMap((c) => [...(c.name === name ? [c] : []), ...all(c, name)]);
/** The trimmed text of the direct child `name`. */
const child = (e: XmlElement, name: string): string | undefined => e.children.find((c) => c.name === name)?.text.trim();

// ---------------------------------------------------------------- the answers, parsed (pure)

export interface RdsMinor {
  readonly version: string;
  /** `available` or `deprecated` (DBEngineVersion.Status). */
  readonly status: string;
}

export interface RdsMajor {
  readonly major: string;
  /** LifecycleSupportEndDate of `open-source-rds-standard-support`, as a day. */
  readonly standardSupportEnds?: string;
}

export interface CacheVersion {
  readonly engine: string;
  readonly version: string;
  readonly family?: string;
}

/** DescribeDBEngineVersionsResult: DBEngineVersions.DBEngineVersion[].EngineVersion / Status. */
export function parseDbEngineVersions(xml: string): { versions: RdsMinor[]; marker?: string } {
  const tree = parseXml(xml);
  const versions = all(tree, "DBEngineVersions")
    .flatMap((list) => list.children.filter((c) => c.name === "DBEngineVersion"))
    .filter((v) => (child(v, "Engine") ?? "postgres") === "postgres")
    .map((v) => ({ version: child(v, "EngineVersion") ?? "", status: child(v, "Status") ?? "available" }))
    .filter((v) => v.version !== "");
  return { versions, marker: all(tree, "Marker")[0]?.text.trim() || undefined };
}

/** DescribeDBMajorEngineVersionsResult: DBMajorEngineVersions.DBMajorEngineVersion[].MajorEngineVersion / SupportedEngineLifecycles. */
export function parseDbMajorEngineVersions(xml: string): { majors: RdsMajor[]; marker?: string } {
  const tree = parseXml(xml);
  const majors = all(tree, "DBMajorEngineVersion")
    .filter((m) => (child(m, "Engine") ?? "postgres") === "postgres")
    .map((m) => {
      const standard = all(m, "SupportedEngineLifecycle").find(
        (l) => child(l, "LifecycleSupportName") === "open-source-rds-standard-support",
      );
      const end = standard && child(standard, "LifecycleSupportEndDate");
      return { major: child(m, "MajorEngineVersion") ?? "", standardSupportEnds: end ? end.slice(0, 10) : undefined };
    })
    .filter((m) => m.major !== "");
  return { majors, marker: all(tree, "Marker")[0]?.text.trim() || undefined };
}

/** DescribeCacheEngineVersionsResult: CacheEngineVersions.CacheEngineVersion[].Engine / EngineVersion / CacheParameterGroupFamily. */
export function parseCacheEngineVersions(xml: string): { versions: CacheVersion[]; marker?: string } {
  const tree = parseXml(xml);
  const versions = all(tree, "CacheEngineVersion")
    .map((v) => ({
      engine: child(v, "Engine") ?? "",
      version: child(v, "EngineVersion") ?? "",
      family: child(v, "CacheParameterGroupFamily"),
    }))
    .filter((v) => ["redis", "valkey"].includes(v.engine) && v.version !== "");
  return { versions, marker: all(tree, "Marker")[0]?.text.trim() || undefined };
}

// ---------------------------------------------------------------- observations -> calendar entries (pure)

export interface Observations {
  readonly day: string;
  readonly region: string;
  readonly rdsMinors: readonly RdsMinor[];
  readonly rdsMajors: readonly RdsMajor[];
  readonly cacheVersions: readonly CacheVersion[];
}

/** Numeric order of dotted versions behind an optional `engine:` prefix. */
export function compareVersions(a: string, b: string): number {
  const split = (v: string) => {
    const [engine, version] = v.includes(":") ? v.split(":", 2) : ["", v];
    return { engine, parts: version.split(/[.-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p)) };
  };
  const x = split(a);
  const y = split(b);
  if (x.engine !== y.engine) return x.engine < y.engine ? -1 : 1;
  for (let i = 0; i < Math.max(x.parts.length, y.parts.length); i++) {
    const p = x.parts[i];
    const q = y.parts[i];
    if (p === q) continue;
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (typeof p === "number" && typeof q === "number") return p - q;
    return String(p) < String(q) ? -1 : 1;
  }
  return 0;
}

const KIND_ORDER = ["lambda-runtime", "rds-postgres", "elasticache", "gpu-ami"];

/**
 * The OBSERVED entries for `observed`, merged with the `previous` ones: a
 * version first seen deprecated (RDS) or gone from the list (ElastiCache)
 * keeps the day it was first seen so, and a re-run on the same answers
 * writes the same entries. Sorted by kind, then version.
 */
export function observedEntries(observed: Observations, previous: readonly CalendarEntry[] = []): CalendarEntry[] {
  const { day, region } = observed;
  const before = new Map(previous.map((e) => [`${e.kind} ${e.value}`, e]));
  const blockedSince = (kind: string, value: string) => before.get(`${kind} ${value}`)?.createBlocked ?? day;
  const entries: CalendarEntry[] = [];
  for (const m of observed.rdsMajors) {
    entries.push(
      m.standardSupportEnds
        ? {
            kind: "rds-postgres",
            value: m.major,
            createBlocked: m.standardSupportEnds,
            source: `DescribeDBMajorEngineVersions (${region}, ${day}): open-source-rds-standard-support ends ${m.standardSupportEnds}`,
          }
        : {
            kind: "rds-postgres",
            value: m.major,
            source: `DescribeDBMajorEngineVersions (${region}, ${day}): no standard-support end date reported`,
          },
    );
  }
  for (const v of observed.rdsMinors) {
    const deprecated = v.status === "deprecated";
    const since = deprecated ? blockedSince("rds-postgres", v.version) : undefined;
    entries.push(
      deprecated
        ? {
            kind: "rds-postgres",
            value: v.version,
            createBlocked: since,
            source: `DescribeDBEngineVersions (${region}): Status=deprecated, first seen ${since}`,
          }
        : { kind: "rds-postgres", value: v.version, source: `DescribeDBEngineVersions (${region}, ${day}): Status=available` },
    );
  }
  const listed = new Set(observed.cacheVersions.map((v) => `${v.engine}:${v.version}`));
  for (const v of observed.cacheVersions) {
    entries.push({
      kind: "elasticache",
      value: `${v.engine}:${v.version}`,
      source: `DescribeCacheEngineVersions (${region}, ${day}): listed${v.family ? ` (${v.family})` : ""}`,
    });
  }
  for (const e of previous.filter((p) => p.kind === "elasticache" && !listed.has(p.value))) {
    const since = blockedSince("elasticache", e.value);
    entries.push({
      kind: "elasticache",
      value: e.value,
      createBlocked: since,
      source: `DescribeCacheEngineVersions (${region}): no longer listed, first seen so ${since}`,
    });
  }
  const unique = new Map(entries.map((e) => [`${e.kind} ${e.value}`, e]));
  return [...unique.values()].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || compareVersions(a.value, b.value));
}

const BEGIN = "// BEGIN OBSERVED";
const END = "// END OBSERVED";

/** The OBSERVED block of the calendar file for `entries`: one entry a line, fields in a fixed order. */
export function renderObserved(entries: readonly CalendarEntry[]): string {
  const line = (e: CalendarEntry) =>
    `  { ${[
      `kind: ${JSON.stringify(e.kind)}`,
      `value: ${JSON.stringify(e.value)}`,
      ...(e.deprecated ? [`deprecated: ${JSON.stringify(e.deprecated)}`] : []),
      ...(e.createBlocked ? [`createBlocked: ${JSON.stringify(e.createBlocked)}`] : []),
      `source: ${JSON.stringify(e.source)}`,
    ].join(", ")} },`;
  const body = entries.length ? `[\n${entries.map(line).join("\n")}\n]` : "[]";
  return `/** RDS/ElastiCache versions as the AWS APIs reported them; curated entries win over these. */\nexport const OBSERVED: readonly CalendarEntry[] = ${body};`;
}

/** `source` (the calendar file's text) with its OBSERVED block replaced; throws when the markers are missing. */
export function replaceObserved(source: string, entries: readonly CalendarEntry[]): string {
  const start = source.indexOf(BEGIN);
  const end = source.indexOf(END);
  if (start < 0 || end < start) throw new Error(`the calendar file has no "${BEGIN}" ... "${END}" block to rewrite`);
  const afterBegin = source.indexOf("\n", start) + 1;
  return `${source.slice(0, afterBegin)}${renderObserved(entries)}\n${source.slice(end)}`;
}

// ---------------------------------------------------------------- the calls (network; not run by the tests)

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

const sha256 = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/** Headers of a SigV4-signed Query API POST of `body` to `host`. */
export function signQuery(
  service: string,
  region: string,
  host: string,
  body: string,
  credentials: Credentials,
  now: Date,
): Record<string, string> {
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded; charset=utf-8",
    host,
    "x-amz-date": amzDate,
    ...(credentials.sessionToken ? { "x-amz-security-token": credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const canonical = ["POST", "/", "", ...names.map((n) => `${n}:${headers[n]}`), "", names.join(";"), sha256(body)].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  const key = [date, region, service, "aws4_request"].reduce<Buffer | string>(
    (k, part) => hmac(k, part),
    `AWS4${credentials.secretAccessKey}`,
  );
  const signature = createHmac("sha256", key).update(toSign, "utf8").digest("hex");
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
  };
}

async function query(
  service: "rds" | "elasticache",
  version: string,
  region: string,
  credentials: Credentials,
  params: Record<string, string>,
): Promise<string> {
  const host = `${service}.${region}.amazonaws.com`;
  const body = new URLSearchParams({ Version: version, ...params }).toString();
  const response = await fetch(`https://${host}/`, {
    method: "POST",
    headers: signQuery(service, region, host, body, credentials, new Date()),
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${service} ${params.Action} failed (${response.status}): ${text.slice(0, 500)}`);
  return text;
}

/** Every page of a paginated call, through `parse`'s marker. */
async function pages<T>(
  call: (marker?: string) => Promise<string>,
  parse: (xml: string) => { marker?: string } & T,
  pick: (page: T) => unknown[],
): Promise<unknown[]> {
  const items: unknown[] = [];
  let marker: string | undefined;
  do {
    const page = parse(await call(marker));
    items.push(...pick(page));
    marker = page.marker;
  } while (marker);
  return items;
}

async function main(): Promise<number> {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (!accessKeyId || !secretAccessKey) {
    console.error(
      "deprecations:refresh: no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): the calendar is unchanged",
    );
    return 0;
  }
  const credentials = { accessKeyId, secretAccessKey, sessionToken };
  const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "ap-northeast-2";
  const rds = (params: Record<string, string>) => (marker?: string) =>
    query("rds", "2014-10-31", region, credentials, { ...params, ...(marker ? { Marker: marker } : {}) });
  const rdsMinors = (await pages(
    rds({ Action: "DescribeDBEngineVersions", Engine: "postgres", IncludeAll: "true" }),
    parseDbEngineVersions,
    (p) => p.versions,
  )) as RdsMinor[];
  const rdsMajors = (await pages(
    rds({ Action: "DescribeDBMajorEngineVersions", Engine: "postgres" }),
    parseDbMajorEngineVersions,
    (p) => p.majors,
  )) as RdsMajor[];
  const cacheVersions = (await pages(
    (marker) =>
      query("elasticache", "2015-02-02", region, credentials, {
        Action: "DescribeCacheEngineVersions",
        ...(marker ? { Marker: marker } : {}),
      }),
    parseCacheEngineVersions,
    (p) => p.versions,
  )) as CacheVersion[];
  const entries = observedEntries({ day: isoDay(today()), region, rdsMinors, rdsMajors, cacheVersions }, OBSERVED);
  const file = join(__dirname, "..", "modules", "common", "deprecations.ts");
  writeFileSync(file, replaceObserved(readFileSync(file, "utf8"), entries));
  console.log(
    `deprecations:refresh: ${entries.length} observed entries (${rdsMinors.length} PostgreSQL minors, ${rdsMajors.length} majors, ${cacheVersions.length} cache versions) written to ${file}`,
  );
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(`deprecations:refresh: ${error instanceof Error ? error.message : error}`);
      process.exit(1);
    },
  );
}
