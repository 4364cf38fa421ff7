/**
 * The storm report's numbers, each computed here from the primary's aggregates (pure): one hop from any figure the
 * report prints to where it comes from.
 */
import type { Histogram } from 'hdr-histogram-js';
import type { CounterDelta } from '../coord/counters.js';
import { machine, versions } from '../environment.js';
import type { ErrorCode } from '../errors.js';
import type { TopicInfo } from '../kafka/admin.js';
import { type Moments, stdOf } from '../report/moments.js';
import { HEALTH_COLUMNS, type Percentiles, type StormReport } from '../report/storm-report.js';
import type { StepResult } from '../scenario/find-max.js';
import { describeKeys } from '../scenario/keys.js';
import { cumulativeAt, decodeSchedule, isUnlimited } from '../scenario/schedule.js';
import type { StormOptions } from './options.js';

/**
 * The primary's aggregates (storm/primary.ts): sums of the children's ticks (protocol.ts TickMessage) and 'done'
 * messages, except where a field says otherwise.
 */
export interface RunTotals {
  /** Acknowledged by the brokers (counted in C, native/src/producer.c). */
  acked: number;
  /** Bytes of acknowledged messages. */
  bytes: number;
  /** Handed to librdkafka. */
  sent: number;
  /** Delivery failures by librdkafka error name. */
  failed: Record<string, number>;
  /** Handed, per sentiment (positive, negative, neutral). */
  mix: [number, number, number];
  /** Per-batch positive shares of volatile batches: count, sum, squares. */
  batchShares: Moments;
  /** Handed but never reported delivered or failed (a child's flush timed out). */
  unresolved: number;
  /** The best whole second of the timeline (storm/timeline.ts). */
  peakRate: number;
  /** From forking the children to the first one producing. */
  startupSec: number;
  /** Children restarted by the supervisor (supervisor.ts). */
  restarts: number;
  /** Messages dead children had leased without reporting them settled; produced again by their successors. */
  unsettledGivenBack: number;
  maxRssBytes: number[];
  /** CPU of the children that ended with a 'done' message (every thread of each), µs, and how many they were. */
  childCpuMicros: number;
  childrenCounted: number;
  /** The primary's CPU plus the children's, seconds (set once the children are done). */
  cpuSec: number;
  /** Delivery latency of every acknowledged message, ms (merged from the children's; report/histograms.ts). */
  histogram: Histogram;
  /** Under a rate schedule: latency from each message's intended send time, and the publish delay (ms). */
  intended: Histogram;
  publishDelay: Histogram;
  /** Acknowledged per partition (index = partition; counted in C from delivery reports). */
  partitions: number[];
  /** What the warm-up produced: acknowledged, failed, bytes (kept out of every other figure). */
  warmup: { acked: number; failed: number; bytes: number };
  /** The run's start by the schedule's clock (Unix ms; the earliest any child read), null before any lease. */
  scheduleStartMs: number | null;
  /** GC pauses of all children, µs. */
  gcPauses: Histogram;
  /** [seconds since start, acknowledged/s over the last second], one per second (storm/timeline.ts). */
  timeline: [number, number][];
  /**
   * Every few seconds per child (storm/health-rows.ts): see HEALTH_COLUMNS. Memory as at the row's time; loop delay
   * (the worst interval's p99, and max) and GC (total and longest pause) over the whole window since the previous row.
   */
  health: number[][];
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export function buildReport(a: {
  options: StormOptions;
  totals: RunTotals;
  brokers: number;
  topic: TopicInfo;
  startedAt: Date;
  elapsedSec: number;
  global?: CounterDelta;
  issued?: number;
  stopped: boolean;
  error?: { code: ErrorCode; message: string } | null;
  /** --find-max's judged steps and the highest rate held. */
  steps?: StepResult[];
  maxHeld?: number | null;
  /** When statistics start (Unix ms): production's start, or the end of the warm-up. */
  measuredFromMs: number;
  /** How long the schedule ran (ms from its start; NaN when nothing was leased). */
  scheduledUntilMs?: number;
}): StormReport {
  const { options: o, totals: t } = a;
  const failed = Object.values(t.failed).reduce((x, y) => x + y, 0);
  const h = t.histogram;
  const mixTotal = t.mix[0] + t.mix[1] + t.mix[2] || 1;
  const std = stdOf(t.batchShares);
  const notes: string[] = [];
  const acksZero = o.acks === '0';
  if (acksZero)
    notes.push(
      'acks=0: brokers send no acknowledgement, so how many messages they kept is unknown; "sent" counts what went ' +
        'on the wire',
    );
  if (failed)
    notes.push(
      `${failed} deliveries failed; sentiment counts are of messages handed to the producer, not only of ` +
        `acknowledged ones`,
    );
  if (t.unresolved)
    notes.push(
      `${t.unresolved} messages had no delivery report when the run ended (flush timed out): not counted as ` +
        `acknowledged`,
    );
  if (a.error) notes.push(`the run failed mid-way (${a.error.code}); counts are what was acknowledged until then`);
  if (a.stopped) notes.push('the run was stopped before its target; counts are what was acknowledged until then');
  if (o.warmup > 0)
    notes.push(
      `warm-up: the first ${o.warmup} s produced ${t.warmup.acked} acknowledged messages, kept out of every figure ` +
        `above; the topic holds them too`,
    );
  if (t.restarts)
    notes.push(
      `${t.restarts} child restart(s): ${t.unsettledGivenBack} messages a dead child had not reported acknowledged ` +
        `were produced again by its successor; ` +
        `those the brokers had in fact acknowledged are in the topic twice in content (under both producers' ids), ` +
        `so the topic may hold up to that many more than the count; ` +
        `verify shows the dead child's never-written messages as "unconfirmed", apart from losses`,
    );
  return {
    runId: o.runId,
    topic: o.topic,
    bootstrap: o.bootstrap,
    brokers: a.brokers,
    startedAt: a.startedAt.toISOString(),
    elapsedSec: round(a.elapsedSec, 2),
    startupSec: round(t.startupSec, 2),
    acknowledged: acksZero ? null : t.acked,
    sent: acksZero ? t.acked + failed : t.sent,
    failed,
    failedByKind: t.failed,
    unresolved: t.unresolved,
    stoppedEarly: a.stopped,
    rate: { average: round(t.acked / a.elapsedSec, 0), peak: round(t.peakRate, 0) },
    megabytesPerSec: round(t.bytes / 1e6 / a.elapsedSec, 2),
    bytes: t.bytes,
    latencyMs: acksZero ? null : percentiles(h),
    schedule: scheduleSection(o, t, a),
    warmup:
      o.warmup > 0
        ? { seconds: o.warmup, acknowledged: t.warmup.acked, failed: t.warmup.failed, bytes: t.warmup.bytes }
        : null,
    coordinatedOmission:
      t.publishDelay.totalCount > 0 && !acksZero
        ? { publishDelayMs: percentiles(t.publishDelay), latencyFromIntendedMs: percentiles(t.intended) }
        : null,
    partitions: partitionsSection(t.partitions, a.topic.partitions),
    keys: describeKeys(o.keys),
    findMax: o.findMax ? { maxRate: a.maxHeld ?? null, spec: o.findMax, steps: a.steps ?? [] } : null,
    scenario: o.scenario ? { file: o.scenario.file, description: o.scenario.description ?? null } : null,
    sentiment: {
      mode: o.mode,
      requested: o.sentiment,
      volatility: o.mode === 'volatile' ? o.volatility : null,
      counts: { positive: t.mix[0], negative: t.mix[1], neutral: t.mix[2] },
      shares: {
        positive: round((100 * t.mix[0]) / mixTotal, 2),
        negative: round((100 * t.mix[1]) / mixTotal, 2),
        neutral: round((100 * t.mix[2]) / mixTotal, 2),
      },
      batches: t.batchShares[0],
      batchPositiveShareStd: std === null ? null : round(std, 4),
    },
    global: a.global ? { acknowledged: a.global.acked, failed: a.global.failed, issued: a.issued ?? -1 } : null,
    cpu: {
      clientSec: round(t.cpuSec, 2),
      // Every message this process had acknowledged, warm-up included: the CPU covers the whole run and its start.
      perMessageUs: t.acked + t.warmup.acked > 0 ? round((t.cpuSec * 1e6) / (t.acked + t.warmup.acked), 2) : null,
      children: t.childrenCounted,
    },
    children: {
      workers: o.workers,
      restarts: t.restarts,
      reproduced: t.unsettledGivenBack,
      maxRssMiB: t.maxRssBytes.map((b) => round(b / 2 ** 20, 1)),
    },
    gcPausesMs:
      t.gcPauses.totalCount > 0
        ? {
            count: t.gcPauses.totalCount,
            p50: round(t.gcPauses.getValueAtPercentile(50) / 1000, 2),
            p99: round(t.gcPauses.getValueAtPercentile(99) / 1000, 2),
            max: round(t.gcPauses.maxValue / 1000, 2),
            totalMs: round((t.gcPauses.mean * t.gcPauses.totalCount) / 1000, 1),
          }
        : null,
    timeline: t.timeline,
    health: { columns: HEALTH_COLUMNS, rows: t.health },
    durability: durability(o),
    error: a.error ?? null,
    settings: {
      topic: o.topic,
      partitions: a.topic.partitions,
      replication: a.topic.replication,
      count: o.count ?? null,
      duration: o.duration ?? null,
      rate: o.rate,
      shape: o.shape.description,
      warmup: o.warmup,
      keys: describeKeys(o.keys),
      workers: o.workers,
      batchSize: o.batchSize,
      mode: o.mode,
      sentiment: o.sentiment.join(','),
      volatility: o.volatility,
      acks: o.acks,
      idempotence: o.idempotence,
      compression: o.compression,
      batchBytes: o.batchBytes,
      lingerMs: o.lingerMs,
    },
    versions: versions(),
    machine: machine(),
    notes,
  };
}

function percentiles(h: Histogram): Percentiles | null {
  if (h.totalCount === 0) return null;
  return {
    p50: h.getValueAtPercentile(50),
    p95: h.getValueAtPercentile(95),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
    samples: h.totalCount,
  };
}

/** Target beside achieved, per second of the timeline (the interval each timeline point ends). */
function scheduleSection(
  o: StormOptions,
  t: RunTotals,
  a: { measuredFromMs: number; scheduledUntilMs?: number; issued?: number },
): StormReport['schedule'] {
  const schedule = decodeSchedule(o.shape.schedule);
  const start = t.scheduleStartMs;
  const perSecond: [number, number, number][] = [];
  if (!isUnlimited(schedule) && start !== null)
    for (const [sec, achieved] of t.timeline) {
      const to = a.measuredFromMs + sec * 1000;
      const from = Math.max(a.measuredFromMs, to - 1000);
      const target = ((cumulativeAt(schedule, to - start) - cumulativeAt(schedule, from - start)) * 1000) / (to - from);
      perSecond.push([sec, achieved, Math.round(target)]);
    }
  // What the shape wanted in all (up to --count) against what the quota issued: work that could not be done is counted.
  const until = a.scheduledUntilMs ?? Number.NaN;
  const scheduled =
    !isUnlimited(schedule) && Number.isFinite(until)
      ? Math.min(o.count ?? Number.POSITIVE_INFINITY, Math.floor(cumulativeAt(schedule, until) + 1e-6))
      : null;
  const notSent = scheduled !== null && a.issued !== undefined ? Math.max(0, scheduled - a.issued) : null;
  return { shape: o.shape.name, description: o.shape.description, perSecond, scheduled, notSent };
}

/** Per-partition counts and the skew: the busiest partition over the mean (1 = even). */
function partitionsSection(counts: number[], partitions: number): StormReport['partitions'] {
  const all = Array.from({ length: Math.max(partitions, counts.length) }, (_, p) => counts[p] ?? 0);
  const total = all.reduce((x, y) => x + y, 0);
  const mean = total / (all.length || 1);
  return { acknowledged: all, skew: mean > 0 ? round(Math.max(...all) / mean, 2) : null };
}

/** What an acknowledgement promises; the report says it so nobody reads more into "acknowledged" than there is. */
export function durability(o: Pick<StormOptions, 'acks' | 'idempotence'>): string {
  if (o.acks === '0') return 'acks=0: nothing is acknowledged; messages may be lost without any error';
  if (o.acks === '1')
    return (
      'acks=1: acknowledged by the partition leader only; a leader that fails before its followers copy a ' +
      'message loses it, and retries may write a message twice; run datastorm verify to count both'
    );
  return o.idempotence
    ? 'acks=all, idempotent: acknowledged by every in-sync replica (at least min.insync.replicas), written once and ' +
        'in order per partition'
    : 'acks=all: acknowledged by every in-sync replica (at least min.insync.replicas); without idempotence retries ' +
        'may write a message twice';
}
