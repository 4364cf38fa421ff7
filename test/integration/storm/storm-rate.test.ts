/** --rate is an open-loop global target: it holds within 5% over 10 s, also when two storm processes share the run. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topicMessageCount } from '../../../src/kafka/admin.js';
import { bootstrap, uniqueTopic } from '../../helpers/services.js';
import { stormJson, verifyJson } from '../../helpers/storm-cli.js';

const RATE = 20_000;
const SECONDS = 10;
const within5 = (x: number, want: number) => Math.abs(x - want) / want <= 0.05;

test('--rate 20000 for 10 s lands 200,000 +/- 5%', async () => {
  const topic = uniqueTopic('rate');
  const { report } = await stormJson(['--topic', topic, '--rate', String(RATE), '--duration', String(SECONDS)]);
  const want = RATE * SECONDS;
  assert.ok(within5(report.acknowledged ?? 0, want), `acknowledged ${report.acknowledged}, want ${want} +/- 5%`);
  assert.equal((await topicMessageCount(bootstrap(), topic)).total, report.acknowledged);
});

test('two storm processes with one --run-id share the global rate and counters', async () => {
  const topic = uniqueTopic('rate2');
  const runId = `shared-${Date.now()}`;
  const args = [
    '--topic',
    topic,
    '--rate',
    String(RATE),
    '--duration',
    String(SECONDS),
    '--run-id',
    runId,
    '--workers',
    '1',
  ];
  const [a, b] = await Promise.all([stormJson(args), stormJson(args)]);
  const total = (a.report.acknowledged ?? 0) + (b.report.acknowledged ?? 0);
  const want = RATE * SECONDS;
  assert.ok(
    within5(total, want),
    `together ${total}, want ${want} +/- 5% (a ${a.report.acknowledged}, b ${b.report.acknowledged})`,
  );
  assert.ok(
    (a.report.acknowledged ?? 0) > want * 0.3 && (b.report.acknowledged ?? 0) > want * 0.3,
    'both took a share',
  );
  // Whichever finished last read the global counters after both were done, or nearly: the larger view is the whole run.
  const global = Math.max(a.report.global?.acknowledged ?? 0, b.report.global?.acknowledged ?? 0);
  assert.equal(global, total);
  assert.equal((await topicMessageCount(bootstrap(), topic)).total, total);
  // Each process's producers are its own: no id, sequence or lease of one is taken for the other's.
  const { report: r, code } = await verifyJson(topic, runId);
  assert.equal(code, 0);
  assert.equal(r.producers.length, 2);
  assert.equal(r.received, total);
  assert.equal(r.duplicated, 0);
  assert.equal(r.lost, 0);
});
