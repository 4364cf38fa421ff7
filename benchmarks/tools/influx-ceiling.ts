/**
 * InfluxDB's own write ceiling on this machine, two ways, so pulse's points store can be stated as a fraction of it:
 *  - inch, InfluxData's write benchmark (vendored in tools/inch, built with go): float points over as many series as
 *    the points store writes (12 brands × 3 sentiments × 6 partitions), 4 writers, batches of 5,000, gzip;
 *  - pulse's own lines, prepared before the clock starts (tweets composed as the storm composes them, one line each
 *    as the points store builds it) and written by pulse's own sink with the same batches and writers in flight: the
 *    ceiling for exactly these points (each carries its tweet's text), with no Kafka and no decoding.
 * Each run writes into a bucket of its own, dropped after it. `target.bucket` is not used.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SENTIMENTS } from '../../src/generate/mix.js';
import { BRANDS, composeTweet } from '../../src/generate/texts.js';
import { createBucket, dropBucket, InfluxSink, type InfluxTarget } from '../../src/influx/influx-sink.js';
import { ROOT } from '../../src/local/services.js';
import { TweetLines } from '../../src/pulse/points.js';
import { Rng } from '../../src/random.js';
import { sh } from './reference.js';

const INCH_SOURCE = path.join(ROOT, 'benchmarks/tools/inch');
const INCH = path.join(ROOT, 'benchmarks/tools/bin/inch');
const BATCH = 5000;
const WRITERS = 4;

export interface Ceiling {
  pointsPerSec: number;
  points: number;
  command: string;
}

/** Builds inch once (go build of the vendored copy). */
async function buildInch(): Promise<void> {
  if (fs.existsSync(INCH)) return;
  const built = await sh('go', ['build', '-C', INCH_SOURCE, '-o', INCH, './cmd/inch']);
  if (built.code !== 0) throw new Error(`go build of inch: ${built.err.slice(-300)}`);
}

/** inch into a fresh bucket (InfluxDB 2's v1 write endpoint maps a database name to the bucket of that name). */
export async function inchCeiling(target: InfluxTarget, points: number): Promise<Ceiling> {
  await buildInch();
  const bucket = `inch_${Date.now().toString(36)}`;
  await createBucket({ ...target, bucket });
  const series = Object.keys(BRANDS).length * SENTIMENTS.length * 6;
  const tags = `${Object.keys(BRANDS).length},${SENTIMENTS.length},6`;
  const args = ['-v2', '-no-setup', '-v', '-host', target.url, '-db', bucket, '-t', tags];
  args.push('-p', String(Math.ceil(points / series)), '-b', String(BATCH), '-c', String(WRITERS), '-gzip');
  // The token goes by environment (the vendored inch reads INFLUX_TOKEN), never on its command line.
  const inch = await sh(INCH, args, { INFLUX_TOKEN: target.token });
  if (inch.code !== 0) throw new Error(`inch exited ${inch.code}: ${inch.err.slice(-300)}`);
  const out = inch.out;
  await dropBucket({ ...target, bucket });
  // Its last progress line: "T=00000006 1080000 points written (100%). Total throughput: 171824.6 pt/sec | …".
  const m = [...out.matchAll(/T=\d+ (\d+) points written.*?Total throughput: ([\d.]+) pt\/sec/g)].pop();
  if (!m) throw new Error(`inch printed no throughput: ${out.slice(-300)}`);
  return {
    pointsPerSec: Math.round(Number(m[2])),
    points: Number(m[1]),
    command: `INFLUX_TOKEN=… benchmarks/tools/bin/inch ${args.join(' ')}`,
  };
}

/** Pulse's points-store lines for `points` composed tweets, over 6 partitions, one second apart per 100,000. */
function preparedLines(points: number): string[] {
  const rng = new Rng(24);
  const brands = Object.keys(BRANDS);
  const tweetLines = new TweetLines();
  const start = Date.now() - 3_600_000;
  const lines: string[] = new Array(points);
  for (let i = 0; i < points; i++) {
    const sentiment = SENTIMENTS[rng.int(SENTIMENTS.length)];
    const tweet = composeTweet(rng, brands, sentiment);
    const createdAt = start + Math.floor(i / 100);
    lines[i] = tweetLines.line({ ...tweet, created_at: createdAt }, i % 6, Math.floor(i / 6));
  }
  return lines;
}

/** Pulse's own lines through pulse's own sink, WRITERS batches in flight, into a fresh bucket. */
export async function preparedLinesCeiling(target: InfluxTarget, points: number): Promise<Ceiling> {
  const bucket = `lines_${Date.now().toString(36)}`;
  await createBucket({ ...target, bucket });
  const lines = preparedLines(points);
  const sink = new InfluxSink({ ...target, bucket }, BATCH);
  const started = process.hrtime.bigint();
  let next = 0;
  const writer = async () => {
    while (next < lines.length) {
      const batch = lines.slice(next, next + BATCH);
      next += BATCH;
      await sink.write(batch);
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await sink.close();
  await dropBucket({ ...target, bucket });
  return {
    pointsPerSec: Math.round(points / seconds),
    points,
    command: `benchmarks/tools/influx-ceiling.ts preparedLinesCeiling: ${points} lines, ${WRITERS} writes in flight`,
  };
}
