/**
 * Instances of one run (--instances N, coord/instances.ts), as separate storm processes against the test services:
 * they wait at the barrier for each other (one comes 3 s late), start on one instant, land one exact count, and the
 * last to finish prints the merged report, which `datastorm report --run-id` also gives during and after the run.
 * An instance that never comes ends every instance with exit 14 and one line, before anything is produced. One killed
 * mid-run and started again with its index takes over what its first process leased and never settled: the run still
 * ends on its count; a second live process with an index in use is refused.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { chromium } from 'playwright-core';
import { instanceKeys } from '../../../src/coord/instances.js';
import { topicMessageCount } from '../../../src/kafka/admin.js';
import type { MergedReport } from '../../../src/report/merged-report.js';
import type { StormReport } from '../../../src/report/storm-report.js';
import { untilAcknowledged } from '../../helpers/progress.js';
import { bootstrap, redisUrl, run, uniqueTopic } from '../../helpers/services.js';
import { CLI, spawnStorm, verifyJson } from '../../helpers/storm-cli.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const mergedNow = async (runId: string) => {
  const r = await run(process.execPath, [CLI, 'report', '--run-id', runId, '--redis', redisUrl(), '--json']);
  return { code: r.code, stderr: r.stderr, merged: r.code === 0 ? (JSON.parse(r.stdout) as MergedReport) : undefined };
};

async function untilJoined(runId: string, n: number): Promise<void> {
  const redis = new Redis(redisUrl());
  try {
    for (let i = 0; i < 600 && (await redis.hlen(instanceKeys(runId).joined)) < n; i++) await sleep(100);
  } finally {
    redis.disconnect();
  }
}

test('three instances, one 3 s late: they start together, the count is exact, the reports merge', async () => {
  const runId = `inst-${Date.now().toString(36)}`;
  const topic = uniqueTopic('instances');
  const count = 300_000;
  const instance = (i: number) =>
    spawnStorm([
      ...['--run-id', runId, '--instances', '3', '--instance', String(i), '--barrier-timeout', '30'],
      ...['--topic', topic, '--count', String(count), '--rate', '60000', '--workers', '1', '--partitions', '3'],
    ]);
  const early = [instance(0), instance(1)];
  // What a report Job does: wait for every instance, then print the merged report.
  const waiter = run(process.execPath, [
    CLI,
    'report',
    '--run-id',
    runId,
    '--redis',
    redisUrl(),
    '--wait',
    '120',
    '--json',
  ]);
  // The late one comes 3 s after the first two wait at the barrier (their start-up varies with the machine's load).
  await untilJoined(runId, 2);
  await sleep(3000);
  const late = instance(2);
  // During the run: a partial merged report, from the instances' buckets.
  let partial: MergedReport | undefined;
  for (let i = 0; i < 40 && !partial?.acknowledged; i++) {
    await sleep(250);
    partial = (await mergedNow(runId)).merged;
  }
  const ended = await Promise.all([...early, late].map((s) => s.exited));
  for (const e of ended) assert.equal(e.code, 0, e.stderr);
  const reports = ended.map((e) => JSON.parse(e.stdout) as StormReport);

  assert.ok(partial && partial.acknowledged > 0 && partial.acknowledged <= count, 'a partial merged report');
  assert.equal(partial.instances, 3);
  assert.ok(partial.finished < 3, 'taken while instances still ran');
  const total = reports.reduce((sum, r) => sum + (r.acknowledged ?? 0), 0);
  assert.equal(total, count, 'the instances together acknowledged the count');
  assert.equal((await topicMessageCount(bootstrap(), topic)).total, count, 'the topic holds exactly the count');
  for (const r of reports.slice(0, 2))
    assert.ok((r.instance?.waitedSec ?? 0) >= 2.5, `instance ${r.instance?.index} waited for the late one`);
  assert.deepEqual(
    reports.map((r) => r.instance?.index),
    [0, 1, 2],
  );
  assert.equal(new Set(reports.map((r) => r.instance?.startAtMs)).size, 1, 'one start instant for all');

  const carriers = reports.filter((r) => r.merged);
  assert.equal(carriers.length, 1, 'the last instance to finish carries the merged report');
  const merged = carriers[0].merged as MergedReport;
  assert.equal(merged.acknowledged, count);
  assert.equal(merged.finished, 3);
  assert.equal(merged.latencyFrom, 'histograms');
  assert.equal(merged.perInstance.length, 3);
  assert.deepEqual(
    merged.perInstance.map((i) => i.acknowledged),
    reports.map((r) => r.acknowledged),
  );
  // Percentiles of the merged histograms, never an average: the samples add up, and each merged percentile lies
  // within the instances' own.
  const own = reports.map((r) => r.latencyMs);
  assert.equal(
    merged.latencyMs?.samples,
    own.reduce((sum, l) => sum + (l?.samples ?? 0), 0),
  );
  for (const p of ['p50', 'p99'] as const) {
    const values = own.map((l) => l?.[p] ?? 0);
    const m = merged.latencyMs?.[p] ?? -1;
    assert.ok(m >= Math.min(...values) && m <= Math.max(...values), `${p} ${m} within ${values.join(', ')}`);
  }
  // The barrier holds every instance to one start instant: without it the skew would be the late one's 3 s; a child's
  // first slice can wait a scheduler's quantum or two on 2 busy cores (as in the 3-hosts test), so a sixth of it.
  assert.ok(merged.startSkewMs !== null && merged.startSkewMs < 500, `start skew ${merged.startSkewMs} ms`);
  assert.equal(
    merged.timeline.reduce((sum, [, acked]) => sum + acked, 0),
    count,
    'the summed timeline holds every message',
  );

  const waited = await waiter;
  assert.equal(waited.code, 0, waited.stderr);
  assert.equal((JSON.parse(waited.stdout) as MergedReport).acknowledged, count, 'report --wait gave the final report');
  assert.equal((JSON.parse(waited.stdout) as MergedReport).finished, 3);

  const after = await run(process.execPath, [CLI, 'report', '--run-id', runId, '--redis', redisUrl()]);
  assert.equal(after.code, 0, after.stderr);
  assert.match(after.stdout, /3 of 3 instance\(s\) finished/);
  assert.match(after.stdout, /acknowledged: +300,000 messages by all instances/);

  // The merged report as one HTML file, drawn in a browser.
  const html = path.join(os.tmpdir(), `${runId}.html`);
  const rendered = await run(process.execPath, [
    CLI,
    'report',
    '--run-id',
    runId,
    '--redis',
    redisUrl(),
    '--html',
    html,
  ]);
  assert.equal(rendered.code, 0, rendered.stderr);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${html}`);
    assert.match((await page.textContent('#merged-acknowledged')) ?? '', /300,000 acknowledged by all instances/);
    assert.equal(await page.locator('#merged-timeline canvas').count(), 1, 'the timeline is drawn');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    fs.rmSync(html, { force: true });
  }
});

test('an instance that never comes: every instance ends with exit 14 and one line, nothing produced', async () => {
  const runId = `inst-missing-${Date.now().toString(36)}`;
  const topic = uniqueTopic('instances-missing');
  const args = (i: number) => [
    ...['--run-id', runId, '--instances', '3', '--instance', String(i), '--barrier-timeout', '3'],
    ...['--topic', topic, '--count', '10000', '--workers', '1'],
  ];
  const started = Date.now();
  const ended = await Promise.all([spawnStorm(args(0)).exited, spawnStorm(args(1)).exited]);
  const line = new RegExp(
    `^datastorm: error: run ${runId}: instance\\(s\\) 2 of 3 did not join within 3 s \\(--barrier-timeout\\); ` +
      'no instance started$',
  );
  for (const e of ended) {
    assert.equal(e.code, 14, e.stderr);
    assert.match(e.stderr.trim(), line);
  }
  assert.ok(Date.now() - started < 20_000, 'within seconds of the timeout');
  const late = await spawnStorm(args(2)).exited;
  assert.equal(late.code, 14, 'one that comes later finds the run failed');
  assert.match(late.stderr.trim(), line);
  assert.equal((await topicMessageCount(bootstrap(), topic)).total, 0, 'nothing was produced');
  const merged = await mergedNow(runId);
  assert.equal(merged.code, 14, 'report --run-id says why the run never started');
  assert.match(merged.stderr.trim(), line);
});

/** A storm process and its children, killed at once as a pod or a host would be. */
function killTree(pid: number): void {
  const kids = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter(Boolean);
  process.kill(pid, 'SIGKILL');
  for (const kid of kids) process.kill(Number(kid), 'SIGKILL');
}

test('an instance killed mid-run and started again with its index: the run still ends exact', async (t) => {
  const runId = `inst-kill-${Date.now().toString(36)}`;
  const topic = uniqueTopic('instances-kill');
  // 15 s at 60k/s: the restarted process (which waits up to 6 s for the dead one's hold to lapse) has its share left.
  const count = 900_000;
  const instance = (i: number) =>
    spawnStorm([
      ...['--run-id', runId, '--instances', '3', '--instance', String(i), '--barrier-timeout', '30'],
      ...['--topic', topic, '--count', String(count), '--rate', '60000', '--workers', '1', '--partitions', '3'],
    ]);
  const first = [instance(0), instance(1), instance(2)];
  await untilAcknowledged(redisUrl(), runId, 100_000);
  killTree(first[1].child.pid as number);
  assert.equal((await first[1].exited).code, null, 'killed');
  // Started again at once: it waits until the killed process's hold on index 1 lapses, then takes over.
  const again = instance(1);
  // A second live process with an index in use is refused, and the run goes on.
  const twin = await spawnStorm([
    ...['--run-id', runId, '--instances', '3', '--instance', '0'],
    ...['--topic', topic, '--count', String(count), '--workers', '1'],
  ]).exited;
  assert.equal(twin.code, 2, twin.stderr);
  assert.match(
    twin.stderr.trim(),
    new RegExp(
      `^datastorm: error: --instance 0: run ${runId}'s instance 0 is already running ` +
        '\\(host .+, pid \\d+\\); every instance needs its own index$',
    ),
  );

  const ended = await Promise.all([first[0], first[2], again].map((s) => s.exited));
  for (const e of ended) assert.equal(e.code, 0, e.stderr);
  const restarted = JSON.parse(ended[2].stdout) as StormReport;
  const tookOver = restarted.instance?.tookOver ?? [];
  assert.ok((restarted.acknowledged ?? 0) > 0, 'the restarted process produced its share');
  assert.equal(tookOver.length, 1, 'the restarted process took over the killed one');
  assert.match(ended[2].stderr, /took over from process i1-[0-9a-f]+ of this instance's index/);
  const carriers = ended.map((e) => JSON.parse(e.stdout) as StormReport).filter((r) => r.merged);
  assert.equal(carriers.length, 1);
  const merged = carriers[0].merged as MergedReport;
  assert.equal(merged.acknowledged, count, 'the merged report ends on the count');
  assert.equal(merged.finished, 3);
  assert.equal(merged.processes, 4);
  assert.equal(merged.latencyFrom, 'buckets', 'the killed process left no histogram');
  const killed = merged.perInstance.filter((i) => i.state === 'killed');
  assert.equal(killed.length, 1);
  assert.equal(killed[0].acknowledged, tookOver[0].acked, 'the killed process counts what its producers settled');
  assert.equal(carriers[0].global?.acknowledged, count, 'the run counters end on the count');

  // The topic holds the count, and at most what the killed process had in flight at its death besides.
  const inTopic = (await topicMessageCount(bootstrap(), topic)).total;
  t.diagnostic(`killed process settled ${tookOver[0].acked}, gave back ${tookOver[0].givenBack}; topic ${inTopic}`);
  assert.ok(inTopic >= count && inTopic - count <= tookOver[0].givenBack, `topic holds ${inTopic}`);
  const v = (await verifyJson(topic, runId)).report;
  assert.equal(v.received, inTopic);
  assert.equal(v.lost, 0, "the killed process's unsettled messages are unconfirmed, not lost");
  assert.equal(v.duplicated, 0);
  assert.ok(
    v.producers.some((p) => p.replaced),
    "verify sees the restarted process's producer replace the killed one",
  );
});

/** Two instances of one run, one worker each, under one --find-max: their reports, once both exited 0. */
async function findMaxPair(runId: string, topic: string, findMax: string): Promise<StormReport[]> {
  const instance = (i: number) =>
    spawnStorm([
      ...['--run-id', runId, '--instances', '2', '--instance', String(i), '--barrier-timeout', '30'],
      ...['--topic', topic, '--find-max', findMax, '--workers', '1'],
    ]);
  const ended = await Promise.all([instance(0), instance(1)].map((s) => s.exited));
  for (const e of ended) assert.equal(e.code, 0, e.stderr);
  return ended.map((e) => JSON.parse(e.stdout) as StormReport);
}

test('--find-max with instances judges the run, not each share: both stop on one step with one answer', async () => {
  const runId = `inst-findmax-${Date.now().toString(36)}`;
  const topic = uniqueTopic('instances-findmax');
  // 10k/s in all holds only as a sum (each instance sends half, 50% short); 4M/s in all is far past this machine.
  // A 20% tolerance: a loaded test machine's slow second must not fail a step that a share alone fails by far.
  const reports = await findMaxPair(runId, topic, 'start=10k,step=4M,every=3s,p99=5s,tolerance=20%');
  for (const r of reports) {
    const steps = r.findMax?.steps ?? [];
    assert.deepEqual(
      steps.map((s) => [s.rate, s.held]),
      [
        [10_000, true],
        [4_010_000, false],
      ],
      `instance ${r.instance?.index}: ${JSON.stringify(steps)}`,
    );
    assert.equal(r.findMax?.maxRate, 10_000);
    // Judged on the sum: each instance alone sent about half of it.
    assert.ok(steps[0].achieved >= 8_000, `first step achieved ${steps[0].achieved} msg/s by the run`);
  }
  assert.deepEqual(reports[0].findMax?.steps, reports[1].findMax?.steps, 'one answer for the run');
});

test('--find-max with instances up to its max: the last step is judged once every instance published it', async () => {
  const runId = `inst-findmax-top-${Date.now().toString(36)}`;
  const topic = uniqueTopic('instances-findmax-top');
  for (const report of await findMaxPair(runId, topic, 'start=5k,step=5k,every=3s,max=10k,p99=5s,tolerance=20%')) {
    const findMax = report.findMax;
    assert.deepEqual(
      findMax?.steps.map((s) => [s.rate, s.held]),
      [
        [5_000, true],
        [10_000, true],
      ],
      JSON.stringify(findMax?.steps),
    );
    assert.equal(findMax?.maxRate, 10_000);
  }
});
