import assert from 'node:assert/strict';
import { test } from 'node:test';
import type avro from 'avsc';
import { BRANDS } from '../../../src/generate/texts.js';
import {
  buildPool,
  decodeTweet,
  encodePrefix,
  loadTweetType,
  type TweetPool,
} from '../../../src/generate/tweet-encoder.js';
import { TweetPlan } from '../../../src/generate/tweet-plan.js';
import type { BatchSpec } from '../../../src/kafka/native/addon.js';
import { Rng } from '../../../src/random.js';
import { encodeKeys, keyText } from '../../../src/scenario/keys.js';
import { recordOf } from '../../helpers/tweet-record.js';

const POOL = 64;
const type = loadTweetType();
const pool = buildPool(type, new Rng(7), Object.keys(BRANDS), POOL);
const prefix = encodePrefix('run-1', 'run-1/p0.0');

/** Encodes a batch by the plan in C and splits it into messages. */
function encodeBatch(plan: TweetPlan, spec: BatchSpec): Buffer[] {
  const n = spec.to - spec.from;
  const out = Buffer.alloc(n * plan.maxMessage);
  const ends = new Uint32Array(n);
  const bytes = plan.encode(out, ends, spec);
  assert.equal(bytes, n ? ends[n - 1] : 0);
  return Array.from(ends, (end, k) => out.subarray(k ? ends[k - 1] : 0, end));
}

/** What avsc writes for message i of the batch (the plan's walk: slot (cursor + (i + 1) * stride) mod pool). */
function expected(t: avro.Type, p: TweetPool, plan: TweetPlan, spec: BatchSpec, i: number, handle?: string): Buffer {
  const slot = (spec.cursor + (i + 1) * plan.stride) % plan.poolSize;
  const c = p.contents[spec.order[i]][slot];
  return t.toBuffer(recordOf(c, spec.seq0 + i, spec.first + i, spec.createdAt, handle ?? c.handle));
}

const spec = (n: number, over: Partial<BatchSpec> = {}): BatchSpec => {
  const rng = new Rng(11);
  return {
    order: Uint8Array.from({ length: n }, () => rng.int(3)),
    from: 0,
    to: n,
    seq0: 0,
    first: 0,
    createdAt: 1_760_000_000_000,
    cursor: 0,
    keyIds: null,
    ...over,
  };
};

test('the C plan writes every tweet byte-identical to avsc, across the pool walk and large varints', () => {
  const plan = new TweetPlan(pool, prefix, 13);
  for (const s of [
    spec(200),
    spec(150, { seq0: 127, first: 2 ** 40 + 5, cursor: 63 }),
    spec(10, { seq0: 2 ** 51 - 20, first: 2 ** 51 - 20, createdAt: Date.now() }),
  ]) {
    const got = encodeBatch(plan, s);
    for (let i = 0; i < got.length; i++) assert.deepEqual(got[i], expected(type, pool, plan, s, i), `message ${i}`);
  }
});

test('a batch resumed at `from` (after a full queue) is the same bytes as the whole batch', () => {
  const plan = new TweetPlan(pool, prefix, 29);
  const whole = encodeBatch(plan, spec(100, { seq0: 5, first: 900, cursor: 17 }));
  const rest = encodeBatch(plan, spec(100, { seq0: 5, first: 900, cursor: 17, from: 37 }));
  assert.deepEqual(rest, whole.slice(37));
});

test('advance() continues the walk where the last batch ended', () => {
  const plan = new TweetPlan(pool, prefix, 29);
  const one = spec(120, { cursor: 3 });
  const whole = encodeBatch(plan, one);
  const first = encodeBatch(plan, { ...one, to: 50 });
  const second = encodeBatch(plan, {
    ...one,
    order: one.order.subarray(50),
    to: 70,
    seq0: 50,
    first: 50,
    cursor: plan.advance(3, 50),
  });
  assert.deepEqual([...first, ...second], whole);
});

test("a keyed tweet carries its key as the user's handle, byte-identical to avsc", () => {
  const keys = encodeKeys(1200);
  const plan = new TweetPlan(pool, prefix, 7, keys);
  const keyIds = Uint32Array.from([0, 17, 1199, 5, 999, 1000, 1, 63]);
  const s = spec(keyIds.length, { keyIds, seq0: 5, first: 6, createdAt: 7 });
  const got = encodeBatch(plan, s);
  for (let i = 0; i < got.length; i++) {
    assert.deepEqual(got[i], expected(type, pool, plan, s, i, keyText(keyIds[i])));
    assert.equal(decodeTweet(type, got[i]).handle, keyText(keyIds[i]));
  }
});

test('the plan refuses what does not fit it, one typed error each', () => {
  const plan = new TweetPlan(pool, prefix, 7);
  const keyed = new TweetPlan(pool, prefix, 7, encodeKeys(10));
  const bad =
    (p: TweetPlan, s: BatchSpec, out = Buffer.alloc(64 * 1024)) =>
    () =>
      p.encode(out, new Uint32Array(s.to), s);
  assert.throws(bad(plan, spec(4, { order: Uint8Array.from([0, 1, 3, 2]) })), /sentiment index/);
  assert.throws(bad(plan, spec(4, { to: 5 })), /outside the batch/);
  assert.throws(bad(plan, spec(4, { keyIds: new Uint32Array(4) })), /without keys/);
  assert.throws(bad(keyed, spec(4, { keyIds: Uint32Array.from([0, 1, 10, 2]) })), /outside the key table/);
  assert.throws(bad(plan, spec(4, { seq0: -1 })), /non-negative/);
  assert.throws(bad(plan, spec(400), Buffer.alloc(100)), /too small/);
  assert.throws(
    () => new TweetPlan({ ...pool, tails: pool.tails.map((t) => t.slice(0, 48)) }, prefix, 7),
    /power of two/,
  );
  assert.throws(() => new TweetPlan(pool, prefix, 8), /odd/);
});
