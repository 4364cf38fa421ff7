/**
 * The storm engine: `storm(options)` forks one child per worker (node:cluster), aggregates their per-interval ticks,
 * restarts a child that dies, and resolves with the final report. It is an EventEmitter ('start', 'tick', 'restart',
 * 'warning') that can also be awaited. Progress bars and reports are listeners; the engine prints nothing.
 */
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { AwaitableRun } from '../awaitable-run.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import { connectRedis } from '../coord/redis.js';
import { Quota } from '../coord/quota.js';
import { Counters } from '../coord/counters.js';
import { ensureTopic, listBrokers } from '../kafka/admin.js';
import { topicMaxMessageBytesFor } from '../kafka/limits.js';
import { DataStormError } from '../errors.js';
import { loadTweetType } from '../generate/tweet-encoder.js';
import { CHILD_ENV, producerIdOf, type ChildConfig, type ChildMessage, type PrimaryMessage } from './protocol.js';
import type { StormOptions } from './options.js';
import { gcHistogram, latencyHistogram } from '../report/histograms.js';
import { buildReport, type StormReport, type RunTotals } from '../report/summary.js';

const CHILD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.js');
const MAX_RESTARTS_PER_SLOT = 5;
/** Children's health (memory, event-loop delay, GC) is kept in the report every this many seconds. */
const HEALTH_EVERY_SEC = 5;

export interface TickEvent {
  elapsedSec: number;
  acked: number;
  target?: number;
  durationSec?: number;
  currentRate: number;
  averageRate: number;
  errors: number;
  inFlight: number;
  behind: number;
}

interface Slot {
  worker?: Worker;
  incarnation: number;
  acked: number;
  failed: number;
  inFlight: number;
  behind: number;
  done: boolean;
  restarts: number;
  maxRssBytes: number;
  lastHealth?: number;
  /** Worst loop delay and GC since the last kept health row. */
  health?: { loopDelayP99Ms: number; loopDelayMaxMs: number; gcMs: number; gcMaxMs: number };
}

export class StormRun extends AwaitableRun<StormReport> {
  private stopping = false;
  private t0Health = NaN;
  /** Tells this process's producers from those of other storms sharing the run id. */
  private readonly instance = randomBytes(3).toString('hex');
  private readonly slots: Slot[] = [];
  /** Acknowledged per wall-clock second (Unix seconds; the interval that ends there), summed over children. */
  private readonly perSecond = new Map<number, number>();
  constructor(private readonly o: StormOptions) {
    super();
    this.begin();
  }


  /** Stop generating, let in-flight messages finish (bounded), then resolve with a true report. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const s of this.slots) if (s.worker?.isConnected()) s.worker.send({ t: 'stop' } satisfies PrimaryMessage);
  }

  protected async run(): Promise<StormReport> {
    const o = this.o;
    // Fail fast, before forking anything: the schema, Redis, then the cluster, then the topic.
    loadTweetType(o.schema);
    const redis = await connectRedis(o.redis);
    try {
      const brokers = await listBrokers(o.bootstrap);
      const topic = await ensureTopic(o.bootstrap, {
        topic: o.topic,
        partitions: o.partitions,
        replication: Math.min(o.replication, brokers.length),
        config: {
          'max.message.bytes': String(topicMaxMessageBytesFor(o.batchBytes)),
          // With three or more replicas, acks=all means "on at least two": one broker may die without losing a message.
          ...(Math.min(o.replication, brokers.length) >= 3 ? { 'min.insync.replicas': '2' } : {}),
        },
      });
      const quota = new Quota(redis, o.runId, o.count, o.rate);
      const totals: RunTotals = {
        acked: 0, bytes: 0, sent: 0, failed: {}, mix: [0, 0, 0], batchShares: [], unresolved: 0,
        peakRate: 0, startupSec: 0, restarts: 0, unsettledGivenBack: 0, maxRssBytes: [], timeline: [], health: [],
        gcPauses: gcHistogram(), histogram: latencyHistogram(),
      };
      const startedAt = new Date();
      const forkedAt = performance.now();
      // Rates count from the moment the first child starts producing: forking, connecting and building the tweet pool
      // are start-up (reported apart), not production.
      let t0 = NaN;
      this.once('producing', () => (t0 = performance.now()));
      this.emit('start', { runId: o.runId, brokers: brokers.length, topic, workers: o.workers });

      const fatal: DataStormError[] = [];
      const finished = new Promise<void>((resolve) => {
        const fork = (slot: number) => {
          const s = this.slots[slot];
          const cfg: ChildConfig = { options: o, instance: this.instance, slot, incarnation: s.incarnation };
          cluster.setupPrimary({ exec: CHILD_SCRIPT, args: [], silent: false });
          const w = cluster.fork({ [CHILD_ENV]: JSON.stringify(cfg) });
          s.worker = w;
          w.on('message', (m: ChildMessage) => this.onMessage(m, totals, fatal));
          w.on('exit', (code, signal) => {
            if (s.done || (this.stopping && code === 0)) {
              s.done = true;
            } else if (fatal.length || this.stopping || s.restarts >= MAX_RESTARTS_PER_SLOT) {
              s.done = true;
              if (!fatal.length && s.restarts >= MAX_RESTARTS_PER_SLOT)
                fatal.push(new DataStormError('INTERNAL', `child ${slot} died ${s.restarts + 1} times (last: ${signal ?? `exit ${code}`}); stopping`));
              if (fatal.length) this.stop();
            } else {
              // Died mid-run: give back what it leased (Redis knows exactly) and never saw settled, then start it again.
              const acked = s.acked + s.failed;
              const dead = producerIdOf(o.runId, this.instance, slot, s.incarnation);
              s.restarts++;
              totals.restarts++;
              s.incarnation++;
              s.acked = s.failed = s.inFlight = 0;
              void quota
                .leasedBy(dead)
                .then(async (leased) => {
                  const unsettled = Math.max(0, leased - acked);
                  totals.unsettledGivenBack += unsettled;
                  this.emit('restart', { slot, signal, code, unsettled });
                  await quota.giveBack(unsettled);
                })
                .catch((e: Error) => this.emit('warning', `could not give back child ${slot}'s slice: ${e.message}`))
                .finally(() => fork(slot));
              return;
            }
            if (this.slots.every((x) => x.done)) resolve();
          });
        };
        for (let slot = 0; slot < o.workers; slot++) {
          this.slots.push({ incarnation: 0, acked: 0, failed: 0, inFlight: 0, behind: 0, done: false, restarts: 0, maxRssBytes: 0 });
          fork(slot);
        }
      });

      // One aggregate per second for listeners (progress bar, tests).
      let lastAcked = 0;
      let lastT = NaN;
      const ticker = setInterval(() => {
        if (Number.isNaN(t0)) return;
        if (Number.isNaN(lastT)) lastT = t0;
        const now = performance.now();
        const current = ((totals.acked - lastAcked) * 1000) / (now - lastT);
        lastAcked = totals.acked;
        lastT = now;
        const elapsedSec = (now - t0) / 1000;
        this.emit('tick', {
          elapsedSec, acked: totals.acked, target: o.count, durationSec: o.duration,
          currentRate: current, averageRate: totals.acked / elapsedSec,
          errors: Object.values(totals.failed).reduce((a, b) => a + b, 0),
          inFlight: this.slots.reduce((a, s) => a + s.inFlight, 0),
          behind: Math.max(0, ...this.slots.map((s) => s.behind)),
        } satisfies TickEvent);
      }, 1000);

      await finished;
      clearInterval(ticker);
      // A failure before anything was produced is just the error; after, the run ends with a true report that carries it.
      if (fatal.length && Number.isNaN(t0)) throw fatal[0];
      if (Number.isNaN(t0)) t0 = performance.now();
      const elapsedSec = (performance.now() - t0) / 1000;
      const tl = timelineOf(this.perSecond, performance.timeOrigin + t0, elapsedSec);
      totals.timeline = tl.timeline;
      totals.peakRate = tl.peak ?? totals.acked / elapsedSec;
      totals.startupSec = (t0 - forkedAt) / 1000;
      const global = await new Counters(redis, o.runId).read().catch(() => undefined);
      const issued = await quota.issued().catch(() => undefined);
      totals.maxRssBytes = this.slots.map((s) => s.maxRssBytes);
      const error = fatal[0] ? { code: fatal[0].code, message: fatal[0].message } : null;
      return buildReport({ options: o, totals, brokers: brokers.length, topic, startedAt, elapsedSec, global, issued, stopped: this.stopping && !error, error });
    } finally {
      redis.disconnect();
    }
  }

  private onMessage(m: ChildMessage, totals: RunTotals, fatal: DataStormError[]): void {
    const s = this.slots[m.slot];
    if (m.t === 'producing') {
      if (Number.isNaN(this.t0Health)) this.t0Health = performance.now();
      this.emit('producing', m.slot);
    } else if (m.t === 'tick') {
      totals.acked += m.acked;
      this.perSecond.set(m.second, (this.perSecond.get(m.second) ?? 0) + m.acked);
      totals.bytes += m.bytes;
      totals.sent += m.sent;
      for (const [k, v] of Object.entries(m.failed)) {
        totals.failed[k] = (totals.failed[k] ?? 0) + v;
        s.failed += v;
      }
      for (let i = 0; i < 3; i++) totals.mix[i] += m.mix[i];
      for (const x of m.batchShares) totals.batchShares.push(x);
      s.acked += m.acked;
      // Every interval counts toward the kept row: worst delays and GC over the window, memory as it is at its end.
      const h = m.health;
      const w = (s.health ??= { loopDelayP99Ms: 0, loopDelayMaxMs: 0, gcMs: 0, gcMaxMs: 0 });
      w.loopDelayP99Ms = Math.max(w.loopDelayP99Ms, h.loopDelayP99Ms);
      w.loopDelayMaxMs = Math.max(w.loopDelayMaxMs, h.loopDelayMaxMs);
      w.gcMs += h.gcMs;
      w.gcMaxMs = Math.max(w.gcMaxMs, h.gcMaxMs);
      if (!Number.isNaN(this.t0Health) && performance.now() - (s.lastHealth ?? 0) >= HEALTH_EVERY_SEC * 1000 - 100) {
        s.lastHealth = performance.now();
        const r1 = (x: number) => Math.round(x * 10) / 10;
        totals.health.push([
          r1((s.lastHealth - this.t0Health) / 1000), m.slot, r1(h.rssBytes / 2 ** 20), r1(h.heapUsedBytes / 2 ** 20),
          r1(w.loopDelayP99Ms), r1(w.loopDelayMaxMs), r1(w.gcMs), r1(w.gcMaxMs),
        ]);
        s.health = undefined;
      }
      s.inFlight = m.inFlight;
      s.behind = m.behind;
    } else if (m.t === 'done') {
      if (m.histogram) totals.histogram.add(hdr.decodeFromCompressedBase64(m.histogram));
      totals.gcPauses.add(hdr.decodeFromCompressedBase64(m.gcHistogram));
      totals.unresolved += m.unresolved;
      s.maxRssBytes = Math.max(s.maxRssBytes, m.maxRssBytes);
      s.done = true;
    } else if (m.t === 'fatal') {
      // Errors about the cluster, Redis, the topic or the schema read the same from any child; others name it.
      const shared = m.code in { KAFKA_UNREACHABLE: 1, REDIS_UNREACHABLE: 1, SCHEMA: 1, TOPIC: 1 };
      fatal.push(new DataStormError((shared ? m.code : 'PRODUCE') as 'PRODUCE', shared ? m.message : `child ${m.slot}: ${m.message}`));
      this.stop();
    }
  }
}

/**
 * The per-second timeline from the children's per-second counts: [seconds since production started, acknowledged/s].
 * The first and last seconds are partial (production starts and ends mid-second): their rates are over their real
 * length, and the peak is taken over whole seconds only (null when the run had none).
 */
export function timelineOf(perSecond: Map<number, number>, startMs: number, elapsedSec: number): { timeline: [number, number][]; peak: number | null } {
  const start = startMs / 1000;
  const end = start + elapsedSec;
  const timeline: [number, number][] = [];
  let peak: number | null = null;
  for (let s = Math.floor(start) + 1; s < Math.ceil(end) + 1; s++) {
    const from = Math.max(s - 1, start), to = Math.min(s, end);
    const n = perSecond.get(s) ?? 0;
    if (to - from <= 0) continue;
    const rate = n / (to - from);
    timeline.push([Math.round((to - start) * 10) / 10, Math.round(rate)]);
    if (s - 1 >= start && s <= end) peak = Math.max(peak ?? 0, rate);
  }
  return { timeline, peak };
}

export function storm(options: StormOptions): StormRun {
  return new StormRun(options);
}
