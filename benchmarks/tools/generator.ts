/**
 * DataStorm's generator alone, Kafka out of the loop: mix planning, pool picks and Avro encoding of whole batches by
 * the child's tweet plan (in C, into a reused buffer), exactly the child's hot path minus librdkafka. One thread = one
 * core. Prints JSON.
 *   node dist/benchmarks/tools/generator.js [seconds]
 */
import { FixedPlanner, fillShuffled } from '../../src/generate/mix.js';
import { BRANDS } from '../../src/generate/texts.js';
import { buildPool, encodePrefix, loadTweetType } from '../../src/generate/tweet-encoder.js';
import { TweetPlan } from '../../src/generate/tweet-plan.js';
import { Rng } from '../../src/random.js';
import { defaults } from '../../src/storm/options.js';

export function measureGenerator(seconds: number): { tweetsPerSec: number; avgBytes: number; tweets: number } {
  const rng = new Rng(12345);
  const pool = buildPool(loadTweetType(), rng, Object.keys(BRANDS));
  const plan = new TweetPlan(pool, encodePrefix('20261125120000-abcdef', '20261125120000-abcdef/p0.0'), 757);
  const planner = new FixedPlanner(defaults.sentiment);
  const batch = defaults.batchSize;
  const order = new Uint8Array(batch);
  const out = Buffer.allocUnsafe(batch * plan.maxMessage);
  const ends = new Uint32Array(batch);
  let cursor = 0;
  let seq = 0;
  let bytes = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    fillShuffled(order, planner.counts(batch), rng);
    const spec = { order, from: 0, to: batch, seq0: seq, first: seq, createdAt: Date.now(), cursor, keyIds: null };
    bytes += plan.encode(out, ends, spec);
    cursor = plan.advance(cursor, batch);
    seq += batch;
  }
  const secs = (performance.now() - t0) / 1000;
  return { tweetsPerSec: Math.round(seq / secs), avgBytes: Math.round((bytes / seq) * 10) / 10, tweets: seq };
}

if (process.argv[1]?.endsWith('generator.js')) {
  process.stdout.write(`${JSON.stringify(measureGenerator(Number(process.argv[2] ?? 5)))}\n`);
}
