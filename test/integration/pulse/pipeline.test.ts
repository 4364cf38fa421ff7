/**
 * The live pipeline: a storm at a modest rate with pulse reading behind it at the same time, on one cluster. Pulse
 * joins its group first (as make bench-pipeline does: how long a join takes is the broker's and the machine's, not
 * what this measures), then the storm starts. Pulse's lag, counted from outside (what the storm's run counters in
 * Redis say was acknowledged, minus what pulse's /metrics say it consumed, read together), stays under two seconds of
 * the storm's rate, and when both are done InfluxDB's sums equal what the storm acknowledged, per sentiment.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { chromium } from 'playwright-core';
import { Counters } from '../../../src/coord/counters.js';
import { ensureTopic } from '../../../src/kafka/admin.js';
import type { PulseReport } from '../../../src/report/pulse-report.js';
import type { StormReport } from '../../../src/report/storm-report.js';
import { pulseArgs } from '../../helpers/pulse-cli.js';
import {
  bootstrap,
  freePort,
  freshBucket,
  influxToken,
  ROOT,
  redisUrl,
  sentimentTotals,
  uniqueTopic,
} from '../../helpers/services.js';
import { spawnStorm } from '../../helpers/storm-cli.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const PARTITIONS = 3;

/** Pulse has every partition assigned once /metrics carries a lag for each (60 s at most). */
async function untilJoined(metricsUrl: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const metrics = await fetch(metricsUrl)
      .then((r) => r.text())
      .catch(() => '');
    if ((metrics.match(/^datastorm_pulse_lag\{partition="\d+"\}/gm) ?? []).length >= PARTITIONS) return;
    await sleep(250);
  }
  assert.fail('pulse did not join its group within 60 s');
}

test('storm and pulse at once: the lag stays under 2 s of the rate, and the sums are exact', async (t) => {
  const topic = uniqueTopic('pipeline');
  const runId = `${topic}-run`;
  const rate = 20_000;
  await ensureTopic(bootstrap(), { topic, partitions: PARTITIONS, replication: 1 });
  const bucket = await freshBucket('pipeline');
  const port = await freePort();
  const args = pulseArgs(topic, bucket, ['--influx-token', influxToken(), '--dashboard', String(port)]);
  const pulse = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  pulse.stdout.on('data', (d) => (out += d));
  pulse.stderr.on('data', (d) => (err += d));
  const pulseEnded = new Promise<number | null>((resolve) => pulse.on('close', resolve));
  const metricsUrl = `http://127.0.0.1:${port}/metrics`;
  await untilJoined(metricsUrl);

  // pulse's dashboard in a browser: its freshness chart fills while the storm runs.
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  // The lag in messages, every half second while the storm runs, and pulse's freshness p50 as /metrics has it.
  const lags: number[] = [];
  const freshness: number[] = [];
  const redis = new Redis(redisUrl());
  const counters = new Counters(redis, runId);
  const storm = spawnStorm(['--topic', topic, '--run-id', runId, '--rate', String(rate), '--duration', '20']);
  let stormDone = false;
  const stormEnded = storm.exited.then((r) => {
    stormDone = true;
    return r;
  });
  while (!stormDone) {
    await sleep(500);
    const metrics = await fetch(metricsUrl)
      .then((r) => r.text())
      .catch(() => '');
    const consumed = /^datastorm_pulse_consumed_total (\S+)$/m.exec(metrics)?.[1];
    const fresh = /^datastorm_pulse_freshness_seconds\{quantile="0.5"\} (\S+)$/m.exec(metrics)?.[1];
    const { acked } = await counters.read();
    if (consumed !== undefined) lags.push(acked - Number(consumed));
    if (fresh !== undefined) freshness.push(Number(fresh));
  }
  redis.disconnect();
  const freshPoints = (await page.evaluate('fresh.data[1]')) as number[];
  await browser.close();
  const stormRun = await stormEnded;
  assert.equal(stormRun.code, 0, stormRun.stderr);
  assert.equal(await pulseEnded, 0, err);
  const stormReport = JSON.parse(stormRun.stdout) as StormReport;
  const pulseReport = JSON.parse(out) as PulseReport;
  t.diagnostic(`lag samples (messages): ${lags.join(' ')}`);
  assert.ok(lags.length >= 10, `lag read while the storm ran (${lags.length} samples)`);
  // The group joined before the first tweet: pulse keeps up, bar a sample caught between a flush and a tick.
  const over = lags.filter((n) => n >= 2 * rate);
  assert.ok(over.length <= lags.length / 10, `the lag stayed under 2 s of the rate (${2 * rate}): ${over.length} over`);
  assert.ok(pulseReport.consumed >= (stormReport.acknowledged ?? 0));
  // Freshness: live in /metrics, and over the run in the report, for the tweets of every flush no rebalance cut.
  t.diagnostic(`freshness p50 (s) in /metrics: ${freshness.join(' ')}`);
  assert.ok(freshness.length > 0 && freshness.every((s) => s >= 0), 'freshness published while running');
  assert.ok(freshPoints.length > 0 && freshPoints.every((s) => s >= 0), 'and drawn on the dashboard');
  assert.deepEqual(pageErrors, []);
  const f = pulseReport.freshnessMs;
  assert.ok(f, 'freshness in the report');
  t.diagnostic(`freshness over the run: ${JSON.stringify(f)}`);
  assert.ok(f.samples <= pulseReport.consumed && f.samples >= pulseReport.consumed / 2, `${f.samples} sampled`);
  assert.ok(f.p50 <= f.p99 && f.p99 <= f.max);
  const counts = stormReport.sentiment?.counts;
  assert.ok(counts, 'a tweet storm reports its sentiments');
  assert.deepEqual(await sentimentTotals(bucket), {
    positive: counts.positive,
    negative: counts.negative,
    neutral: counts.neutral,
  });
});
