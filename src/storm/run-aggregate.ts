/**
 * What the storm primary knows from its children's messages (protocol.ts): the run's totals (RunTotals, which the
 * report builder turns into the report), each slot's current child as its last tick told, acknowledged per wall-clock
 * second, health rows and the Prometheus buckets of every acknowledgement. Warm-up ticks are kept apart; --find-max's
 * referee is fed every tick.
 */
import { gcHistogram, latencyHistogram } from '../measure/histograms.js';
import { mergeBuckets, noLatencyBuckets } from '../measure/latency-buckets.js';
import { mergeMoments, noMoments } from '../measure/moments.js';
import { addPairs } from '../measure/value-counts.js';
import { HealthRows } from './health-rows.js';
import type { DoneMessage, TickMessage } from './protocol.js';
import type { RunTotals } from './report-builder.js';
import type { StepJudge } from './step-judge.js';

/** What the primary knows of a slot's current child, from its ticks. */
export interface SlotView {
  /** Latency p50/p99 of the child's last tick (ms), until the next emitted second takes it. */
  latency: { p50: number; p99: number; intendedP99: number | null } | null;
  rssMiB: number;
  loopDelayP99Ms: number;
  acked: number;
  failed: number;
  inFlight: number;
  behind: number;
  maxRssBytes: number;
}

export class RunAggregate {
  readonly slots: SlotView[] = [];
  /** Acknowledged per wall-clock second (Unix seconds; the interval that ends there), summed over children. */
  readonly perSecond = new Map<number, number>();
  readonly health = new HealthRows();
  readonly totals: RunTotals = {
    acked: 0,
    bytes: 0,
    sent: 0,
    failed: {},
    mix: [0, 0, 0],
    batchShares: noMoments(),
    unresolved: 0,
    throttledMs: 0,
    peakRate: 0,
    startupSec: 0,
    restarts: 0,
    unsettledGivenBack: 0,
    childCpuMicros: 0,
    childrenCounted: 0,
    cpuSec: 0,
    maxRssBytes: [],
    timeline: [],
    health: [],
    gcPauses: gcHistogram(),
    histogram: latencyHistogram(),
    intended: latencyHistogram(),
    publishDelay: latencyHistogram(),
    partitions: [],
    warmup: { acked: 0, failed: 0, bytes: 0 },
    scheduleStartMs: null,
    firstGrantMs: null,
  };
  /** Every acknowledgement so far in Prometheus buckets (from the children's ticks). */
  readonly buckets = noLatencyBuckets();

  constructor(
    workers: number,
    private readonly judge?: StepJudge,
  ) {
    for (let slot = 0; slot < workers; slot++)
      this.slots.push({
        latency: null,
        rssMiB: 0,
        loopDelayP99Ms: 0,
        acked: 0,
        failed: 0,
        inFlight: 0,
        behind: 0,
        maxRssBytes: 0,
      });
  }

  /** The first child started producing. */
  producing(): void {
    this.health.start();
  }

  tick(m: TickMessage): void {
    const t = this.totals;
    const s = this.slots[m.slot];
    if (m.scheduleStartMs !== null)
      t.scheduleStartMs = Math.min(t.scheduleStartMs ?? Number.POSITIVE_INFINITY, m.scheduleStartMs);
    if (m.firstGrantMs !== null) t.firstGrantMs = Math.min(t.firstGrantMs ?? Number.POSITIVE_INFINITY, m.firstGrantMs);
    this.judge?.add(m.second, m.acked, m.latency.intendedP99 ?? m.latency.p99, m.behind);
    if (m.warmup) {
      // Produced and acknowledged, but kept out of every statistic; the report says how many.
      t.warmup.acked += m.acked;
      t.warmup.bytes += m.bytes;
      t.warmup.failed += Object.values(m.failed).reduce((a, b) => a + b, 0);
    } else {
      t.acked += m.acked;
      this.perSecond.set(m.second, (this.perSecond.get(m.second) ?? 0) + m.acked);
      t.bytes += m.bytes;
      t.sent += m.sent;
      for (let i = 0; i < 3; i++) t.mix[i] += m.mix[i];
      mergeMoments(t.batchShares, m.batchShares);
    }
    for (const [k, v] of Object.entries(m.failed)) {
      if (!m.warmup) t.failed[k] = (t.failed[k] ?? 0) + v;
      s.failed += v;
    }
    t.throttledMs += m.throttledMs;
    s.acked += m.acked;
    s.inFlight = m.inFlight;
    s.behind = m.behind;
    this.health.add(m.slot, m.health);
    mergeBuckets(this.buckets, m.latency.buckets);
    if (m.latency.p50 !== null && m.latency.p99 !== null)
      s.latency = { p50: m.latency.p50, p99: m.latency.p99, intendedP99: m.latency.intendedP99 };
    s.rssMiB = Math.round((m.health.rssBytes / 2 ** 20) * 10) / 10;
    s.loopDelayP99Ms = Math.round(m.health.loopDelayP99Ms * 10) / 10;
  }

  done(m: DoneMessage): void {
    const t = this.totals;
    const s = this.slots[m.slot];
    addPairs(t.histogram, m.histogram);
    if (m.intendedHistogram) addPairs(t.intended, m.intendedHistogram);
    if (m.publishDelayHistogram) addPairs(t.publishDelay, m.publishDelayHistogram);
    for (const [p, n] of m.partitions.entries()) t.partitions[p] = (t.partitions[p] ?? 0) + n;
    addPairs(t.gcPauses, m.gcHistogram);
    t.unresolved += m.unresolved;
    s.maxRssBytes = Math.max(s.maxRssBytes, m.maxRssBytes);
    t.childCpuMicros += m.cpuMicros;
    t.childrenCounted++;
  }

  /**
   * The worst child's p50 and p99 since the last emitted second, and the worst p99 from the intended send time; null
   * when none reported any.
   */
  secondLatency(): { p50: number; p99: number; intendedP99: number | null } | null {
    let worst: { p50: number; p99: number } | null = null;
    let intendedP99: number | null = null;
    for (const s of this.slots) {
      if (s.latency && (!worst || s.latency.p99 > worst.p99)) worst = { p50: s.latency.p50, p99: s.latency.p99 };
      if (s.latency?.intendedP99 != null) intendedP99 = Math.max(intendedP99 ?? 0, s.latency.intendedP99);
      s.latency = null;
    }
    return worst && { ...worst, intendedP99 };
  }
}
