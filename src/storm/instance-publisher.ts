/**
 * An instance's side of a run of several (--instances): what it publishes in Redis for the merged report
 * (coord/instance-records.ts) from the aggregate its children feed, once a second while it runs and complete at its
 * end, and whether it finished last, when it reads every instance's record and merges them.
 */

import os from 'node:os';
import type { Redis } from 'ioredis';
import { publishInstanceRecord, readInstanceRecord, readInstanceRecords } from '../coord/instance-records.js';
import { finishInstance, type Instances, type Joined, type Predecessor } from '../coord/instances.js';
import { noLatencyBuckets } from '../measure/latency-buckets.js';
import {
  encodeHistogram,
  type InstanceRecord,
  type MergedReport,
  mergeInstanceRecords,
} from '../report/merged-report.js';
import type { InstanceSection, StormReport } from '../report/storm-report.js';
import { steadyNow } from '../steady-clock.js';
import type { StormOptions } from './options.js';
import type { RunAggregate } from './run-aggregate.js';

export class InstancePublisher {
  /** A failed write is retried by the next one; the first failure is said once. */
  private warned = false;

  constructor(
    /** This instance process (producer ids carry it). */
    private readonly id: string,
    private readonly redis: Redis,
    private readonly options: StormOptions & { instances: Instances },
    private readonly joined: Joined,
    private readonly agg: RunAggregate,
    private readonly warn: (message: string) => void,
    /** Earlier processes of this index that this one took over (coord/instances.ts takeOverIndex). */
    private readonly predecessors: Predecessor[] = [],
  ) {}

  /**
   * The records of the earlier processes this one took over say killed, with what their producers settled: their
   * last published counts lag by up to a second, and what they did not settle was given back and produced again.
   */
  async recordPredecessors(): Promise<void> {
    const runId = this.options.runId;
    for (const p of this.predecessors) {
      const before = await readInstanceRecord(this.redis, runId, p.processId);
      if (before && before.state !== 'running') continue;
      const record: InstanceRecord = before ?? {
        ...this.record('running', 0, null),
        id: p.processId,
        host: '?',
        pid: 0,
        startOffsetMs: null,
        sent: 0,
        bytes: 0,
        perSecond: [],
        buckets: noLatencyBuckets(),
      };
      record.state = 'killed';
      record.acknowledged = p.acked;
      record.failed = p.failed;
      record.error = `killed; process ${this.id} took over (${p.givenBack} unsettled given back)`;
      await publishInstanceRecord(this.redis, runId, record);
    }
  }

  /** --find-max: this process's per-second figures for the others' judges (storm/step-judge.ts ownSinceStart). */
  judged?: (startMs: number) => NonNullable<InstanceRecord['judged']>;

  /** While it runs: the record so far (buckets, no histogram yet). */
  publishRunning(): Promise<void> {
    // On this host's clock both: its reading of the run's start, and now (a host's clock may be off Redis').
    const start = this.agg.totals.scheduleStartMs;
    const elapsedSec = start === null ? 0 : Math.max(0, (steadyNow() - start) / 1000);
    const record = this.record('running', elapsedSec, null);
    return publishInstanceRecord(this.redis, this.options.runId, record).catch((e: Error) => {
      if (!this.warned) this.warn(`could not publish this instance's counts to Redis: ${e.message}`);
      this.warned = true;
    });
  }

  /** At its end: the complete record; the merged report when this instance is the last to finish. */
  async finish(report: StormReport): Promise<MergedReport | undefined> {
    const state = report.error ? 'failed' : 'done';
    const histogram = encodeHistogram(this.agg.totals.histogram);
    // Its report counts from the run's start (storm/primary.ts measuredFrom): the span of this instance in the run.
    const record = this.record(state, report.elapsedSec, histogram, report.error?.message);
    await publishInstanceRecord(this.redis, this.options.runId, record);
    if (!(await finishInstance(this.redis, this.options.runId, this.options.instances))) return undefined;
    return mergeInstanceRecords(this.options.runId, await readInstanceRecords(this.redis, this.options.runId));
  }

  /**
   * Acknowledged per second, each second counted from the run's start: the children name wall-clock seconds of this
   * host, and its reading of the start is on the same clock, so a host whose clock is off still lands its seconds
   * where the others' are.
   */
  private secondsSinceStart(): [number, number][] {
    const start = this.agg.totals.scheduleStartMs;
    if (start === null) return [];
    // An interval that ended before the start (children tick while they wait for it) counts as the first second.
    const bySecond = new Map<number, number>();
    for (const [second, acked] of this.agg.perSecond) {
      const sinceStart = Math.max(0, Math.round(second - start / 1000));
      bySecond.set(sinceStart, (bySecond.get(sinceStart) ?? 0) + acked);
    }
    return [...bySecond.entries()].sort((a, b) => a[0] - b[0]);
  }

  section(): InstanceSection {
    return {
      index: this.options.instances.index,
      instances: this.options.instances.count,
      startAtMs: this.joined.startAtMs,
      waitedSec: Math.round(this.joined.waitedSec * 1000) / 1000,
      rejoined: this.joined.rejoined,
      startOffsetMs: this.agg.totals.firstGrantMs,
      tookOver: this.predecessors,
    };
  }

  private record(
    state: InstanceRecord['state'],
    elapsedSec: number,
    histogram: string | null,
    error?: string | null,
  ): InstanceRecord {
    const totals = this.agg.totals;
    return {
      id: this.id,
      index: this.options.instances.index,
      instances: this.options.instances.count,
      host: os.hostname(),
      pid: process.pid,
      state,
      startAtMs: this.joined.startAtMs,
      startOffsetMs: totals.firstGrantMs,
      updatedAtMs: Date.now(),
      acknowledged: totals.acked,
      failed: Object.values(totals.failed).reduce((a, b) => a + b, 0),
      sent: totals.sent,
      bytes: totals.bytes,
      elapsedSec: Math.round(elapsedSec * 1000) / 1000,
      perSecond: this.secondsSinceStart(),
      buckets: this.agg.buckets,
      histogram,
      ...(this.judged && totals.scheduleStartMs !== null ? { judged: this.judged(totals.scheduleStartMs) } : {}),
      schedule: this.options.shape.schedule,
      count: this.options.count ?? null,
      topic: this.options.topic,
      error: error ?? null,
    };
  }
}
