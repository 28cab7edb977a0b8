/**
 * The deprecation calendar (issue #13, item 10): Lambda runtimes, RDS for
 * PostgreSQL versions, ElastiCache engine versions and the ECS GPU AMI family,
 * each with the date it is deprecated and the date from which it can no longer
 * be created, and the document those dates rest on. Data and pure functions
 * only: `deprecationFindings` judges one configured value against a given day.
 *
 * Never invent a date: an entry whose date was not found says so in `source`
 * and carries no date (it is then neither an error nor a warning).
 */

export type DeprecationKind = "lambda-runtime" | "rds-postgres" | "elasticache" | "gpu-ami";

/** One value of the calendar. Dates are ISO days (`YYYY-MM-DD`, UTC). */
export interface CalendarEntry {
  readonly kind: DeprecationKind;
  /**
   * The value as configured. `lambda-runtime`, `gpu-ami`: the exact runtime
   * identifier / SSM parameter name. `rds-postgres`: a major (`15`) or a minor
   * (`15.4`). `elasticache`: `<engine>:<version prefix>`, e.g. `redis:7.0`
   * (matches 7.0 and 7.0.7).
   */
  readonly value: string;
  /** End of (standard) support or runtime deprecation: still creatable, no longer patched. */
  readonly deprecated?: string;
  /**
   * From this day the value can no longer be created (Lambda "block function
   * create", an RDS minor's creation block). For an RDS major: its RDS end of
   * standard support, after which a new instance is enrolled in paid RDS
   * Extended Support, which this project does not accept.
   */
  readonly createBlocked?: string;
  /** Document title or URL the dates rest on, or why no date is given. */
  readonly source: string;
  /** What to use instead. */
  readonly replacement?: string;
}

export interface DeprecationFinding {
  readonly level: "error" | "warning";
  readonly reason: string;
}

/** A warning this many days before a value can no longer be created. */
const WARNING_DAYS = 90;

const LAMBDA_DOC =
  "AWS Lambda Developer Guide, Lambda runtimes: supported and deprecated runtimes (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html)";
const LAMBDA_NODE_DOC =
  "AWS Lambda Developer Guide, Building Lambda functions with Node.js: supported runtimes table (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html)";
const RDS_CALENDAR =
  "Amazon RDS for PostgreSQL Release Notes, release calendars (https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html)";
const ECS_AL2_TO_AL2023 =
  "Amazon ECS Developer Guide, AL2 to AL2023 ECS-optimized AMI transition (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/al2-to-al2023-ami-transition.html)";

/** Hand-curated entries, each with its source. Refreshed RDS/ElastiCache observations are in OBSERVED below. */
const CURATED: readonly CalendarEntry[] = [
  // ------------------------------------------------------------ Lambda runtimes
  {
    kind: "lambda-runtime",
    value: "nodejs18.x",
    deprecated: "2025-09-01",
    createBlocked: "2026-06-01",
    source: `${LAMBDA_DOC}, as quoted on 2026-01-06 in aws-cloudformation/cfn-lint#4334 (block create Jun 1, 2026, block update Jul 1, 2026); not re-verified after AWS's June 2026 extensions (cfn-lint#4532)`,
    replacement: "nodejs22.x or nodejs24.x",
  },
  {
    kind: "lambda-runtime",
    value: "nodejs20.x",
    deprecated: "2026-04-30",
    createBlocked: "2027-02-01",
    source: `${LAMBDA_DOC}, as quoted on 2026-06-02 in aws-cloudformation/cfn-lint#4531 (block create Feb 1, 2027, block update Mar 3, 2027; extended from Jun 1 / Jul 1, 2026)`,
    replacement: "nodejs22.x or nodejs24.x",
  },
  {
    kind: "lambda-runtime",
    value: "nodejs22.x",
    deprecated: "2027-04-30",
    createBlocked: "2027-06-01",
    source: `${LAMBDA_NODE_DOC} (block update Jul 1, 2027)`,
    replacement: "nodejs24.x",
  },
  {
    kind: "lambda-runtime",
    value: "nodejs24.x",
    deprecated: "2028-04-30",
    createBlocked: "2028-06-01",
    source: `${LAMBDA_NODE_DOC} (block update Jul 1, 2028)`,
  },
  {
    kind: "lambda-runtime",
    value: "python3.9",
    deprecated: "2025-12-15",
    source: `${LAMBDA_DOC} via terraform-linters/tflint-ruleset-aws aws_lambda_function_deprecated_runtime; block-create date not found as of 2026-12-01`,
    replacement: "python3.13",
  },
  {
    kind: "lambda-runtime",
    value: "python3.12",
    deprecated: "2028-10-31",
    source: `${LAMBDA_DOC} via terraform-linters/tflint-ruleset-aws; block-create date not found as of 2026-12-01`,
  },
  {
    kind: "lambda-runtime",
    value: "python3.13",
    deprecated: "2029-06-30",
    source: `${LAMBDA_DOC} via terraform-linters/tflint-ruleset-aws; block-create date not found as of 2026-12-01`,
  },

  // ------------------------------------------------------------ RDS for PostgreSQL majors
  {
    kind: "rds-postgres",
    value: "15",
    createBlocked: "2028-02-29",
    source: `${RDS_CALENDAR}: major 15 end of standard support 29 February 2028`,
  },
  {
    kind: "rds-postgres",
    value: "16",
    createBlocked: "2029-02-28",
    source: `${RDS_CALENDAR}: major 16 end of standard support 28 February 2029 (as recorded by endoflife-date/endoflife.date#4632)`,
  },
  {
    kind: "rds-postgres",
    value: "17",
    source: `${RDS_CALENDAR}: end of standard support of major 17 not found as of 2026-12-01 (run npm run deprecations:refresh)`,
  },

  // ------------------------------------------------------------ RDS for PostgreSQL 15 minors
  ...["15.4", "15.5", "15.6"].map(
    (value): CalendarEntry => ({
      kind: "rds-postgres",
      value,
      deprecated: "2025-03-31",
      createBlocked: "2024-12-09",
      source:
        'AWS Health notice "Amazon RDS for PostgreSQL minor versions 13.11 ... 15.4, 15.5, 15.6 ... end of standard support March 31, 2025; no new instances from December 9, 2024", quoted in aws/aws-cdk#33663',
      replacement: "15 (auto minor version upgrade) or a supported 15.x",
    }),
  ),
  ...["15.7", "15.8"].map(
    (value): CalendarEntry => ({
      kind: "rds-postgres",
      value,
      deprecated: "2025-10-31",
      createBlocked: "2025-10-01",
      source:
        'AWS Health notice "Amazon RDS for PostgreSQL is deprecating minor versions on October 31, 2025" (15.7, 15.8; no new instances from October 1, 2025), quoted in ministryofjustice/modernisation-platform#11245',
      replacement: "15 (auto minor version upgrade) or a supported 15.x",
    }),
  ),
  ...["15.9", "15.10", "15.11", "15.12"].map(
    (value): CalendarEntry => ({
      kind: "rds-postgres",
      value,
      deprecated: "2026-05-31",
      createBlocked: "2026-05-01",
      source:
        'AWS Health notice "RDS for PostgreSQL minor versions ... 15.9, 15.10, 15.11, 15.12 ... end of standard support May 31, 2026; no new instances from May 1, 2026", quoted in the saayam-for-all/database wiki (2026-05-30)',
      replacement: "15 (auto minor version upgrade) or 15.15+",
    }),
  ),
  {
    kind: "rds-postgres",
    value: "15.15",
    source:
      'Named as the upgrade target of the May 2026 notice ("15.15 (or higher)"); its end of standard support not found as of 2026-12-01',
  },
  {
    kind: "rds-postgres",
    value: "15.17",
    source:
      'AWS What\'s New 2026-02 "RDS minor versions 18.3, 17.9, 16.13, 15.17, 14.22" (aws-cloudformation/cfn-lint#4378); its end of standard support not found as of 2026-12-01',
  },

  // ------------------------------------------------------------ ElastiCache
  {
    kind: "elasticache",
    value: "redis:4.0",
    deprecated: "2026-01-31",
    source:
      "Amazon ElastiCache User Guide, ElastiCache Extended Support: Redis OSS 4 and 5 end of standard support January 31, 2026 (extended support to January 31, 2029); no creation block published",
    replacement: "valkey:8.0",
  },
  {
    kind: "elasticache",
    value: "redis:5.0",
    deprecated: "2026-01-31",
    source:
      "Amazon ElastiCache User Guide, ElastiCache Extended Support: Redis OSS 4 and 5 end of standard support January 31, 2026; no creation block published",
    replacement: "valkey:8.0",
  },
  {
    kind: "elasticache",
    value: "redis:6",
    source:
      "Amazon ElastiCache User Guide, Supported engines and versions: Redis OSS 6.0/6.2 supported; end of standard support not found as of 2026-12-01",
  },
  {
    kind: "elasticache",
    value: "redis:7.0",
    source:
      "Amazon ElastiCache User Guide, Supported engines and versions: Redis OSS 7.0 supported; end of standard support not found as of 2026-12-01",
    replacement: "valkey:7.2 or later (Redis OSS stops at 7.1)",
  },
  {
    kind: "elasticache",
    value: "redis:7.1",
    source:
      "Amazon ElastiCache User Guide, Supported engines and versions: Redis OSS 7.1 (last Redis OSS version); end of standard support not found as of 2026-12-01",
  },
  {
    kind: "elasticache",
    value: "valkey:7.2",
    source: "Amazon ElastiCache User Guide, Engine versions: Valkey 7.2.6 released 2024-10-10; no end-of-life published as of 2026-12-01",
  },
  {
    kind: "elasticache",
    value: "valkey:8",
    source: "Amazon ElastiCache User Guide, Engine versions: Valkey 8.0/8.1/8.2; no end-of-life published as of 2026-12-01",
  },
  {
    kind: "elasticache",
    value: "valkey:9",
    source: "Amazon ElastiCache User Guide, Engine versions: Valkey 9.0/9.1; no end-of-life published as of 2026-12-01",
  },

  // ------------------------------------------------------------ ECS GPU-optimized AMI
  {
    kind: "gpu-ami",
    value: "/aws/service/ecs/optimized-ami/amazon-linux-2/gpu/recommended/image_id",
    deprecated: "2026-06-30",
    source: `Amazon Linux 2 FAQs (https://aws.amazon.com/amazon-linux-2/faqs/): AL2 end of support 2026-06-30; ${ECS_AL2_TO_AL2023}. A date from which the AL2 GPU parameter stops resolving is not published as of 2026-12-01`,
    replacement: "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id",
  },
  {
    kind: "gpu-ami",
    value: "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id",
    source: `${ECS_AL2_TO_AL2023}; AL2023 ECS GPU AMI (aws/amazon-ecs-ami#370). No end of support published as of 2026-12-01`,
  },
];

// BEGIN OBSERVED (written by `npm run deprecations:refresh`; do not edit by hand)
/** RDS/ElastiCache versions as the AWS APIs reported them; curated entries win over these. */
export const OBSERVED: readonly CalendarEntry[] = [];
// END OBSERVED

/** The whole calendar: curated entries first (they win), then the API observations. */
export const CALENDAR: readonly CalendarEntry[] = [...CURATED, ...OBSERVED];

const DAY_MS = 24 * 60 * 60 * 1000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` as a UTC midnight, or undefined when it is not a real day. */
export function parseIsoDay(text: string): Date | undefined {
  const m = ISO_DAY.exec(text);
  if (!m) return undefined;
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return day.toISOString().slice(0, 10) === text ? day : undefined;
}

/** The UTC day of `date`, as `YYYY-MM-DD`. */
export const isoDay = (date: Date): string => date.toISOString().slice(0, 10);

/**
 * Today, the one clock of the calendar: `ECG_TODAY=YYYY-MM-DD` overrides the
 * system date (to check a future day, or to pin tests). Throws on a malformed
 * override rather than silently using the real date.
 */
export function today(env: Readonly<Record<string, string | undefined>> = process.env, now: () => Date = () => new Date()): Date {
  const override = env.ECG_TODAY?.trim();
  if (!override) {
    const clock = now();
    return new Date(Date.UTC(clock.getUTCFullYear(), clock.getUTCMonth(), clock.getUTCDate()));
  }
  const day = parseIsoDay(override);
  if (!day) throw new Error(`ECG_TODAY="${override}" is not a date: use YYYY-MM-DD, e.g. ECG_TODAY=2027-02-01`);
  return day;
}

/** RDS minor "15.4" -> major "15"; a major stays itself. */
const postgresMajor = (version: string) => version.split(".")[0];

/** The entries of `calendar` that judge `value` of `kind` (an RDS minor: its own entry and its major's). */
function calendarEntriesFor(kind: DeprecationKind, value: string, calendar: readonly CalendarEntry[] = CALENDAR): CalendarEntry[] {
  const ofKind = calendar.filter((e) => e.kind === kind);
  const first = (v: string) => ofKind.find((e) => e.value === v);
  if (kind === "rds-postgres") {
    const major = postgresMajor(value);
    return [...new Set([first(value), first(major)])].filter((e): e is CalendarEntry => e !== undefined);
  }
  if (kind === "elasticache") {
    // The longest prefix at a dot boundary: redis:7.0 for 7.0.7, redis:6 for 6.2.
    const match = ofKind
      .filter((e) => value === e.value || value.startsWith(`${e.value}.`))
      .sort((a, b) => b.value.length - a.value.length)[0];
    return match ? [match] : [];
  }
  const exact = first(value);
  return exact ? [exact] : [];
}

const daysBetween = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / DAY_MS);
const LABEL: Record<DeprecationKind, string> = {
  "lambda-runtime": "Lambda runtime",
  "rds-postgres": "RDS for PostgreSQL",
  elasticache: "ElastiCache engine",
  "gpu-ami": "ECS GPU AMI parameter",
};

/** One entry's verdict on `day`, or undefined when nothing is due. */
function judge(entry: CalendarEntry, value: string, day: Date): DeprecationFinding | undefined {
  const what = `${LABEL[entry.kind]} ${entry.value === value ? `"${value}"` : `"${value}" (${entry.value})`}`;
  const instead = entry.replacement ? `; use ${entry.replacement}` : "";
  const cite = ` [${entry.source}]`;
  const blocked = entry.createBlocked ? parseIsoDay(entry.createBlocked) : undefined;
  const deprecated = entry.deprecated ? parseIsoDay(entry.deprecated) : undefined;
  if (blocked && day >= blocked) {
    return { level: "error", reason: `${what} can no longer be created since ${entry.createBlocked}${instead}${cite}` };
  }
  const notes: string[] = [];
  if (deprecated && day >= deprecated) notes.push(`is deprecated since ${entry.deprecated}`);
  else if (deprecated && daysBetween(day, deprecated) <= WARNING_DAYS)
    notes.push(`is deprecated on ${entry.deprecated} (in ${daysBetween(day, deprecated)} days)`);
  if (blocked && daysBetween(day, blocked) <= WARNING_DAYS)
    notes.push(`can no longer be created from ${entry.createBlocked} (in ${daysBetween(day, blocked)} days)`);
  if (notes.length === 0) return undefined;
  if (deprecated && day >= deprecated && !blocked) notes.push("(no creation-block date in the calendar)");
  return { level: "warning", reason: `${what} ${notes.join(" and ")}${instead}${cite}` };
}

/**
 * What the calendar says about `value` of `kind` on `day`: an error when it
 * can no longer be created, a warning when it is deprecated or cannot be
 * created within WARNING_DAYS, and a warning when the calendar does not know
 * it (add it). Empty when nothing is due.
 */
export function deprecationFindings(
  kind: DeprecationKind,
  value: string,
  day: Date,
  calendar: readonly CalendarEntry[] = CALENDAR,
): DeprecationFinding[] {
  const entries = calendarEntriesFor(kind, value, calendar);
  const exact = kind === "rds-postgres" ? entries.some((e) => e.value === value) : entries.length > 0;
  const findings = entries.map((e) => judge(e, value, day)).filter((f): f is DeprecationFinding => f !== undefined);
  if (!exact && !findings.some((f) => f.level === "error")) {
    findings.push({
      level: "warning",
      reason: `${LABEL[kind]} "${value}" is not in the deprecation calendar: add it with its dates and source to modules/common/deprecations.ts (or run npm run deprecations:refresh)`,
    });
  }
  return findings;
}
