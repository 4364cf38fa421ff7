/**
 * The pulse engine: `pulse(options)` checks InfluxDB and Kafka, has the supervisor fork one consumer child per worker
 * (one group), aggregates their per-second ticks, stops on --count / --duration / --until-idle, and resolves with the
 * report. An EventEmitter ('start', 'tick', 'restart') that can be awaited. A restarted child's uncommitted offsets
 * are read again by the group (at-least-once; the points' timestamps make the replay replace, not add).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AwaitableRun } from '../awaitable-run.js';
import { DataStormError, type ErrorCode } from '../errors.js';
import { describeTopic, ensureTopic, listBrokers, type TopicInfo } from '../kafka/admin.js';
import { METADATA_REFRESH_MS } from '../kafka/producer.js';
import { TopicWatch } from '../kafka/topic-watch.js';
import { endToEndHistogram, percentilesOf } from '../report/histograms.js';
import type { PulseProgress, PulseReport } from '../report/pulse-report.js';
import { addPairs, ValueCounts } from '../report/value-counts.js';
import { type ChildFatal, Supervisor } from '../supervisor.js';
import { PULSE_FIGURES } from '../thresholds/figures.js';
import { abortWarning, LiveGate } from '../thresholds/live-gate.js';
import { judgeAtEnd } from '../thresholds/threshold.js';
import { checkInflux } from './influx-sink.js';
import type { PulseOptions } from './options.js';
import { CHILD_TICK_MS, PULSE_CHILD_ENV, type PulseChildConfig, type PulseChildMessage } from './protocol.js';

const CHILD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.js');
/** A child's error with one of these codes is the run's as it is; anything else is INTERNAL. */
const PASSED_CODES: readonly ErrorCode[] = ['INFLUX_AUTH', 'INFLUX_DB', 'INFLUX_UNREACHABLE', 'KAFKA_UNREACHABLE'];
const TICK_MS = 1000;
/**
 * How long the lag must have read 0 before a run may end as caught up: each child's record can be a tick old, and a
 * partition a child reported at 0 just before a rebalance may now be another's that has not read it yet; two ticks
 * and every child has spoken again since.
 */
const CAUGHT_UP_HOLD_MS = 2 * CHILD_TICK_MS;

export class PulseRun extends AwaitableRun<PulseReport> {
  private readonly supervisor: Supervisor<PulseChildMessage>;
  private readonly tot = {
    consumed: 0,
    points: 0,
    retries: 0,
    writeErrors: 0,
    deadLettered: 0,
    unstorable: 0,
    s: [0, 0, 0],
  };
  private readonly undecodable = new Map<number, number>();
  /** Each child's last reported lag per partition it owns. */
  private readonly lag = new Map<number, Record<number, number>>();
  private allWritten = true;
  private active?: ActiveSpan;
  private uncommitted = 0;
  /** Freshness (created_at to InfluxDB's acknowledgement, ms): this interval's and the run's. */
  private readonly freshnessNow = new ValueCounts();
  private readonly freshness = endToEndHistogram();

  constructor(private readonly o: PulseOptions) {
    super();
    this.supervisor = new Supervisor<PulseChildMessage>({
      script: CHILD_SCRIPT,
      env: PULSE_CHILD_ENV,
      config: (id): PulseChildConfig => ({ ...id, options: o }),
      onMessage: (m) => {
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
          this.addFreshness(m.freshness);
          if (m.activeFrom !== undefined && m.activeTo !== undefined) this.active?.consumed(m.activeFrom, m.activeTo);
        } else if (m.t === 'done') {
          if (!m.written) this.allWritten = false;
          this.uncommitted += m.uncommitted;
        }
      },
      fatalOf: (f: ChildFatal) =>
        new DataStormError(PASSED_CODES.includes(f.code) ? f.code : 'INTERNAL', `pulse child ${f.slot}: ${f.message}`),
      beforeRestart: async (dead) => {
        this.lag.delete(dead.slot); // its partitions are someone else's until it is back
        this.emit('restart', { slot: dead.slot, code: dead.code, signal: dead.signal ?? undefined });
      },
    });
    this.begin();
  }

  stop(): void {
    this.supervisor.stop();
  }

  private addFreshness(pairs: number[]): void {
    for (let i = 0; i + 1 < pairs.length; i += 2) this.freshnessNow.record(pairs[i], pairs[i + 1]);
    addPairs(this.freshness, pairs);
  }

  /** This interval's freshness percentiles (null: nothing acknowledged), and a new interval. */
  private takeFreshness(): PulseProgress['freshnessMs'] {
    const f = this.freshnessNow;
    const out = f.total ? { p50: f.percentile(50) ?? 0, p99: f.percentile(99) ?? 0, tweets: f.total } : null;
    f.reset();
    return out;
  }

  /**
   * The cluster changing the topic under the run: deleted ends it; more partitions are said, and the run counts them
   * (caught up means caught up on every partition, the new ones too: the group joins them at its next refresh).
   */
  private watchTopic(topic: TopicInfo): TopicWatch {
    const cluster = { bootstrap: this.o.bootstrap, client: this.o.client };
    return new TopicWatch(cluster, topic.name, topic.partitions, {
      deleted: () =>
        this.supervisor.fail(
          new DataStormError(
            'TOPIC',
            `topic '${topic.name}' was deleted while pulse read it: stopped after ${this.tot.consumed} tweets; ` +
              'what InfluxDB acknowledged is in it',
          ),
        ),
      grew: (partitions, before) => {
        topic.partitions = partitions;
        this.emit(
          'warning',
          `topic '${topic.name}' grew from ${before} to ${partitions} partitions mid-run: the group reads them from ` +
            `its next metadata refresh (within ${METADATA_REFRESH_MS / 1000} s)`,
        );
      },
    });
  }

  /** Lag per partition over all children (a partition owned by none right now is not listed). */
  private lagByPartition(): Record<string, number> {
    const by: Record<string, number> = {};
    for (const child of this.lag.values()) for (const [p, n] of Object.entries(child)) by[p] = n;
    return by;
  }

  protected async run(): Promise<PulseReport> {
    const o = this.o;
    await checkInflux(o.influx);
    const cluster = { bootstrap: o.bootstrap, client: o.client };
    const topic = await describeTopic(cluster, o.topic);
    if (!topic)
      throw new DataStormError(
        'TOPIC',
        `topic '${o.topic}' does not exist at ${o.bootstrap} (run a storm first, or check --topic)`,
      );
    if (o.deadLetter) {
      const brokers = await listBrokers(cluster);
      await ensureTopic(cluster, { topic: o.deadLetter, partitions: 1, replication: Math.min(3, brokers.length) });
    }
    this.emit('start', { partitions: topic.partitions });
    const watch = this.watchTopic(topic);

    const t0 = performance.now();
    const active = new ActiveSpan(Date.now());
    this.active = active;
    const finished = this.supervisor.run(o.workers);
    const tot = this.tot;
    let caughtUpAtSec: number | null = null;
    let mostLag = -1;
    let caughtUpSince: number | undefined;
    const liveGate = new LiveGate(o.thresholds ?? [], PULSE_FIGURES);
    let last = { consumed: 0, points: 0, t: t0 };
    const ticker = setInterval(() => {
      const now = performance.now();
      const dt = (now - last.t) / 1000;
      const byPartition = this.lagByPartition();
      const ev: PulseProgress = {
        elapsedSec: (now - t0) / 1000,
        consumed: tot.consumed,
        points: tot.points,
        consumedRate: (tot.consumed - last.consumed) / dt,
        pointsRate: (tot.points - last.points) / dt,
        lag: totalLag(byPartition, topic.partitions),
        lagByPartition: byPartition,
        retries: tot.retries,
        writeErrors: tot.writeErrors,
        undecodable: sum(this.undecodable.values()),
        freshnessMs: this.takeFreshness(),
      };
      active.observe(Date.now(), tot.consumed, tot.retries);
      last = { consumed: tot.consumed, points: tot.points, t: now };
      if (caughtUpAtSec === null && tot.consumed > 0 && ev.lag === 0) caughtUpAtSec = round1(ev.elapsedSec);
      caughtUpSince = ev.lag === 0 ? (caughtUpSince ?? now) : undefined;
      mostLag = Math.max(mostLag, ev.lag);
      this.emit('tick', ev);
      this.watchThresholds(liveGate, ev);
      if (o.count !== undefined && tot.consumed >= o.count) this.stop();
      if (o.duration !== undefined && ev.elapsedSec >= o.duration) this.stop();
      // Idle means caught up: nothing consumed, lag known to be 0 on every partition (and for long enough that no
      // child's record predates a rebalance), and no write being retried.
      const settled = caughtUpSince !== undefined && now - caughtUpSince >= CAUGHT_UP_HOLD_MS;
      if (o.untilIdle !== undefined && tot.consumed > 0 && settled && active.idleSec(Date.now()) >= o.untilIdle)
        this.stop();
    }, TICK_MS);

    await finished;
    watch.stop();
    clearInterval(ticker);
    if (this.supervisor.fatal.length) throw this.supervisor.fatal[0];
    const report = this.report((performance.now() - t0) / 1000, active, topic.partitions, { caughtUpAtSec, mostLag });
    if (o.thresholds?.length)
      report.thresholds = judgeAtEnd(o.thresholds, (f) => PULSE_FIGURES[f].atEnd(report), liveGate.aborted);
    return report;
  }

  /** abort-on-fail: a threshold failing every second for its grace period stops the run. */
  private watchThresholds(gate: LiveGate<PulseProgress>, tick: PulseProgress): void {
    const aborted = gate.observe(tick.elapsedSec, tick);
    if (!aborted) return;
    this.emit('warning', abortWarning(aborted));
    this.stop();
  }

  /** The run's report from the totals once every child is done. */
  private report(
    elapsedSec: number,
    active: ActiveSpan,
    partitions: number,
    lag: { caughtUpAtSec: number | null; mostLag: number },
  ): PulseReport {
    const { o, tot } = this;
    const span = active.span();
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
        caughtUpAtSec: lag.caughtUpAtSec,
        most: lag.mostLag,
      },
      restarts: this.supervisor.restarts,
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

export function pulse(o: PulseOptions): PulseRun {
  return new PulseRun(o);
}
