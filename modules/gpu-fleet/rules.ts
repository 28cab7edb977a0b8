/** Rules a fleet's props and the environment's configuration share (one implementation for both). */

/** With schedules, they own the group's minimum: the base minimum must be one of them. */
export function scheduledBaseProblem(minSize: number, schedules: readonly { readonly minSize: number }[]): string | undefined {
  if (schedules.length === 0 || schedules.some((s) => s.minSize === minSize)) return undefined;
  return `${minSize} is none of the scheduled minimums (${schedules.map((s) => s.minSize).join(", ")}); the schedules own the minimum, so the base must be one of them`;
}

/** How long a host may hold its termination for its work: 1 minute to 24 hours. */
export function drainSecondsProblem(seconds: number): string | undefined {
  return Number.isInteger(seconds) && seconds >= 60 && seconds <= 86400
    ? undefined
    : `${seconds / 60} minutes: a host may wait 1-1440 minutes for its work`;
}
