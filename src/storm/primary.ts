/**
 * The storm engine: `storm(options)` runs the storm's phases (load schema → connect to Redis → prepare topic → start
 * readers → join instances → produce → drain readers → collect) over one context, and resolves with the final
 * report. Production forks one child per worker (the supervisor restarts a dead one, after giving back what it
 * leased), and feeds the children's ticks, once a second, to the run's observers: the 'tick' event, the live gate,
 * find-max's referee, an instance's publisher, a backlog's resume, OpenMessaging Benchmark's periods. The readers
 * (--consumer-groups) are a fleet of their own (readers/reader-fleet.ts). It is an EventEmitter ('phase', 'start',
 * 'producing', 'tick', 'restart', 'barrier', 'step', 'warning') that can also be awaited. Progress bars and reports
 * are listeners; the engine prints nothing.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DataStormError, type ErrorCode } from '../errors.js';
import type { TopicInfo } from '../kafka/admin.js';
import { PACKAGE_ROOT } from '../package-root.js';
import type { StormProgress } from '../report/progress.js';
import type { StormReport } from '../report/storm-report.js';
import { STORM_FIGURES } from '../run/figures.js';
import { LiveGate, liveGateObserver } from '../run/live-gate.js';
import { type Phase, RunEngine } from '../run/run-engine.js';
import { childFatalOf, watchRunTopic } from '../run/run-topic.js';
import { decodeSchedule } from '../scenario/schedule.js';
import { steadyNow } from '../steady-clock.js';
import { Supervisor } from '../supervisor.js';
import { collectReport } from './collect.js';
import { FindMaxObserver } from './find-max-observer.js';
import { MERGED_SETTLE_MS } from './instance-judge.js';
import { OmbSeries, ombFeeds, ombResultOf } from './omb-series.js';
import type { StormOptions } from './options.js';
import { ProgressSampler } from './progress-sampler.js';
import { CHILD_ENV, type ChildMessage, childConfigOf } from './protocol.js';
import { backlogObserver, drainReaders, startReaders } from './reader-phases.js';
import { RunAggregate } from './run-aggregate.js';
import { giveBackSlice } from './slice-return.js';
import { StepJudge } from './step-judge.js';
import {
  connectCoordination,
  joinInstances,
  loadSchema,
  type Production,
  prepareTopic,
  type StormContext,
} from './storm-phases.js';
import { throttleObserver } from './throttle-observer.js';

/** The child's entry as built (a bundle), from this module as from the CLI's bundle. */
const CHILD_SCRIPT = path.join(PACKAGE_ROOT, 'dist/src/storm/child.js');
/** How long children wait for what is in flight once the topic is deleted under them. */
const DELETED_TOPIC_SETTLE_MS = 1000;
/** Errors about the cluster, Redis, the topic, the schema or a setting read the same from any child. */
const SHARED_CODES: readonly ErrorCode[] = ['KAFKA_UNREACHABLE', 'REDIS_UNREACHABLE', 'SCHEMA', 'TOPIC', 'CLIENT'];

export class StormRun extends RunEngine<StormReport, StormProgress> {
  private readonly context: StormContext;
  private readonly supervisor: Supervisor<ChildMessage>;
  /** What the children told: totals, each slot's view, counts per second. */
  readonly agg: RunAggregate;
  /** --find-max's referee, an observer of the ticks; the run stops at the first step it fails. */
  readonly findMax?: FindMaxObserver;
  /** --omb-result: OpenMessaging Benchmark's result, once the run is over (the CLI writes it). */
  ombResult?: Record<string, unknown>;
  /** abort-on-fail thresholds, watched every second (and the one that stopped the run). */
  readonly liveGate: LiveGate<StormProgress, StormReport>;
  private readonly sampler: ProgressSampler;
  /** When the run was told to stop (Ctrl-C, find-max's failed step): the schedule ends there. */
  private stoppedAt?: number;
  /** --omb-result: OpenMessaging Benchmark's periods, fed by the ticks. */
  private readonly omb?: ReturnType<typeof ombFeeds> & { series: OmbSeries };

  constructor(private readonly options: StormOptions) {
    super();
    const random = randomBytes(3).toString('hex');
    const instance = options.instances ? `i${options.instances.index}-${random}` : random;
    this.context = { options, instance, brokers: 0, incarnationBase: 0 };
    const settleMs = options.instances ? MERGED_SETTLE_MS : undefined;
    const judge = options.findMax ? new StepJudge(options.findMax, settleMs) : undefined;
    this.agg = new RunAggregate(options.workers, judge);
    if (judge) this.findMax = new FindMaxObserver(judge, this.agg, this);
    this.liveGate = new LiveGate(options.thresholds ?? [], STORM_FIGURES);
    this.sampler = new ProgressSampler(options, decodeSchedule(options.shape.schedule), this.agg);
    if (options.ombResult) {
      const series = new OmbSeries();
      this.omb = { series, ...ombFeeds(series) };
      this.observe(this.omb.observer);
    }
    this.supervisor = this.makeSupervisor();
    if (this.findMax) this.observe(this.findMax);
    this.observe({ tick: () => void this.context.publisher?.publishRunning() });
    this.observe(liveGateObserver(this.liveGate, this));
    this.observe(throttleObserver(this.agg, (m) => this.emit('warning', m)));
    this.observe(
      backlogObserver(
        () => this.context.readers,
        () => this.agg.totals,
      ),
    );
    this.begin();
  }

  /**
   * Stop generating, let in-flight messages finish (bounded: `settleMs`, else the children's own bound), then resolve
   * with a true report. Called again, it shortens the wait (`settleMs`, else 0): what never settled counts unresolved.
   */
  stop(settleMs?: number): void {
    if (this.stoppedAt !== undefined) {
      this.supervisor.hurry(settleMs);
      this.context.readers?.stop(0);
    } else {
      this.stoppedAt = steadyNow();
      this.supervisor.stop(settleMs);
    }
  }

  private makeSupervisor(): Supervisor<ChildMessage> {
    const c = this.context;
    return new Supervisor<ChildMessage>({
      script: CHILD_SCRIPT,
      env: CHILD_ENV,
      config: (id) => childConfigOf(c.options, { ...id, incarnation: id.incarnation + c.incarnationBase }, c),
      onMessage: (m) => {
        if (m.t === 'producing') {
          this.agg.producing();
          this.emit('producing', m.slot);
        } else if (m.t === 'tick') {
          this.agg.tick(m);
          this.omb?.producer(m);
        } else if (m.t === 'done') this.agg.done(m);
      },
      fatalOf: childFatalOf(SHARED_CODES, ['NATIVE'], 'PRODUCE', 'child'),
      beforeRestart: (dead) => giveBackSlice(c, this.agg, dead, this),
    });
  }

  protected async run(): Promise<StormReport> {
    const produce: Phase<StormContext> = {
      name: 'produce',
      run: async (c) => {
        c.production = await this.produce(c);
      },
    };
    const collect: Phase<StormContext> = {
      name: 'collect',
      run: async (c) => {
        c.report = await collectReport(c, this, c.production as Production);
        if (this.omb) this.ombResult = ombResultOf(this.omb.series, c, c.report, this.agg.totals.scheduleStartMs);
      },
    };
    try {
      const warn = (m: string) => this.emit('warning', m);
      const readers = startReaders(warn, (fleet) => {
        this.sampler.readers = fleet;
        fleet.onTick = this.omb?.reader;
      });
      const before = [loadSchema, connectCoordination, prepareTopic, readers, joinInstances(this)];
      await this.runPhases(this.context, [...before, produce, drainReaders, collect]);
      return this.context.report as StormReport;
    } finally {
      this.context.readers?.stop(0);
      await this.context.hold?.release();
      this.context.redis?.disconnect();
    }
  }

  /** Forks the children and waits for them, feeding their ticks to the observers; times on performance.now(). */
  private async produce(c: StormContext): Promise<Production> {
    const topic = c.topic as TopicInfo;
    const startedAt = new Date();
    const forkedAt = performance.now();
    // Rates count from the moment the first child starts producing: forking, connecting and building the tweet pool
    // are start-up (reported apart), not production.
    this.once('producing', () => (this.sampler.producingAt = performance.now()));
    this.emit('start', { runId: this.options.runId, brokers: c.brokers, topic, workers: this.options.workers });
    const watch = this.watchTopic(c, topic);
    const finished = this.supervisor.run(this.options.workers);
    this.startTicks(() => this.sampler.sample());
    await finished;
    watch.stop();
    this.stopTicks();
    const fatal = this.supervisor.fatal[0];
    // A failure before anything was produced is just the error; after, the run ends with a true report that carries
    // it.
    if (fatal && Number.isNaN(this.sampler.producingAt)) throw fatal;
    const producingAt = Number.isNaN(this.sampler.producingAt) ? performance.now() : this.sampler.producingAt;
    const ended = { endedAt: performance.now(), stoppedAt: this.stoppedAt, restarts: this.supervisor.restarts };
    return { topic, startedAt, forkedAt, producingAt, fatal, stopRequested: this.supervisor.stopped, ...ended };
  }

  /** The cluster changing the topic under the run: deleted ends it (with its report), more partitions are said. */
  private watchTopic(c: StormContext, topic: TopicInfo) {
    return watchRunTopic({
      cluster: { bootstrap: c.options.bootstrap, client: c.options.client },
      topic,
      // What is in flight to a deleted topic never comes back: the children wait a second, not their usual 30 s,
      // and the report counts it unresolved.
      deleted: () =>
        new DataStormError(
          'TOPIC',
          `topic '${topic.name}' was deleted while the storm wrote to it: stopped; the report counts what the ` +
            'brokers acknowledged before (gone with the topic)',
        ),
      grewReaders: 'the producers write to',
      underMinInsync: c.options.acks === 'all' ? (...under) => tooFewInsync(topic.name, ...under) : undefined,
      fail: (e) => this.supervisor.fail(e, DELETED_TOPIC_SETTLE_MS),
      warn: (m) => this.emit('warning', m),
    });
  }
}

/** acks=all refused for too few in-sync replicas: what is in flight there waits for them, so the run stops. */
function tooFewInsync(topic: string, partition: number, inSync: number, min: number): DataStormError {
  return new DataStormError(
    'TOPIC',
    `partition ${partition} of topic '${topic}' has ${inSync} in-sync replica${inSync === 1 ? '' : 's'}, fewer than ` +
      `its min.insync.replicas=${min}: acks=all writes there are refused (NOT_ENOUGH_REPLICAS) until replicas catch ` +
      "up; bring the brokers back, lower the topic's min.insync.replicas, or run with --acks 1",
  );
}

export function storm(options: StormOptions): StormRun {
  return new StormRun(options);
}
