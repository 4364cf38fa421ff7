/**
 * Sends one leased slice: plans its sentiments (the run's mix), keys and pool walk, and hands the whole batch to C
 * in one call, which encodes it straight into librdkafka's queue. Under a rate schedule each message carries when
 * the schedule meant it to go (publish delay, latency from the intended time). A full queue is waited out a
 * millisecond at a time; a stop while it is full leaves the rest of the slice unsent, and uncounted.
 */

import type avro from 'avsc';
import type { StopSignal } from '../child-main.js';
import type { Lease } from '../coord/quota.js';
import {
  FixedPlanner,
  fillShuffled,
  type MixPlanner,
  PeriodMixes,
  PeriodPlanner,
  VolatilePlanner,
} from '../generate/mix.js';
import { buildPool, encodePrefix } from '../generate/tweet-encoder.js';
import type { BatchProducer, Intended } from '../kafka/native/batch-producer.js';
import type { Rng } from '../random.js';
import { isUnlimited, type Schedule, timeOfIndex } from '../scenario/schedule.js';
import { steadyNow } from '../steady-clock.js';
import type { StormChildOptions } from './protocol.js';
import { TweetBatch } from './tweet-batch.js';

/** When a slice's messages were meant to go: the first, ms after the run's start, and the step between two, µs. */
interface IntendedTimes {
  firstMs: number;
  stepUs: number;
}

/** What a slice sent: how many; tweets per sentiment (null for other records) and a volatile batch's positive share. */
export interface SentSlice {
  handed: number;
  bySentiment: number[] | null;
  share: number | null;
}

/** A child's sender of leased slices, whatever it writes. */
export interface SliceSender {
  send(lease: Lease, startLocal: number): Promise<SentSlice>;
}

/**
 * Hands messages from..n-1 of a slice, a prefix at a time while librdkafka's queue is full; `produce` hands from a
 * message on and says how many it took. Under a schedule each hand-over carries its intended times.
 */
export async function handSlice(
  n: number,
  startLocal: number,
  intended: IntendedTimes | null,
  stop: StopSignal,
  produce: (from: number, intended: Intended | null) => number,
): Promise<number> {
  let from = 0;
  for (;;) {
    const intendedNow = intended && {
      delayUs: (steadyNow() - startLocal - intended.firstMs) * 1000 - from * intended.stepUs,
      stepUs: intended.stepUs,
    };
    from += produce(from, intendedNow);
    if (from >= n || stop.requested) return from;
    await new Promise((resolve) => setTimeout(resolve, 1)); // queue full: deliveries drain it on their own thread
  }
}

/** The schedule's times for a slice's first and last message; between them, evenly. */
export function intendedTimes(schedule: Schedule, lease: Lease): IntendedTimes {
  const n = lease.granted;
  const firstMs = timeOfIndex(schedule, lease.first);
  const stepUs = n > 1 ? ((timeOfIndex(schedule, lease.first + n - 1) - firstMs) * 1000) / (n - 1) : 0;
  return { firstMs, stepUs };
}

/** The run's sentiment planner: fixed, volatile per batch, or volatile per period of the run (generate/mix.ts). */
function plannerFor(options: StormChildOptions, rng: Rng): MixPlanner {
  if (options.mode !== 'volatile') return new FixedPlanner(options.sentiment);
  if (options.swingEveryMs === null) return new VolatilePlanner(options.sentiment, options.volatility, rng);
  const mixes = new PeriodMixes(options.sentiment, options.volatility, options.runId);
  return new PeriodPlanner(mixes, options.swingEveryMs);
}

export class BatchSender implements SliceSender {
  /** Messages this producer handed so far: the next one's sequence number. */
  private sequence = 0;
  private readonly batch: TweetBatch;
  private readonly planner: MixPlanner;
  private readonly volatile: boolean;
  private readonly scheduled: boolean;

  constructor(
    options: StormChildOptions,
    /** The tweet schema's type, as the child loaded it (loadStormSchema): read and compiled once. */
    tweetType: avro.Type,
    producerId: string,
    private readonly schedule: Schedule,
    private readonly producer: BatchProducer,
    private readonly rng: Rng,
    private readonly stop: StopSignal,
    frame: Buffer | null = null,
  ) {
    const pool = buildPool(tweetType, rng, options.brands);
    // Every tweet of a producer starts with the same bytes: the registry's frame (when given), run_id, producer_id.
    const head = encodePrefix(options.runId, producerId);
    const prefix = frame ? Buffer.concat([frame, head]) : head;
    this.batch = new TweetBatch(pool, prefix, options.batchSize, options.keys, rng);
    this.volatile = options.mode === 'volatile';
    this.planner = plannerFor(options, rng);
    this.scheduled = !isUnlimited(schedule);
  }

  /**
   * Sends the lease's slice; `startLocal` is the run's start on this clock. Returns how many went, per sentiment
   * (fewer than granted only when stopped while librdkafka's queue was full), and the slice's positive share.
   */
  async send(lease: Lease, startLocal: number): Promise<SentSlice> {
    const n = lease.granted;
    // One clock reading for the mix and the tweets' created_at: a batch's tweets are in the period whose mix they have.
    const createdAt = Date.now();
    const bySentiment = this.planner.counts(n, createdAt, lease.startMs);
    const share = this.volatile ? bySentiment[0] / n : null;
    fillShuffled(this.batch.order, bySentiment, this.rng);
    const handed = await this.hand(lease, startLocal, createdAt);
    this.sequence += handed;
    for (let i = handed; i < n; i++) bySentiment[this.batch.order[i]]--;
    return { handed, bySentiment, share };
  }

  private async hand(lease: Lease, startLocal: number, createdAt: number): Promise<number> {
    const n = lease.granted;
    const batch = this.batch;
    const spec = {
      order: batch.order,
      from: 0,
      to: n,
      seq0: this.sequence,
      first: lease.firstId,
      createdAt,
      cursor: batch.start(n),
      keyIds: batch.keyIds,
    };
    const intended = this.scheduled ? intendedTimes(this.schedule, lease) : null;
    return handSlice(n, startLocal, intended, this.stop, (from, intendedNow) => {
      spec.from = from;
      return this.producer.produceTweets(batch.plan, spec, intendedNow);
    });
  }
}
