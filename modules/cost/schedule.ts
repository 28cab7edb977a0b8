/**
 * Hours per week at each minimum of an Auto Scaling group from its recurring
 * scheduled actions (`aws_autoscaling_schedule`): each action sets the minimum
 * when its cron fires, in its time zone, until the next one fires. Costing in
 * the schedule's own time zone needs no time-zone arithmetic: a week has the
 * same 168 hours in every zone.
 */

/** One recurring scheduled action: a cron in the schedule's time zone and the minimum it sets. */
export interface RecurringMinimum {
  readonly name: string;
  readonly recurrence: string;
  readonly minSize: number;
}

export const HOURS_PER_WEEK = 168;

/** A recurrence the model cannot place in a week (day of month or month set, a step): it says so instead of guessing. */
export class ScheduleError extends Error {}

const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

function dayNumber(token: string, cron: string): number {
  const upper = token.toUpperCase();
  const named = DAYS.indexOf(upper);
  if (named >= 0) return named;
  if (/^[0-7]$/.test(token)) return Number(token) % 7;
  throw new ScheduleError(`recurrence "${cron}": day of week "${token}" is not a day (SUN-SAT or 0-7)`);
}

/** Days of the week (0 = Sunday) a cron day-of-week field names: `*`, lists and ranges. */
function daysOf(field: string, cron: string): number[] {
  if (field === "*" || field === "?") return [0, 1, 2, 3, 4, 5, 6];
  const days = new Set<number>();
  for (const part of field.split(",")) {
    const [from, to] = part.split("-");
    if (to === undefined) days.add(dayNumber(from, cron));
    else
      for (let d = dayNumber(from, cron), end = dayNumber(to, cron); ; d = (d + 1) % 7) {
        days.add(d);
        if (d === end) break;
      }
  }
  return [...days];
}

function number(field: string, max: number, what: string, cron: string): number {
  if (!/^\d+$/.test(field) || Number(field) > max)
    throw new ScheduleError(`recurrence "${cron}": ${what} "${field}" must be one number 0-${max}`);
  return Number(field);
}

/** The minutes of the week (0 = Sunday 00:00) a cron `m h * * dow` fires at. */
function firings(cron: string): number[] {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) throw new ScheduleError(`recurrence "${cron}": expected five cron fields (minute hour day month weekday)`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields;
  if (dayOfMonth !== "*" || month !== "*")
    throw new ScheduleError(`recurrence "${cron}": only weekly schedules (day of month and month "*") can be costed`);
  const at = number(hour, 23, "hour", cron) * 60 + number(minute, 59, "minute", cron);
  return daysOf(dayOfWeek, cron).map((day) => day * 24 * 60 + at);
}

/**
 * Hours per week spent at each minimum: without schedules, `baseMinimum` all
 * week; with them, each minimum from its action's firing to the next firing
 * of any action (the week wraps around).
 */
export function hoursAtMinimums(baseMinimum: number, schedules: readonly RecurringMinimum[]): Map<number, number> {
  const events = schedules
    .flatMap((s) => firings(s.recurrence).map((minute) => ({ minute, minSize: s.minSize })))
    .sort((a, b) => a.minute - b.minute);
  const hours = new Map<number, number>();
  if (events.length === 0) return hours.set(baseMinimum, HOURS_PER_WEEK);
  const week = HOURS_PER_WEEK * 60;
  events.forEach((event, i) => {
    const next = events[(i + 1) % events.length].minute + (i + 1 === events.length ? week : 0);
    hours.set(event.minSize, (hours.get(event.minSize) ?? 0) + (next - event.minute) / 60);
  });
  return hours;
}
