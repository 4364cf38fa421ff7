/**
 * The maximum sustainable rate (--find-max [start=50k,step=50k,every=10s,tolerance=5%,p99=1s,max=RATE]): a staircase
 * that starts at `start` and adds `step` every `every`; each step is judged once it is over, and the first that fails
 * ends the run. A step fails when
 *   - the acknowledged rate falls short of its target by more than `tolerance` (its first second, when the rate has
 *     just changed, is left out),
 *   - its p99 latency (the median of its per-second p99s, measured from the intended send time) passes `p99`,
 *   - or the schedule lag at its end exceeds a second of its rate (the producers cannot keep up).
 * The answer is the highest step that held; the report has every step (rate, achieved, p99, lag), the curve.
 */
import type { Segment } from './schedule.js';
import { formatSec, type RateShape } from './shape.js';
import { formatRate, parseDuration, parseRate } from './units.js';

export interface FindMaxSpec {
  start: number;
  step: number;
  everySec: number;
  /** Fraction (0.05 = 5%). */
  tolerance: number;
  p99Ms: number;
  /** Highest rate to try (no bound when undefined). */
  max?: number;
}

export const FIND_MAX_DEFAULTS: FindMaxSpec = {
  start: 50_000,
  step: 50_000,
  everySec: 10,
  tolerance: 0.05,
  p99Ms: 1000,
};
export const FIND_MAX_FORMAT =
  'key=value pairs from start=RATE, step=RATE, every=DURATION, tolerance=P%, p99=DURATION, max=RATE';

/** '' (the bare flag) gives the defaults; every other value names what it changes. */
export function parseFindMax(
  spec: string,
  flag = '--find-max',
): { spec?: FindMaxSpec; shape?: RateShape; problems: string[] } {
  const s: FindMaxSpec = { ...FIND_MAX_DEFAULTS };
  const problems: string[] = [];
  for (const item of spec
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const [key, value = ''] = item.split('=', 2).map((x) => x.trim());
    const bad = (what: string) => problems.push(`${flag} ${key} must be ${what} (got '${value}')`);
    if (key === 'start' || key === 'step' || key === 'max') {
      const r = parseRate(value);
      if (!Number.isFinite(r) || r <= 0) bad('a rate above 0 like 50000 or 50k');
      else s[key] = r;
    } else if (key === 'every') {
      const d = parseDuration(value);
      if (!Number.isFinite(d) || d < 3) bad('a duration of at least 3s (the first second of a step is not judged)');
      else s.everySec = d;
    } else if (key === 'tolerance') {
      const m = /^(\d+(?:\.\d+)?)%$/.exec(value);
      if (!m || Number(m[1]) <= 0 || Number(m[1]) >= 100) bad('a percentage above 0% and below 100%, like 5%');
      else s.tolerance = Number(m[1]) / 100;
    } else if (key === 'p99') {
      const d = parseDuration(value);
      if (!Number.isFinite(d) || d <= 0) bad('a duration above 0 like 500ms or 1s');
      else s.p99Ms = d * 1000;
    } else problems.push(`${flag} takes ${FIND_MAX_FORMAT} (unknown: '${item}')`);
  }
  if (s.max !== undefined && s.max < s.start)
    problems.push(`${flag} max must not be below start (${formatRate(s.start)})`);
  if (problems.length) return { problems };
  const steps = s.max === undefined ? Number.POSITIVE_INFINITY : Math.floor((s.max - s.start) / s.step) + 1;
  const segment: Segment = {
    kind: 'steps',
    durationMs: steps * s.everySec * 1000,
    start: s.start,
    step: s.step,
    stepMs: s.everySec * 1000,
  };
  const upTo = s.max === undefined ? '' : ` up to ${formatRate(s.start + (steps - 1) * s.step)}/s`;
  return {
    problems,
    spec: s,
    shape: {
      name: 'find-max',
      schedule: { segments: [segment] },
      description:
        `find-max: ${formatRate(s.start)}/s, +${formatRate(s.step)}/s every ${formatSec(s.everySec)}${upTo}, ` +
        `until acknowledged falls ${s.tolerance * 100}% short, p99 passes ${s.p99Ms} ms or the schedule (or, with ` +
        'readers, a group) lags 1 s',
    },
  };
}

/** One step of the staircase, as judged (the report's curve). */
export interface StepResult {
  rate: number;
  /** Acknowledged/s over the judged seconds. */
  achieved: number;
  /** Median of the step's per-second p99 latencies (ms, from the intended send time); null if none. */
  p99Ms: number | null;
  /** Messages behind schedule at the step's end. */
  behind: number;
  /** With readers: the slowest group's backlog at the step's end (acknowledged, not yet read). */
  readersBehind?: number;
  held: boolean;
  /** Why it failed (empty when held). */
  reason: string;
}

/** Judges one step from its per-second acknowledged counts and p99s (pure; the primary gathers them). */
export function judgeStep(
  spec: FindMaxSpec,
  rate: number,
  acknowledgedPerSec: number[],
  p99sMs: number[],
  behind: number,
  readersBehind?: number,
): StepResult {
  const achieved = acknowledgedPerSec.length
    ? acknowledgedPerSec.reduce((a, b) => a + b, 0) / acknowledgedPerSec.length
    : 0;
  const sorted = [...p99sMs].sort((a, b) => a - b);
  const p99Ms = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null;
  const reasons: string[] = [];
  if (achieved < rate * (1 - spec.tolerance))
    reasons.push(
      `acknowledged ${Math.round(achieved).toLocaleString('en-US')}/s, more than ${spec.tolerance * 100}% short`,
    );
  if (p99Ms !== null && p99Ms > spec.p99Ms) reasons.push(`p99 ${p99Ms} ms above ${spec.p99Ms} ms`);
  if (behind > rate) reasons.push(`${behind} messages behind schedule (more than a second)`);
  // Readers keep up when what they have not read yet is within a second of production (OMB's producerRate 0 asks
  // for the highest rate the consumers keep up with).
  if (readersBehind !== undefined && readersBehind > rate)
    reasons.push(`the readers ${readersBehind} messages behind (more than a second)`);
  return {
    rate,
    achieved: Math.round(achieved),
    p99Ms,
    behind,
    ...(readersBehind === undefined ? {} : { readersBehind }),
    held: reasons.length === 0,
    reason: reasons.join('; '),
  };
}
