/**
 * The storm report's numbers, each computed here from the primary's aggregates (pure): one hop from any figure the
 * report prints to where it comes from.
 */
import type { Histogram } from 'hdr-histogram-js';
import type { CounterDelta } from '../coord/counters.js';
import { machine, versions } from '../environment.js';
import type { ErrorCode } from '../errors.js';
import type { TopicInfo } from '../kafka/admin.js';
import { maskSecrets } from '../kafka/client-config.js';
import { percentilesOf } from '../measure/histograms.js';
import { type Moments, stdOf } from '../measure/moments.js';
import { HEALTH_COLUMNS, type StormReport, type StormSettings } from '../report/storm-report.js';
import type { StepResult } from '../scenario/find-max.js';
import { cumulativeAt, decodeSchedule, isUnlimited } from '../scenario/schedule.js';
import type { StormOptions } from './options.js';
import { commandLine } from './repeat.js';

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
  /** How long brokers delayed their answers for a quota (ms, summed over every producer's answers). */
  throttledMs: number;
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
  /** Delivery latency of every acknowledged message, ms (merged from the children's; measure/histograms.ts). */
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
  /** When this process's first slice was granted, ms after the run's start by Redis' clock (its start offset). */
  firstGrantMs: number | null;
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

/** What the primary knows of the run besides the totals. */
export interface RunOutcome {
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
  /** The record schema's name when the run wrote records of a schema other than the tweet's. */
  recordName?: string;
  /** What the records were written as: avro, json or protobuf. */
  recordFormat?: string;
}

export function buildReport(run: RunOutcome): StormReport {
  const { options, totals } = run;
  const failed = Object.values(totals.failed).reduce((x, y) => x + y, 0);
  const acksZero = options.acks === '0';
  return {
    runId: options.runId,
    topic: options.topic,
    bootstrap: options.bootstrap,
    brokers: run.brokers,
    startedAt: run.startedAt.toISOString(),
    elapsedSec: round(run.elapsedSec, 2),
    startupSec: round(totals.startupSec, 2),
    acknowledged: acksZero ? null : totals.acked,
    sent: acksZero ? totals.acked + failed : totals.sent,
    failed,
    failedByKind: totals.failed,
    unresolved: totals.unresolved,
    throttledMs: Math.round(totals.throttledMs),
    stoppedEarly: run.stopped,
    rate: { average: round(totals.acked / run.elapsedSec, 0), peak: round(totals.peakRate, 0) },
    megabytesPerSec: round(totals.bytes / 1e6 / run.elapsedSec, 2),
    bytes: totals.bytes,
    latencyMs: acksZero ? null : percentilesOf(totals.histogram),
    schedule: scheduleSection(options, totals, run),
    warmup: warmupSection(options, totals),
    coordinatedOmission:
      totals.publishDelay.totalCount > 0 && !acksZero
        ? { publishDelayMs: percentilesOf(totals.publishDelay), latencyFromIntendedMs: percentilesOf(totals.intended) }
        : null,
    partitions: partitionsSection(totals.partitions, run.topic.partitions),
    findMax: options.findMax ? { maxRate: run.maxHeld ?? null, spec: options.findMax, steps: run.steps ?? [] } : null,
    scenario: options.scenario
      ? { file: options.scenario.file, description: options.scenario.description ?? null }
      : null,
    sentiment: run.recordName === undefined ? sentimentSection(options, totals) : null,
    record:
      run.recordName === undefined
        ? null
        : { name: run.recordName, keyField: options.keyField ?? null, format: run.recordFormat ?? options.format },
    global: run.global ? { acknowledged: run.global.acked, failed: run.global.failed, issued: run.issued ?? -1 } : null,
    cpu: cpuSection(totals),
    children: {
      workers: options.workers,
      restarts: totals.restarts,
      reproduced: totals.unsettledGivenBack,
      maxRssMiB: totals.maxRssBytes.map((b) => round(b / 2 ** 20, 1)),
    },
    gcPausesMs: gcSection(totals.gcPauses),
    timeline: totals.timeline,
    health: { columns: HEALTH_COLUMNS, rows: totals.health },
    durability: durability(options),
    error: run.error ?? null,
    settings: settingsOf(options, run.topic),
    versions: versions(),
    machine: machine(),
    notes: notesOf(run, failed),
  };
}

/** What a reader must know to read the figures right: failures, early ends, warm-up, restarts. */
function notesOf({ options, totals, error, stopped }: RunOutcome, failed: number): string[] {
  const notes: string[] = [];
  if (options.acks === '0')
    notes.push(
      'acks=0: brokers send no acknowledgement, so how many messages they kept is unknown; "sent" counts what went ' +
        'on the wire',
    );
  if (failed)
    notes.push(
      `${failed} deliveries failed; sentiment counts are of messages handed to the producer, not only of ` +
        `acknowledged ones`,
    );
  if (totals.unresolved)
    notes.push(
      `${totals.unresolved} messages had no delivery report when the run ended (flush timed out): not counted as ` +
        `acknowledged`,
    );
  if (totals.throttledMs > 0) notes.push(throttleNote(totals.throttledMs));
  if (error) notes.push(`the run failed mid-way (${error.code}); counts are what was acknowledged until then`);
  if (stopped) notes.push('the run was stopped before its target; counts are what was acknowledged until then');
  if (options.warmup > 0)
    notes.push(
      `warm-up: the first ${options.warmup} s produced ${totals.warmup.acked} acknowledged messages, kept out of ` +
        `every figure above; the topic holds them too`,
    );
  if (totals.restarts)
    notes.push(
      `${totals.restarts} child restart(s): ${totals.unsettledGivenBack} messages a dead child had not reported ` +
        `acknowledged were produced again by its successor; ` +
        `those the brokers had in fact acknowledged are in the topic twice in content (under both producers' ids), ` +
        `so the topic may hold up to that many more than the count; ` +
        `verify shows the dead child's never-written messages as "unconfirmed", apart from losses`,
    );
  return notes;
}

/** What a broker's quota means for the figures. */
export const QUOTA_MEANING =
  "a quota (producer_byte_rate or request_percentage on the client's user or client.id): a rate a quota holds " +
  'measures the quota, not what the cluster can take';

/** Throttling by a quota, in the report. */
export function throttleNote(throttledMs: number): string {
  const ms = Math.round(throttledMs).toLocaleString('en-US');
  return `brokers throttled the producers, asking ${ms} ms of waiting in all over their answers: ${QUOTA_MEANING}`;
}

function warmupSection(options: StormOptions, totals: RunTotals): StormReport['warmup'] {
  if (options.warmup <= 0) return null;
  const { acked, failed, bytes } = totals.warmup;
  return { seconds: options.warmup, acknowledged: acked, failed, bytes };
}

function sentimentSection(options: StormOptions, totals: RunTotals): StormReport['sentiment'] {
  const mix = totals.mix;
  const mixTotal = mix[0] + mix[1] + mix[2] || 1;
  const std = stdOf(totals.batchShares);
  return {
    mode: options.mode,
    requested: options.sentiment,
    volatility: options.mode === 'volatile' ? options.volatility : null,
    swingEveryMs: options.mode === 'volatile' ? options.swingEveryMs : null,
    counts: { positive: mix[0], negative: mix[1], neutral: mix[2] },
    shares: {
      positive: round((100 * mix[0]) / mixTotal, 2),
      negative: round((100 * mix[1]) / mixTotal, 2),
      neutral: round((100 * mix[2]) / mixTotal, 2),
    },
    batches: totals.batchShares[0],
    batchPositiveShareStd: std === null ? null : round(std, 4),
  };
}

function cpuSection(totals: RunTotals): StormReport['cpu'] {
  // Every message this process had acknowledged, warm-up included: the CPU covers the whole run and its start.
  const messages = totals.acked + totals.warmup.acked;
  return {
    clientSec: round(totals.cpuSec, 2),
    perMessageUs: messages > 0 ? round((totals.cpuSec * 1e6) / messages, 2) : null,
    children: totals.childrenCounted,
  };
}

function gcSection(pauses: Histogram): StormReport['gcPausesMs'] {
  if (pauses.totalCount === 0) return null;
  return {
    count: pauses.totalCount,
    p50: round(pauses.getValueAtPercentile(50) / 1000, 2),
    p99: round(pauses.getValueAtPercentile(99) / 1000, 2),
    max: round(pauses.maxValue / 1000, 2),
    totalMs: round((pauses.mean * pauses.totalCount) / 1000, 1),
  };
}

/** Everything the run was set to: enough to read the figures and to run the same storm again (settings.flags). */
function settingsOf(options: StormOptions, topic: TopicInfo): StormSettings {
  return {
    topic: options.topic,
    partitions: topic.partitions,
    replication: topic.replication,
    count: options.count ?? null,
    duration: options.duration ?? null,
    rate: options.rate,
    shape: options.shape.description,
    warmup: options.warmup,
    keys: options.keys,
    workers: options.workers,
    batchSize: options.batchSize,
    maxInFlight: options.maxInFlight,
    mode: options.mode,
    sentiment: options.sentiment.join(','),
    volatility: options.volatility,
    swingEvery: options.swingEveryMs === null ? 'batch' : `${options.swingEveryMs}ms`,
    brands: options.brands,
    schema: options.schema ?? null,
    keyField: options.keyField ?? null,
    scenario: options.scenario?.file ?? null,
    acks: options.acks,
    idempotence: options.idempotence,
    compression: options.compression,
    batchBytes: options.batchBytes,
    lingerMs: options.lingerMs,
    flags: options.flags,
    command: commandLine(options.flags),
    client: maskSecrets(options.client),
    ...(Object.keys(options.producerClient).length ? { producerClient: maskSecrets(options.producerClient) } : {}),
    ...(options.readers?.client && Object.keys(options.readers.client).length
      ? { readerClient: maskSecrets(options.readers.client) }
      : {}),
    ...(Object.keys(options.topicConfig).length ? { topicConfig: options.topicConfig } : {}),
  };
}

/** Target beside achieved, per second of the timeline (the interval each timeline point ends). */
function scheduleSection(
  options: StormOptions,
  totals: RunTotals,
  run: Pick<RunOutcome, 'measuredFromMs' | 'scheduledUntilMs' | 'issued'>,
): StormReport['schedule'] {
  const schedule = decodeSchedule(options.shape.schedule);
  const start = totals.scheduleStartMs;
  const perSecond: [number, number, number][] = [];
  if (!isUnlimited(schedule) && start !== null)
    for (const [sec, achieved] of totals.timeline) {
      const to = run.measuredFromMs + sec * 1000;
      const from = Math.max(run.measuredFromMs, to - 1000);
      const target = ((cumulativeAt(schedule, to - start) - cumulativeAt(schedule, from - start)) * 1000) / (to - from);
      perSecond.push([sec, achieved, Math.round(target)]);
    }
  // What the shape wanted in all (up to --count) against what the quota issued: work that could not be done is counted.
  const until = run.scheduledUntilMs ?? Number.NaN;
  const scheduled =
    !isUnlimited(schedule) && Number.isFinite(until)
      ? Math.min(options.count ?? Number.POSITIVE_INFINITY, Math.floor(cumulativeAt(schedule, until) + 1e-6))
      : null;
  const notSent = scheduled !== null && run.issued !== undefined ? Math.max(0, scheduled - run.issued) : null;
  return { shape: options.shape.name, description: options.shape.description, perSecond, scheduled, notSent };
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
