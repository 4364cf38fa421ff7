/**
 * The storm's tick: what the children told the primary (RunAggregate), read once a second into one StormProgress for
 * every observer (the 'tick' event's listeners: progress line, dashboard, /metrics; the live gate; find-max).
 */
import type { ReaderFleet } from '../readers/reader-fleet.js';
import type { StormProgress } from '../report/progress.js';
import { rateAt, type Schedule } from '../scenario/schedule.js';
import type { StormOptions } from './options.js';
import type { RunAggregate } from './run-aggregate.js';

export class ProgressSampler {
  private lastAcked = 0;
  private lastT = Number.NaN;
  /** --consumer-groups: the run's readers, once started. */
  readers?: ReaderFleet;
  /** When the first child started producing (performance.now()); NaN before: no tick yet. */
  producingAt = Number.NaN;

  constructor(
    private readonly options: StormOptions,
    private readonly schedule: Schedule,
    private readonly agg: RunAggregate,
  ) {}

  /** This second's tick, or undefined before production started. */
  sample(): StormProgress | undefined {
    const t0 = this.producingAt;
    if (Number.isNaN(t0)) return undefined;
    if (Number.isNaN(this.lastT)) this.lastT = t0;
    const now = performance.now();
    const t = this.agg.totals;
    const current = ((t.acked - this.lastAcked) * 1000) / (now - this.lastT);
    this.lastAcked = t.acked;
    this.lastT = now;
    const elapsedSec = (now - t0) / 1000;
    return {
      elapsedSec,
      acked: t.acked,
      target: this.options.count,
      durationSec: this.options.duration,
      currentRate: current,
      averageRate: t.acked / elapsedSec,
      errors: Object.values(t.failed).reduce((a, b) => a + b, 0),
      inFlight: this.agg.slots.reduce((a, s) => a + s.inFlight, 0),
      behind: Math.max(0, ...this.agg.slots.map((s) => s.behind)),
      ...this.schedulePart(now),
      sent: t.sent,
      failedByKind: { ...t.failed },
      mix: [t.mix[0], t.mix[1], t.mix[2]],
      ...this.secondLatency(),
      latencyBuckets: { ...this.agg.buckets, counts: [...this.agg.buckets.counts] },
      children: this.agg.slots.map((s, slot) => ({ slot, rssMiB: s.rssMiB, loopDelayP99Ms: s.loopDelayP99Ms })),
      ...(this.readers ? { readers: this.readers.second(t.acked + t.warmup.acked, current) } : {}),
    };
  }

  /** The schedule's rate now, and whether the warm-up is still on. */
  private schedulePart(now: number): Pick<StormProgress, 'targetRate' | 'warmingUp'> {
    const start = this.agg.totals.scheduleStartMs;
    const sinceStart = start === null ? 0 : performance.timeOrigin + now - start;
    const targetRate = rateAt(this.schedule, sinceStart);
    return {
      targetRate: Number.isFinite(targetRate) ? targetRate : null,
      warmingUp: start === null ? this.options.warmup > 0 : sinceStart < this.options.warmup * 1000,
    };
  }

  /** The last second's worst child's latency, from the send and (under a rate schedule) from the intended time. */
  private secondLatency(): Pick<StormProgress, 'latencyMs' | 'intendedP99Ms'> {
    const latency = this.agg.secondLatency();
    return {
      latencyMs: latency && { p50: latency.p50, p99: latency.p99 },
      intendedP99Ms: latency?.intendedP99 ?? null,
    };
  }
}
