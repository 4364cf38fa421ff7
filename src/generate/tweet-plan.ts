/**
 * A producer's tweets compiled for the native addon (native/src/tweet-plan.h): the constant prefix, every pooled tail
 * avsc encoded, and under keys the key texts, handed to C once. A batch is then named, not written: which sentiment
 * each message has, which key, and where the walk through the pool starts; C writes the bytes (the same bytes avsc
 * gives, held to that by test/unit/generate/tweet-plan.test.ts) straight into librdkafka's queue.
 *
 * Message i of a batch takes pool slot (cursor + (i + 1) * stride) mod the pool's size: an odd stride over a
 * power-of-two pool visits every tweet before repeating one.
 */
import { addon, type BatchSpec, batchArgs, type Handle } from '../kafka/native/addon.js';
import type { TweetPool } from './tweet-encoder.js';

/** Key texts back to back: key i is buf[ends[i-1] ?? 0 .. ends[i]). */
export interface KeyTable {
  buf: Buffer;
  ends: Uint32Array;
}

export class TweetPlan {
  readonly handle: Handle;
  /** Tweets per sentiment in the pool (a power of two). */
  readonly poolSize: number;
  /** The longest message the plan writes, for sizing buffers. */
  readonly maxMessage: number;

  constructor(
    pool: TweetPool,
    prefix: Buffer,
    /** Odd: the step of the walk through the pool. */
    readonly stride: number,
    keys: KeyTable | null = null,
  ) {
    const tails = pool.tails.flat();
    const ends = new Uint32Array(tails.length);
    const handles = pool.handleBytes ? new Uint16Array(tails.length) : null;
    let end = 0;
    for (let i = 0; i < tails.length; i++) {
      end += tails[i].length;
      ends[i] = end;
    }
    if (handles && pool.handleBytes)
      for (let s = 0, i = 0; s < pool.handleBytes.length; s++) for (const h of pool.handleBytes[s]) handles[i++] = h;
    this.poolSize = pool.tails[0].length;
    let longestKey = 0;
    for (let k = 0; keys && k < keys.ends.length; k++)
      longestKey = Math.max(longestKey, keys.ends[k] - (k ? keys.ends[k - 1] : 0));
    this.maxMessage = prefix.length + 24 + pool.maxTail + (keys ? 5 + longestKey : 0);
    this.handle = addon().tweetPlanNew(
      prefix,
      Buffer.concat(tails),
      ends,
      this.poolSize,
      stride,
      handles,
      keys?.buf ?? null,
      keys?.ends ?? null,
    );
  }

  /** Where the walk stands after a batch of n that started at cursor. */
  advance(cursor: number, n: number): number {
    return (cursor + n * this.stride) % this.poolSize;
  }

  /**
   * Writes a batch's tweets back to back into out (message i ends at ends[i - from]), the very bytes the producer
   * hands to librdkafka; returns the bytes written. For tests and the benchmarks' payload files.
   */
  encode(out: Buffer, ends: Uint32Array, b: BatchSpec): number {
    return addon().tweetPlanEncode(this.handle, out, ends, ...batchArgs(b));
  }
}
