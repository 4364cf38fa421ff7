/**
 * What pulse's children told the primary: totals, lag per partition (each child's last word on the partitions it
 * owns), freshness, and when tweets were being consumed (ActiveSpan). Read once a tick into the run's PulseProgress
 * (sample) and once at the end into its report (report).
 */
import { endToEndHistogram, percentilesOf } from '../measure/histograms.js';
import { addPairs, ValueCounts } from '../measure/value-counts.js';
import type { PulseProgress, PulseReport } from '../report/pulse-report.js';
import type { PulseOptions } from './options.js';
import type { PulseChildMessage } from './protocol.js';

export class PulseAggregate {
  readonly tot = { consumed: 0, points: 0, retries: 0, writeErrors: 0, deadLettered: 0, unstorable: 0, s: [0, 0, 0] };
  private readonly undecodable = new Map<number, number>();
  /** Each child's last reported lag per partition it owns. */
  readonly lag = new Map<number, Record<number, number>>();
  allWritten = true;
  uncommitted = 0;
  /** Freshness (created_at to InfluxDB's acknowledgement, ms): this interval's and the run's. */
  private readonly freshnessNow = new ValueCounts();
  private readonly freshness = endToEndHistogram();
  active = new ActiveSpan(Date.now());
  /** The lag figures the report keeps: when it first read 0, and the most it ever was. */
  caughtUpAtSec: number | null = null;
  mostLag = -1;
  private last = { consumed: 0, points: 0, t: performance.now() };
  private t0 = performance.now();

  /** Consuming starts now: elapsed time, rates and the active span count from here. */
  begin(): void {
    this.t0 = performance.now();
    this.last = { consumed: 0, points: 0, t: this.t0 };
    this.active = new ActiveSpan(Date.now());
  }

  /** Seconds since consuming started. */
  elapsedSec(): number {
    return (performance.now() - this.t0) / 1000;
  }

  onMessage(m: PulseChildMessage): void {
    if (m.t === 'tick') {
      const t = this.tot;
      t.consumed += m.consumed;
      t.points += m.points;
      t.retries += m.retries;
      t.writeErrors += m.writeErrors;
      t.deadLettered += m.deadLettered;
      t.unstorable += m.unstorable;
      for (let i = 0; i < 3; i++) t.s[i] += m.bySentiment[i];
      for (const [p, n] of Object.entries(m.undecodable))
        this.undecodable.set(Number(p), (this.undecodable.get(Number(p)) ?? 0) + n);
      this.lag.set(m.slot, m.lag);
      for (let i = 0; i + 1 < m.freshness.length; i += 2) this.freshnessNow.record(m.freshness[i], m.freshness[i + 1]);
      addPairs(this.freshness, m.freshness);
      if (m.activeFrom !== undefined && m.activeTo !== undefined) this.active.consumed(m.activeFrom, m.activeTo);
    } else if (m.t === 'done') {
      if (!m.written) this.allWritten = false;
      this.uncommitted += m.uncommitted;
    }
  }

  /** This second's tick (and a new interval for freshness and rates). */
  sample(partitions: number): PulseProgress {
    const now = performance.now();
    const { tot, last } = this;
    const dt = (now - last.t) / 1000;
    const byPartition = this.lagByPartition();
    const tick: PulseProgress = {
      elapsedSec: (now - this.t0) / 1000,
      consumed: tot.consumed,
      points: tot.points,
      consumedRate: (tot.consumed - last.consumed) / dt,
      pointsRate: (tot.points - last.points) / dt,
      lag: totalLag(byPartition, partitions),
      lagByPartition: byPartition,
      retries: tot.retries,
      writeErrors: tot.writeErrors,
      undecodable: sum(this.undecodable.values()),
      freshnessMs: this.takeFreshness(),
    };
    this.active.observe(Date.now(), tot.consumed, tot.retries);
    this.last = { consumed: tot.consumed, points: tot.points, t: now };
    if (this.caughtUpAtSec === null && tot.consumed > 0 && tick.lag === 0) this.caughtUpAtSec = round1(tick.elapsedSec);
    this.mostLag = Math.max(this.mostLag, tick.lag);
    return tick;
  }

  /** This interval's freshness percentiles (null: nothing acknowledged), and a new interval. */
  private takeFreshness(): PulseProgress['freshnessMs'] {
    const f = this.freshnessNow;
    const out = f.total ? { p50: f.percentile(50) ?? 0, p99: f.percentile(99) ?? 0, tweets: f.total } : null;
    f.reset();
    return out;
  }

  /** Lag per partition over all children (a partition owned by none right now is not listed). */
  lagByPartition(): Record<string, number> {
    const by: Record<string, number> = {};
    for (const child of this.lag.values()) for (const [p, n] of Object.entries(child)) by[p] = n;
    return by;
  }

  /** The run's report from the totals once every child is done. */
  report(o: PulseOptions, elapsedSec: number, partitions: number, restarts: number): PulseReport {
    const { tot } = this;
    const span = this.active.span();
    const activeSec = span?.activeSec ?? elapsedSec;
    const byPartition = this.lagByPartition();
    return {
      topic: o.topic,
      group: o.group,
      store: o.store,
      elapsedSec: Math.round(elapsedSec * 100) / 100,
      consumed: tot.consumed,
      undecodable: sum(this.undecodable.values()),
      undecodableByPartition: Object.fromEntries([...this.undecodable].sort((a, b) => a[0] - b[0])),
      unstorable: tot.unstorable,
      deadLettered: o.deadLetter ? tot.deadLettered : null,
      pointsWritten: tot.points,
      rate: {
        overall: Math.round(tot.consumed / elapsedSec),
        active: Math.round(tot.consumed / activeSec),
        activeSec: Math.round(activeSec * 100) / 100,
        joinSec: round1(span?.joinSec ?? elapsedSec),
        idleSec: round1(span ? Math.max(0, elapsedSec - span.joinSec - span.activeSec) : 0),
      },
      pointsPerSec: Math.round(tot.points / activeSec),
      retries: tot.retries,
      writeErrors: tot.writeErrors,
      bySentiment: { positive: tot.s[0], negative: tot.s[1], neutral: tot.s[2] },
      lag: {
        atEnd: totalLag(byPartition, partitions),
        byPartition,
        caughtUpAtSec: this.caughtUpAtSec,
        most: this.mostLag,
      },
      restarts,
      allWritten: this.allWritten,
      rereadOnNextRun: this.uncommitted,
      freshnessMs: percentilesOf(this.freshness),
      influx: { url: o.influx.url, org: o.influx.org, bucket: o.influx.bucket },
    };
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const sum = (xs: Iterable<number>) => {
  let n = 0;
  for (const x of xs) n += x;
  return n;
};

/**
 * When tweets were being consumed, to the millisecond (children report when their first batch of an interval arrived
 * and their last was done): rates are over this, not over start-up, the group join and the idle wait. Also since when
 * nothing has changed (for --until-idle). All times are wall-clock milliseconds.
 */
export class ActiveSpan {
  private first = Number.NaN;
  private last = Number.NaN;
  private prev: { consumed: number; retries: number } = { consumed: 0, retries: 0 };
  private changed: number;
  constructor(private readonly t0: number) {
    this.changed = t0;
  }
  /** A child consumed tweets from `from` to `to`. */
  consumed(from: number, to: number): void {
    if (!(this.first <= from)) this.first = from;
    if (!(this.last >= to)) this.last = to;
  }
  /** Once a tick: the totals so far. */
  observe(now: number, consumed: number, retries: number): void {
    if (consumed !== this.prev.consumed || retries !== this.prev.retries) this.changed = now;
    this.prev = { consumed, retries };
  }
  idleSec(now: number): number {
    return (now - this.changed) / 1000;
  }
  /** Seconds of consuming, or undefined when nothing was consumed. */
  activeSec(): number | undefined {
    return this.span()?.activeSec;
  }
  /** Before consuming (from t0) and consuming, in seconds; undefined when nothing was consumed. */
  span(): { joinSec: number; activeSec: number } | undefined {
    if (Number.isNaN(this.first)) return undefined;
    return { joinSec: (this.first - this.t0) / 1000, activeSec: Math.max(0.001, (this.last - this.first) / 1000) };
  }
}

/** Sum over partitions; -1 (unknown) while a partition's is unknown or not every partition has an owner yet. */
function totalLag(byPartition: Record<string, number>, partitions: number): number {
  const lags = Object.values(byPartition);
  if (lags.length < partitions || lags.some((n) => n < 0)) return -1;
  return sum(lags);
}
