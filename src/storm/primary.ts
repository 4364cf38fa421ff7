/**
 * The storm engine: `storm(options)` has the supervisor fork one child per worker, aggregates their per-interval
 * ticks, gives back what a dead child leased before its successor starts, and resolves with the final report. It is
 * an EventEmitter ('start', 'tick', 'restart', 'warning') that can also be awaited. Progress bars and reports are
 * listeners; the engine prints nothing.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { AwaitableRun } from '../awaitable-run.js';
import { Counters } from '../coord/counters.js';
import { IndexHold, type Instances, joinRun, type TakeOver, takeOverIndex } from '../coord/instances.js';
import { Quota } from '../coord/quota.js';
import { connectRedis } from '../coord/redis.js';
import { DataStormError, type ErrorCode, InvalidOptionsError } from '../errors.js';
import { loadStormSchema, registerSchema, type StormSchema } from '../generate/storm-schema.js';
import { producerIdOf } from '../generate/tweet-contract.js';
import { ensureTopic, listBrokers, type TopicInfo } from '../kafka/admin.js';
import { topicMaxMessageBytesFor } from '../kafka/limits.js';
import { METADATA_REFRESH_MS } from '../kafka/producer.js';
import { TopicWatch } from '../kafka/topic-watch.js';
import type { StormProgress } from '../report/progress.js';
import type { StormReport } from '../report/storm-report.js';
import type { StepResult } from '../scenario/find-max.js';
import { decodeSchedule, rateAt, type Schedule } from '../scenario/schedule.js';
import { steadyNow } from '../steady-clock.js';
import { type ChildExit, type ChildFatal, Supervisor } from '../supervisor.js';
import { STORM_FIGURES } from '../thresholds/figures.js';
import { abortWarning, LiveGate } from '../thresholds/live-gate.js';
import { judgeAtEnd } from '../thresholds/threshold.js';
import { InstanceJudge, MERGED_SETTLE_MS } from './instance-judge.js';
import { InstancePublisher } from './instance-publisher.js';
import type { StormOptions } from './options.js';
import { CHILD_ENV, type ChildConfig, type ChildMessage } from './protocol.js';
import { buildReport } from './report-builder.js';
import { RunAggregate } from './run-aggregate.js';
import { StepJudge } from './step-judge.js';
import { timelineOf } from './timeline.js';
import { refuseExistingMismatch } from './topic-check.js';

const CHILD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.js');
/** How long children wait for what is in flight once the topic is deleted under them. */
const DELETED_TOPIC_SETTLE_MS = 1000;
/** Errors about the cluster, Redis, the topic or the schema read the same from any child; others name the child. */
/** What the production phase leaves for the report; times on performance.now(). */
interface Production {
  brokers: number;
  topic: TopicInfo;
  startedAt: Date;
  forkedAt: number;
  producingAt: number;
  endedAt: number;
  fatal: DataStormError | undefined;
}
const SHARED_CODES: readonly ErrorCode[] = ['KAFKA_UNREACHABLE', 'REDIS_UNREACHABLE', 'SCHEMA', 'TOPIC'];

export class StormRun extends AwaitableRun<StormReport> {
  /** Tells this process's producers from those of other storms sharing the run id (and names its instance). */
  private readonly instance: string;
  /** One of several instances of the run: publishes for the merged report once it passed the barrier. */
  private publisher?: InstancePublisher;
  private readonly supervisor: Supervisor<ChildMessage>;
  /** What the children told: totals, each slot's view, counts per second. */
  private readonly agg: RunAggregate;
  private readonly schedule: Schedule;
  /** --find-max's referee; the run stops at the first step it fails. */
  private readonly judge?: StepJudge;
  /** --find-max with --instances: the referee judges the run's merged figures. */
  private instanceJudge?: InstanceJudge;
  private findMaxEnded = false;
  /** abort-on-fail thresholds, watched every second (and the one that stopped the run). */
  private readonly liveGate: LiveGate<StormProgress>;
  /** When the run was told to stop (Ctrl-C, find-max's failed step): the schedule ends there. */
  private stoppedAt?: number;
  /** Given back the quota on a child's death; set once Redis is connected. */
  private quota?: Quota;
  /** --instances: this process holds its index while it runs (a second process with the index is refused). */
  private hold?: IndexHold;
  /** Where its children's incarnations start: after those of the index's earlier processes (a restarted instance). */
  private incarnationBase = 0;
  /** What the run writes (generate/storm-schema.ts), read before anything starts. */
  private schema?: StormSchema;
  /** With --schema-registry: the id it gave the schema. */
  private schemaId?: number;

  constructor(private readonly options: StormOptions) {
    super();
    const random = randomBytes(3).toString('hex');
    this.instance = options.instances ? `i${options.instances.index}-${random}` : random;
    this.schedule = decodeSchedule(options.shape.schedule);
    if (options.findMax) this.judge = new StepJudge(options.findMax, options.instances ? MERGED_SETTLE_MS : undefined);
    this.agg = new RunAggregate(options.workers, this.judge);
    this.liveGate = new LiveGate(options.thresholds ?? [], STORM_FIGURES);
    this.supervisor = new Supervisor<ChildMessage>({
      script: CHILD_SCRIPT,
      env: CHILD_ENV,
      config: (id): ChildConfig => ({
        ...id,
        incarnation: id.incarnation + this.incarnationBase,
        options,
        instance: this.instance,
        schemaId: this.schemaId,
      }),
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
    this.stoppedAt ??= steadyNow();
    this.supervisor.stop();
  }

  protected async run(): Promise<StormReport> {
    // Fail fast, before forking anything: the schema, Redis, then the cluster, then the topic.
    this.schema = loadStormSchema(this.options);
    if (this.options.registry)
      this.schemaId = await registerSchema(this.options.registry, this.options.topic, this.schema);
    const redis = await connectRedis(this.options.redis, this.options.redisCa);
    try {
      const { brokers, topic } = await this.prepareTopic();
      this.quota = new Quota(redis, this.options.runId, this.options.count, this.options.shape.schedule);
      if (this.options.instances) await this.join(redis, this.options.instances);
      const production = await this.produce(brokers, topic);
      return await this.withInstances(await this.report(redis, production));
    } finally {
      await this.hold?.release();
      redis.disconnect();
    }
  }

  /**
   * --instances: takes its index (and over from the index's earlier processes, when restarted), waits at the run's
   * barrier for the others, then publishes for the merged report as it runs.
   */
  private async join(redis: Redis, instances: Instances): Promise<void> {
    const runId = this.options.runId;
    this.hold = new IndexHold(redis, runId, instances.index, this.instance);
    await this.hold.take();
    const takeOver = await takeOverIndex(redis, runId, instances.index, this.instance);
    this.incarnationBase = takeOver.incarnationBase;
    const joined = await joinRun(redis, runId, instances, (n) =>
      this.emit('barrier', { joined: n, instances: instances.count }),
    );
    const options = { ...this.options, instances };
    const warn = (message: string) => this.emit('warning', message);
    const publisher = new InstancePublisher(
      this.instance,
      redis,
      options,
      joined,
      this.agg,
      warn,
      takeOver.predecessors,
    );
    await publisher.recordPredecessors();
    const judge = this.judge;
    if (judge) {
      publisher.judged = (startMs) => judge.ownSinceStart(startMs);
      this.instanceJudge = new InstanceJudge(redis, runId, judge);
    }
    this.publisher = publisher;
    this.tellTakeOver(takeOver);
  }

  private tellTakeOver({ predecessors }: TakeOver): void {
    for (const p of predecessors)
      this.emit(
        'warning',
        `took over from process ${p.processId} of this instance's index: it settled ` +
          `${p.acked.toLocaleString('en-US')}; ${p.givenBack.toLocaleString('en-US')} it leased and never settled ` +
          'went back to the quota',
      );
  }

  /** An instance's report says where it stood; the last instance to finish carries the run's merged report. */
  private async withInstances(report: StormReport): Promise<StormReport> {
    if (!this.publisher) return report;
    report.instance = this.publisher.section();
    try {
      const merged = await this.publisher.finish(report);
      if (merged) report.merged = merged;
    } catch (e) {
      report.notes.push(`this instance's final counts did not reach Redis (${(e as Error).message})`);
    }
    return report;
  }

  /** The cluster's brokers, and the topic made or checked: what the user asked for is honoured or refused. */
  private async prepareTopic(): Promise<{ brokers: number; topic: TopicInfo }> {
    const options = this.options;
    const cluster = { bootstrap: options.bootstrap, client: options.client };
    const brokers = (await listBrokers(cluster)).length;
    // Defaults follow the cluster; what the user asked for is honoured or refused, never quietly lowered.
    if (options.replication !== undefined && options.replication > brokers)
      throw new InvalidOptionsError([
        `--replication ${options.replication} needs at least ${options.replication} brokers; the cluster at ` +
          `${options.bootstrap} has ${brokers}`,
      ]);
    const replication = options.replication ?? Math.min(3, brokers);
    const topic = await ensureTopic(cluster, {
      topic: options.topic,
      partitions: options.partitions ?? 3 * brokers,
      replication,
      config: {
        'max.message.bytes': String(topicMaxMessageBytesFor(options.batchBytes)),
        // With three or more replicas, acks=all means "on at least two": one broker may die without losing a message.
        ...(replication >= 3 ? { 'min.insync.replicas': '2' } : {}),
      },
    });
    refuseExistingMismatch(options, topic);
    return { brokers, topic };
  }

  /** Forks the children and waits for them; times on performance.now(). */
  private async produce(brokers: number, topic: TopicInfo): Promise<Production> {
    const startedAt = new Date();
    const forkedAt = performance.now();
    // Rates count from the moment the first child starts producing: forking, connecting and building the tweet pool
    // are start-up (reported apart), not production.
    let producingAt = Number.NaN;
    this.once('producing', () => (producingAt = performance.now()));
    this.emit('start', { runId: this.options.runId, brokers, topic, workers: this.options.workers });
    const watch = this.watchTopic(topic);
    const finished = this.supervisor.run(this.options.workers);
    const ticks = this.emitTicks(() => producingAt);
    await finished;
    watch.stop();
    clearInterval(ticks.timer);
    ticks.last();
    const fatal = this.supervisor.fatal[0];
    // A failure before anything was produced is just the error; after, the run ends with a true report that carries
    // it.
    if (fatal && Number.isNaN(producingAt)) throw fatal;
    if (Number.isNaN(producingAt)) producingAt = performance.now();
    return { brokers, topic, startedAt, forkedAt, producingAt, endedAt: performance.now(), fatal };
  }

  /** The cluster changing the topic under the run: deleted ends it (with its report), more partitions are said. */
  private watchTopic(topic: TopicInfo): TopicWatch {
    const cluster = { bootstrap: this.options.bootstrap, client: this.options.client };
    return new TopicWatch(cluster, topic.name, topic.partitions, {
      // What is in flight to a deleted topic never comes back: the children wait a second, not their usual 30 s,
      // and the report counts it unresolved.
      deleted: () =>
        this.supervisor.fail(
          new DataStormError(
            'TOPIC',
            `topic '${topic.name}' was deleted while the storm wrote to it: stopped; the report counts what the ` +
              'brokers acknowledged before (gone with the topic)',
          ),
          DELETED_TOPIC_SETTLE_MS,
        ),
      grew: (partitions, before) =>
        this.emit(
          'warning',
          `topic '${topic.name}' grew from ${before} to ${partitions} partitions mid-run: the producers write to ` +
            `all of them from their next metadata refresh (within ${METADATA_REFRESH_MS / 1000} s)`,
        ),
    });
  }

  /** The run's report: totals completed from the children's last words, Redis' global counts, the schedule's end. */
  private async report(redis: Redis, production: Production): Promise<StormReport> {
    const options = this.options;
    const totals = this.agg.totals;
    // Statistics count from the end of the warm-up (the run's start by the schedule's clock, plus --warmup), and
    // never from before the run's start: instances of a run wait for their agreed start after producing began.
    const measuredFrom =
      totals.scheduleStartMs !== null
        ? Math.max(production.producingAt, totals.scheduleStartMs + options.warmup * 1000 - performance.timeOrigin)
        : production.producingAt;
    const elapsedSec = Math.max(0.001, (production.endedAt - measuredFrom) / 1000);
    if (this.judge && !this.findMaxEnded && totals.scheduleStartMs !== null)
      await this.finalJudgement(performance.timeOrigin + production.endedAt, totals.scheduleStartMs);
    this.completeTotals(production, measuredFrom, elapsedSec);
    const error = production.fatal ? { code: production.fatal.code, message: production.fatal.message } : null;
    const report = buildReport({
      options,
      recordName: this.schema && this.schema.kind !== 'tweet' ? this.schema.name : undefined,
      recordFormat: this.schema?.kind === 'proto' ? 'protobuf' : this.options.format,
      totals,
      brokers: production.brokers,
      topic: production.topic,
      startedAt: production.startedAt,
      elapsedSec,
      global: await new Counters(redis, options.runId).read().catch(() => undefined),
      issued: await this.quota?.issued().catch(() => undefined),
      stopped: this.supervisor.stopped && !error && !this.findMaxEnded && !this.liveGate.aborted,
      error,
      steps: this.judge?.steps,
      maxHeld: this.judge ? this.judge.maxHeld() : undefined,
      measuredFromMs: performance.timeOrigin + measuredFrom,
      // The schedule ran until the run's duration, its stop, or its end, whichever came first.
      scheduledUntilMs: Math.min(
        (options.duration ?? Number.POSITIVE_INFINITY) * 1000,
        (this.stoppedAt ?? performance.timeOrigin + production.endedAt) - (totals.scheduleStartMs ?? Number.NaN),
      ),
    });
    return this.withThresholds(report);
  }

  /** The thresholds judged on the report's exact figures (and the one that stopped the run live, if one did). */
  private withThresholds(report: StormReport): StormReport {
    const thresholds = this.options.thresholds ?? [];
    if (thresholds.length === 0) return report;
    report.thresholds = judgeAtEnd(thresholds, (figure) => STORM_FIGURES[figure].atEnd(report), this.liveGate.aborted);
    const stop = this.liveGate.aborted;
    if (stop)
      report.notes.push(
        `stopped at ${stop.atSec} s by the threshold '${stop.expr}': it failed every second for ${stop.failingSec} s`,
      );
    return report;
  }

  /** --find-max, the run over: the steps left are judged, on the run's merged figures for an instance. */
  private async finalJudgement(endMs: number, startMs: number): Promise<void> {
    if (!this.instanceJudge) {
      this.judge?.judge(endMs, startMs, true);
      return;
    }
    await this.publisher?.publishRunning();
    // Every instance's last seconds, published after they end here (their children tick once more as they finish).
    const untilSec = (endMs - startMs) / 1000 + 1.5;
    await this.instanceJudge
      .final(endMs, startMs, untilSec)
      .catch((e: Error) => this.emit('warning', `--find-max: the run's last step not judged: ${e.message}`));
  }

  /** What the totals learn only at the end: the timeline, the peak, start-up, restarts, memory and CPU. */
  private completeTotals(production: Production, measuredFrom: number, elapsedSec: number): void {
    const totals = this.agg.totals;
    const timeline = timelineOf(this.agg.perSecond, performance.timeOrigin + measuredFrom, elapsedSec);
    totals.timeline = timeline.timeline;
    totals.peakRate = timeline.peak ?? totals.acked / elapsedSec;
    totals.startupSec = (production.producingAt - production.forkedAt) / 1000;
    totals.restarts = this.supervisor.restarts;
    totals.maxRssBytes = this.agg.slots.map((slot) => slot.maxRssBytes);
    const own = process.cpuUsage();
    totals.cpuSec = (own.user + own.system + totals.childCpuMicros) / 1e6;
    totals.health = this.agg.health.rows;
  }

  /** One aggregate per second for listeners (progress bar, tests), once production started. */
  private emitTicks(startedAt: () => number): { timer: NodeJS.Timeout; last: () => void } {
    let lastAcked = 0;
    let lastT = Number.NaN;
    const emit = (final = false) => {
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
      void this.publisher?.publishRunning();
      const tick: StormProgress = {
        elapsedSec,
        acked: t.acked,
        target: this.options.count,
        durationSec: this.options.duration,
        currentRate: current,
        averageRate: t.acked / elapsedSec,
        errors: Object.values(t.failed).reduce((a, b) => a + b, 0),
        inFlight: this.agg.slots.reduce((a, s) => a + s.inFlight, 0),
        behind: Math.max(0, ...this.agg.slots.map((s) => s.behind)),
        targetRate: Number.isFinite(targetRate) ? targetRate : null,
        warmingUp: start === null ? this.options.warmup > 0 : sinceStart < this.options.warmup * 1000,
        sent: t.sent,
        failedByKind: { ...t.failed },
        mix: [t.mix[0], t.mix[1], t.mix[2]],
        ...this.secondLatency(),
        latencyBuckets: { ...this.agg.buckets, counts: [...this.agg.buckets.counts] },
        children: this.agg.slots.map((s, slot) => ({ slot, rssMiB: s.rssMiB, loopDelayP99Ms: s.loopDelayP99Ms })),
      };
      this.emit('tick', tick);
      // The run's last tick comes after it ended: nothing is left to stop.
      if (!final) this.watchThresholds(tick);
    };
    // Once a second, and once more at the end, so listeners (dashboard, /metrics) end on the final totals.
    return { timer: setInterval(emit, 1000), last: () => emit(true) };
  }

  /** The last second's worst child's latency, from the send and (under a rate schedule) from the intended time. */
  private secondLatency(): Pick<StormProgress, 'latencyMs' | 'intendedP99Ms'> {
    const latency = this.agg.secondLatency();
    return {
      latencyMs: latency && { p50: latency.p50, p99: latency.p99 },
      intendedP99Ms: latency?.intendedP99 ?? null,
    };
  }

  /** abort-on-fail: a threshold failing every second for its grace period stops the run (after the warm-up). */
  private watchThresholds(tick: StormProgress): void {
    if (tick.warmingUp) {
      this.liveGate.skip(tick.elapsedSec);
      return;
    }
    const aborted = this.liveGate.observe(tick.elapsedSec, tick);
    if (!aborted) return;
    this.emit('warning', abortWarning(aborted));
    this.stop();
  }

  /** --find-max: judge the steps that ended; stop the run at the first that failed. */
  private findMaxStep(nowMs: number): void {
    const start = this.agg.totals.scheduleStartMs;
    if (!this.judge || this.findMaxEnded || start === null) return;
    if (this.instanceJudge) {
      this.instanceJudge
        .step(nowMs, start)
        .then((failed) => failed && this.endFindMax(failed))
        .catch((e: Error) => this.emit('warning', `--find-max: the run's merged figures not read: ${e.message}`));
      return;
    }
    const failed = this.judge.judge(nowMs, start);
    if (failed) this.endFindMax(failed);
  }

  private endFindMax(failed: StepResult): void {
    if (this.findMaxEnded) return;
    this.findMaxEnded = true;
    this.emit('step', failed);
    this.stop();
  }

  /** A child died mid-run: give back what it leased (Redis knows exactly) and never saw settled. */
  private async giveBackSlice(dead: ChildExit): Promise<void> {
    const s = this.agg.slots[dead.slot];
    const settled = s.acked + s.failed;
    s.acked = s.failed = s.inFlight = 0;
    const id = producerIdOf(this.options.runId, this.instance, dead.slot, dead.incarnation + this.incarnationBase);
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
