/** Ctrl-C leaves a true report; a child killed mid-run is restarted and the run still ends at its exact count. */

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { topicMessageCount } from '../../../src/kafka/admin.js';
import type { StormReport } from '../../../src/report/storm-report.js';
import { untilAcknowledged } from '../../helpers/progress.js';
import { bootstrap, ROOT, redisUrl, uniqueTopic } from '../../helpers/services.js';
import { spawnStorm, stormArgs, verifyJson } from '../../helpers/storm-cli.js';
import { repeatedIds } from '../../helpers/topic-seconds.js';

const childrenOf = (pid: number) =>
  execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter(Boolean)
    .map(Number);

test(
  'Ctrl-C (SIGINT to the process group): stops, flushes, prints a report the topic agrees with, exit ' + '130',
  async () => {
    const topic = uniqueTopic('sigint');
    // detached: its own process group, so the signal reaches primary and children as a terminal's Ctrl-C does
    const runId = `${topic}-run`;
    const child = spawn(process.execPath, stormArgs(['--topic', topic, '--count', '50000000', '--run-id', runId]), {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    await untilAcknowledged(redisUrl(), runId, 500_000);
    process.kill(-child.pid!, 'SIGINT');
    const t0 = Date.now();
    const code = await exited;
    assert.ok(Date.now() - t0 < 40_000, 'stopped within the bounded flush');
    assert.equal(code, 130, stderr);
    const report = JSON.parse(stdout) as StormReport;
    assert.equal(report.stoppedEarly, true);
    assert.ok((report.acknowledged ?? 0) > 10_000, `acknowledged ${report.acknowledged}`);
    assert.equal(report.unresolved, 0);
    assert.equal(report.global?.acknowledged, report.acknowledged);
    assert.equal(
      (await topicMessageCount(bootstrap(), topic)).total,
      report.acknowledged,
      'the topic holds exactly what the report says',
    );
  },
);

test(
  'kill -9 of a child: it is restarted, the report ends at the exact count, the topic holds at least ' + 'that',
  async () => {
    const topic = uniqueTopic('killchild');
    const COUNT = 1_500_000;
    const runId = `${topic}-run`;
    const { child, exited } = spawnStorm([
      '--topic',
      topic,
      '--count',
      String(COUNT),
      '--workers',
      '2',
      '--rate',
      '150000',
      '--run-id',
      runId,
    ]);
    await untilAcknowledged(redisUrl(), runId, 300_000);
    const kids = childrenOf(child.pid!);
    assert.equal(kids.length, 2, `storm children: ${kids.join(',')}`);
    process.kill(kids[0], 'SIGKILL');
    const { code, stdout, stderr } = await exited;
    assert.equal(code, 0, stderr);
    assert.match(stderr, /child \d died \(SIGKILL\); restarted/);
    const report = JSON.parse(stdout) as StormReport;
    assert.equal(report.children.restarts, 1);
    assert.equal(report.acknowledged, COUNT);
    assert.equal(report.global?.acknowledged, COUNT);
    const inTopic = (await topicMessageCount(bootstrap(), topic)).total;
    // Acks the dead child received after its last tick were never reported, so their slice was produced again.
    assert.ok(inTopic >= COUNT, `topic holds ${inTopic}`);
    assert.ok(
      inTopic - COUNT <= report.children.reproduced,
      `no more extra than was produced again (${inTopic - COUNT} of ${report.children.reproduced})`,
    );
    // verify: nothing lost or doubled; the dead child's never-written messages are "unconfirmed", not lost.
    const v = await verifyJson(topic);
    assert.equal(v.code, 0);
    const r = v.report;
    assert.equal(r.received, inTopic);
    assert.equal(r.lost, 0);
    assert.equal(r.duplicated, 0);
    assert.equal(r.producers.filter((p) => p.replaced).length, 1, 'the killed child is the one replaced producer');
    assert.ok(r.unconfirmed <= report.children.reproduced);
    // The dead child's slice went back to the count and was leased again: under new ids, though some of its tweets
    // reached the topic (acknowledged after its last tick): no two tweets of the run carry one id.
    const ids = await repeatedIds(topic, runId);
    assert.equal(ids.total, inTopic);
    assert.equal(ids.repeated, 0, 'tweet ids are unique across the run');
  },
);

/** A storm in its own process group, as a terminal runs it; its stdout and stderr gathered. */
function groupStorm(topic: string, runId: string, extra: string[] = []) {
  const child = spawn(
    process.execPath,
    stormArgs(['--topic', topic, '--count', '50000000', '--run-id', runId, ...extra]),
    { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  return { child, out, exited };
}

/**
 * The report agrees with the topic: it holds every message acknowledged, and no more than those and the unresolved
 * (abandoned in flight, their fate unknown to the client: some reached the broker).
 */
async function assertTrueReport(stdout: string, topic: string): Promise<StormReport> {
  const report = JSON.parse(stdout) as StormReport;
  assert.equal(report.stoppedEarly, true);
  const acknowledged = report.acknowledged ?? 0;
  assert.ok(acknowledged > 10_000, `acknowledged ${acknowledged}`);
  const held = (await topicMessageCount(bootstrap(), topic)).total;
  assert.ok(held >= acknowledged && held <= acknowledged + report.unresolved, `topic ${held}, report ${stdout}`);
  return report;
}

/** The pid of the broker leading the topic's one partition, paused (SIGSTOP): a cluster too slow to answer. */
function pauseLeader(topic: string): number {
  const home = process.env.DATASTORM_KAFKA_HOME ?? path.join(ROOT, '.run/test-cluster');
  const leader = /Leader: (\d+)/.exec(
    execFileSync('bash', [path.join(ROOT, 'kafka-cluster/cluster.sh'), 'topic', '--describe', '--topic', topic], {
      encoding: 'utf8',
    }),
  )?.[1];
  assert.ok(leader, 'the partition has a leader');
  const broker = Number(fs.readFileSync(path.join(home, `pids/broker-${leader}.pid`), 'utf8').trim());
  process.kill(broker, 'SIGSTOP');
  return broker;
}

/** Once the paused broker is back, the topic holds the acknowledged and at most the unresolved besides. */
async function assertHeldAfterPause(report: StormReport, topic: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 15_000));
  const held = (await topicMessageCount(bootstrap(), topic)).total;
  assert.ok(held >= (report.acknowledged ?? 0) && held <= (report.acknowledged ?? 0) + report.unresolved, `${held}`);
}

test('Ctrl-C twice: the second shortens the wait, the report is still printed, exit 130', async () => {
  const topic = uniqueTopic('sigint2');
  const runId = `${topic}-run`;
  // The partition's broker paused: the first Ctrl-C's wait for what is in flight would last its whole bound (30 s).
  const { child, out, exited } = groupStorm(topic, runId, ['--partitions', '1', '--replication', '1']);
  await untilAcknowledged(redisUrl(), runId, 200_000);
  const broker = pauseLeader(topic);
  let t0 = 0;
  try {
    await new Promise((r) => setTimeout(r, 1000));
    process.kill(-child.pid!, 'SIGINT');
    await new Promise((r) => setTimeout(r, 1000));
    process.kill(-child.pid!, 'SIGINT');
    t0 = Date.now();
    assert.equal(await exited, 130, out.stderr);
  } finally {
    process.kill(broker, 'SIGCONT');
  }
  assert.ok(Date.now() - t0 < 10_000, `ended ${Date.now() - t0} ms after the second Ctrl-C`);
  assert.match(out.stderr, /storm: SIGINT again: waiting no more/);
  const report = JSON.parse(out.stdout) as StormReport;
  assert.equal(report.stoppedEarly, true);
  assert.ok(report.unresolved > 0, 'what the paused broker never answered counts as unresolved');
  await assertHeldAfterPause(report, topic);
});

test("SIGTERM to the primary alone (a pod's): stopped within the grace, report out; SIGHUP likewise", async () => {
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    const topic = uniqueTopic(signal.toLowerCase());
    const runId = `${topic}-run`;
    const { child, out, exited } = groupStorm(topic, runId);
    await untilAcknowledged(redisUrl(), runId, 500_000);
    process.kill(child.pid!, signal);
    const t0 = Date.now();
    // Kubernetes sends SIGKILL 30 s after SIGTERM: the storm must be gone, its report out, well before.
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('grace passed'), 28_000))]);
    if (code === 'grace passed') process.kill(-child.pid!, 'SIGKILL');
    assert.equal(code, 130, `${signal}: ${out.stderr}`);
    assert.ok(Date.now() - t0 < 28_000, `${signal}: ended in ${Date.now() - t0} ms`);
    await assertTrueReport(out.stdout, topic);
  }
});

test("a pod's SIGTERM while the cluster is slow: the wait is bounded inside the grace, the report out", async () => {
  const topic = uniqueTopic('sigterm-slow');
  const runId = `${topic}-run`;
  // One partition on one broker: pausing that broker leaves every batch in flight, as a cluster too slow to answer.
  const { child, out, exited } = groupStorm(topic, runId, ['--partitions', '1', '--replication', '1']);
  await untilAcknowledged(redisUrl(), runId, 200_000);
  const broker = pauseLeader(topic);
  try {
    await new Promise((r) => setTimeout(r, 1000));
    process.kill(child.pid!, 'SIGTERM');
    const t0 = Date.now();
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('grace passed'), 28_000))]);
    if (code === 'grace passed') process.kill(-child.pid!, 'SIGKILL');
    assert.equal(code, 130, out.stderr);
    assert.ok(Date.now() - t0 < 28_000, `ended in ${Date.now() - t0} ms`);
  } finally {
    process.kill(broker, 'SIGCONT');
  }
  const report = JSON.parse(out.stdout) as StormReport;
  assert.equal(report.stoppedEarly, true);
  assert.ok((report.acknowledged ?? 0) >= 200_000, `acknowledged ${report.acknowledged}`);
  assert.ok(report.unresolved > 0, 'what the paused broker never answered counts as unresolved');
  await assertHeldAfterPause(report, topic);
});
