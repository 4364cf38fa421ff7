/**
 * Sends one leased slice of any record schema's messages: JavaScript writes the slice by the record plan
 * (generate/record-plan.ts: pooled encodings copied side by side, iterations stepping with the run's message id,
 * timestamps the write time) into one buffer allocated at start, and C hands the whole slice to librdkafka in one call
 * (producerProduceBuffers). Keys: a --key-field's value (under --keys, the drawn key), or under --keys alone the drawn
 * key's text. Intended times and a full queue as the tweet sender (batch-sender.ts).
 */
import type { StopSignal } from '../child-main.js';
import type { Lease } from '../coord/quota.js';
import { type KeySink, longestEntry } from '../generate/record-key.js';
import type { RecordPlan } from '../generate/record-plan.js';
import type { StormSchema } from '../generate/storm-schema.js';
import type { BatchProducer, PackedBatch } from '../kafka/native/batch-producer.js';
import type { Rng, Sfc32 } from '../random.js';
import { encodeKeys, KeyPicker } from '../scenario/keys.js';
import { isUnlimited, type Schedule } from '../scenario/schedule.js';
import { handSlice, intendedTimes, type SentSlice, type SliceSender } from './batch-sender.js';
import type { StormChildOptions } from './protocol.js';

export class RecordSender implements SliceSender {
  private readonly plan: RecordPlan;
  private readonly draws: Sfc32;
  private readonly batch: PackedBatch;
  private readonly picker: KeyPicker | null;
  /** Key texts by index, when keys are drawn but no field carries them. */
  private readonly keyTexts: { buf: Buffer; ends: Uint32Array } | null;
  private readonly keySink: KeySink | null;
  private readonly scheduled: boolean;

  constructor(
    options: StormChildOptions,
    schema: Exclude<StormSchema, { kind: 'tweet' }>,
    private readonly schedule: Schedule,
    private readonly producer: BatchProducer,
    rng: Rng,
    /** The draws the schema's plan was compiled with, which its per-message values go on drawing from. */
    draws: Sfc32,
    private readonly stop: StopSignal,
    frame: Buffer | null = null,
  ) {
    const plan = schema.plan;
    // The child loaded the schema with its own draws (loadStormSchema): compiled once, its pools its own.
    if (!plan) throw new Error(`${schema.name}: loaded without its plan`);
    this.draws = draws;
    this.plan = frame ? plan.prefixed(frame) : plan;
    const keys = options.keys;
    this.picker = keys.kind === 'none' ? null : new KeyPicker(keys, rng);
    this.keyTexts = keys.kind !== 'none' && options.keyField === undefined ? encodeKeys(keys.n) : null;
    const keyed = this.picker !== null || options.keyField !== undefined;
    const maxKey = this.keyTexts ? longestEntry(this.keyTexts.ends) : this.plan.maxKey;
    const size = options.batchSize;
    this.batch = {
      payloads: Buffer.allocUnsafe(size * this.plan.maxMessage),
      payloadEnds: new Uint32Array(size),
      keys: keyed ? Buffer.allocUnsafe(size * maxKey) : null,
      keyEnds: keyed ? new Uint32Array(size) : null,
    };
    this.keySink = keyed && options.keyField !== undefined ? { bytes: this.batch.keys as Buffer, at: 0 } : null;
    this.scheduled = !isUnlimited(schedule);
  }

  async send(lease: Lease, startLocal: number): Promise<SentSlice> {
    const n = lease.granted;
    this.write(n, lease.firstId, Date.now());
    const intended = this.scheduled ? intendedTimes(this.schedule, lease) : null;
    const handed = await handSlice(n, startLocal, intended, this.stop, (from, intendedNow) =>
      this.producer.produceBuffers(this.batch, from, n, intendedNow),
    );
    return { handed, bySentiment: null, share: null };
  }

  /** Writes messages 0..n-1 of the slice, message i the run's message number firstId + i. */
  private write(n: number, firstId: number, nowMs: number): void {
    const { plan, draws, picker, keyTexts, keySink } = this;
    const { payloads, payloadEnds, keys, keyEnds } = this.batch;
    let at = 0;
    if (keySink) keySink.at = 0;
    let keyAt = 0;
    for (let i = 0; i < n; i++) {
      const keyId = picker ? picker.next() : 0;
      at = payloadEnds[i] = plan.write(payloads, at, firstId + i, nowMs, draws, keyId, keySink);
      if (!keyEnds) continue;
      if (keySink) keyEnds[i] = keySink.at;
      else if (keyTexts && keys) {
        const start = keyId === 0 ? 0 : keyTexts.ends[keyId - 1];
        keyAt += keyTexts.buf.copy(keys, keyAt, start, keyTexts.ends[keyId]);
        keyEnds[i] = keyAt;
      }
    }
  }
}
