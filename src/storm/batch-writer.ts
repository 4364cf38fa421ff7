/**
 * Writes a child's batches: one reused buffer, a whole leased slice of Avro tweets into it (prefix, the three varints,
 * a pooled tail), and under --keys each message's key drawn from the run's distribution. Keys are users: their texts
 * go to C once (the message keys), and as Avro strings they replace each tweet's own handle, so the key and the body
 * name the same user (unless a --schema moved user.handle from the start of the tail). Everything is allocated here,
 * at start; write() only copies bytes.
 */
import type { Rng } from '../generate/random.js';
import { avroStrings, encodeKeyedTweet, encodeTweet, type TweetPool } from '../generate/tweet-encoder.js';
import { encodeKeys, KeyPicker, type KeySpec, keyText } from '../scenario/keys.js';

export class BatchWriter {
  readonly out: Buffer;
  /** Message i of the last batch ends at ends[i]. */
  readonly ends: Uint32Array;
  /** Message i's key index (null without keys). */
  readonly keyIds: Uint32Array | null;
  /** The key texts for the producer's table (null without keys). */
  readonly keyTable: { buf: Buffer; ends: Uint32Array } | null;
  private readonly picker: KeyPicker | null;
  private readonly handles: { buf: Buffer; ends: Uint32Array } | null;
  private readonly poolSize: number;
  private readonly stride: number;
  private cursor: number;

  constructor(
    private readonly pool: TweetPool,
    private readonly prefix: Buffer,
    batchSize: number,
    keys: KeySpec,
    rng: Rng,
  ) {
    this.picker = keys.kind === 'none' ? null : new KeyPicker(keys, rng);
    this.keyIds = this.picker ? new Uint32Array(batchSize) : null;
    this.keyTable = this.picker ? encodeKeys(this.picker.spec.n) : null;
    this.handles = this.keyTable && pool.handleBytes ? avroStrings(this.keyTable.buf, this.keyTable.ends) : null;
    const maxHandle = this.picker ? 5 + keyText(this.picker.spec.n - 1).length : 0; // the longest key's Avro string
    this.out = Buffer.allocUnsafe(batchSize * (prefix.length + 30 + pool.maxTail + maxHandle));
    this.ends = new Uint32Array(batchSize);
    this.poolSize = pool.tails[0].length;
    this.cursor = rng.int(this.poolSize);
    this.stride = 1 + 2 * rng.int(this.poolSize / 2); // odd: walks the whole pool (its size is a power of 2)
  }

  /** Encodes n tweets, message i of sentiment order[i], sequence seq + i and id first + i, created at `now`. */
  write(n: number, order: Uint8Array, seq: number, first: number, now: number): void {
    const { out, ends, prefix, pool, keyIds, handles } = this;
    const mask = this.poolSize - 1;
    let cursor = this.cursor;
    let off = 0;
    if (keyIds && this.picker) for (let i = 0; i < n; i++) keyIds[i] = this.picker.next();
    if (handles && keyIds && pool.handleBytes)
      for (let i = 0; i < n; i++) {
        cursor = (cursor + this.stride) & mask;
        const k = keyIds[i];
        const h0 = k === 0 ? 0 : handles.ends[k - 1];
        const tail = pool.tails[order[i]][cursor];
        const skip = pool.handleBytes[order[i]][cursor];
        off = encodeKeyedTweet(out, off, prefix, seq + i, first + i, now, handles.buf, h0, handles.ends[k], tail, skip);
        ends[i] = off;
      }
    else
      for (let i = 0; i < n; i++) {
        cursor = (cursor + this.stride) & mask;
        off = encodeTweet(out, off, prefix, seq + i, first + i, now, pool.tails[order[i]][cursor]);
        ends[i] = off;
      }
    this.cursor = cursor;
  }
}
