/**
 * Building blocks of CloudWatch dashboard bodies (the JSON of
 * PutDashboard): metric widgets laid out left to right, top to bottom, on the
 * dashboard's 24-column grid.
 */

/** A metric line: `[namespace, name, dimension, value, ..., options?]`, or a math expression `[{ expression, id, label }]`. */
export type MetricLine = readonly (string | Readonly<Record<string, unknown>>)[];

export interface MetricWidget {
  readonly title: string;
  readonly metrics: readonly MetricLine[];
  /** @default "Average" */
  readonly stat?: string;
  /** Seconds. @default 60 */
  readonly period?: number;
  /** Y axis range of the left axis, e.g. 0-100 for percentages. @default - automatic */
  readonly yMax?: number;
}

/** Grid columns of a dashboard. */
const COLUMNS = 24;
const WIDTH = 8;
const HEIGHT = 6;

/** A metric line of `namespace`/`name` with `dimensions` (in order) and line options. */
export function metric(
  namespace: string,
  name: string,
  dimensions: Readonly<Record<string, string>>,
  options: Readonly<Record<string, unknown>> = {},
): MetricLine {
  const line: (string | Readonly<Record<string, unknown>>)[] = [namespace, name, ...Object.entries(dimensions).flat()];
  return Object.keys(options).length ? [...line, options] : line;
}

/** A metric math line. */
export const expression = (math: { readonly id: string; readonly expression: string; readonly label: string }): MetricLine => [
  { expression: math.expression, id: math.id, label: math.label },
];

/** The dashboard body: the widgets three to a row, 8 columns by 6 rows each. */
export function dashboardBody(region: string, widgets: readonly MetricWidget[]): string {
  const perRow = COLUMNS / WIDTH;
  return JSON.stringify({
    widgets: widgets.map((w, i) => ({
      type: "metric",
      x: (i % perRow) * WIDTH,
      y: Math.floor(i / perRow) * HEIGHT,
      width: WIDTH,
      height: HEIGHT,
      properties: {
        title: w.title,
        region,
        view: "timeSeries",
        stacked: false,
        stat: w.stat ?? "Average",
        period: w.period ?? 60,
        metrics: w.metrics,
        ...(w.yMax === undefined ? {} : { yAxis: { left: { min: 0, max: w.yMax } } }),
      },
    })),
  });
}
