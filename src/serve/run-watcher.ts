/**
 * `datastorm dashboard`: watches a run from outside, through the run's global counters in Redis (every process of
 * the run adds to them), and emits the storm's 'tick' shape for the dashboard. A run of several instances
 * (--instances) also has their records (coord/instance-records.ts): latency from their Prometheus buckets merged (each
 * second's p50 and p99 as the upper bounds of the buckets they fall in, from that second's acknowledgements), the
 * target rate by the run's schedule on Redis' clock, the count. What only a storm process knows (in flight, its
 * children) is left empty: open that storm's own --dashboard for it.
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { Counters } from '../coord/counters.js';
import { readInstanceRecords } from '../coord/instance-records.js';
import { type LatencyBuckets, mergeBuckets, noLatencyBuckets } from '../measure/latency-buckets.js';
import { bucketBounds, type InstanceRecord } from '../report/merged-report.js';
import type { StormProgress } from '../report/progress.js';
import { decodeSchedule, isUnlimited, rateAt } from '../scenario/schedule.js';

/** What the instances' records tell a watcher (nothing for a run of one process). */
interface FromInstances {
  buckets: LatencyBuckets;
  target?: number;
  targetRate: number | null;
}

export class RunWatcher extends EventEmitter {
  private timer?: NodeJS.Timeout;
  /** The merged buckets at the last tick: this second's acknowledgements are what came since. */
  private lastBuckets = noLatencyBuckets();

  constructor(
    private readonly redis: Redis,
    private readonly runId: string,
  ) {
    super();
  }

  start(everyMs = 1000): this {
    const counters = new Counters(this.redis, this.runId);
    const t0 = Date.now();
    let last: { acked: number; t: number } | undefined;
    let first: { acked: number; t: number } | undefined;
    this.timer = setInterval(async () => {
      const totals = await counters.read().catch(() => undefined);
      if (!totals) return;
      const instances = await this.fromInstances().catch(() => undefined);
      const now = Date.now();
      first ??= { acked: totals.acked, t: now };
      const current = last ? ((totals.acked - last.acked) * 1000) / (now - last.t) : 0;
      last = { acked: totals.acked, t: now };
      const tick: StormProgress = {
        elapsedSec: (now - t0) / 1000,
        acked: totals.acked,
        target: instances?.target,
        currentRate: current,
        averageRate: now > first.t ? ((totals.acked - first.acked) * 1000) / (now - first.t) : 0,
        errors: totals.failed,
        inFlight: 0,
        behind: 0,
        targetRate: instances?.targetRate ?? null,
        warmingUp: false,
        sent: totals.acked + totals.failed,
        failedByKind: totals.failed ? { failed: totals.failed } : {},
        mix: [totals.positive, totals.negative, totals.neutral],
        latencyMs: instances ? this.secondLatency(instances.buckets) : null,
        ...(instances ? { latencyFrom: "the run's instances, merged buckets' upper bounds" } : {}),
        latencyBuckets: instances?.buckets ?? noLatencyBuckets(),
        children: [],
      };
      this.emit('tick', tick);
    }, everyMs);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async fromInstances(): Promise<FromInstances | undefined> {
    const records = await readInstanceRecords(this.redis, this.runId);
    if (records.length === 0) return undefined;
    const buckets = noLatencyBuckets();
    for (const record of records) mergeBuckets(buckets, record.buckets);
    return { buckets, target: records[0].count ?? undefined, targetRate: await this.targetRate(records[0]) };
  }

  /** The rate the run's schedule aims at now, by Redis' clock (the one the quota schedules on). */
  private async targetRate(record: InstanceRecord): Promise<number | null> {
    const schedule = decodeSchedule(record.schedule);
    if (isUnlimited(schedule)) return null;
    const [sec, micros] = await this.redis.time();
    const rate = rateAt(schedule, Number(sec) * 1000 + Math.floor(Number(micros) / 1000) - record.startAtMs);
    return Number.isFinite(rate) ? rate : null;
  }

  /** This second's p50 and p99: the upper bounds of the buckets they fall in, among what came since the last tick. */
  private secondLatency(buckets: LatencyBuckets): { p50: number; p99: number } | null {
    const second: LatencyBuckets = {
      counts: buckets.counts.map((n, i) => n - (this.lastBuckets.counts[i] ?? 0)),
      count: buckets.count - this.lastBuckets.count,
      sumMs: buckets.sumMs - this.lastBuckets.sumMs,
    };
    this.lastBuckets = buckets;
    const bounds = bucketBounds(second);
    return bounds ? { p50: bounds.p50, p99: bounds.p99 } : null;
  }
}
