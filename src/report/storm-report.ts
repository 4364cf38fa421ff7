/**
 * The storm's report as users and tools read it: its shape (JSON on stdout or in a file), the text rendering, and
 * saving. Built by storm/report-builder.ts, where every number in it is computed.
 */

import fs from 'node:fs';
import path from 'node:path';
import type { Machine } from '../environment.js';
import type { ErrorCode } from '../errors.js';
import type { Percentiles } from '../measure/histograms.js';
import type { StepResult } from '../scenario/find-max.js';
import { describeKeys, type KeySpec } from '../scenario/keys.js';
import type { ThresholdOutcome } from '../thresholds/threshold.js';
import type { MergedReport } from './merged-report.js';
import { type ReadersReport, readersRows } from './readers-report.js';
import { gateLines, thresholdCases } from './threshold-lines.js';

export const HEALTH_COLUMNS = [
  'sec',
  'child',
  'rssMiB',
  'heapUsedMiB',
  'loopDelayP99Ms',
  'loopDelayMaxMs',
  'gcMs',
  'gcMaxMs',
] as const;

/** Flags of a storm command line, by name (without the dashes): strings, booleans, and lists for repeated flags. */
export type StormFlagValues = Record<string, string | boolean | string[]>;

/** The settings a run used, as the report records them. */
export interface StormSettings {
  topic: string;
  partitions: number;
  replication: number;
  count: number | null;
  duration: number | null;
  rate: number;
  /** The rate shape's one-line description. */
  shape: string;
  warmup: number;
  keys: KeySpec;
  workers: number;
  batchSize: number;
  maxInFlight: number;
  mode: string;
  /** positive,negative,neutral */
  sentiment: string;
  volatility: number;
  /** volatile: a duration (`1000ms`) or `batch`. */
  swingEvery: string;
  brands: string[];
  /** The --schema file (null: the tweet schema). */
  schema: string | null;
  /** A record schema's key field (--key-field). Absent in older reports. */
  keyField?: string | null;
  /** The scenario file the run came from (its flags are in `flags`). */
  scenario: string | null;
  acks: string;
  idempotence: boolean;
  compression: string;
  batchBytes: number;
  lingerMs: number;
  /** The flags that run the same storm again (datastorm storm --from-report FILE reads them); no secret among them. */
  flags: StormFlagValues;
  /** The client settings from --kafka-config and -X, secrets as ***. */
  client?: Record<string, string>;
  /** Settings for the producers only and for the readers only (an OpenMessaging Benchmark driver's), secrets as ***. */
  producerClient?: Record<string, string>;
  readerClient?: Record<string, string>;
  /** --topic-config (and a driver's topicConfig): configs the topic was created with, over DataStorm's own. */
  topicConfig?: Record<string, string>;
  /** The same as a command line. */
  command: string;
}

export type { Percentiles };

export interface InstanceSection {
  index: number;
  instances: number;
  /** The run's start by Redis' clock (Unix ms), as the barrier fixed it. */
  startAtMs: number;
  /** Seconds this instance waited at the barrier for the others. */
  waitedSec: number;
  /** It came after the start and joined the running run (restarted). */
  rejoined: boolean;
  /** Its first granted slice, ms after the run's start by Redis' clock. */
  startOffsetMs: number | null;
  /** Earlier processes of this index (killed, lost) it took over: what they settled, what it gave back. */
  tookOver: { processId: string; acked: number; failed: number; givenBack: number }[];
}

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
  /** How long brokers delayed their answers for a quota (ms, summed over every producer's answers; 0: never). */
  throttledMs: number;
  stoppedEarly: boolean;
  rate: { average: number; peak: number };
  megabytesPerSec: number;
  bytes: number;
  /** Delivery latency, from each message's hand-over to librdkafka to its acknowledgement (after the warm-up). */
  latencyMs: Percentiles | null;
  /**
   * The rate shape (scenario/) and, per timeline second, [seconds since measuring started, acknowledged/s,
   * target/s] (empty when as fast as possible).
   */
  schedule: {
    shape: string;
    description: string;
    perSecond: [number, number, number][];
    /** Messages the shape scheduled until the run ended (capped by --count; null when as fast as possible). */
    scheduled: number | null;
    /** Of those, never issued by the quota (the producers fell behind and the run ended first; every process). */
    notSent: number | null;
  };
  /** --warmup: what it produced, kept out of every other figure (the topic holds these messages too). */
  warmup: { seconds: number; acknowledged: number; failed: number; bytes: number } | null;
  /**
   * Under a rate schedule: how late messages were handed over against their intended send time (publish delay),
   * and the latency counted from the intended time, which a stalled producer cannot hide (1 ms resolution).
   */
  coordinatedOmission: { publishDelayMs: Percentiles | null; latencyFromIntendedMs: Percentiles | null } | null;
  /** Acknowledged per partition (after the warm-up), and the busiest over the mean (1 = even; null: none). */
  partitions: { acknowledged: number[]; skew: number | null };
  /** --find-max: the highest rate a step held (null: not even the first), the bounds, and every judged step. */
  findMax: {
    maxRate: number | null;
    spec: { start: number; step: number; everySec: number; tolerance: number; p99Ms: number; max?: number };
    steps: StepResult[];
  } | null;
  scenario: { file: string; description: string | null } | null;
  /** Tweets' sentiments; null when the run wrote records of another schema (`record`). */
  sentiment: {
    mode: string;
    requested: [number, number, number];
    volatility: number | null;
    /** volatile: one mix per this many ms of the run (null: per batch, or not volatile). */
    swingEveryMs: number | null;
    /** Counts of messages handed per sentiment; equal to what was acknowledged when failed = 0. */
    counts: { positive: number; negative: number; neutral: number };
    shares: { positive: number; negative: number; neutral: number };
    batches: number;
    batchPositiveShareStd: number | null;
  } | null;
  /** Records of a schema other than the tweet's (--schema): its name and the key field. Absent in older reports. */
  record?: { name: string; keyField: string | null; format?: string } | null;
  /** The run's global Redis counters: every process that shared the run id. */
  global: { acknowledged: number; failed: number; issued: number } | null;
  /** reproduced: messages dead children had leased without reporting them settled, given back and produced again. */
  children: { workers: number; restarts: number; reproduced: number; maxRssMiB: number[] };
  /**
   * CPU this storm process and its children used, every thread (JavaScript and librdkafka's), start-up and flush
   * included: what load on the client each message cost. `children`: how many children's CPU is in it (a child killed
   * mid-run never reports its own). Absent in reports saved before it was measured.
   */
  cpu?: { clientSec: number; perMessageUs: number | null; children: number };
  gcPausesMs: { count: number; p50: number; p99: number; max: number; totalMs: number } | null;
  /** [seconds since start, acknowledged/s], one point per second. */
  timeline: [number, number][];
  /** Children's memory, event-loop delay and GC, every few seconds (columns named in `columns`). */
  health: { columns: readonly string[]; rows: number[][] };
  /** What "acknowledged" promises with these producer settings. */
  durability: string;
  /** Why the run ended early when it failed mid-run (the counts above are still true); null otherwise. */
  error: { code: ErrorCode; message: string } | null;
  settings: StormSettings;
  versions: Record<string, string>;
  machine: Machine;
  notes: string[];
  /** --threshold: each judged on the exact figures above, and the one that stopped the run live (if one did). */
  thresholds?: ThresholdOutcome;
  /** One of several instances of the run (--instances): where it stood among them. */
  instance?: InstanceSection;
  /** The run's merged report, in the report of the instance that finished last (report/merged-report.ts). */
  merged?: MergedReport;
  /** --consumer-groups: what each group read, exact and timed end to end. */
  readers?: ReadersReport;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The report as text: a label column, then the figures (the JSON report holds the same, and more). */
export function renderStormText(report: StormReport): string {
  const lines: string[] = [];
  const row = (label: string, text: string) => lines.push(`  ${label.padEnd(14)} ${text}`);
  const settings = report.settings;
  lines.push(
    `DataStorm run ${report.runId}: topic ${report.topic} on ${report.brokers} broker(s), ` +
      `${settings.partitions} partitions, replication ${settings.replication}`,
  );
  const startup = `(after ${report.startupSec.toFixed(1)} s of start-up)`;
  if (report.acknowledged === null) row('sent:', `${fmt(report.sent)} messages (acks=0: acknowledged count unknown)`);
  else row('acknowledged:', `${fmt(report.acknowledged)} messages in ${report.elapsedSec.toFixed(1)} s ${startup}`);
  const kinds = Object.entries(report.failedByKind).map(([k, v]) => `${k}: ${fmt(v)}`);
  row('failed:', `${fmt(report.failed)}${report.failed ? ` (${kinds.join(', ')})` : ''}`);
  row(
    'rate:',
    `${fmt(report.rate.average)} msg/s average, ${fmt(report.rate.peak)} msg/s peak, ${report.megabytesPerSec} MB/s`,
  );
  const latency = report.latencyMs;
  if (latency)
    row(
      'latency (ms):',
      `p50 ${latency.p50}  p95 ${latency.p95}  p99 ${latency.p99}  p99.9 ${latency.p999}  max ${latency.max}`,
    );
  const sentiment = report.sentiment;
  if (sentiment) sentimentRows(sentiment, row);
  const record = report.record;
  if (record)
    row(
      'records:',
      `${record.name} (${record.format ?? 'avro'})${record.keyField ? `, keyed by field ${record.keyField}` : ''}`,
    );
  const global = report.global;
  if (global)
    row(
      'global (Redis):',
      `${fmt(global.acknowledged)} acknowledged by all processes of this run, ${fmt(global.issued)} issued`,
    );
  const instance = report.instance;
  if (instance)
    row(
      'instance:',
      `${instance.index} of 0-${instance.instances - 1}${instance.rejoined ? ', rejoined the running run' : ''}; ` +
        `waited ${instance.waitedSec} s at the barrier, ` +
        `first slice ${instance.startOffsetMs ?? '-'} ms after the start` +
        instance.tookOver
          .map((p) => `; took over from process ${p.processId} (${fmt(p.givenBack)} unsettled given back)`)
          .join(''),
    );
  const children = report.children;
  row(
    'children:',
    `${children.workers} workers, ${children.restarts} restarts, peak RSS ${children.maxRssMiB.join('/')} MiB`,
  );
  if (report.cpu) {
    const per = report.cpu.perMessageUs !== null ? ` (${report.cpu.perMessageUs} µs per acknowledged message)` : '';
    const missing =
      report.cpu.children < children.workers + children.restarts
        ? `; ${children.workers + children.restarts - report.cpu.children} killed children not counted`
        : '';
    row('client CPU:', `${report.cpu.clientSec} s, start-up included${per}${missing}`);
  }
  const gc = report.gcPausesMs;
  if (gc)
    row('GC pauses:', `${gc.count} (p50 ${gc.p50} ms, p99 ${gc.p99} ms, max ${gc.max} ms, ${gc.totalMs} ms in all)`);
  scenarioRows(report, row);
  if (report.readers) readersRows(report.readers, row);
  row('durability:', report.durability);
  if (report.error) row('ended by:', `${report.error.code}: ${report.error.message}`);
  settingsRows(settings, row);
  lines.push(...gateLines(thresholdCases(report.thresholds)).map((l) => `  ${l}`));
  for (const n of report.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}

/** The producers' settings, the client settings by role and the topic's configs, and the command that runs it again. */
function settingsRows(settings: StormReport['settings'], row: (label: string, text: string) => void): void {
  const batch = fmt(settings.batchBytes);
  row(
    'settings:',
    `acks=${settings.acks} compression=${settings.compression} batch=${batch} B linger=${settings.lingerMs} ms`,
  );
  const pairs = (s?: Record<string, string>) => Object.entries(s ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const [label, s] of [
    ['client:', settings.client],
    ['client (prod):', settings.producerClient],
    ['client (read):', settings.readerClient],
    ['topic config:', settings.topicConfig],
  ] as const)
    if (pairs(s).length) row(label, pairs(s).join(' '));
  if (settings.command) row('run again:', settings.command);
}

const percentilesText = (p: Percentiles) => `p50 ${p.p50} p99 ${p.p99} max ${p.max} ms`;

/** The scenario's rows: the shape against what it scheduled, the intended-time figures, warm-up, keys, find-max. */
function scenarioRows(report: StormReport, row: (label: string, text: string) => void): void {
  const settings = report.settings;
  const schedule = report.schedule;
  const notSent =
    schedule.scheduled !== null ? `; scheduled ${fmt(schedule.scheduled)}, not sent ${fmt(schedule.notSent ?? 0)}` : '';
  row('shape:', `${schedule.description}${notSent}`);
  const omission = report.coordinatedOmission;
  if (omission?.publishDelayMs && omission.latencyFromIntendedMs)
    row(
      'vs intended:',
      `publish delay ${percentilesText(omission.publishDelayMs)}; ` +
        `latency from intended time ${percentilesText(omission.latencyFromIntendedMs)}`,
    );
  if (report.warmup)
    row(
      'warm-up:',
      `${report.warmup.seconds} s, ${fmt(report.warmup.acknowledged)} acknowledged (not in the figures above)`,
    );
  const keys = settings.keys;
  if (keys.kind !== 'none' || (report.partitions.skew ?? 1) > 1.5)
    row(
      'partitions:',
      `${describeKeys(keys)}; busiest/mean ${report.partitions.skew ?? '-'} ` +
        `over ${report.partitions.acknowledged.length}`,
    );
  const findMax = report.findMax;
  if (findMax) {
    const held = findMax.maxRate === null ? 'none (the first step failed)' : `${fmt(findMax.maxRate)} msg/s`;
    row('find-max:', `highest rate held ${held}`);
    for (const step of findMax.steps)
      row(
        '',
        `${fmt(step.rate).padStart(11)}/s → ${fmt(step.achieved).padStart(11)}/s  p99 ${step.p99Ms ?? '-'} ms  ` +
          `behind ${fmt(step.behind)}  ${step.held ? 'held' : `failed: ${step.reason}`}`,
      );
  }
}

/**
 * A report saved before scenarios existed lacks their sections: it was a run as fast as possible (or at a constant
 * --rate), without warm-up, keys or find-max. Fills them in as such so old reports still render.
 */
export function withScenarioDefaults(r: StormReport): StormReport {
  return {
    ...r,
    schedule: r.schedule ?? {
      shape: 'unknown',
      description: 'not recorded (a report from before rate shapes)',
      perSecond: [],
      scheduled: null,
      notSent: null,
    },
    warmup: r.warmup ?? null,
    coordinatedOmission: r.coordinatedOmission ?? null,
    partitions: r.partitions ?? { acknowledged: [], skew: null },
    settings: { ...r.settings, keys: keysOfSaved(r.settings.keys) },
    findMax: r.findMax ?? null,
    scenario: r.scenario ?? null,
  };
}

/**
 * The key distribution of a saved report: data since reports recorded it so; before, its description
 * (scenario/keys.ts describeKeys, read back here), and before keys existed, nothing (no keys).
 */
function keysOfSaved(keys: KeySpec | string | undefined): KeySpec {
  if (typeof keys === 'object') return keys;
  const described = keys ?? 'no keys';
  const whole = (text: string) => Number(text.replace(/,/g, ''));
  let m = /^keys (round-robin|uniform) over ([\d,]+) users$/.exec(described);
  if (m) return { kind: m[1] as 'round-robin' | 'uniform', n: whole(m[2]) };
  m = /^keys zipf over ([\d,]+) users, s=([\d.]+)/.exec(described);
  if (m) return { kind: 'zipf', n: whole(m[1]), s: Number(m[2]) };
  m = /^keys: ([\d.]+)% on one hot user, the rest uniform over ([\d,]+)$/.exec(described);
  if (m) return { kind: 'hot', n: whole(m[2]) + 1, hotShare: Number(m[1]) / 100 };
  return { kind: 'none' };
}

/** Saves the report as JSON under dir; returns the file's path. */
export function saveReport(r: StormReport, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `storm-${r.startedAt.replace(/[:.]/g, '-')}-${r.runId}.json`);
  fs.writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}

function sentimentRows(sentiment: NonNullable<StormReport['sentiment']>, row: (k: string, v: string) => void): void {
  const mix = (k: 'positive' | 'negative' | 'neutral') => `${k} ${fmt(sentiment.counts[k])} (${sentiment.shares[k]}%)`;
  const swing = sentiment.swingEveryMs === null ? 'per batch' : `every ${sentiment.swingEveryMs / 1000} s`;
  const volatility = sentiment.volatility !== null ? ` (volatility ${sentiment.volatility}, swinging ${swing})` : '';
  row('sentiment:', `${sentiment.mode}${volatility}: ${mix('positive')}, ${mix('negative')}, ${mix('neutral')}`);
  if (sentiment.batchPositiveShareStd !== null)
    row('', `per-batch positive share: std ${sentiment.batchPositiveShareStd} over ${sentiment.batches} batches`);
}
