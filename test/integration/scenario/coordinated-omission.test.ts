/**
 * Coordinated omission: a producer frozen for 2 s (SIGSTOP) under --rate cannot hide it. The stall shows in the
 * publish delay (sent minus intended) and in the latency counted from each message's intended send time, while the
 * latency from the actual send stays low (what a closed-loop tool would report); the messages the schedule wanted
 * meanwhile are sent late, not dropped.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import type { StormReport } from '../../../src/report/storm-report.js';
import { untilAcknowledged } from '../../helpers/progress.js';
import { redisUrl, uniqueTopic } from '../../helpers/services.js';
import { spawnStorm } from '../../helpers/storm-cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RATE = 20_000;
const SECONDS = 12;

test('a 2 s SIGSTOP shows in the publish delay and the intended-time latency, not in the send latency', async () => {
  const topic = uniqueTopic('co');
  const runId = `co-${Date.now()}`;
  const storm = spawnStorm([
    '--topic',
    topic,
    '--run-id',
    runId,
    '--rate',
    String(RATE),
    '--duration',
    String(SECONDS),
    '--workers',
    '1',
  ]);
  await untilAcknowledged(redisUrl(), runId, 3 * RATE); // about 3 s in
  const child = execFileSync('pgrep', ['-P', String(storm.child.pid)], { encoding: 'utf8' })
    .trim()
    .split('\n')[0];
  assert.match(child, /^\d+$/, 'the storm child is found');
  process.kill(Number(child), 'SIGSTOP');
  await sleep(2000);
  process.kill(Number(child), 'SIGCONT');
  const { code, stdout, stderr } = await storm.exited;
  assert.equal(code, 0, stderr);
  const r = JSON.parse(stdout) as StormReport;
  const co = r.coordinatedOmission;
  assert.ok(co?.publishDelayMs && co.latencyFromIntendedMs && r.latencyMs, 'all three histograms are reported');
  assert.ok(co.publishDelayMs.max >= 1800, `publish delay max ${co.publishDelayMs.max} ms (stalled 2 s)`);
  assert.ok(co.publishDelayMs.p99 >= 1000, `publish delay p99 ${co.publishDelayMs.p99} ms`);
  assert.ok(co.latencyFromIntendedMs.p99 >= 1500, `intended-time latency p99 ${co.latencyFromIntendedMs.p99} ms`);
  // Messages already in librdkafka's queue at the stop carry the stall in their send latency too; on a loaded
  // machine that can be a few hundred ms of them (more than 1% of the run), so the send side is judged at p95.
  assert.ok(r.latencyMs.p95 < 1000, `send latency p95 ${r.latencyMs.p95} ms hides the stall, as it would elsewhere`);
  assert.ok(co.latencyFromIntendedMs.p99 > 3 * r.latencyMs.p95);
  assert.equal(co.latencyFromIntendedMs.samples, r.latencyMs.samples, 'one intended-time latency per acknowledgement');
  // What the schedule wanted during the stall was sent afterwards: the run still holds its rate overall.
  const want = RATE * SECONDS;
  assert.ok((r.acknowledged ?? 0) >= 0.97 * want, `acknowledged ${r.acknowledged} of the ${want} scheduled`);
  assert.equal(r.schedule.scheduled, want);
  assert.ok((r.schedule.notSent ?? Number.NaN) <= 0.03 * want, `${r.schedule.notSent} never sent`);
});
