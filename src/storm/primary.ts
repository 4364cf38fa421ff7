/**
 * The storm engine: `storm(options)` has the supervisor fork one child per worker, aggregates their per-interval
 * ticks, gives back what a dead child leased before its successor starts, and resolves with the final report. It is
 * an EventEmitter ('start', 'tick', 'restart', 'warning') that can also be awaited. Progress bars and reports are
 * listeners; the engine prints nothing.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AwaitableRun } from '../awaitable-run.js';
import { Counters } from '../coord/counters.js';
import { Quota } from '../coord/quota.js';
import { connectRedis } from '../coord/redis.js';
import { DataStormError, type ErrorCode, InvalidOptionsError } from '../errors.js';
import { loadTweetType } from '../generate/tweet-encoder.js';
import { ensureTopic, listBrokers } from '../kafka/admin.js';
import { topicMaxMessageBytesFor } from '../kafka/limits.js';
import type { StormProgress } from '../report/progress.js';
import type { StormReport } from '../report/storm-report.js';
import { decodeSchedule, rateAt, type Schedule } from '../scenario/schedule.js';
import { type ChildExit, type ChildFatal, Supervisor } from '../supervisor.js';
import type { StormOptions } from './options.js';
import { CHILD_ENV, type ChildConfig, type ChildMessage, producerIdOf } from './protocol.js';
import { buildReport } from './report-builder.js';
import { RunAggregate } from './run-aggregate.js';
import { StepJudge } from './step-judge.js';
import { timelineOf } from './timeline.js';
import { refuseExistingMismatch } from './topic-check.js';

const CHILD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.js');
/** Errors about the cluster, Redis, the topic or the schema read the same from any child; others name the child. */
const SHARED_CODES: readonly ErrorCode[] = ['KAFKA_UNREACHABLE', 'REDIS_UNREACHABLE', 'SCHEMA', 'TOPIC'];

export class StormRun extends AwaitableRun<StormReport> {
  /** Tells this process's producers from those of other storms sharing the run id. */
  private readonly instance = randomBytes(3).toString('hex');
  private readonly supervisor: Supervisor<ChildMessage>;
  /** What the children told: totals, each slot's view, counts per second. */
  private readonly agg: RunAggregate;
  private readonly schedule: Schedule;
  /** --find-max's referee; the run stops at the first step it fails. */
  private readonly judge?: StepJudge;
  private findMaxEnded = false;
  /** When the run was told to stop (Ctrl-C, find-max's failed step): the schedule ends there. */
  private stoppedAt?: number;
  /** Given back the quota on a child's death; set once Redis is connected. */
  private quota?: Quota;

  constructor(private readonly o: StormOptions) {
    super();
    this.schedule = decodeSchedule(o.shape.schedule);
    if (o.findMax) this.judge = new StepJudge(o.findMax);
    this.agg = new RunAggregate(o.workers, this.judge);
    this.supervisor = new Supervisor<ChildMessage>({
      script: CHILD_SCRIPT,
      env: CHILD_ENV,
      config: (id): ChildConfig => ({ ...id, options: o, instance: this.instance }),
      onMessage: (m) => {
        if (m.t === 'producing') {
          this.agg.producing();
          this.emit('producing', m.slot);
        } else if (m.t === 'tick') this.agg.tick(m);
        else if (m.t === 'done') this.agg.done(m);
      },
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
      const t = this.agg.totals;
      // Statistics count from the end of the warm-up (the run's start by the schedule's clock, plus --warmup).
      const measuredFrom =
        o.warmup > 0 && t.scheduleStartMs !== null
          ? Math.max(t0, t.scheduleStartMs + o.warmup * 1000 - performance.timeOrigin)
          : t0;
      const endedAt = performance.now();
      const elapsedSec = Math.max(0.001, (endedAt - measuredFrom) / 1000);
      if (this.judge && !this.findMaxEnded && t.scheduleStartMs !== null)
        this.judge.judge(performance.timeOrigin + endedAt, t.scheduleStartMs, true);
      const tl = timelineOf(this.agg.perSecond, performance.timeOrigin + measuredFrom, elapsedSec);
      t.timeline = tl.timeline;
      t.peakRate = tl.peak ?? t.acked / elapsedSec;
      t.startupSec = (t0 - forkedAt) / 1000;
      t.restarts = this.supervisor.restarts;
      t.maxRssBytes = this.agg.slots.map((s) => s.maxRssBytes);
      const own = process.cpuUsage();
      t.cpuSec = (own.user + own.system + t.childCpuMicros) / 1e6;
      t.health = this.agg.health.rows;
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
      const t = this.agg.totals;
      const current = ((t.acked - lastAcked) * 1000) / (now - lastT);
      lastAcked = t.acked;
      lastT = now;
      const elapsedSec = (now - t0) / 1000;
      const start = this.agg.totals.scheduleStartMs;
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
        inFlight: this.agg.slots.reduce((a, s) => a + s.inFlight, 0),
        behind: Math.max(0, ...this.agg.slots.map((s) => s.behind)),
        targetRate: Number.isFinite(targetRate) ? targetRate : null,
        warmingUp: start === null ? this.o.warmup > 0 : sinceStart < this.o.warmup * 1000,
        sent: t.sent,
        failedByKind: { ...t.failed },
        mix: [t.mix[0], t.mix[1], t.mix[2]],
        latencyMs: this.agg.secondLatency(),
        latencyBuckets: { ...this.agg.buckets, counts: [...this.agg.buckets.counts] },
        children: this.agg.slots.map((s, slot) => ({ slot, rssMiB: s.rssMiB, loopDelayP99Ms: s.loopDelayP99Ms })),
      } satisfies StormProgress);
    };
    // Once a second, and once more at the end, so listeners (dashboard, /metrics) end on the final totals.
    return { timer: setInterval(emit, 1000), last: emit };
  }

  /** --find-max: judge the steps that ended; stop the run at the first that failed. */
  private findMaxStep(nowMs: number): void {
    const start = this.agg.totals.scheduleStartMs;
    if (!this.judge || this.findMaxEnded || start === null) return;
    const failed = this.judge.judge(nowMs, start);
    if (!failed) return;
    this.findMaxEnded = true;
    this.emit('step', failed);
    this.stop();
  }

  /** A child died mid-run: give back what it leased (Redis knows exactly) and never saw settled. */
  private async giveBackSlice(dead: ChildExit): Promise<void> {
    const s = this.agg.slots[dead.slot];
    const settled = s.acked + s.failed;
    s.acked = s.failed = s.inFlight = 0;
    const id = producerIdOf(this.o.runId, this.instance, dead.slot, dead.incarnation);
    try {
      const leased = (await this.quota?.leasedBy(id)) ?? 0;
      const unsettled = Math.max(0, leased - settled);
      this.agg.totals.unsettledGivenBack += unsettled;
      this.emit('restart', { slot: dead.slot, signal: dead.signal ?? undefined, code: dead.code, unsettled });
      await this.quota?.giveBack(unsettled);
    } catch (e) {
      this.emit('warning', `could not give back child ${dead.slot}'s slice: ${(e as Error).message}`);
    }
  }
}

export function storm(options: StormOptions): StormRun {
  return new StormRun(options);
}
