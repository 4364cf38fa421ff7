/**
 * The pulse engine: `pulse(options)` runs pulse's phases (check InfluxDB → check topic → consume → collect): it has
 * the supervisor fork one consumer child per worker (one group), feeds their per-second ticks to the run's observers
 * (the 'tick' event, the live gate, the stop conditions of --count / --duration / --until-idle), and resolves with
 * the report. An EventEmitter ('phase', 'start', 'tick', 'restart', 'warning') that can be awaited. A restarted
 * child's uncommitted offsets are read again by the group (at-least-once; the points' timestamps make the replay
 * replace, not add).
 */
import path from 'node:path';
import { DataStormError, type ErrorCode } from '../errors.js';
import { checkInflux } from '../influx/influx-sink.js';
import { describeTopic, ensureTopic, listBrokers, type TopicInfo } from '../kafka/admin.js';
import { PACKAGE_ROOT } from '../package-root.js';
import type { PulseProgress, PulseReport } from '../report/pulse-report.js';
import { PULSE_FIGURES } from '../run/figures.js';
import { LiveGate, liveGateObserver } from '../run/live-gate.js';
import { type Phase, RunEngine } from '../run/run-engine.js';
import { childFatalOf, watchRunTopic } from '../run/run-topic.js';
import { Supervisor } from '../supervisor.js';
import { judgeAtEnd } from '../thresholds/threshold.js';
import type { PulseOptions } from './options.js';
import { CHILD_TICK_MS, PULSE_CHILD_ENV, type PulseChildConfig, type PulseChildMessage } from './protocol.js';
import { PulseAggregate } from './pulse-aggregate.js';

export { ActiveSpan } from './pulse-aggregate.js';

/** The child's entry as built (a bundle), from this module as from the CLI's bundle. */
const CHILD_SCRIPT = path.join(PACKAGE_ROOT, 'dist/src/pulse/child.js');
/** A child's error with one of these codes is the run's as it is; anything else is INTERNAL. */
const PASSED_CODES: readonly ErrorCode[] = ['INFLUX_AUTH', 'INFLUX_DB', 'INFLUX_UNREACHABLE', 'KAFKA_UNREACHABLE'];
/**
 * How long the lag must have read 0 before a run may end as caught up: each child's record can be a tick old, and a
 * partition a child reported at 0 just before a rebalance may now be another's that has not read it yet; two ticks
 * and every child has spoken again since.
 */
const CAUGHT_UP_HOLD_MS = 2 * CHILD_TICK_MS;

interface PulseContext {
  topic?: TopicInfo;
  report?: PulseReport;
}

export class PulseRun extends RunEngine<PulseReport, PulseProgress> {
  private readonly supervisor: Supervisor<PulseChildMessage>;
  private readonly agg = new PulseAggregate();
  private readonly liveGate: LiveGate<PulseProgress, PulseReport>;
  private caughtUpSince?: number;

  constructor(private readonly o: PulseOptions) {
    super();
    this.supervisor = new Supervisor<PulseChildMessage>({
      script: CHILD_SCRIPT,
      env: PULSE_CHILD_ENV,
      config: (id): PulseChildConfig => ({ ...id, options: o }),
      onMessage: (m) => this.agg.onMessage(m),
      fatalOf: childFatalOf([], PASSED_CODES, 'INTERNAL', 'pulse child'),
      beforeRestart: async (dead) => {
        this.agg.lag.delete(dead.slot); // its partitions are someone else's until it is back
        this.emit('restart', { slot: dead.slot, code: dead.code, signal: dead.signal ?? undefined });
      },
    });
    this.liveGate = new LiveGate(o.thresholds ?? [], PULSE_FIGURES);
    this.observe(liveGateObserver(this.liveGate, this));
    this.observe({ tick: (t, final) => final || this.stopWhenDone(t) });
    this.begin();
  }

  /** Stops consuming and writes what it read; asked again, the children wait no more (`settleMs`, else 0). */
  stop(settleMs?: number): void {
    if (this.supervisor.stopped) this.supervisor.hurry(settleMs);
    else this.supervisor.stop(settleMs);
  }

  protected async run(): Promise<PulseReport> {
    const context: PulseContext = {};
    const phases: Phase<PulseContext>[] = [
      { name: 'check InfluxDB', run: () => checkInflux(this.o.influx) },
      {
        name: 'check topic',
        run: async (c) => {
          c.topic = await this.checkTopic();
        },
      },
      { name: 'consume', run: (c) => this.consume(c.topic as TopicInfo) },
      {
        name: 'collect',
        run: async (c) => {
          c.report = this.collect(c.topic as TopicInfo);
        },
      },
    ];
    await this.runPhases(context, phases);
    return context.report as PulseReport;
  }

  /** The topic must exist (pulse reads what a storm wrote); a dead-letter topic is made if asked for. */
  private async checkTopic(): Promise<TopicInfo> {
    const o = this.o;
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
    return topic;
  }

  private async consume(topic: TopicInfo): Promise<void> {
    this.emit('start', { partitions: topic.partitions });
    const watch = watchRunTopic({
      cluster: { bootstrap: this.o.bootstrap, client: this.o.client },
      topic,
      deleted: () =>
        new DataStormError(
          'TOPIC',
          `topic '${topic.name}' was deleted while pulse read it: stopped after ${this.agg.tot.consumed} tweets; ` +
            'what InfluxDB acknowledged is in it',
        ),
      grewReaders: 'the group reads',
      fail: (e) => this.supervisor.fail(e),
      warn: (m) => this.emit('warning', m),
    });
    this.agg.begin();
    const finished = this.supervisor.run(this.o.workers);
    this.startTicks(() => this.agg.sample(topic.partitions));
    await finished;
    watch.stop();
    this.stopTicks();
    if (this.supervisor.fatal.length) throw this.supervisor.fatal[0];
  }

  /** The stop conditions, an observer: --count and --duration reached, or --until-idle caught up and idle. */
  private stopWhenDone(t: PulseProgress): void {
    const o = this.o;
    const consumed = this.agg.tot.consumed;
    const now = performance.now();
    this.caughtUpSince = t.lag === 0 ? (this.caughtUpSince ?? now) : undefined;
    if (o.count !== undefined && consumed >= o.count) this.stop();
    if (o.duration !== undefined && t.elapsedSec >= o.duration) this.stop();
    // Idle means caught up: nothing consumed, lag known to be 0 on every partition (and for long enough that no
    // child's record predates a rebalance), and no write being retried.
    const settled = this.caughtUpSince !== undefined && now - this.caughtUpSince >= CAUGHT_UP_HOLD_MS;
    if (o.untilIdle !== undefined && consumed > 0 && settled && this.agg.active.idleSec(Date.now()) >= o.untilIdle)
      this.stop();
  }

  private collect(topic: TopicInfo): PulseReport {
    const o = this.o;
    const report = this.agg.report(o, this.agg.elapsedSec(), topic.partitions, this.supervisor.restarts);
    if (o.thresholds?.length)
      report.thresholds = judgeAtEnd(o.thresholds, (t) => PULSE_FIGURES[t.figure].atEnd(report), this.liveGate.aborted);
    return report;
  }
}

export function pulse(o: PulseOptions): PulseRun {
  return new PulseRun(o);
}
