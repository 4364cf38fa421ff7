/**
 * The live pipeline: a storm at a modest rate with pulse reading behind it at the same time, on one cluster. Pulse's
 * lag (its /metrics, as Prometheus would read it) comes back under two seconds of the storm's rate once the group has
 * joined, and when both are done InfluxDB's sums equal what the storm acknowledged, per sentiment.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import type { PulseReport } from '../../../src/report/pulse-report.js';
import type { StormReport } from '../../../src/report/storm-report.js';
import { untilAcknowledged } from '../../helpers/progress.js';
import { pulseArgs } from '../../helpers/pulse-cli.js';
import { freshBucket, influxToken, ROOT, redisUrl, sentimentTotals, uniqueTopic } from '../../helpers/services.js';
import { spawnStorm } from '../../helpers/storm-cli.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('storm and pulse at once: the lag comes back under 2 s of the rate, and the sums are exact', async (t) => {
  const topic = uniqueTopic('pipeline');
  const runId = `${topic}-run`;
  const rate = 20_000;
  const storm = spawnStorm(['--topic', topic, '--run-id', runId, '--rate', String(rate), '--duration', '20']);
  await untilAcknowledged(redisUrl(), runId, 1);
  const bucket = await freshBucket('pipeline');
  const port = 19_600 + (process.pid % 200);
  const args = pulseArgs(topic, bucket, ['--influx-token', influxToken(), '--dashboard', String(port)]);
  const pulse = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  pulse.stdout.on('data', (d) => (out += d));
  pulse.stderr.on('data', (d) => (err += d));
  const pulseEnded = new Promise<number | null>((resolve) => pulse.on('close', resolve));

  // The lag in messages, every half second while the storm runs (-1 while unknown: the group still joining).
  const lags: number[] = [];
  let stormDone = false;
  const stormEnded = storm.exited.then((r) => {
    stormDone = true;
    return r;
  });
  while (!stormDone) {
    await sleep(500);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`)
      .then((r) => r.text())
      .catch(() => '');
    // One gauge per partition; any unknown (-1) makes the whole lag unknown.
    const partitions = [...metrics.matchAll(/^datastorm_pulse_lag\{partition="\d+"\} (\S+)$/gm)].map((m) =>
      Number(m[1]),
    );
    if (partitions.length) lags.push(partitions.some((n) => n < 0) ? -1 : partitions.reduce((a, b) => a + b, 0));
  }
  const stormRun = await stormEnded;
  assert.equal(stormRun.code, 0, stormRun.stderr);
  assert.equal(await pulseEnded, 0, err);
  const stormReport = JSON.parse(stormRun.stdout) as StormReport;
  const pulseReport = JSON.parse(out) as PulseReport;
  const known = lags.filter((n) => n >= 0);
  t.diagnostic(`lag samples (messages): ${known.join(' ')}`);
  assert.ok(known.length >= 10, `lag read while the storm ran (${lags.length} samples)`);
  assert.ok(
    known.some((n) => n < 2 * rate),
    `the lag came back under 2 s of the rate (${2 * rate}): least ${Math.min(...known)}`,
  );
  assert.ok(pulseReport.consumed >= (stormReport.acknowledged ?? 0));
  const counts = stormReport.sentiment.counts;
  assert.deepEqual(await sentimentTotals(bucket), {
    positive: counts.positive,
    negative: counts.negative,
    neutral: counts.neutral,
  });
});
