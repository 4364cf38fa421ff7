/**
 * A cluster that checks ACLs, as secured clusters do: the test cluster's SASL_SSL listener runs Kafka's
 * StandardAuthorizer, and its SCRAM user `limited` (cluster.sh writes client-limited.properties) may do only what an
 * ACL allows. Each missing permission ends a storm within seconds in one line naming the permission and what would
 * work, exit 5, with a report whose failures are each counted once and never more than were sent; granted, the same
 * storm lands its exact count.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { topicMessageCount } from '../../../src/kafka/admin.js';
import type { StormReport } from '../../../src/report/storm-report.js';
import { allowLimited as allow, limitedConfig } from '../../helpers/acl.js';
import { bootstrap, ROOT, redisUrl, run, uniqueTopic } from '../../helpers/services.js';
import { CLI } from '../../helpers/storm-cli.js';
import { createTopic } from '../../helpers/topic-admin.js';

const CLUSTER = path.join(ROOT, 'kafka-cluster/cluster.sh');

/** A storm as the user `limited`, its report as JSON. */
async function limitedStorm(topic: string, extra: string[] = []) {
  const args = ['storm', '--kafka-config', limitedConfig(), '--redis', redisUrl(), '--topic', topic];
  const started = Date.now();
  const r = await run(process.execPath, [CLI, ...args, '--count', '20000', '--json', '--no-save', '--quiet', ...extra]);
  return { ...r, seconds: (Date.now() - started) / 1000 };
}

/** One line on stderr, no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.doesNotMatch(stderr, /\n\s+at /);
  return lines[0];
}

/** The report of a refused run: nothing acknowledged, each failure counted once, never more than were sent. */
function assertRefusedReport(stdout: string, kind: string): StormReport {
  const report = JSON.parse(stdout) as StormReport;
  assert.equal(report.acknowledged, 0);
  assert.ok(report.failed > 0 && report.failed <= report.sent, `failed ${report.failed}, sent ${report.sent}`);
  assert.equal(report.failedByKind[kind], report.failed, JSON.stringify(report.failedByKind));
  return report;
}

test('no ACL at all: the topic it may neither see nor create is refused in one line, exit 5', async () => {
  const hidden = uniqueTopic('acl-hidden');
  await createTopic(hidden, 3, 3);
  const r = await limitedStorm(hidden);
  assert.equal(r.code, 5, r.stderr);
  const line = oneLine(r.stderr);
  assert.match(line, new RegExp(`may not see topic '${hidden}' nor create it .*Describe and Write on it`));
  assert.ok(r.seconds < 20, `refused after ${r.seconds} s`);
});

test('Describe without Write: the idempotent producer is refused (exit 5, one line, the report out)', async () => {
  const topic = uniqueTopic('acl-describe');
  await createTopic(topic, 3, 3);
  await allow('Describe', topic);
  const r = await limitedStorm(topic);
  assert.equal(r.code, 5, r.stderr);
  // Kafka lets an idempotent producer start when its principal may Write on any topic (KIP-679): a principal that
  // writes nowhere is refused at the start, one that writes elsewhere at its first write here.
  const refusal = /CLUSTER_AUTHORIZATION_FAILED.*Write on topic .*--idempotence false|may not write .*TOPIC_AUTH/;
  assert.match(oneLine(r.stderr), refusal);
  const report = JSON.parse(r.stdout) as StormReport;
  assert.equal(report.acknowledged, 0);
  assert.ok(report.failed <= report.sent, `failed ${report.failed}, sent ${report.sent}`);
  assert.ok(r.seconds < 20, `refused after ${r.seconds} s`);

  // Without idempotence the writes themselves are refused: every failure is the ACL's, counted once.
  const plain = await limitedStorm(topic, ['--idempotence', 'false']);
  assert.equal(plain.code, 5, plain.stderr);
  assert.match(oneLine(plain.stderr), /may not write to topic .*TOPIC_AUTHORIZATION_FAILED.*--operation Write/);
  assertRefusedReport(plain.stdout, 'TOPIC_AUTHORIZATION_FAILED');
  assert.equal((await topicMessageCount(bootstrap(), topic)).total, 0);

  // Granted Write, the same storm lands its exact count.
  await allow('Write', topic);
  const granted = await limitedStorm(topic);
  assert.equal(granted.code, 0, granted.stderr);
  assert.equal((JSON.parse(granted.stdout) as StormReport).acknowledged, 20_000);
  assert.equal((await topicMessageCount(bootstrap(), topic)).total, 20_000);
});

test("a quota holds the storm back: said live and in the report's throttle time; the count exact", async () => {
  const topic = uniqueTopic('quota');
  await createTopic(topic, 3, 3);
  await allow('Write', topic);
  const quota = (change: string[]) =>
    run('bash', [
      CLUSTER,
      'tool',
      'org.apache.kafka.tools.ConfigCommand',
      '--bootstrap-server',
      bootstrap(),
      '--alter',
      '--entity-type',
      'users',
      '--entity-name',
      'limited',
      ...change,
    ]);
  // Kafka measures a new client's rate over its whole quota window (11 s): 3.8 MB uncompressed is well above 64 KB/s.
  const set = await quota(['--add-config', 'producer_byte_rate=65536']);
  assert.equal(set.code, 0, set.stderr);
  try {
    const r = await limitedStorm(topic, ['--compression', 'none']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as StormReport;
    assert.equal(report.acknowledged, 20_000);
    assert.ok(report.throttledMs > 0, `throttled ${report.throttledMs} ms`);
    assert.ok(
      report.notes.some((n) => /^brokers throttled the producers, asking [\d,]+ ms .*producer_byte_rate/.test(n)),
    );
    assert.match(r.stderr, /^datastorm: warn: brokers throttle the producers: a quota \(producer_byte_rate/m);
  } finally {
    await quota(['--delete-config', 'producer_byte_rate']);
  }
});
