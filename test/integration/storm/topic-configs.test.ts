/**
 * Topics as their owners configured them, drawn: a cleanup policy, a max.message.bytes, a min.insync.replicas (above
 * the replication factor too), a principal with some of the ACLs it needs, keys or none, idempotence or none. Each
 * storm either lands its exact count in the topic, or, when the drawn topic refuses what it writes, stops with exit 5,
 * one line naming a refusal that applies, and a report whose failures are each counted once and never more than were
 * sent. Which refusals apply is known from the draw; which one the cluster meets first is not asked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { topicMessageCount } from '../../../src/kafka/admin.js';
import type { StormReport } from '../../../src/report/storm-report.js';
import { allowLimited, limitedConfig } from '../../helpers/acl.js';
import { fuzzSettings, reportFuzz } from '../../helpers/fuzz.js';
import { bootstrap, kafkaConfig, redisUrl, run, uniqueTopic } from '../../helpers/services.js';
import { CLI } from '../../helpers/storm-cli.js';
import { createTopic } from '../../helpers/topic-admin.js';

interface TopicCase {
  policy: 'delete' | 'compact' | 'compact,delete';
  /** Far above a batch, or below any batch of tweets. */
  maxMessageBytes: 20_971_520 | 2048;
  minInsync: 1 | 2 | 3 | 4;
  /** The principal: the super user, or `limited` with these ACLs on the topic. */
  acls: 'all' | 'none' | 'describe' | 'describe+write';
  keys: boolean;
  idempotence: boolean;
}

/** One of the values, the first `weight` times as likely as each other: most drawn topics take the storm. */
const mostly = <T>(usual: T, weight: number, ...others: T[]) =>
  fc.oneof({ arbitrary: fc.constant(usual), weight }, ...others.map((o) => ({ arbitrary: fc.constant(o), weight: 1 })));

const topicCase: fc.Arbitrary<TopicCase> = fc.record({
  policy: mostly<TopicCase['policy']>('delete', 2, 'compact', 'compact,delete'),
  maxMessageBytes: mostly<TopicCase['maxMessageBytes']>(20_971_520, 4, 2048),
  minInsync: fc.constantFrom(1, 2, 3, 4),
  acls: mostly<TopicCase['acls']>('all', 3, 'none', 'describe', 'describe+write'),
  keys: fc.boolean(),
  idempotence: fc.boolean(),
});

const COUNT = 5000;

/** The lines a refusal that applies to the case may end the storm with. */
function refusals(c: TopicCase): RegExp[] {
  if (c.acls === 'none') return [/may not see topic .* nor create it/];
  const found: RegExp[] = [];
  if (c.acls === 'describe')
    found.push(/may not write to topic .*TOPIC_AUTHORIZATION_FAILED/, /CLUSTER_AUTHORIZATION_FAILED/);
  if (c.maxMessageBytes === 2048) found.push(/refused a batch as too large.*max\.message\.bytes/);
  if (c.policy !== 'delete' && !c.keys) found.push(/INVALID_RECORD.*cleanup\.policy=compact/);
  return found;
}

async function stormOn(topic: string, c: TopicCase) {
  const config = c.acls === 'all' ? kafkaConfig() : limitedConfig();
  const args = [CLI, 'storm', '--kafka-config', config, '--redis', redisUrl(), '--topic', topic];
  const options = ['--count', String(COUNT), '--idempotence', String(c.idempotence), '--json', '--quiet', '--no-save'];
  return run(process.execPath, [...args, ...options, ...(c.keys ? ['--keys', 'uniform:1000'] : [])]);
}

async function prepare(topic: string, c: TopicCase): Promise<void> {
  const settings = [`cleanup.policy=${c.policy}`, `max.message.bytes=${c.maxMessageBytes}`];
  await createTopic(topic, 3, 3, [...settings, `min.insync.replicas=${c.minInsync}`]);
  if (c.acls === 'describe' || c.acls === 'describe+write') await allowLimited('Describe', topic);
  if (c.acls === 'describe+write') await allowLimited('Write', topic);
}

test('drawn topic settings and permissions: the exact count, or exit 5 with a refusal that applies', async () => {
  const { seed, runs } = fuzzSettings(4);
  const cases = fc.sample(topicCase, { seed, numRuns: runs });
  const outcomes: Record<string, number> = {};
  for (const c of cases) {
    const topic = uniqueTopic('drawn');
    await prepare(topic, c);
    const r = await stormOn(topic, c);
    const expected = refusals(c);
    const what = `${JSON.stringify(c)}: exit ${r.code}, ${r.stderr}`;
    if (expected.length === 0) {
      assert.equal(r.code, 0, what);
      assert.equal((JSON.parse(r.stdout) as StormReport).acknowledged, COUNT, what);
      assert.equal((await topicMessageCount(bootstrap(), topic)).total, COUNT, what);
      outcomes.landed = (outcomes.landed ?? 0) + 1;
      continue;
    }
    assert.equal(r.code, 5, what);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, what);
    assert.ok(
      expected.some((e) => e.test(lines[0])),
      what,
    );
    if (r.stdout.trim()) {
      const report = JSON.parse(r.stdout) as StormReport;
      assert.ok(report.failed <= report.sent, what);
      assert.ok((report.acknowledged ?? 0) + report.failed + report.unresolved <= report.sent, what);
    }
    outcomes.refused = (outcomes.refused ?? 0) + 1;
  }
  reportFuzz('topic settings and permissions', cases.length, JSON.stringify(outcomes));
});
