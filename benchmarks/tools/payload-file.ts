/**
 * Writes DataStorm's own tweets to files the reference producers read, so every producer sends the same bytes:
 *   <base>.bin   [u32 little-endian length][tweet] …  for the C reference producer (ref-producer.c)
 *   <base>.txt   tweets joined by PAYLOAD_DELIMITER     for ProducerPerformance --payload-file
 * ProducerPerformance reads its file as UTF-8 text and splits it on a regex, so invalid UTF-8 sequences in the binary
 * Avro (zig-zag varints) come out as U+FFFD: its records are a few bytes longer than ours (the benchmark reports
 * stored bytes per message for every tool, so this shows).
 */
import fs from 'node:fs';
import { FixedPlanner, fillShuffled } from '../../src/generate/mix.js';
import { BRANDS } from '../../src/generate/texts.js';
import { buildPool, encodePrefix, encodeTweet, loadTweetType } from '../../src/generate/tweet-encoder.js';
import { Rng } from '../../src/random.js';

/** Never inside a tweet (checked), and a plain regex. */
export const PAYLOAD_DELIMITER = '#~DATASTORM~#';

export function writePayloadFiles(base: string, n = 10_000): { bin: string; txt: string; avgBytes: number } {
  const rng = new Rng(4242);
  const pool = buildPool(loadTweetType(), rng, Object.keys(BRANDS));
  const prefix = encodePrefix('20261126000000-bench0', '20261126000000-bench0/ref.p0.0');
  const order = new Uint8Array(n);
  fillShuffled(order, new FixedPlanner([50, 30, 20]).counts(n), rng);
  const out = Buffer.allocUnsafe(prefix.length + 30 + pool.maxTail);
  const bin: Buffer[] = [];
  const txt: Buffer[] = [];
  const delim = Buffer.from(PAYLOAD_DELIMITER);
  let bytes = 0;
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const end = encodeTweet(out, 0, prefix, i, i, now, pool.tails[order[i]][rng.int(pool.tails[0].length)]);
    const tweet = Buffer.from(out.subarray(0, end));
    if (tweet.includes(delim)) throw new Error('payload delimiter inside a tweet');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(tweet.length);
    bin.push(len, tweet);
    if (i) txt.push(delim);
    txt.push(tweet);
    bytes += tweet.length;
  }
  fs.writeFileSync(`${base}.bin`, Buffer.concat(bin));
  fs.writeFileSync(`${base}.txt`, Buffer.concat(txt));
  return { bin: `${base}.bin`, txt: `${base}.txt`, avgBytes: bytes / n };
}
