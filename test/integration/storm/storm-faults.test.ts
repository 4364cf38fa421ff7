/**
 * Faults on a real 3-broker cluster (replication 3, min.insync.replicas 2): a broker killed with -9 mid-storm and
 * started again, with acks=all + idempotence (nothing may be lost or doubled) and with acks=1 without idempotence
 * (verify shows what happened; the report must not promise more than the leader's word); Redis killed mid-run (the
 * storm stops cleanly with true counts) and Redis frozen for a few seconds (the storm rides it out, exactly).
 */

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Kafka from 'node-rdkafka';
import { topicMessageCount } from '../../../src/kafka/admin.js';
import type { StormReport } from '../../../src/report/storm-report.js';
import { untilAcknowledged } from '../../helpers/progress.js';
import { bootstrap, ROOT, redisUrl, run, uniqueTopic } from '../../helpers/services.js';
import { spawnStorm, verifyJson } from '../../helpers/storm-cli.js';
import { createTopic } from '../../helpers/topic-admin.js';

const CLUSTER = path.join(ROOT, 'kafka-cluster/cluster.sh');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until every partition of the topic has `n` in-sync replicas again (the killed broker caught up). */
async function waitInSync(topic: string, n: number, timeoutMs = 90_000): Promise<void> {
  const p = new Kafka.Producer({ 'metadata.broker.list': bootstrap() });
  await new Promise<void>((res, rej) => p.connect({ timeout: 10_000 }, (e) => (e ? rej(e) : res())));
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const md = await new Promise<Kafka.Metadata>((res, rej) =>
        p.getMetadata({ topic, timeout: 10_000 }, (e, m) => (e ? rej(e) : res(m))),
      );
      const t = md.topics.find((x) => x.name === topic);
      if (t?.partitions.every((x) => x.isrs.length >= n)) return;
      if (Date.now() > deadline)
        throw new Error(`topic ${topic}: replicas not back in sync within ${timeoutMs / 1000} s`);
      await sleep(1000);
    }
  } finally {
    await new Promise<void>((r) => p.disconnect(2000, () => r()));
  }
}

/** A storm of `count` at 50,000/s; broker 2 is killed (-9) once 200,000 are acknowledged, started again at 500,000. */
async function stormThroughBrokerKill(topic: string, extra: string[], count: number) {
  const runId = `${topic}-run`;
  const { exited } = spawnStorm([
    '--topic',
    topic,
    '--count',
    String(count),
    '--rate',
    '50000',
    '--partitions',
    '6',
    '--replication',
    '3',
    '--run-id',
    runId,
    ...extra,
  ]);
  await untilAcknowledged(redisUrl(), runId, 200_000);
  const killed = await run('bash', [CLUSTER, 'kill-broker', '2']);
  assert.equal(killed.code, 0, killed.stderr);
  await untilAcknowledged(redisUrl(), runId, 500_000);
  const started = await run('bash', [CLUSTER, 'start-broker', '2'], {}, 120_000);
  assert.equal(started.code, 0, started.stderr);
  const { code, stdout, stderr } = await exited;
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout) as StormReport;
  await waitInSync(topic, 3);
  return { report, runId };
}

test(
  'kill -9 of a broker mid-storm, acks=all + idempotence: exact count, the topic holds it, verify finds 0 lost, 0 ' +
    'duplicated',
  async (t) => {
    const topic = uniqueTopic('brokerkill-all');
    const COUNT = 1_000_000;
    const { report, runId } = await stormThroughBrokerKill(topic, [], COUNT);
    const described = await run('bash', [CLUSTER, 'topic', '--describe', '--topic', topic]);
    assert.match(
      described.stdout,
      /min\.insync\.replicas=2/,
      'topics created with 3 replicas take min.insync.replicas=2',
    );
    assert.equal(report.settings.acks, 'all');
    assert.equal(report.settings.idempotence, true);
    assert.equal(report.acknowledged, COUNT);
    assert.equal(report.failed, 0);
    assert.equal(report.unresolved, 0);
    assert.match(report.durability, /every in-sync replica.*written once and in order/);
    assert.equal(
      (await topicMessageCount(bootstrap(), topic)).total,
      COUNT,
      'the topic holds exactly the acknowledged count',
    );
    const v = (await verifyJson(topic, runId)).report;
    t.diagnostic(
      `verify: ${v.received} received, ${v.lost} lost, ${v.duplicated} duplicated, ${v.outOfOrder} out of order; ` +
        `latency p99 ${v.latencyMs?.p99} ms`,
    );
    assert.equal(v.received, COUNT);
    assert.equal(v.lost, 0);
    assert.equal(v.duplicated, 0);
    assert.equal(v.outOfOrder, 0);
  },
);

test(
  'the same broker kill with acks=1 and no idempotence: verify accounts for every message; the report claims only ' +
    "the leader's word",
  async (t) => {
    const topic = uniqueTopic('brokerkill-1');
    const COUNT = 1_000_000;
    const { report, runId } = await stormThroughBrokerKill(topic, ['--acks', '1', '--no-idempotence'], COUNT);
    assert.equal(report.settings.acks, '1');
    assert.equal(report.settings.idempotence, false);
    assert.equal(report.acknowledged, COUNT, 'the storm still reaches its count of acknowledgements');
    assert.match(report.durability, /leader only.*loses it.*twice.*datastorm verify/);
    const inTopic = (await topicMessageCount(bootstrap(), topic)).total;
    const v = (await verifyJson(topic, runId)).report;
    const distinct = v.received - v.duplicated;
    t.diagnostic(
      `acks=1 through a broker kill: report ${report.acknowledged} acknowledged, ${report.sent} sent; ` +
        `topic ${inTopic}; verify ${v.received} received, ${distinct} distinct, ${v.lost} lost, ` +
        `${v.duplicated} duplicated, ${v.outOfOrder} out of order`,
    );
    assert.equal(v.received, inTopic, 'verify read every message the topic holds');
    // Every message handed to the producer is either in the topic or counted lost: nothing goes unaccounted.
    assert.equal(distinct + v.lost, report.sent);
    // What the report calls acknowledged is never more than what arrived plus what verify calls lost.
    assert.ok((report.acknowledged ?? 0) <= distinct + v.lost);
    if (v.lost > 0)
      assert.ok(distinct < (report.acknowledged ?? 0), 'a loss shows as fewer distinct messages than acknowledged');
  },
);

/** A Redis of this test's own, so killing it disturbs nothing else. */
async function ownRedis(port: number): Promise<{ url: string; pid: number }> {
  const up = await run('bash', [path.join(ROOT, 'scripts/redis.sh'), 'up', String(port)]);
  assert.equal(up.code, 0, up.stderr);
  const pid = Number(fs.readFileSync(path.join(ROOT, `.run/redis-${port}.pid`), 'utf8'));
  return { url: up.stdout.trim().split('\n').pop()!, pid };
}

test(
  'Redis killed mid-run: within seconds the storm stops producing, flushes, prints a true report and exits 4 with ' +
    'one line',
  async (t) => {
    const port = 6397;
    const { url, pid } = await ownRedis(port);
    const topic = uniqueTopic('rediskill');
    const runId = `${topic}-run`;
    const { exited } = spawnStorm([
      '--topic',
      topic,
      '--count',
      '5000000',
      '--rate',
      '50000',
      '--redis',
      url,
      '--run-id',
      runId,
    ]);
    await untilAcknowledged(url, runId, 200_000);
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    const { code, stdout, stderr } = await exited;
    fs.rmSync(path.join(ROOT, `.run/redis-${port}.pid`), { force: true });
    const took = Date.now() - killedAt;
    t.diagnostic(`stopped ${took} ms after Redis died`);
    assert.equal(code, 4, stderr);
    assert.ok(took < 20_000, `stopped within the 5 s grace plus a flush (${took} ms)`);
    const lines = stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('datastorm: error:'));
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0], /lost Redis at redis:\/\/127\.0\.0\.1:6397 mid-run for more than 5 s/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    const report = JSON.parse(stdout) as StormReport;
    assert.equal(report.error?.code, 'REDIS_UNREACHABLE');
    assert.equal(report.failed, 0);
    assert.equal(report.unresolved, 0);
    assert.ok((report.acknowledged ?? 0) > 100_000, `acknowledged ${report.acknowledged}`);
    assert.equal(
      (await topicMessageCount(bootstrap(), topic)).total,
      report.acknowledged,
      'the report counts exactly what the topic holds',
    );
    const v = (await verifyJson(topic, runId)).report;
    assert.equal(v.received, report.acknowledged);
    assert.equal(v.lost, 0);
    assert.equal(v.duplicated, 0);
  },
);

test(
  'Redis frozen for 3 s (longer than a command timeout): the storm rides it out and still lands its exact ' + 'count',
  async () => {
    const port = 6398;
    const { url, pid } = await ownRedis(port);
    try {
      const topic = uniqueTopic('redisfreeze');
      const COUNT = 600_000;
      const runId = `${topic}-run`;
      const { exited } = spawnStorm([
        '--topic',
        topic,
        '--count',
        String(COUNT),
        '--rate',
        '50000',
        '--redis',
        url,
        '--run-id',
        runId,
      ]);
      await untilAcknowledged(url, runId, 150_000);
      process.kill(pid, 'SIGSTOP');
      await sleep(3000);
      process.kill(pid, 'SIGCONT');
      const { code, stdout, stderr } = await exited;
      assert.equal(code, 0, stderr);
      const report = JSON.parse(stdout) as StormReport;
      assert.equal(report.acknowledged, COUNT);
      assert.equal(report.global?.acknowledged, COUNT);
      assert.equal(report.global?.issued, COUNT);
      assert.equal((await topicMessageCount(bootstrap(), topic)).total, COUNT);
    } finally {
      await run('bash', [path.join(ROOT, 'scripts/redis.sh'), 'down', String(port)]);
    }
  },
);

test('too few in-sync replicas mid-storm: stopped within seconds, exit 5, one line, the report', async () => {
  const topic = uniqueTopic('too-few-isr');
  await createTopic(topic, 3, 3, ['min.insync.replicas=3']);
  const runId = `${topic}-run`;
  const { exited } = spawnStorm(['--topic', topic, '--rate', '20000', '--duration', '120', '--run-id', runId]);
  await untilAcknowledged(redisUrl(), runId, 40_000);
  const killed = await run('bash', [CLUSTER, 'kill-broker', '3']);
  assert.equal(killed.code, 0, killed.stderr);
  const killedAt = Date.now();
  try {
    const { code, stdout, stderr } = await exited;
    // The controller drops the dead broker from the in-sync replicas once its session times out (9 s); two looks
    // at the topic 2 s apart then end the run.
    const seconds = (Date.now() - killedAt) / 1000;
    assert.equal(code, 5, stderr);
    const errors = stderr.split('\n').filter((l) => l.startsWith('datastorm: error:'));
    assert.equal(errors.length, 1, stderr);
    assert.match(
      errors[0],
      new RegExp(`of topic '${topic}' has 2 in-sync replicas, fewer than its min\\.insync\\.replicas=3`),
    );
    assert.match(errors[0], /NOT_ENOUGH_REPLICAS.*--acks 1/);
    assert.ok(seconds < 30, `stopped ${seconds} s after the broker died`);
    const report = JSON.parse(stdout) as StormReport;
    // The writes were refused indeed: from the kill on, next to nothing was acknowledged (20,000/s would have been
    // 400,000 more).
    assert.ok(report.acknowledged !== null && report.acknowledged >= 40_000 && report.acknowledged < 150_000);
    assert.equal(report.error?.code, 'TOPIC');
    assert.ok(report.failed + report.unresolved + report.acknowledged <= report.sent, JSON.stringify(report));
  } finally {
    const started = await run('bash', [CLUSTER, 'start-broker', '3'], {}, 120_000);
    assert.equal(started.code, 0, started.stderr);
    await waitInSync(topic, 3);
  }
});

test('min.insync.replicas above the replicas: Kafka takes acks=all writes, and the storm runs to its end', async () => {
  const topic = uniqueTopic('isr-above-rf');
  await createTopic(topic, 3, 3, ['min.insync.replicas=4']);
  const { exited } = spawnStorm(['--topic', topic, '--rate', '20000', '--duration', '8']);
  const { code, stdout, stderr } = await exited;
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout) as StormReport;
  assert.ok(report.acknowledged !== null && report.acknowledged >= 150_000, `acknowledged ${report.acknowledged}`);
  assert.equal(report.failed, 0);
});
