/**
 * The storm's report as users and tools read it: its shape (JSON on stdout or in a file), the text rendering, and
 * saving. Built by storm/report-builder.ts, where every number in it is computed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Machine } from '../environment.js';
import type { ErrorCode } from '../errors.js';

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
  error: { code: ErrorCode; message: string } | null;
  settings: Record<string, unknown>;
  versions: Record<string, string>;
  machine: Machine;
  notes: string[];
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function renderStormText(r: StormReport): string {
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
