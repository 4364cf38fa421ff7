/**
 * Volatile sentiment on the dashboards' time scale (--swing-every, 1 s by default): read back from InfluxDB after
 * pulse counted the topic, every second of created_at carries the mix the run id's sequence gives that second, in
 * every child at once, at full speed and under a rate; the swings are wide. (The sequence itself, and the long-run
 * mix over minutes, are held by test/unit/generate/mix.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PeriodMixes } from '../../../src/generate/mix.js';
import { fluxRows } from '../../../src/influx/influx-sink.js';
import { pulseArgs } from '../../helpers/pulse-cli.js';
import {
  freshBucket,
  influxTarget,
  influxToken,
  run,
  shortfallByPartition,
  uniqueTopic,
} from '../../helpers/services.js';
import { stormJson } from '../../helpers/storm-cli.js';

const BASE: [number, number, number] = [50, 30, 20];
const WORKERS = 2;

/**
 * A run id whose first periods each differ from the next by over 0.2 in positive share, so that any two seconds in a
 * row show a swing (a run id is the whole of the draw; about one in 250 qualifies).
 */
function wildRunId(topic: string): string {
  for (let i = 0; ; i++) {
    const runId = `${topic}-run-${i}`;
    const mixes = new PeriodMixes(BASE, 0.8, runId);
    const positive = Array.from({ length: 10 }, (_, k) => mixes.mixOf(k)[0]);
    if (positive.every((p, k) => k === 0 || Math.abs(p - positive[k - 1]) > 0.2)) return runId;
  }
}

/** Per second of created_at: [positive, negative, neutral] tweets, as the dashboards' Flux sums them. */
async function perSecond(bucket: string): Promise<Map<number, number[]>> {
  const flux =
    `from(bucket: "${bucket}") |> range(start: 0) |> filter(fn: (r) => r._measurement == "tweets" and ` +
    'r._field == "count") |> group(columns: ["sentiment"]) ' +
    '|> aggregateWindow(every: 1s, fn: sum, createEmpty: false, timeSrc: "_start")';
  const index: Record<string, number> = { positive: 0, negative: 1, neutral: 2 };
  const seconds = new Map<number, number[]>();
  for (const row of await fluxRows(influxTarget(bucket), flux)) {
    const second = Date.parse(String(row._time)) / 1000;
    const sums = seconds.get(second) ?? [0, 0, 0];
    sums[index[String(row.sentiment)]] += Number(row._value);
    seconds.set(second, sums);
  }
  return seconds;
}

/** The run's periods are numbered from the second it started in: the first second with tweets, or the one before. */
function matchesSequence(seconds: Map<number, number[]>, runId: string): { offset: number; worst: number } | null {
  const mixes = new PeriodMixes(BASE, 0.8, runId);
  const first = Math.min(...seconds.keys());
  for (const offset of [0, 1]) {
    let worst = 0;
    for (const [second, sums] of seconds) {
      const total = sums[0] + sums[1] + sums[2];
      const mix = mixes.mixOf(second - first + offset);
      for (let i = 0; i < 3; i++) worst = Math.max(worst, Math.abs(sums[i] - mix[i] * total));
    }
    // Each child rounds its own batches within a period: at most one tweet off per child and sentiment.
    if (worst <= WORKERS) return { offset, worst };
  }
  return null;
}

for (const [name, pace] of [
  ['under --rate 60k', ['--rate', '60k', '--duration', '6']],
  ['at full speed', ['--count', '2000000']],
] as const)
  test(`volatile swings per second ${name}: every second has the run's mix for it, in InfluxDB`, async (t) => {
    const topic = uniqueTopic('swing');
    const runId = wildRunId(topic);
    const storm = await stormJson([
      ...['--topic', topic, '--run-id', runId, '--workers', String(WORKERS), '--partitions', '6'],
      ...['--mode', 'volatile', '--volatility', '0.8', '--sentiment', BASE.join(','), ...pace],
    ]);
    assert.equal(storm.report.sentiment?.swingEveryMs, 1000);
    const bucket = await freshBucket('swing');
    const pulse = await run(process.execPath, pulseArgs(topic, bucket, ['--influx-token', influxToken()]));
    assert.equal(pulse.code, 0, pulse.stderr);
    const seconds = await perSecond(bucket);
    const total = [...seconds.values()].reduce((n, s) => n + s[0] + s[1] + s[2], 0);
    if (total !== storm.report.acknowledged)
      assert.fail(
        `${total} of ${storm.report.acknowledged} tweets: ${await shortfallByPartition(bucket, topic, 'counts')}`,
      );
    const shares = [...seconds.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s[0] / (s[0] + s[1] + s[2]));
    t.diagnostic(`positive share per second: ${shares.map((x) => x.toFixed(3)).join(' ')}`);
    assert.ok(seconds.size >= 2, `${seconds.size} seconds`);
    const match = matchesSequence(seconds, runId);
    assert.ok(match, "each second's mix is the run's for that second, whichever child sent it");
    assert.ok(Math.max(...shares) - Math.min(...shares) > 0.15, 'the swings are visible per second');
  });
