/**
 * The pulse engine: `pulse(options)` checks InfluxDB and Kafka, forks one consumer child per worker (one group),
 * aggregates their per-second ticks, restarts a child that dies, stops on --count / --duration / --until-idle, and
 * resolves with the report. An EventEmitter ('start', 'tick', 'restart') that can be awaited.
 */
import cluster, { type Worker } from 'node:cluster';
import { AwaitableRun } from '../awaitable-run.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataStormError } from '../errors.js';
import { describeTopic } from '../kafka/admin.js';
import { checkInflux } from './influx-sink.js';
import { PULSE_CHILD_ENV, type PulseChildMessage, type PulseOptions } from './protocol.js';

const CHILD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.js');

export interface PulseReport {
  topic: string;
  group: string;
  store: string;
  elapsedSec: number;
  consumed: number;
  /** Messages that were not tweets of the schema (not Avro, truncated, empty, another schema): counted, committed past. */
  undecodable: number;
  pointsWritten: number;
  /** Over the time tweets were being consumed (first to last tick that consumed any): excludes group join and idle wait. */
  consumedPerSec: number;
  activeSec: number;
  pointsPerSec: number;
  retries: number;
  writeErrors: number;
  bySentiment: { positive: number; negative: number; neutral: number };
  lagAtEnd: number;
  restarts: number;
  allCommitted: boolean;
  influx: { url: string; db: string };
}

export interface PulseTickEvent {
  elapsedSec: number;
  consumed: number;
  points: number;
  consumedRate: number;
  pointsRate: number;
  lag: number;
  retries: number;
  writeErrors: number;
}

export class PulseRun extends AwaitableRun<PulseReport> {
  private stopping = false;
  private readonly workers = new Map<number, Worker>();
  constructor(private readonly o: PulseOptions) {
    super();
    this.begin();
  }
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const w of this.workers.values()) if (w.isConnected()) w.send({ t: 'stop' });
  }

  protected async run(): Promise<PulseReport> {
    const o = this.o;
    await checkInflux(o.influx);
    const topic = await describeTopic(o.bootstrap, o.topic);
    if (!topic) throw new DataStormError('TOPIC', `topic '${o.topic}' does not exist at ${o.bootstrap} (run a storm first, or check --topic)`);
    this.emit('start', { partitions: topic.partitions });

    const t0 = performance.now();
    const tot = { consumed: 0, undecodable: 0, points: 0, retries: 0, writeErrors: 0, s: [0, 0, 0], restarts: 0 };
    const lag = new Map<number, number>();
    const fatal: DataStormError[] = [];
    let allCommitted = true;
    const done = new Set<number>();
    const finished = new Promise<void>((resolve) => {
      const fork = (slot: number, restarts: number) => {
        cluster.setupPrimary({ exec: CHILD_SCRIPT, args: [], silent: false });
        const w = cluster.fork({ [PULSE_CHILD_ENV]: JSON.stringify({ options: o, slot }) });
        this.workers.set(slot, w);
        w.on('message', (m: PulseChildMessage) => {
          if (m.t === 'tick') {
            tot.consumed += m.consumed; tot.undecodable += m.undecodable; tot.points += m.points; tot.retries += m.retries; tot.writeErrors += m.writeErrors;
            for (let i = 0; i < 3; i++) tot.s[i] += m.bySentiment[i];
            lag.set(slot, m.lag);
          } else if (m.t === 'done') {
            done.add(slot);
            if (!m.committed) allCommitted = false;
          } else {
            const code = (['INFLUX_AUTH', 'INFLUX_DB', 'INFLUX_UNREACHABLE', 'KAFKA_UNREACHABLE'].includes(m.code) ? m.code : 'INTERNAL') as 'INTERNAL';
            fatal.push(new DataStormError(code, `pulse child ${slot}: ${m.message}`));
            this.stop();
          }
        });
        w.on('exit', (code, signal) => {
          if (!done.has(slot) && !this.stopping && !fatal.length && restarts < 5) {
            tot.restarts++;
            this.emit('restart', { slot, code, signal });
            fork(slot, restarts + 1); // uncommitted offsets are read again by the group (at-least-once)
            return;
          }
          done.add(slot);
          if (done.size === o.workers) resolve();
        });
      };
      for (let slot = 0; slot < o.workers; slot++) fork(slot, 0);
    });

    let last = { consumed: 0, points: 0, t: t0, changed: t0 };
    let lastRetries = 0;
    let firstConsumed = NaN;
    let lastConsumed = NaN;
    const ticker = setInterval(() => {
      const now = performance.now();
      const dt = (now - last.t) / 1000;
      const ev: PulseTickEvent = {
        elapsedSec: (now - t0) / 1000, consumed: tot.consumed, points: tot.points,
        consumedRate: (tot.consumed - last.consumed) / dt, pointsRate: (tot.points - last.points) / dt,
        lag: totalLag(lag), retries: tot.retries, writeErrors: tot.writeErrors,
      };
      // Idle means caught up: nothing consumed, lag known to be 0 (not unknown: before a first commit librdkafka cannot
      // tell), and no write being retried.
      if (tot.consumed !== last.consumed) {
        if (Number.isNaN(firstConsumed)) firstConsumed = last.t;
        lastConsumed = now;
      }
      if (tot.consumed !== last.consumed || tot.retries !== lastRetries) last.changed = now;
      lastRetries = tot.retries;
      last = { consumed: tot.consumed, points: tot.points, t: now, changed: last.changed };
      this.emit('tick', ev);
      if (o.count !== undefined && tot.consumed >= o.count) this.stop();
      if (o.duration !== undefined && ev.elapsedSec >= o.duration) this.stop();
      if (o.untilIdle !== undefined && tot.consumed > 0 && ev.lag === 0 && (now - last.changed) / 1000 >= o.untilIdle) this.stop();
    }, 1000);

    await finished;
    clearInterval(ticker);
    if (fatal.length) throw fatal[0];
    const elapsedSec = (performance.now() - t0) / 1000;
    const activeSec = Number.isNaN(firstConsumed) ? elapsedSec : Math.max(1, (lastConsumed - firstConsumed) / 1000);
    return {
      topic: o.topic, group: o.group, store: o.store, elapsedSec: Math.round(elapsedSec * 100) / 100,
      consumed: tot.consumed, undecodable: tot.undecodable, pointsWritten: tot.points,
      consumedPerSec: Math.round(tot.consumed / activeSec), activeSec: Math.round(activeSec * 10) / 10,
      pointsPerSec: Math.round(tot.points / activeSec),
      retries: tot.retries, writeErrors: tot.writeErrors,
      bySentiment: { positive: tot.s[0], negative: tot.s[1], neutral: tot.s[2] },
      lagAtEnd: totalLag(lag), restarts: tot.restarts, allCommitted,
      influx: { url: o.influx.url, db: o.influx.db },
    };
  }
}

/** Sum of the children's lags; -1 (unknown) when any child cannot tell yet. */
function totalLag(lag: Map<number, number>): number {
  let sum = 0;
  for (const v of lag.values()) {
    if (v < 0) return -1;
    sum += v;
  }
  return sum;
}

export function pulse(o: PulseOptions): PulseRun {
  return new PulseRun(o);
}
