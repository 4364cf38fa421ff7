/** The final storm report: built from the children's aggregates (pure), rendered as text or JSON. */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import Kafka from 'node-rdkafka';
import type { Histogram } from 'hdr-histogram-js';
import type { StormOptions } from '../storm/options.js';
import type { TopicInfo } from '../kafka/admin.js';
import type { CounterDelta } from '../coord/counters.js';

export interface RunTotals {
  acked: number;
  bytes: number;
  sent: number;
  failed: Record<string, number>;
  mix: [number, number, number];
  batchShares: number[];
  unresolved: number;
  peakRate: number;
  /** From forking the children to the first one producing. */
  startupSec: number;
  restarts: number;
  /** Messages dead children had leased without reporting them settled; produced again by their successors. */
  unsettledGivenBack: number;
  maxRssBytes: number[];
  histogram: Histogram;
  /** GC pauses of all children, µs. */
  gcPauses: Histogram;
  /** [seconds since start, acknowledged/s over the last second], one per second. */
  timeline: [number, number][];
  /**
   * Every few seconds per child: see HEALTH_COLUMNS. Memory as at the row's time; loop delay (the worst interval's p99,
   * and max) and GC (total and longest pause) over the whole window since the previous row.
   */
  health: number[][];
}

export const HEALTH_COLUMNS = ['sec', 'child', 'rssMiB', 'heapUsedMiB', 'loopDelayP99Ms', 'loopDelayMaxMs', 'gcMs', 'gcMaxMs'] as const;

export interface StormReport {
  runId: string;
  topic: string;
  bootstrap: string;
  brokers: number;
  startedAt: string;
  /** Production time: from the first child producing to the last delivery (rates are over this). */
  elapsedSec: number;
  /** Forking children, connecting, building the tweet pool. */
  startupSec: number;
  /** Messages the brokers acknowledged (null with acks=0: brokers do not acknowledge). */
  acknowledged: number | null;
  /** Handed to librdkafka and sent on the wire (all acks settings). */
  sent: number;
  failed: number;
  failedByKind: Record<string, number>;
  /** Handed but neither acknowledged nor failed when the run ended (flush timed out). */
  unresolved: number;
  stoppedEarly: boolean;
  rate: { average: number; peak: number };
  megabytesPerSec: number;
  bytes: number;
  latencyMs: { p50: number; p95: number; p99: number; p999: number; max: number; samples: number } | null;
  sentiment: {
    mode: string;
    requested: [number, number, number];
    volatility: number | null;
    /** Counts of messages handed per sentiment; equal to what was acknowledged when failed = 0. */
    counts: { positive: number; negative: number; neutral: number };
    shares: { positive: number; negative: number; neutral: number };
    batches: number;
    batchPositiveShareStd: number | null;
  };
  /** The run's global Redis counters: every process that shared the run id. */
  global: { acknowledged: number; failed: number; issued: number } | null;
  /** reproduced: messages dead children had leased without reporting them settled, given back and produced again. */
  children: { workers: number; restarts: number; reproduced: number; maxRssMiB: number[] };
  gcPausesMs: { count: number; p50: number; p99: number; max: number; totalMs: number } | null;
  /** [seconds since start, acknowledged/s], one point per second. */
  timeline: [number, number][];
  /** Children's memory, event-loop delay and GC, every few seconds (columns named in `columns`). */
  health: { columns: readonly string[]; rows: number[][] };
  /** What "acknowledged" promises with these producer settings. */
  durability: string;
  /** Why the run ended early when it failed mid-run (the counts above are still true); null otherwise. */
  error: { code: string; message: string } | null;
  settings: Record<string, unknown>;
  versions: Record<string, string>;
  machine: { cores: number; memoryGiB: number; cpu: string; os: string };
  notes: string[];
}

const require = createRequire(import.meta.url);
const version = (p: string) => {
  try {
    return (require(`${p}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

export function versions(): Record<string, string> {
  return {
    datastorm: (require('../../../package.json') as { version: string }).version,
    node: process.versions.node,
    'node-rdkafka': version('node-rdkafka'),
    librdkafka: Kafka.librdkafkaVersion,
    avsc: version('avsc'),
  };
}

export function machine() {
  return {
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    os: `${os.type()} ${os.release()}`,
  };
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
  error?: { code: string; message: string } | null;
}): StormReport {
  const { options: o, totals: t } = a;
  const failed = Object.values(t.failed).reduce((x, y) => x + y, 0);
  const h = t.histogram;
  const mixTotal = t.mix[0] + t.mix[1] + t.mix[2] || 1;
  const shares = t.batchShares;
  const mean = shares.reduce((x, y) => x + y, 0) / (shares.length || 1);
  const std = shares.length ? Math.sqrt(shares.reduce((x, y) => x + (y - mean) ** 2, 0) / shares.length) : null;
  const notes: string[] = [];
  const acksZero = o.acks === '0';
  if (acksZero) notes.push('acks=0: brokers send no acknowledgement, so how many messages they kept is unknown; "sent" counts what went on the wire');
  if (failed) notes.push(`${failed} deliveries failed; sentiment counts are of messages handed to the producer, not only of acknowledged ones`);
  if (t.unresolved) notes.push(`${t.unresolved} messages had no delivery report when the run ended (flush timed out): not counted as acknowledged`);
  if (a.error) notes.push(`the run failed mid-way (${a.error.code}); counts are what was acknowledged until then`);
  if (a.stopped) notes.push('the run was stopped before its target; counts are what was acknowledged until then');
  if (t.restarts)
    notes.push(
      `${t.restarts} child restart(s): ${t.unsettledGivenBack} messages a dead child had not reported acknowledged were produced again by its successor; ` +
        `those the brokers had in fact acknowledged are in the topic twice in content (under both producers' ids), so the topic may hold up to that many more than the count; ` +
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
    latencyMs:
      h.totalCount > 0 && !acksZero
        ? {
            p50: h.getValueAtPercentile(50), p95: h.getValueAtPercentile(95), p99: h.getValueAtPercentile(99),
            p999: h.getValueAtPercentile(99.9), max: h.maxValue, samples: h.totalCount,
          }
        : null,
    sentiment: {
      mode: o.mode,
      requested: o.sentiment,
      volatility: o.mode === 'volatile' ? o.volatility : null,
      counts: { positive: t.mix[0], negative: t.mix[1], neutral: t.mix[2] },
      shares: { positive: round((100 * t.mix[0]) / mixTotal, 2), negative: round((100 * t.mix[1]) / mixTotal, 2), neutral: round((100 * t.mix[2]) / mixTotal, 2) },
      batches: shares.length,
      batchPositiveShareStd: std === null ? null : round(std, 4),
    },
    global: a.global ? { acknowledged: a.global.acked, failed: a.global.failed, issued: a.issued ?? -1 } : null,
    children: { workers: o.workers, restarts: t.restarts, reproduced: t.unsettledGivenBack, maxRssMiB: t.maxRssBytes.map((b) => round(b / 2 ** 20, 1)) },
    gcPausesMs:
      t.gcPauses.totalCount > 0
        ? {
            count: t.gcPauses.totalCount, p50: round(t.gcPauses.getValueAtPercentile(50) / 1000, 2),
            p99: round(t.gcPauses.getValueAtPercentile(99) / 1000, 2), max: round(t.gcPauses.maxValue / 1000, 2),
            totalMs: round((t.gcPauses.mean * t.gcPauses.totalCount) / 1000, 1),
          }
        : null,
    timeline: t.timeline,
    health: { columns: HEALTH_COLUMNS, rows: t.health },
    durability: durability(o),
    error: a.error ?? null,
    settings: {
      topic: o.topic, partitions: a.topic.partitions, replication: a.topic.replication, count: o.count ?? null, duration: o.duration ?? null,
      rate: o.rate, workers: o.workers, batchSize: o.batchSize, mode: o.mode, sentiment: o.sentiment.join(','),
      volatility: o.volatility, acks: o.acks, idempotence: o.idempotence, compression: o.compression,
      batchBytes: o.batchBytes, lingerMs: o.lingerMs,
    },
    versions: versions(),
    machine: machine(),
    notes,
  };
}

/** What an acknowledgement promises; the report says it so nobody reads more into "acknowledged" than there is. */
export function durability(o: Pick<StormOptions, 'acks' | 'idempotence'>): string {
  if (o.acks === '0') return 'acks=0: nothing is acknowledged; messages may be lost without any error';
  if (o.acks === '1')
    return 'acks=1: acknowledged by the partition leader only; a leader that fails before its followers copy a message loses it, and retries may write a message twice; run datastorm verify to count both';
  return o.idempotence
    ? 'acks=all, idempotent: acknowledged by every in-sync replica (at least min.insync.replicas), written once and in order per partition'
    : 'acks=all: acknowledged by every in-sync replica (at least min.insync.replicas); without idempotence retries may write a message twice';
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function renderText(r: StormReport): string {
  const l: string[] = [];
  l.push(`DataStorm run ${r.runId}: topic ${r.topic} on ${r.brokers} broker(s), ${r.settings.partitions} partitions, replication ${r.settings.replication}`);
  if (r.acknowledged === null) l.push(`  sent:          ${fmt(r.sent)} messages (acks=0: acknowledged count unknown)`);
  else l.push(`  acknowledged:  ${fmt(r.acknowledged)} messages in ${r.elapsedSec.toFixed(1)} s (after ${r.startupSec.toFixed(1)} s of start-up)`);
  l.push(`  failed:        ${fmt(r.failed)}${r.failed ? ` (${Object.entries(r.failedByKind).map(([k, v]) => `${k}: ${fmt(v)}`).join(', ')})` : ''}`);
  l.push(`  rate:          ${fmt(r.rate.average)} msg/s average, ${fmt(r.rate.peak)} msg/s peak, ${r.megabytesPerSec} MB/s`);
  if (r.latencyMs)
    l.push(`  latency (ms):  p50 ${r.latencyMs.p50}  p95 ${r.latencyMs.p95}  p99 ${r.latencyMs.p99}  p99.9 ${r.latencyMs.p999}  max ${r.latencyMs.max}`);
  const s = r.sentiment;
  l.push(`  sentiment:     ${s.mode}${s.volatility !== null ? ` (volatility ${s.volatility})` : ''}: positive ${fmt(s.counts.positive)} (${s.shares.positive}%), negative ${fmt(s.counts.negative)} (${s.shares.negative}%), neutral ${fmt(s.counts.neutral)} (${s.shares.neutral}%)`);
  if (s.batchPositiveShareStd !== null) l.push(`                 per-batch positive share: std ${s.batchPositiveShareStd} over ${s.batches} batches`);
  if (r.global) l.push(`  global (Redis): ${fmt(r.global.acknowledged)} acknowledged by all processes of this run, ${fmt(r.global.issued)} issued`);
  l.push(`  children:      ${r.children.workers} workers, ${r.children.restarts} restarts, peak RSS ${r.children.maxRssMiB.join('/')} MiB`);
  if (r.gcPausesMs) l.push(`  GC pauses:     ${r.gcPausesMs.count} (p50 ${r.gcPausesMs.p50} ms, p99 ${r.gcPausesMs.p99} ms, max ${r.gcPausesMs.max} ms, ${r.gcPausesMs.totalMs} ms in all)`);
  l.push(`  durability:    ${r.durability}`);
  if (r.error) l.push(`  ended by:      ${r.error.code}: ${r.error.message}`);
  l.push(`  settings:      acks=${String(r.settings.acks)} compression=${String(r.settings.compression)} batch=${fmt(Number(r.settings.batchBytes))} B linger=${String(r.settings.lingerMs)} ms`);
  for (const n of r.notes) l.push(`  note: ${n}`);
  return l.join('\n');
}

/** Saves the report as JSON under dir; returns the file's path. */
export function saveReport(r: StormReport, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `storm-${r.startedAt.replace(/[:.]/g, '-')}-${r.runId}.json`);
  fs.writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
  return file;
}
