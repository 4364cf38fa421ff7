/**
 * The storm engine: `storm(options)` has the supervisor fork one child per worker, aggregates their per-interval
 * ticks, gives back what a dead child leased before its successor starts, and resolves with the final report. It is
 * an EventEmitter ('start', 'tick', 'restart', 'warning') that can also be awaited. Progress bars and reports are
 * listeners; the engine prints nothing.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import { AwaitableRun } from '../awaitable-run.js';
import { Counters } from '../coord/counters.js';
import { Quota } from '../coord/quota.js';
import { connectRedis } from '../coord/redis.js';
import { DataStormError, type ErrorCode, InvalidOptionsError } from '../errors.js';
import { loadTweetType } from '../generate/tweet-encoder.js';
import { ensureTopic, listBrokers } from '../kafka/admin.js';
import { topicMaxMessageBytesFor } from '../kafka/limits.js';
import { gcHistogram, latencyHistogram } from '../report/histograms.js';
import { mergeBuckets, noLatencyBuckets } from '../report/latency-buckets.js';
import { mergeMoments, noMoments } from '../report/moments.js';
import type { StormProgress } from '../report/progress.js';
import type { StormReport } from '../report/storm-report.js';
import { decodeSchedule, rateAt, type Schedule } from '../scenario/schedule.js';
import { type ChildExit, type ChildFatal, Supervisor } from '../supervisor.js';
import { HealthRows } from './health-rows.js';
import type { StormOptions } from './options.js';
import { CHILD_ENV, type ChildConfig, type ChildMessage, producerIdOf } from './protocol.js';
import { buildReport, type RunTotals } from './report-builder.js';
import { StepJudge } from './step-judge.js';
import { timelineOf } from './timeline.js';
import { refuseExistingMismatch } from './topic-check.js';

const CHILD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.js');
/** Errors about the cluster, Redis, the topic or the schema read the same from any child; others name the child. */
const SHARED_CODES: readonly ErrorCode[] = ['KAFKA_UNREACHABLE', 'REDIS_UNREACHABLE', 'SCHEMA', 'TOPIC'];

/** What the primary knows of a slot's current child, from its ticks. */
interface SlotView {
  /** Latency p50/p99 of the child's last tick (ms), until the next emitted second takes it. */
  latency: { p50: number; p99: number } | null;
  rssMiB: number;
  loopDelayP99Ms: number;
  acked: number;
  failed: number;
  inFlight: number;
  behind: number;
  maxRssBytes: number;
}

export class StormRun extends AwaitableRun<StormReport> {
  /** Tells this process's producers from those of other storms sharing the run id. */
  private readonly instance = randomBytes(3).toString('hex');
  private readonly supervisor: Supervisor<ChildMessage>;
  private readonly slots: SlotView[] = [];
  /** Acknowledged per wall-clock second (Unix seconds; the interval that ends there), summed over children. */
  private readonly perSecond = new Map<number, number>();
  private readonly health = new HealthRows();
  private readonly totals: RunTotals = {
    acked: 0,
    bytes: 0,
    sent: 0,
    failed: {},
    mix: [0, 0, 0],
    batchShares: noMoments(),
    unresolved: 0,
    peakRate: 0,
    startupSec: 0,
    restarts: 0,
    unsettledGivenBack: 0,
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
  };
  private readonly schedule: Schedule;
  /** --find-max's referee; the run stops at the first step it fails. */
  private readonly judge?: StepJudge;
  private findMaxEnded = false;
  /** When the run was told to stop (Ctrl-C, find-max's failed step): the schedule ends there. */
  private stoppedAt?: number;
  /** Every acknowledgement so far in Prometheus buckets (from the children's ticks). */
  private readonly buckets = noLatencyBuckets();
  /** Given back the quota on a child's death; set once Redis is connected. */
  private quota?: Quota;

  constructor(private readonly o: StormOptions) {
    super();
    this.schedule = decodeSchedule(o.shape.schedule);
    if (o.findMax) this.judge = new StepJudge(o.findMax);
    this.supervisor = new Supervisor<ChildMessage>({
      script: CHILD_SCRIPT,
      env: CHILD_ENV,
      config: (id): ChildConfig => ({ ...id, options: o, instance: this.instance }),
      onMessage: (m) => this.onMessage(m),
      fatalOf: (f: ChildFatal) =>
        SHARED_CODES.includes(f.code)
          ? new DataStormError(f.code, f.message)
          : new DataStormError('PRODUCE', `child ${f.slot}: ${f.message}`),
      beforeRestart: (dead) => this.giveBackSlice(dead),
    });
    this.begin();
  }

  /** Stop generating, let in-flight messages finish (bounded), then resolve with a true report. */
  stop(): void {
    this.stoppedAt ??= Date.now();
    this.supervisor.stop();
  }

  protected async run(): Promise<StormReport> {
    const o = this.o;
    // Fail fast, before forking anything: the schema, Redis, then the cluster, then the topic.
    loadTweetType(o.schema);
    const redis = await connectRedis(o.redis);
    try {
      const brokers = await listBrokers(o.bootstrap);
      // Defaults follow the cluster; what the user asked for is honoured or refused, never quietly lowered.
      if (o.replication !== undefined && o.replication > brokers.length)
        throw new InvalidOptionsError([
          `--replication ${o.replication} needs at least ${o.replication} brokers; the cluster at ${o.bootstrap} ` +
            `has ${brokers.length}`,
        ]);
      const replication = o.replication ?? Math.min(3, brokers.length);
      const topic = await ensureTopic(o.bootstrap, {
        topic: o.topic,
        partitions: o.partitions ?? 3 * brokers.length,
        replication,
        config: {
          'max.message.bytes': String(topicMaxMessageBytesFor(o.batchBytes)),
          // With three or more replicas, acks=all means "on at least two": one broker may die without losing a message.
          ...(replication >= 3 ? { 'min.insync.replicas': '2' } : {}),
        },
      });
      refuseExistingMismatch(o, topic);
      this.quota = new Quota(redis, o.runId, o.count, o.shape.schedule);
      const startedAt = new Date();
      const forkedAt = performance.now();
      // Rates count from the moment the first child starts producing: forking, connecting and building the tweet pool
      // are start-up (reported apart), not production.
      let t0 = Number.NaN;
      this.once('producing', () => (t0 = performance.now()));
      this.emit('start', { runId: o.runId, brokers: brokers.length, topic, workers: o.workers });

      for (let slot = 0; slot < o.workers; slot++)
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
      const finished = this.supervisor.run(o.workers);
      const ticks = this.emitTicks(() => t0);
      await finished;
      clearInterval(ticks.timer);
      ticks.last();
      const fatal = this.supervisor.fatal[0];
      // A failure before anything was produced is just the error; after, the run ends with a true report that carries
      // it.
      if (fatal && Number.isNaN(t0)) throw fatal;
      if (Number.isNaN(t0)) t0 = performance.now();
      const t = this.totals;
      // Statistics count from the end of the warm-up (the run's start by the schedule's clock, plus --warmup).
      const measuredFrom =
        o.warmup > 0 && t.scheduleStartMs !== null
          ? Math.max(t0, t.scheduleStartMs + o.warmup * 1000 - performance.timeOrigin)
          : t0;
      const endedAt = performance.now();
      const elapsedSec = Math.max(0.001, (endedAt - measuredFrom) / 1000);
      if (this.judge && !this.findMaxEnded && t.scheduleStartMs !== null)
        this.judge.judge(performance.timeOrigin + endedAt, t.scheduleStartMs, true);
      const tl = timelineOf(this.perSecond, performance.timeOrigin + measuredFrom, elapsedSec);
      t.timeline = tl.timeline;
      t.peakRate = tl.peak ?? t.acked / elapsedSec;
      t.startupSec = (t0 - forkedAt) / 1000;
      t.restarts = this.supervisor.restarts;
      t.maxRssBytes = this.slots.map((s) => s.maxRssBytes);
      t.health = this.health.rows;
      const global = await new Counters(redis, o.runId).read().catch(() => undefined);
      const issued = await this.quota.issued().catch(() => undefined);
      const error = fatal ? { code: fatal.code, message: fatal.message } : null;
      const stopped = this.supervisor.stopped && !error && !this.findMaxEnded;
      return buildReport({
        options: o,
        totals: t,
        brokers: brokers.length,
        topic,
        startedAt,
        elapsedSec,
        global,
        issued,
        stopped,
        error,
        steps: this.judge?.steps,
        maxHeld: this.judge ? this.judge.maxHeld() : undefined,
        measuredFromMs: performance.timeOrigin + measuredFrom,
        // The schedule ran until the run's duration, its stop, or its end, whichever came first.
        scheduledUntilMs: Math.min(
          (o.duration ?? Number.POSITIVE_INFINITY) * 1000,
          (this.stoppedAt ?? performance.timeOrigin + endedAt) - (t.scheduleStartMs ?? Number.NaN),
        ),
      });
    } finally {
      redis.disconnect();
    }
  }

  /** One aggregate per second for listeners (progress bar, tests), once production started. */
  private emitTicks(startedAt: () => number): { timer: NodeJS.Timeout; last: () => void } {
    let lastAcked = 0;
    let lastT = Number.NaN;
    const emit = () => {
      const t0 = startedAt();
      if (Number.isNaN(t0)) return;
      if (Number.isNaN(lastT)) lastT = t0;
      const now = performance.now();
      const t = this.totals;
      const current = ((t.acked - lastAcked) * 1000) / (now - lastT);
      lastAcked = t.acked;
      lastT = now;
      const elapsedSec = (now - t0) / 1000;
      const start = this.totals.scheduleStartMs;
      const sinceStart = start === null ? 0 : performance.timeOrigin + now - start;
      const targetRate = rateAt(this.schedule, sinceStart);
      this.findMaxStep(performance.timeOrigin + now);
      this.emit('tick', {
        elapsedSec,
        acked: t.acked,
        target: this.o.count,
        durationSec: this.o.duration,
        currentRate: current,
        averageRate: t.acked / elapsedSec,
        errors: Object.values(t.failed).reduce((a, b) => a + b, 0),
        inFlight: this.slots.reduce((a, s) => a + s.inFlight, 0),
        behind: Math.max(0, ...this.slots.map((s) => s.behind)),
        targetRate: Number.isFinite(targetRate) ? targetRate : null,
        warmingUp: start === null ? this.o.warmup > 0 : sinceStart < this.o.warmup * 1000,
        sent: t.sent,
        failedByKind: { ...t.failed },
        mix: [t.mix[0], t.mix[1], t.mix[2]],
        latencyMs: this.secondLatency(),
        latencyBuckets: { ...this.buckets, counts: [...this.buckets.counts] },
        children: this.slots.map((s, slot) => ({ slot, rssMiB: s.rssMiB, loopDelayP99Ms: s.loopDelayP99Ms })),
      } satisfies StormProgress);
    };
    // Once a second, and once more at the end, so listeners (dashboard, /metrics) end on the final totals.
    return { timer: setInterval(emit, 1000), last: emit };
  }

  /** --find-max: judge the steps that ended; stop the run at the first that failed. */
  private findMaxStep(nowMs: number): void {
    const start = this.totals.scheduleStartMs;
    if (!this.judge || this.findMaxEnded || start === null) return;
    const failed = this.judge.judge(nowMs, start);
    if (!failed) return;
    this.findMaxEnded = true;
    this.emit('step', failed);
    this.stop();
  }

  /** The worst child's p50 and p99 since the last emitted second; null when none reported any. */
  private secondLatency(): { p50: number; p99: number } | null {
    let worst: { p50: number; p99: number } | null = null;
    for (const s of this.slots) {
      if (s.latency && (!worst || s.latency.p99 > worst.p99)) worst = s.latency;
      s.latency = null;
    }
    return worst;
  }

  /** A child died mid-run: give back what it leased (Redis knows exactly) and never saw settled. */
  private async giveBackSlice(dead: ChildExit): Promise<void> {
    const s = this.slots[dead.slot];
    const settled = s.acked + s.failed;
    s.acked = s.failed = s.inFlight = 0;
    const id = producerIdOf(this.o.runId, this.instance, dead.slot, dead.incarnation);
    try {
      const leased = (await this.quota?.leasedBy(id)) ?? 0;
      const unsettled = Math.max(0, leased - settled);
      this.totals.unsettledGivenBack += unsettled;
      this.emit('restart', { slot: dead.slot, signal: dead.signal ?? undefined, code: dead.code, unsettled });
      await this.quota?.giveBack(unsettled);
    } catch (e) {
      this.emit('warning', `could not give back child ${dead.slot}'s slice: ${(e as Error).message}`);
    }
  }

  private onMessage(m: ChildMessage): void {
    const t = this.totals;
    const s = this.slots[m.slot];
    if (m.t === 'producing') {
      this.health.start();
      this.emit('producing', m.slot);
    } else if (m.t === 'tick') {
      if (m.scheduleStartMs !== null)
        t.scheduleStartMs = Math.min(t.scheduleStartMs ?? Number.POSITIVE_INFINITY, m.scheduleStartMs);
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
      s.acked += m.acked;
      s.inFlight = m.inFlight;
      s.behind = m.behind;
      this.health.add(m.slot, m.health);
      mergeBuckets(this.buckets, m.latency.buckets);
      if (m.latency.p50 !== null && m.latency.p99 !== null) s.latency = { p50: m.latency.p50, p99: m.latency.p99 };
      s.rssMiB = Math.round((m.health.rssBytes / 2 ** 20) * 10) / 10;
      s.loopDelayP99Ms = Math.round(m.health.loopDelayP99Ms * 10) / 10;
    } else if (m.t === 'done') {
      if (m.histogram) t.histogram.add(hdr.decodeFromCompressedBase64(m.histogram));
      if (m.intendedHistogram) t.intended.add(hdr.decodeFromCompressedBase64(m.intendedHistogram));
      if (m.publishDelayHistogram) t.publishDelay.add(hdr.decodeFromCompressedBase64(m.publishDelayHistogram));
      for (const [p, n] of m.partitions.entries()) t.partitions[p] = (t.partitions[p] ?? 0) + n;
      t.gcPauses.add(hdr.decodeFromCompressedBase64(m.gcHistogram));
      t.unresolved += m.unresolved;
      s.maxRssBytes = Math.max(s.maxRssBytes, m.maxRssBytes);
    }
  }
}

export function storm(options: StormOptions): StormRun {
  return new StormRun(options);
}
