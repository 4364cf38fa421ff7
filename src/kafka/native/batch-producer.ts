/**
 * A producer that crosses into C once per batch (native/src/producer.c), which encodes the batch's tweets by their
 * plan (generate/tweet-plan.ts, handed in as its handle) as it hands them to librdkafka. Delivery reports stay in C:
 * JavaScript reads cumulative counts whenever it likes (cheap: fills a reused Float64Array) and drains the latency
 * histogram once a tick.
 */
import { wrapError } from '../../errors.js';
import { addToBuckets, type LatencyBuckets } from '../../measure/latency-buckets.js';
import type { ValueCounts } from '../../measure/value-counts.js';
import {
  addon,
  type BatchSpec,
  batchArgs,
  clientStartError,
  type Handle,
  type NativeAddon,
  stringConfig,
} from './addon.js';

/** Cumulative since the producer was made. */
export interface ProducerCounts {
  /** Handed to librdkafka. */
  produced: number;
  acked: number;
  ackedBytes: number;
  failed: number;
  /** Handed, neither acknowledged nor failed yet. */
  inFlight: number;
  /** A broker refused a batch as larger than the topic's max.message.bytes (retrying cannot help). */
  tooLarge: boolean;
  /** Client-level errors librdkafka reported (brokers down, ...); it retries them itself. */
  clientErrors: number;
  /** How long brokers delayed their answers for a quota (throttle time, ms, summed over answers). */
  throttledMs: number;
}

/** Under a rate schedule: the batch's first message was meant to go delayUs ago, each next one stepUs later. */
export interface Intended {
  delayUs: number;
  stepUs: number;
}

/** A batch's messages side by side: message i is payloads[payloadEnds[i-1]..payloadEnds[i]), its key likewise. */
export interface PackedBatch {
  payloads: Buffer;
  payloadEnds: Uint32Array;
  keys: Buffer | null;
  keyEnds: Uint32Array | null;
}

/** How often a producer that spreads keyless batches asks which partitions have a leader, and how long it waits. */
export const LEADERS_REFRESH_MS = 1000;

export interface BatchProducerOptions {
  /**
   * A keyless batch goes whole to the next partition that has a leader, in turn (librdkafka's sticky partitioner held
   * for a batch, without its per-message partitioning); off, librdkafka partitions each message as configured.
   */
  spreadKeyless?: boolean;
}

export class BatchProducer {
  private readonly native: NativeAddon = addon();
  private readonly h: Handle;
  private readonly raw = new Float64Array(9);
  private readonly spread: boolean;
  private refresher: NodeJS.Timeout | null = null;
  private refreshing = false;
  private closed = false;

  constructor(
    config: Record<string, string | number | boolean>,
    readonly topic: string,
    options: BatchProducerOptions = {},
  ) {
    this.spread = options.spreadKeyless ?? false;
    try {
      this.h = this.native.producerNew(stringConfig(config), topic, this.spread);
    } catch (e) {
      throw clientStartError('producer', e);
    }
  }

  /** Waits (bounded, off the event loop) until the cluster answers with the topic's metadata. */
  async connect(timeoutMs = 10_000): Promise<this> {
    try {
      await this.native.producerConnect(this.h, timeoutMs);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'UNKNOWN_TOPIC_OR_PART') throw wrapError('TOPIC', `topic '${this.topic}' does not exist`, e);
      throw wrapError(
        'KAFKA_UNREACHABLE',
        `Kafka did not answer within ${timeoutMs / 1000} s (${(e as Error).message})`,
        e,
      );
    }
    if (this.spread && !this.refresher) {
      this.refresher = setInterval(() => this.refreshLeaders(), LEADERS_REFRESH_MS);
      this.refresher.unref();
    }
    return this;
  }

  /**
   * Which partitions keyless batches may go to, asked again (one at a time, off the event loop). A cluster that does
   * not answer keeps the last answer: librdkafka holds a batch for a partition that lost its leader until one is
   * elected, as it holds any message.
   */
  private refreshLeaders(): void {
    if (this.refreshing || this.closed) return;
    this.refreshing = true;
    this.native
      .producerRefreshLeaders(this.h, LEADERS_REFRESH_MS)
      .catch(() => undefined)
      .finally(() => {
        this.refreshing = false;
      });
  }

  /**
   * Hands tweets b.from..b.to-1 of a batch to librdkafka, written in C by the plan; returns how many it took (a
   * prefix): fewer when its queue is full (wait for deliveries, then call again with the rest: they encode to the
   * same bytes). Under a rate schedule, `intended` says when the batch's messages were meant to be sent: message i
   * `delayUs - (i - from) * stepUs` µs ago (publish delay, and the latency from then).
   */
  produceTweets(plan: { handle: Handle }, b: BatchSpec, intended: Intended | null = null): number {
    return this.native.producerProduceTweets(
      this.h,
      plan.handle,
      ...batchArgs(b),
      intended ? intended.delayUs : -1,
      intended ? intended.stepUs : 0,
    );
  }

  /**
   * Hands messages from..to-1 of a batch already written (any schema's record plan, storm/record-batch.ts) to
   * librdkafka, which copies them; returns how many it took, a prefix, as produceTweets.
   */
  produceBuffers(batch: PackedBatch, from: number, to: number, intended: Intended | null = null): number {
    return this.native.producerProduceBuffers(
      this.h,
      batch.payloads,
      batch.payloadEnds,
      batch.keys,
      batch.keyEnds,
      from,
      to,
      intended ? intended.delayUs : -1,
      intended ? intended.stepUs : 0,
    );
  }

  /** Acknowledged per partition so far (index = partition). */
  partitionCounts(): number[] {
    return Array.from(this.native.producerPartitionCounts(this.h));
  }

  counts(): ProducerCounts {
    const r = this.raw;
    this.native.producerStats(this.h, r);
    return {
      produced: r[0],
      acked: r[1],
      ackedBytes: r[2],
      failed: r[3],
      inFlight: r[4],
      tooLarge: r[5] !== 0,
      clientErrors: r[6],
      throttledMs: r[8],
    };
  }

  /** Handed and not yet settled; the cheapest read, for back-pressure. */
  inFlight(): number {
    this.native.producerStats(this.h, this.raw);
    return this.raw[4];
  }

  /** Failures by librdkafka error name, cumulative. */
  failures(): Record<string, number> {
    return this.native.producerFailures(this.h);
  }

  /**
   * Moves what one of C's histograms recorded since the last call into `into` (milliseconds, at least 1): the latency
   * from the send (`sent`, the default), from the intended send time (`intended`), or the publish delay (`delay`).
   */
  drainLatency(into: ValueCounts, buckets?: LatencyBuckets, which: 'sent' | 'intended' | 'delay' = 'sent'): void {
    const pairs = this.native.producerTakeLatency(this.h, which === 'sent' ? 0 : which === 'intended' ? 1 : 2);
    for (let i = 0; i < pairs.length; i += 2) {
      const ms = Math.max(1, Math.round(pairs[i] / 1000));
      into.record(ms, pairs[i + 1]);
      if (buckets) addToBuckets(buckets, ms, pairs[i + 1]);
    }
  }

  /** Stops the delivery thread and destroys the client; anything still in flight is purged (count it first). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.refresher) clearInterval(this.refresher);
    this.native.producerClose(this.h);
  }
}
