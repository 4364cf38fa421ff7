/**
 * The TypeScript face of native/ (a C Node-API addon linked to node-rdkafka's librdkafka). Loaded once; a missing
 * build is one clear line, not a stack. Use BatchProducer and BatchConsumer, not these functions directly.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { DataStormError, type ErrorCode, wrapError } from '../../errors.js';
import { PACKAGE_ROOT } from '../../package-root.js';

declare const handle: unique symbol;
export type Handle = { readonly [handle]: true };

export interface ConsumedBatch {
  /** Values of all messages, back to back: message i is values[ends[i-1] ?? 0 .. ends[i]). */
  values: Buffer;
  ends: Uint32Array;
  /** Keys, back to back like values (a message without a key has an empty one): key i ends at keyEnds[i]. */
  keys: Buffer;
  keyEnds: Uint32Array;
  partitions: Int32Array;
  offsets: Float64Array;
  timestamps: Float64Array;
  count: number;
  /** Rebalances that happened during the poll; the batch ends at the first one (every message came before it). */
  events: { assigned: boolean; partitions: Int32Array }[];
  /** Consumer errors librdkafka reported meanwhile (transient: it retries), as "NAME: text". */
  errors: string[];
}

/** A batch a storm's reader measured in C instead of copying it (native/src/reader-measure.h). */
export interface MeasuredBatch {
  count: number;
  bytes: number;
  /** Runs of consecutive offsets read: run i is partition runPartitions[i], offsets runFirst[i] … runLast[i]. */
  runPartitions: Int32Array;
  runFirst: Float64Array;
  runLast: Float64Array;
  events: ConsumedBatch['events'];
  errors: string[];
}

/** Which tweets a batch holds: message i (from <= i < to) of sentiment order[i], seq seq0 + i, id first + i. */
export interface BatchSpec {
  order: Uint8Array;
  from: number;
  to: number;
  seq0: number;
  first: number;
  createdAt: number;
  /** Where the batch's walk through the plan's pool starts (native/src/tweet-plan.h). */
  cursor: number;
  /** Message i's key index into the plan's key table; null without keys. */
  keyIds: Uint32Array | null;
}

/** A batch spec as the addon's functions take it, argument by argument. */
type BatchArgs = [
  order: Uint8Array,
  from: number,
  to: number,
  seq0: number,
  first: number,
  createdAt: number,
  cursor: number,
  keyIds: Uint32Array | null,
];
export const batchArgs = (b: BatchSpec): BatchArgs => [
  b.order,
  b.from,
  b.to,
  b.seq0,
  b.first,
  b.createdAt,
  b.cursor,
  b.keyIds,
];

export interface NativeAddon {
  librdkafkaVersion(): string;
  producerNew(config: Record<string, string>, topic: string, spreadKeyless: boolean): Handle;
  producerConnect(p: Handle, timeoutMs: number): Promise<void>;
  producerRefreshLeaders(p: Handle, timeoutMs: number): Promise<void>;
  producerProduceTweets(
    p: Handle,
    plan: Handle,
    ...batch: [...BatchArgs, delayUs: number, delayStepUs: number]
  ): number;
  producerProduceBuffers(
    p: Handle,
    payloads: Buffer,
    payloadEnds: Uint32Array,
    keys: Buffer | null,
    keyEnds: Uint32Array | null,
    from: number,
    to: number,
    delayUs: number,
    delayStepUs: number,
  ): number;
  tweetPlanNew(
    prefix: Buffer,
    tails: Buffer,
    tailEnds: Uint32Array,
    perSentiment: number,
    stride: number,
    handleBytes: Uint16Array | null,
    keys: Buffer | null,
    keyEnds: Uint32Array | null,
  ): Handle;
  tweetPlanEncode(plan: Handle, out: Buffer, ends: Uint32Array, ...batch: BatchArgs): number;
  producerPartitionCounts(p: Handle): Float64Array;
  producerStats(p: Handle, out: Float64Array): void;
  producerFailures(p: Handle): Record<string, number>;
  producerTakeLatency(p: Handle, which: 0 | 1 | 2): Float64Array;
  producerClose(p: Handle): void;
  consumerNew(config: Record<string, string>, topic: string): Handle;
  consumerConnect(c: Handle, timeoutMs: number): Promise<void>;
  consumerSubscribe(c: Handle): void;
  consumerAssign(c: Handle, partitions: Int32Array, offsets: Float64Array): void;
  consumerCommit(c: Handle, partitions: Int32Array, nextOffsets: Float64Array): Promise<void>;
  consumerConsume(
    c: Handle,
    maxMessages: number,
    timeoutMs: number,
    cb: (err: Error | null, batch: ConsumedBatch) => void,
  ): void;
  consumerStats(c: Handle): string | null;
  consumerWatermarks(c: Handle, partition: number, timeoutMs: number): Promise<[number, number]>;
  consumerClose(c: Handle): void;
  consumerMeasure(
    c: Handle,
    framing: number,
    fromMs: number,
    startMs: number,
    table: Float64Array | null,
    tableStepMs: number,
  ): void;
  consumerTakeEndToEnd(c: Handle, which: 0 | 1): Float64Array;
  consumerPause(c: Handle, paused: boolean): void;
  /** librdkafka's log lines since the last call, every client: [level, facility, message, …, dropped]. */
  clientLogDrain(): (number | string)[];
  /** Throws (code CONFIG, librdkafka's line) for a setting librdkafka does not know or a value it refuses. */
  clientConfigCheck(config: Record<string, string>): void;
  topicMinInsync(config: Record<string, string>, topic: string, timeoutMs: number): Promise<[number]>;
}

const ADDON = path.join(PACKAGE_ROOT, 'native/build/Release/datastorm_native.node');

let loaded: NativeAddon | undefined;
export function addon(): NativeAddon {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)(ADDON) as NativeAddon;
  } catch (e) {
    throw new DataStormError(
      'INTERNAL',
      `the native addon is not built (${(e as Error).message.split('\n')[0]}); run: npm run build:native`,
    );
  }
  return loaded;
}

/**
 * The typed error for what the addon threw while making a client: CONFIG (librdkafka refused a setting) is an option
 * problem, CLIENT (librdkafka could not start the client) and NATIVE (memory, a thread, Node-API) are their own; the
 * addon's error stays the cause.
 */
export function clientStartError(kind: 'producer' | 'consumer', e: unknown): DataStormError {
  const native = (e as { code?: string }).code;
  const code: ErrorCode = native === 'CONFIG' ? 'INVALID_OPTION' : native === 'CLIENT' ? 'CLIENT' : 'NATIVE';
  const what = code === 'INVALID_OPTION' ? `librdkafka refused the ${kind} configuration` : `the ${kind} did not start`;
  return wrapError(code, `${what}: ${(e as Error).message}`, e);
}

/** Stringifies a librdkafka configuration (the addon takes strings only). */
export function stringConfig(c: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, String(v)]));
}
