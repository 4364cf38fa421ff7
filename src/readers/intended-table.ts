/**
 * The schedule as a reader's C code looks it up: the messages it allows at each step after the run's start, so the
 * intended send time of a tweet's id is a binary search and a linear step between two samples
 * (native/src/reader-measure.c), the same time the producer used (scenario/schedule.ts timeOfIndex) to within what
 * the rate changes inside one step. A step of 1 ms for runs up to about 17 minutes, longer beyond: a million samples.
 */
import { cumulativeAt, isUnlimited, type Schedule, scheduleMs } from '../scenario/schedule.js';

const MOST_SAMPLES = 1_000_000;

export interface IntendedTable {
  cumulative: Float64Array;
  stepMs: number;
}

/** The table over `horizonMs` (or the schedule's own end, if sooner); null for a run as fast as possible. */
export function intendedTable(schedule: Schedule, horizonMs: number): IntendedTable | null {
  if (isUnlimited(schedule)) return null;
  const span = Math.min(horizonMs, scheduleMs(schedule));
  const stepMs = Math.max(1, Math.ceil(span / MOST_SAMPLES));
  const n = Math.ceil(span / stepMs) + 2;
  const cumulative = new Float64Array(n);
  for (let k = 0; k < n; k++) cumulative[k] = cumulativeAt(schedule, k * stepMs);
  return { cumulative, stepMs };
}
