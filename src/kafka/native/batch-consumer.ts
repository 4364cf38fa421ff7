/**
 * A consumer that crosses into C once per batch (native/src/consumer.c): values in one Buffer, partitions, offsets and
 * timestamps in typed arrays. Group consumers see rebalances as events at the end of a batch; commits are explicit.
 */
import { wrapError } from '../../errors.js';
import { BROKER_MAX_MESSAGE_BYTES } from '../limits.js';
import {
  addon,
  type ConsumedBatch,
  clientStartError,
  type Handle,
  type MeasuredBatch,
  type NativeAddon,
  stringConfig,
} from './addon.js';

export type { ConsumedBatch, MeasuredBatch } from './addon.js';

/** What a storm's reader measures (native/src/reader-measure.h); set between consume calls. */
export interface MeasureSpec {
  /** Bytes before a tweet's Avro (the registry's frame: 5), or null when the records are not tweets. */
  tweetFraming: number | null;
  /** Records created before this (Unix ms) are counted, not timed: the warm-up. */
  fromMs: number;
  /** The schedule's start (Unix ms), 0 while unknown. */
  startMs: number;
  /** Messages the schedule allows at each step after its start; null without a schedule. */
  table: Float64Array | null;
  tableStepMs: number;
}

/**
 * Fetch sizes that take a full storm batch (the largest message the brokers allow) in one fetch, a few per request.
 * A partition whose fetched queue is over librdkafka's thresholds (queued.min.messages: 100,000) is fetched again
 * at once, not after fetch.queue.backoff.ms' default second: one storm batch is 8,000 messages and one fetch holds
 * several, so the default paused a fast reader about once a second per partition (a reader of one broker's six
 * partitions read 0.67M/s with it, beside Kafka's ConsumerPerformance's 1.3M/s: benchmarks/READERS.md).
 */
export const FETCH_CONFIG = {
  'fetch.max.bytes': 64 * 1024 * 1024,
  'max.partition.fetch.bytes': BROKER_MAX_MESSAGE_BYTES,
  'fetch.queue.backoff.ms': 0,
} as const;

export class BatchConsumer {
  private readonly native: NativeAddon = addon();
  private readonly h: Handle;
  private closed = false;

  constructor(
    config: Record<string, string | number | boolean>,
    readonly topic: string,
  ) {
    try {
      this.h = this.native.consumerNew(stringConfig({ ...FETCH_CONFIG, ...config }), topic);
    } catch (e) {
      throw clientStartError('consumer', e);
    }
  }

  /** Waits (bounded, off the event loop) for the cluster's metadata. */
  async connect(bootstrap: string, timeoutMs = 10_000): Promise<this> {
    try {
      await this.native.consumerConnect(this.h, timeoutMs);
    } catch (e) {
      throw wrapError(
        'KAFKA_UNREACHABLE',
        `cannot reach Kafka at ${bootstrap} within ${timeoutMs / 1000} s (${(e as Error).message}); check --bootstrap`,
        e,
      );
    }
    return this;
  }

  subscribe(): void {
    this.native.consumerSubscribe(this.h);
  }

  /** Reads these partitions from these offsets, outside any group. */
  assign(partitions: number[], offsets: number[]): void {
    this.native.consumerAssign(this.h, Int32Array.from(partitions), Float64Array.from(offsets));
  }

  /** Up to maxMessages: waits up to timeoutMs for the first, then takes what is already fetched. */
  consume(maxMessages: number, timeoutMs: number): Promise<ConsumedBatch> {
    return new Promise((resolve, reject) =>
      this.native.consumerConsume(this.h, maxMessages, timeoutMs, (e, b) => (e ? reject(e) : resolve(b))),
    );
  }

  /** From now on, messages are measured in C, not handed over: use consumeMeasured. */
  measure(spec: MeasureSpec): void {
    const { tweetFraming, fromMs, startMs, table, tableStepMs } = spec;
    this.native.consumerMeasure(this.h, tweetFraming ?? -1, fromMs, startMs, table, tableStepMs);
  }

  /** consume, for a measuring consumer: counts and runs of offsets instead of the messages. */
  consumeMeasured(maxMessages: number, timeoutMs: number): Promise<MeasuredBatch> {
    return this.consume(maxMessages, timeoutMs) as unknown as Promise<MeasuredBatch>;
  }

  /** Stops (or resumes) fetching what is assigned, and what is assigned later while paused; stays in the group. */
  pause(paused: boolean): void {
    this.native.consumerPause(this.h, paused);
  }

  /** End-to-end latency (µs, as (value, count) pairs) since the last call: from creation, or from intended time. */
  takeEndToEnd(which: 'created' | 'intended'): Float64Array {
    return this.native.consumerTakeEndToEnd(this.h, which === 'created' ? 0 : 1);
  }

  /**
   * Commits exactly these next-offsets, synchronously with the coordinator but off the event loop; rejects when the
   * group refuses (a rebalance moved them).
   */
  async commit(offsets: Map<number, number>): Promise<void> {
    if (!offsets.size) return;
    await this.native.consumerCommit(this.h, Int32Array.from(offsets.keys()), Float64Array.from(offsets.values()));
  }

  /** The newest statistics librdkafka emitted (statistics.interval.ms), parsed; null when none came since last time. */
  statistics<T>(): T | null {
    const s = this.native.consumerStats(this.h);
    return s === null ? null : (JSON.parse(s) as T);
  }

  async watermarks(partition: number, timeoutMs = 10_000): Promise<{ low: number; high: number }> {
    const [low, high] = await this.native.consumerWatermarks(this.h, partition, timeoutMs);
    return { low, high };
  }

  /** Leaves the group and destroys the client (call after the last consume has returned). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.consumerClose(this.h);
  }
}
