/**
 * A child's batches, named for the native producer: the tweet plan (its pool, prefix and key texts, in C once), the
 * sentiment of each message (filled by the child), each message's key drawn from the run's distribution, and where
 * each batch's walk through the pool starts. Keys are users: their texts are the message keys and, as Avro strings,
 * replace each tweet's own handle, so the key and the body name the same user (unless a --schema moved user.handle
 * from the start of the tail). Everything is allocated here, at start; a batch only draws keys.
 */

import type { TweetPool } from '../generate/tweet-encoder.js';
import { TweetPlan } from '../generate/tweet-plan.js';
import type { Rng } from '../random.js';
import { encodeKeys, KeyPicker, type KeySpec } from '../scenario/keys.js';

export class TweetBatch {
  readonly plan: TweetPlan;
  /** Message i's sentiment (0 positive, 1 negative, 2 neutral). */
  readonly order: Uint8Array;
  /** Message i's key index (null without keys). */
  readonly keyIds: Uint32Array | null;
  private readonly picker: KeyPicker | null;
  private cursor: number;

  constructor(pool: TweetPool, prefix: Buffer, batchSize: number, keys: KeySpec, rng: Rng) {
    this.picker = keys.kind === 'none' ? null : new KeyPicker(keys, rng);
    const poolSize = pool.tails[0].length;
    const stride = 1 + 2 * rng.int(poolSize / 2);
    this.plan = new TweetPlan(pool, prefix, stride, this.picker ? encodeKeys(this.picker.spec.n) : null);
    this.order = new Uint8Array(batchSize);
    this.keyIds = this.picker ? new Uint32Array(batchSize) : null;
    this.cursor = rng.int(poolSize);
  }

  /** Draws the keys of a batch of n and returns where its walk through the pool starts (the next starts after). */
  start(n: number): number {
    const { keyIds, picker } = this;
    if (keyIds && picker) for (let i = 0; i < n; i++) keyIds[i] = picker.next();
    const cursor = this.cursor;
    this.cursor = this.plan.advance(cursor, n);
    return cursor;
  }
}
