/**
 * Valid tweets at their types' limits (generated: created_at far in the past and future and at InfluxDB's edges,
 * empty and enormous strings, brands by the thousand, seq and id at the long's extremes avsc writes exactly) between a
 * storm's tweets: both stores count what InfluxDB can store, count apart and dead-letter what it never could (its time
 * range), exit 0 and go on; nothing is retried for ever. A fixed seed here; more with make fuzz.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { loadTweetType } from '../../../src/generate/tweet-encoder.js';
import { fluxRows } from '../../../src/influx/influx-sink.js';
import { STORABLE_CREATED_AT, storable } from '../../../src/pulse/points.js';
import type { PulseReport } from '../../../src/report/pulse-report.js';
import { fuzzSettings, reportFuzz } from '../../helpers/fuzz.js';
import { produceRaw } from '../../helpers/produce.js';
import { pulseArgs } from '../../helpers/pulse-cli.js';
import { freshBucket, influxTarget, run, uniqueTopic } from '../../helpers/services.js';
import { stormJson, verifyJson } from '../../helpers/storm-cli.js';

const SENTIMENTS = ['positive', 'negative', 'neutral'] as const;
const LONG_EDGE = 2 ** 52; // avsc writes longs from JavaScript numbers within ±2^52 (exact, zigzag-safe)

const createdAt = fc.oneof(
  fc.constantFrom(0, -1, 1, STORABLE_CREATED_AT.min, STORABLE_CREATED_AT.max, LONG_EDGE, -LONG_EDGE),
  fc.constantFrom(STORABLE_CREATED_AT.max + 1, STORABLE_CREATED_AT.min - 1, 4_000_000_000_000_000),
  fc.integer({ min: -LONG_EDGE, max: LONG_EDGE }),
  fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
);
const text = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.constant(''),
  fc.nat(200_000).map((n) => 'x'.repeat(n)),
);
const brand = fc.oneof(
  fc.constantFrom('', 'Apple', 'a,b=c d\\', '<script>alert(1)</script>', '"quoted"'),
  fc.nat(5000).map((n) => `brand-${n}`), // thousands of distinct brands
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.nat(20_000).map((n) => 'b'.repeat(n)),
);
const tweet = fc.record({
  created_at: createdAt,
  text,
  brand,
  sentiment: fc.constantFrom(...SENTIMENTS),
  seq: fc.constantFrom(0, LONG_EDGE, -1),
  id: fc.constantFrom(0, LONG_EDGE, -LONG_EDGE),
  handle: fc.string({ maxLength: 20 }),
  followers: fc.constantFrom(0, 2 ** 31 - 1, -(2 ** 31)),
  hashtags: fc.array(fc.string({ maxLength: 10 }), { maxLength: 200 }),
});

/** Sums per sentiment over all the time InfluxDB can hold (range(start: 0) would stop at 1970 and at now). */
async function sumsOverAllTime(bucket: string): Promise<Record<string, number>> {
  const rows = await fluxRows(
    influxTarget(bucket),
    `from(bucket: "${bucket}") |> range(start: 1677-09-21T00:12:44Z, stop: 2262-04-11T23:47:16Z)` +
      ' |> filter(fn: (r) => r._measurement == "tweets" and r._field == "count")' +
      ' |> group(columns: ["sentiment"]) |> sum()',
  );
  return Object.fromEntries(rows.map((r) => [String(r.sentiment), Number(r._value)]));
}

test('tweets at their limits: counted or dead-lettered, never retried for ever; both stores, and verify', async () => {
  const { seed, runs } = fuzzSettings(300);
  const samples = fc.sample(tweet, { seed, numRuns: runs });
  const type = loadTweetType();
  const topic = uniqueTopic('extreme');
  await stormJson(['--topic', topic, '--count', '20000', '--partitions', '3', '--sentiment', '50,30,20']);
  const records: [number, Buffer][] = samples.map((t, i) => [
    i % 3,
    type.toBuffer({
      run_id: 'extreme',
      producer_id: 'fuzz',
      seq: t.seq,
      id: t.id,
      created_at: t.created_at,
      user: { handle: t.handle, followers: t.followers, verified: false },
      text: t.text,
      brand: t.brand,
      product: '',
      hashtags: t.hashtags,
      lang: '',
      sentiment: t.sentiment,
    }),
  ]);
  await produceRaw(topic, records);
  const outOfRange = samples.filter((t) => !storable(t.created_at)).length;
  const want = { positive: 10_000, negative: 6_000, neutral: 4_000 };
  for (const t of samples) if (storable(t.created_at)) want[t.sentiment]++;

  for (const store of ['counts', 'points'] as const) {
    const bucket = await freshBucket(`extreme_${store}`);
    const dead = `${topic}-dead-${store}`;
    const r = await run(
      process.execPath,
      pulseArgs(topic, bucket, ['--store', store, '--dead-letter', dead], `g-${topic}-${store}`),
      {},
      300_000,
    );
    assert.equal(r.code, 0, `${store}: ${r.stderr.slice(-500)}`);
    const rep = JSON.parse(r.stdout) as PulseReport;
    assert.equal(rep.unstorable, outOfRange, `${store}: tweets InfluxDB cannot store`);
    assert.equal(rep.undecodable, 0);
    assert.equal(rep.deadLettered, outOfRange);
    assert.equal(rep.consumed, 20_000 + samples.length - outOfRange);
    assert.deepEqual(await sumsOverAllTime(bucket), want, `${store}: the sums of what could be stored`);
  }
  const v = await verifyJson(topic);
  assert.equal(v.report.received, 20_000 + samples.length, 'verify reads every record');
  reportFuzz('extreme tweets through pulse (both stores) and verify', samples.length, `${outOfRange} out of range`);
});
