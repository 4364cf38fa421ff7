/**
 * Storm options: defaults, and a validate() that returns every problem at once (one line each, naming the option and
 * what is allowed). The engine trusts what passes here.
 */
import { isBootstrapList } from '../kafka/bootstrap.js';
import os from 'node:os';
import { BRANDS } from '../generate/texts.js';
import { redisUrlProblem } from '../coord/redis.js';

export type Acks = '0' | '1' | 'all';
export type Mode = 'fixed' | 'volatile';
export const COMPRESSIONS = ['lz4', 'zstd', 'snappy', 'gzip', 'none'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

export interface StormOptions {
  bootstrap: string;
  topic: string;
  partitions: number;
  replication: number;
  /** Exact total of acknowledged messages, across all children and processes sharing the run. */
  count?: number;
  /** Seconds, from the run's start. */
  duration?: number;
  /** Global messages/s across all children and processes (0 = as fast as possible). */
  rate: number;
  workers: number;
  batchSize: number;
  /** Unacknowledged messages a child may have outstanding before it waits for the brokers. */
  maxInFlight: number;
  mode: Mode;
  /** positive, negative, neutral percentages (sum 100). */
  sentiment: [number, number, number];
  volatility: number;
  acks: Acks;
  idempotence: boolean;
  compression: Compression;
  batchBytes: number;
  lingerMs: number;
  redis: string;
  runId: string;
  brands: string[];
  schema?: string;
}

export const DEFAULT_COUNT = 5_000_000;
/** The most a child may hold unacknowledged: verify's unconfirmed window (250,000) covers this plus a batch. */
export const MAX_IN_FLIGHT_LIMIT = 200_000;

export const defaults = {
  topic: 'tweets',
  rate: 0,
  workers: os.availableParallelism(),
  batchSize: 8000,
  maxInFlight: 100_000,
  mode: 'fixed' as Mode,
  sentiment: [50, 30, 20] as [number, number, number],
  volatility: 0.8,
  acks: 'all' as Acks,
  compression: 'lz4' as Compression,
  batchBytes: 16 * 1024 * 1024,
  lingerMs: 20,
  redis: 'redis://127.0.0.1:6379',
};

/** Raw values as the command line gives them (strings or numbers, possibly absent). */
export type RawStormOptions = Partial<Record<keyof StormOptions | 'brokers', unknown>>;

const int = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN);
const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);

/** Checks every option; returns the problems (empty when all is well). Pure: no I/O. */
export function validateStormOptions(raw: RawStormOptions): string[] {
  const errors: string[] = [];
  const wholeIn = (name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (v === undefined) return;
    const n = int(v);
    if (!Number.isSafeInteger(n) || n < min || n > max)
      errors.push(`--${name} must be a whole number from ${min.toLocaleString('en-US')}${max < Number.MAX_SAFE_INTEGER ? ` to ${max.toLocaleString('en-US')}` : ' up'} (got '${String(v)}')`);
  };
  wholeIn('brokers', raw.brokers, 1, 9);
  wholeIn('count', raw.count, 1);
  wholeIn('partitions', raw.partitions, 1, 10000);
  wholeIn('replication', raw.replication, 1, 9);
  wholeIn('workers', raw.workers, 1, 256);
  wholeIn('batch-size', raw.batchSize, 1, 1_000_000);
  // verify tells a dead child's unconfirmed messages from lost ones within MAX_UNCONFIRMED (verify/verify.ts): a child
  // may not hold more than that unacknowledged.
  wholeIn('max-in-flight', raw.maxInFlight, 1000, MAX_IN_FLIGHT_LIMIT);
  wholeIn('batch-bytes', raw.batchBytes, 1024, 1_000_000_000);
  wholeIn('linger-ms', raw.lingerMs, 0, 900_000);
  if (raw.duration !== undefined) {
    const d = num(raw.duration);
    if (!Number.isFinite(d) || d <= 0) errors.push(`--duration must be a number of seconds above 0 (got '${String(raw.duration)}')`);
  }
  if (raw.rate !== undefined) {
    const r = num(raw.rate);
    if (!Number.isFinite(r) || r < 0) errors.push(`--rate must be messages per second, 0 or more (0 = as fast as possible) (got '${String(raw.rate)}')`);
  }
  if (raw.mode !== undefined && raw.mode !== 'fixed' && raw.mode !== 'volatile')
    errors.push(`--mode must be fixed or volatile (got '${String(raw.mode)}')`);
  if (raw.sentiment !== undefined) {
    const parts = String(raw.sentiment).split(',').map((s) => s.trim());
    const ns = parts.map(num);
    if (parts.length !== 3 || ns.some((n) => !Number.isFinite(n)))
      errors.push(`--sentiment must be three percentages P,N,U (positive, negative, neutral) adding up to 100 (got '${String(raw.sentiment)}')`);
    else if (ns.some((n) => n < 0)) errors.push(`--sentiment percentages must not be negative (got '${String(raw.sentiment)}')`);
    else if (Math.abs(ns[0] + ns[1] + ns[2] - 100) > 1e-9)
      errors.push(`--sentiment percentages must add up to 100 (got '${String(raw.sentiment)}', sum ${ns[0] + ns[1] + ns[2]})`);
  }
  if (raw.volatility !== undefined) {
    const v = num(raw.volatility);
    if (!Number.isFinite(v) || v < 0 || v > 1) errors.push(`--volatility must be a number from 0 to 1 (got '${String(raw.volatility)}')`);
  }
  if (raw.acks !== undefined && !['0', '1', 'all', '-1'].includes(String(raw.acks)))
    errors.push(`--acks must be 0, 1 or all (got '${String(raw.acks)}')`);
  if (raw.compression !== undefined && !(COMPRESSIONS as readonly string[]).includes(String(raw.compression)))
    errors.push(`--compression must be one of ${COMPRESSIONS.join(', ')} (got '${String(raw.compression)}')`);
  if (raw.topic !== undefined && !/^[A-Za-z0-9._-]{1,249}$/.test(String(raw.topic)))
    errors.push(`--topic must be 1-249 characters of letters, digits, '.', '_' or '-' (got '${String(raw.topic)}')`);
  if (raw.bootstrap !== undefined && !isBootstrapList(String(raw.bootstrap)))
    errors.push(`--bootstrap must be host:port[,host:port…] (got '${String(raw.bootstrap)}')`);
  const redisProblem = raw.redis === undefined ? undefined : redisUrlProblem(String(raw.redis));
  if (redisProblem) errors.push(redisProblem);
  if (raw.runId !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(String(raw.runId)))
    errors.push(`--run-id must be 1-64 letters, digits, '.', '_' or '-' (got '${String(raw.runId)}')`);
  if (raw.brands !== undefined) {
    const unknown = String(raw.brands).split(',').map((s) => s.trim()).filter((b) => !(b in BRANDS));
    if (unknown.length) errors.push(`--brands must name brands from: ${Object.keys(BRANDS).join(', ')} (unknown: ${unknown.join(', ')})`);
  }
  if (raw.acks !== undefined && String(raw.acks) !== 'all' && String(raw.acks) !== '-1' && raw.idempotence === true)
    errors.push(`--idempotence needs --acks all (got --acks ${String(raw.acks)})`);
  return errors;
}

export function parseSentiment(s: string | undefined): [number, number, number] {
  if (s === undefined) return defaults.sentiment;
  const [p, n, u] = s.split(',').map(Number);
  return [p, n, u];
}
