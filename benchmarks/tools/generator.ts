/**
 * DataStorm's generator alone, Kafka out of the loop: mix planning, pool picks and Avro encoding into a reused buffer,
 * exactly the child's hot path minus produce(). One thread = one core. Prints JSON.
 *   node dist/benchmarks/tools/generator.js [seconds]
 */
import { FixedPlanner, fillShuffled } from '../../src/generate/mix.js';
import { Rng } from '../../src/generate/random.js';
import { BRANDS } from '../../src/generate/texts.js';
import { buildPool, encodePrefix, encodeTweet, loadTweetType } from '../../src/generate/tweet-encoder.js';

export function measureGenerator(seconds: number): { tweetsPerSec: number; avgBytes: number; tweets: number } {
  const rng = new Rng(12345);
  const type = loadTweetType();
  const pool = buildPool(type, rng, Object.keys(BRANDS));
  const prefix = encodePrefix('20261125120000-abcdef', '20261125120000-abcdef/p0.0');
  const planner = new FixedPlanner([50, 30, 20]);
  const batch = 8000;
  const order = new Uint8Array(batch);
  const out = Buffer.allocUnsafe(batch * (prefix.length + 30 + pool.maxTail));
  const poolSize = pool.tails[0].length;
  let cursor = 0;
  let seq = 0;
  let bytes = 0;
  let sink = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    fillShuffled(order, planner.counts(batch), rng);
    let off = 0;
    const now = Date.now();
    for (let i = 0; i < batch; i++) {
      cursor = (cursor + 757) & (poolSize - 1);
      const start = off;
      off = encodeTweet(out, off, prefix, seq, seq, now, pool.tails[order[i]][cursor]);
      const value = out.subarray(start, off); // what the child hands to produce()
      sink += value.length;
      seq++;
    }
    bytes += off;
  }
  const secs = (performance.now() - t0) / 1000;
  if (sink !== bytes) throw new Error('unreachable');
  return { tweetsPerSec: Math.round(seq / secs), avgBytes: Math.round((bytes / seq) * 10) / 10, tweets: seq };
}

if (process.argv[1]?.endsWith('generator.js')) {
  process.stdout.write(`${JSON.stringify(measureGenerator(Number(process.argv[2] ?? 5)))}\n`);
}
