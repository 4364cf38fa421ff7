/** Typed IPC between the storm primary and its children: per-interval aggregates and one histogram at the end. */
import type { LatencyBuckets } from '../measure/latency-buckets.js';
import type { Moments } from '../measure/moments.js';
import type { ChildDone, ChildFatal, ChildIdentity } from '../supervisor.js';
import type { StormOptions } from './options.js';

/** The options a child uses, and nothing more: what crosses into its environment (no registry credentials). */
const CHILD_FIELDS = [
  ...['bootstrap', 'client', 'topic', 'runId', 'count', 'duration', 'shape', 'warmup', 'workers'],
  ...['batchSize', 'maxInFlight', 'acks', 'idempotence', 'compression', 'batchBytes', 'lingerMs', 'redis', 'redisCa'],
  ...['mode', 'sentiment', 'volatility', 'swingEveryMs', 'brands', 'keys', 'keyField'],
  ...['schema', 'format', 'quickstart', 'proto', 'message', 'tweetFlags', 'maxDepth', 'payload', 'ombResult'],
] as const satisfies readonly (keyof StormOptions)[];

export type StormChildOptions = Pick<StormOptions, (typeof CHILD_FIELDS)[number]> & {
  /** Records are framed by the registry's schema id (config.schemaId): the child only needs to know that. */
  registry?: true;
};

/** A child's config: its identity, the options it uses, and what the primary learnt for it. */
export function childConfigOf(
  options: StormOptions,
  id: ChildIdentity,
  learnt: { instance: string; schemaId?: number },
): ChildConfig {
  const narrow = Object.fromEntries(CHILD_FIELDS.map((k) => [k, options[k]])) as StormChildOptions;
  if (options.registry) narrow.registry = true;
  return { ...id, options: narrow, instance: learnt.instance, schemaId: learnt.schemaId };
}

/** What a child needs; passed once through its environment (DATASTORM_CHILD). */
export interface ChildConfig extends ChildIdentity {
  options: StormChildOptions;
  /** This storm process, among all that share the run id (random at start). */
  instance: string;
  /** With --schema-registry: the schema's id, which frames every message (registry/framing.ts). */
  schemaId?: number;
}

/** Sent about once a second, and once more at the end. Counts are deltas since the previous tick. */
export interface TickMessage {
  t: 'tick';
  slot: number;
  /** The wall-clock second (Unix time) this interval ends at; the final tick ends wherever the child finished. */
  second: number;
  acked: number;
  bytes: number;
  /** Delivery failures by librdkafka error name. */
  failed: Record<string, number>;
  /** Handed to librdkafka (not yet necessarily acknowledged). */
  sent: number;
  /** Handed, per sentiment (positive, negative, neutral). */
  mix: [number, number, number];
  /** Messages still waiting for a delivery report (absolute, not a delta). */
  inFlight: number;
  /** Open-loop lag: messages the schedule allowed but no child had taken yet (absolute). */
  behind: number;
  /** Per-batch positive share of volatile batches this interval (for the report's spread): count, sum, squares. */
  batchShares: Moments;
  /**
   * Delivery latency of this interval's acknowledgements: p50/p99 (ms; null: none), Prometheus buckets, and under a
   * rate schedule the p99 measured from the intended send times.
   */
  latency: {
    p50: number | null;
    p99: number | null;
    buckets: LatencyBuckets;
    intendedP99: number | null;
    /** --omb-result: the interval's latency and publish delay (ms) as (value, count) pairs. */
    pairs?: number[];
    delayPairs?: number[];
  };
  /** This tick's counts belong to the warm-up (kept out of the report's statistics). */
  warmup: boolean;
  /** This child's reading of the run's start on the wall clock (Unix ms; null before its first lease). */
  scheduleStartMs: number | null;
  /** When the child's first slice was granted, ms after the run's start by Redis' clock (null before). */
  firstGrantMs: number | null;
  /** The child's health this interval: memory now, event-loop delay and GC time over the interval. */
  health: ChildHealth;
  /** How long brokers delayed their answers this interval for a quota (throttle time, ms, summed over answers). */
  throttledMs: number;
}

export interface ChildHealth {
  rssBytes: number;
  heapUsedBytes: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  gcMs: number;
  gcMaxMs: number;
}

export interface DoneMessage extends ChildDone {
  /** Delivery latency (ms) after the warm-up, as [value, count, …] pairs (measure/value-counts.ts). */
  histogram: number[];
  /** Under a rate schedule: latency from the intended send time, and the publish delay (ms; pairs). */
  intendedHistogram: number[] | null;
  publishDelayHistogram: number[] | null;
  /** Acknowledged per partition after the warm-up (index = partition). */
  partitions: number[];
  /** Messages handed but never reported delivered or failed (flush timed out). */
  unresolved: number;
  /** GC pauses (µs), as [value, count, …] pairs. */
  gcHistogram: number[];
  maxRssBytes: number;
  /** CPU the child's process used, every thread (its own and librdkafka's), µs: user + system. */
  cpuMicros: number;
}

/** Sent once, when the child is connected and prepared and starts its loop. */
export interface ProducingMessage {
  t: 'producing';
  slot: number;
}

export type ChildMessage = ProducingMessage | TickMessage | DoneMessage | ChildFatal;

export const CHILD_ENV = 'DATASTORM_CHILD';
