/**
 * A rate schedule: the messages/s a run aims at, over time since the run's start. Every shape (constant, stages, sine,
 * the find-max staircase) compiles to a list of segments, which both sides of the quota evaluate the same way:
 *   - Redis (SCHEDULE_LUA, inside the lease script): how many messages the run may have issued by now, the integral of
 *     the rate from the start; this is what makes one schedule global across children and processes;
 *   - the children (cumulativeAt, timeOfIndex): when message n was meant to be sent, its intended time, from which
 *     the publish delay and the latency that a stalled producer cannot hide are measured.
 * Segments are closed forms (no sampling), so both agree to the message.
 */

export type Segment =
  /** From `from` to `to` messages/s, linearly, over durationMs (from = to holds). */
  | { kind: 'linear'; durationMs: number; from: number; to: number }
  /** mean + amplitude·sin(2πt/period): periodic load. */
  | { kind: 'sine'; durationMs: number; mean: number; amplitude: number; periodMs: number }
  /** A staircase: `start`, then `step` more every stepMs (find-max's probe). */
  | { kind: 'steps'; durationMs: number; start: number; step: number; stepMs: number };

export interface Schedule {
  segments: Segment[];
}

/** No schedule: as fast as possible. */
export const UNLIMITED: Schedule = { segments: [] };

export const isUnlimited = (s: Schedule) => s.segments.length === 0;

/** Milliseconds the schedule lasts (Infinity when its last segment does not end). */
export function scheduleMs(s: Schedule): number {
  return s.segments.reduce((a, g) => a + g.durationMs, 0);
}

/** The rate (messages/s) a segment aims at, `t` ms into it. */
function segmentRate(g: Segment, t: number): number {
  switch (g.kind) {
    case 'linear':
      return Number.isFinite(g.durationMs) ? g.from + ((g.to - g.from) * t) / g.durationMs : g.from;
    case 'sine':
      return g.mean + g.amplitude * Math.sin((2 * Math.PI * t) / g.periodMs);
    case 'steps':
      return g.start + g.step * Math.floor(t / g.stepMs);
  }
}

/** Messages a segment schedules in its first `t` ms. */
function segmentSum(g: Segment, t: number): number {
  const s = t / 1000;
  switch (g.kind) {
    case 'linear':
      return s * (g.from + segmentRate(g, t)) * 0.5;
    case 'sine':
      return (
        g.mean * s + ((g.amplitude * g.periodMs) / (2000 * Math.PI)) * (1 - Math.cos((2 * Math.PI * t) / g.periodMs))
      );
    case 'steps': {
      const k = Math.floor(t / g.stepMs);
      const whole = ((k * g.stepMs) / 1000) * (g.start + (g.step * (k - 1)) / 2);
      return whole + ((t - k * g.stepMs) / 1000) * (g.start + g.step * k);
    }
  }
}

/** The rate aimed at `ms` after the start (0 once the schedule has ended; Infinity when unlimited). */
export function rateAt(s: Schedule, ms: number): number {
  if (isUnlimited(s)) return Number.POSITIVE_INFINITY;
  let t = ms;
  for (const g of s.segments) {
    if (t < g.durationMs) return Math.max(0, segmentRate(g, t));
    t -= g.durationMs;
  }
  return 0;
}

/** Messages scheduled from the start until `ms` after it (fractional: the quota floors it). */
export function cumulativeAt(s: Schedule, ms: number): number {
  let t = Math.max(0, ms);
  let sum = 0;
  for (const g of s.segments) {
    if (t < g.durationMs) return sum + segmentSum(g, t);
    sum += segmentSum(g, g.durationMs);
    t -= g.durationMs;
  }
  return sum;
}

/**
 * When message n (0-based, global) was meant to be sent: ms after the start at which the schedule reaches n + 1
 * messages. Bisection on the cumulative sum (monotonic: rates are never negative); 1 µs is close enough.
 */
export function timeOfIndex(s: Schedule, n: number): number {
  const want = n + 1 - 1e-6; // the lease script's floor() has the same slack
  let hi = 1000;
  const end = scheduleMs(s);
  while (cumulativeAt(s, hi) < want && hi < end) hi = Math.min(hi * 2, end);
  // Beyond all the schedule ever allows: never meant to be sent (the quota does not issue it).
  if (!Number.isFinite(hi) || cumulativeAt(s, hi) < want) return Number.POSITIVE_INFINITY;
  let lo = 0;
  while (hi - lo > 0.001) {
    const mid = (lo + hi) / 2;
    if (cumulativeAt(s, mid) >= want) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The schedule as the lease script reads it: `kind,durationMs,a,b,c;…` (-1 for a duration without end). */
export function encodeSchedule(s: Schedule): string {
  const d = (ms: number) => (Number.isFinite(ms) ? ms : -1);
  return s.segments
    .map((g) => {
      if (g.kind === 'linear') return `L,${d(g.durationMs)},${g.from},${g.to},0`;
      if (g.kind === 'sine') return `S,${d(g.durationMs)},${g.mean},${g.amplitude},${g.periodMs}`;
      return `T,${d(g.durationMs)},${g.start},${g.step},${g.stepMs}`;
    })
    .join(';');
}

/**
 * The same integral in Lua, for the lease script: `scheduled(spec, ms)` is cumulativeAt(decoded spec, ms). Redis runs
 * Lua 5.1, whose math library has sin, cos and floor. Kept beside cumulativeAt so the two are read together.
 */
export const SCHEDULE_LUA = `
local function seg_sum(k, dur, a, b, c, t)
  local s = t / 1000
  if k == 'L' then
    local r = a
    if dur > 0 then r = a + (b - a) * t / dur end
    return s * (a + r) * 0.5
  elseif k == 'S' then
    return a * s + (b * c / (2000 * math.pi)) * (1 - math.cos(2 * math.pi * t / c))
  else
    local n = math.floor(t / c)
    return (n * c / 1000) * (a + b * (n - 1) / 2) + ((t - n * c) / 1000) * (a + b * n)
  end
end
local function scheduled(spec, ms)
  local t = ms
  local sum = 0
  for k, dur, a, b, c in string.gmatch(spec, '(%a),([%d.e+-]+),([%d.e+-]+),([%d.e+-]+),([%d.e+-]+)') do
    dur = tonumber(dur); a = tonumber(a); b = tonumber(b); c = tonumber(c)
    if dur < 0 or t < dur then return sum + seg_sum(k, dur, a, b, c, t) end
    sum = sum + seg_sum(k, dur, a, b, c, dur)
    t = t - dur
  end
  return sum
end
`;

/** The inverse of encodeSchedule (what a child gets in its options). */
export function decodeSchedule(spec: string): Schedule {
  if (spec === '') return UNLIMITED;
  const d = (x: string) => (Number(x) < 0 ? Number.POSITIVE_INFINITY : Number(x));
  return {
    segments: spec.split(';').map((item): Segment => {
      const [k, dur, a, b, c] = item.split(',');
      if (k === 'L') return { kind: 'linear', durationMs: d(dur), from: Number(a), to: Number(b) };
      if (k === 'S')
        return { kind: 'sine', durationMs: d(dur), mean: Number(a), amplitude: Number(b), periodMs: Number(c) };
      return { kind: 'steps', durationMs: d(dur), start: Number(a), step: Number(b), stepMs: Number(c) };
    }),
  };
}
