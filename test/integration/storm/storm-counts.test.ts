/**
 * The storm's numbers are true: the report, Redis' global counters and the topic's offsets agree, and fixed mixes are
 * exact when read back.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { decodeTweet, loadTweetType } from '../../../src/generate/tweet-encoder.js';
import { topicMessageCount } from '../../../src/kafka/admin.js';
import { readTopic } from '../../../src/kafka/read-topic.js';
import type { StormReport } from '../../../src/report/storm-report.js';
import { bootstrap, ROOT, run, uniqueTopic } from '../../helpers/services.js';
import { stormArgs, stormJson } from '../../helpers/storm-cli.js';

test('an exact --count lands in the topic: report = Redis counters = sum of partition end offsets', async () => {
  const topic = uniqueTopic('exact');
  const { report } = await stormJson(['--topic', topic, '--count', '300000', '--partitions', '6']);
  assert.equal(report.acknowledged, 300_000);
  assert.equal(report.failed, 0);
  assert.equal(report.global?.acknowledged, 300_000);
  assert.equal(report.global?.issued, 300_000);
  const offsets = await topicMessageCount(bootstrap(), topic);
  assert.equal(offsets.total, 300_000);
  assert.ok(report.latencyMs && report.latencyMs.samples === 300_000, 'a latency sample per acknowledged message');
  assert.ok(report.latencyMs.p50 <= report.latencyMs.p99 && report.latencyMs.p99 <= report.latencyMs.max);
  // Every latency was measured within the run: none can exceed it (start-up included, when nothing was produced yet).
  assert.ok(
    report.latencyMs.max < (report.elapsedSec + report.startupSec) * 1000,
    `max ${report.latencyMs.max} ms within ${report.elapsedSec} s`,
  );
  assert.ok(report.latencyMs.p50 >= 1);
  // The timeline adds up: its per-second rates over their seconds give the acknowledged count, within the rounding of
  // its times to 0.1 s (the first and last seconds are partial).
  let prev = 0,
    sum = 0,
    slack = 0;
  for (const [t, rate] of report.timeline) {
    sum += rate * (t - prev);
    slack += rate * 0.1;
    prev = t;
  }
  assert.ok(
    Math.abs(sum - 300_000) <= slack + 1000,
    `timeline sums to ${Math.round(sum)} (slack ${Math.round(slack)})`,
  );
  assert.ok(report.rate.peak >= report.rate.average * 0.5, 'the peak is a whole-second rate, not an artefact');
  assert.equal(report.settings.replication, 3);
});

test('keyless batches go to the partitions in turn; a user who sets how keyless go gets it', async () => {
  const spread = uniqueTopic('spread');
  const N = 60_001;
  const { report } = await stormJson([
    '--topic',
    spread,
    '--count',
    String(N),
    '--partitions',
    '6',
    '--batch-size',
    '999',
  ]);
  assert.equal(report.acknowledged, N);
  const held = await topicMessageCount(bootstrap(), spread);
  assert.equal(held.total, N);
  // Each producer sends its batches to the partitions in turn: every partition holds a sixth, within a batch a
  // producer.
  for (const n of held.perPartition) assert.ok(Math.abs(n - N / 6) <= 2 * 999, `per partition: ${held.perPartition}`);
  assert.deepEqual(report.partitions.acknowledged, held.perPartition);
  // librdkafka's own partitioning, as the user set it (no sticking: a random partition per message), counts the same.
  const own = uniqueTopic('own-partitioner');
  const x = ['-X', 'sticky.partitioning.linger.ms=0', '-X', 'partitioner=random'];
  const mine = await stormJson(['--topic', own, '--count', String(N), '--partitions', '6', ...x]);
  assert.equal(mine.report.acknowledged, N);
  const ownHeld = await topicMessageCount(bootstrap(), own);
  assert.equal(ownHeld.total, N);
  assert.ok(
    ownHeld.perPartition.every((n) => n > 0),
    `per partition: ${ownHeld.perPartition}`,
  );
});

test(
  'fixed 50/30/20 is exact when the topic is read back; every producer sequence is complete, no ' + 'duplicates',
  async () => {
    const topic = uniqueTopic('fixed');
    const N = 123_457; // not a multiple of the batch size: the last batch is partial
    const { report } = await stormJson([
      '--topic',
      topic,
      '--count',
      String(N),
      '--mode',
      'fixed',
      '--sentiment',
      '50,30,20',
      '--batch-size',
      '5000',
    ]);
    assert.equal(report.acknowledged, N);
    const type = loadTweetType();
    const counts: Record<string, number> = { positive: 0, negative: 0, neutral: 0 };
    const seqs = new Map<string, Set<number>>();
    const ids = new Set<number>();
    let brandless = 0;
    await readTopic({
      bootstrap: bootstrap(),
      topic,
      onMessage: (b, from, to) => {
        const t = decodeTweet(type, b.subarray(from, to));
        counts[t.sentiment]++;
        ids.add(t.id);
        if (!t.brand || !t.text.includes(t.product)) brandless++;
        let s = seqs.get(t.producer_id);
        if (!s) {
          s = new Set();
          seqs.set(t.producer_id, s);
        }
        s.add(t.seq);
      },
    });
    // Largest remainder of N over the run: 61728.5 / 37037.1 / 24691.4 -> 61729 / 37037 / 24691
    assert.deepEqual(counts, { positive: 61_729, negative: 37_037, neutral: 24_691 });
    assert.equal(ids.size, N, 'tweet ids are unique');
    assert.equal(brandless, 0, 'every text names its product');
    let total = 0;
    for (const [pid, s] of seqs) {
      total += s.size;
      assert.equal(Math.max(...s) + 1, s.size, `${pid}: sequence 0..n-1 without gaps`);
    }
    assert.equal(total, N);
    assert.deepEqual(report.sentiment?.counts, counts);
  },
);

test('volatile --swing-every batch spreads hard at 0.8 and little at 0.1 (per-batch positive share)', async () => {
  const wild = (
    await stormJson([
      '--topic',
      uniqueTopic('vol8'),
      '--count',
      '240000',
      '--batch-size',
      '2000',
      '--mode',
      'volatile',
      '--volatility',
      '0.8',
      '--swing-every',
      'batch',
    ])
  ).report;
  const calm = (
    await stormJson([
      '--topic',
      uniqueTopic('vol1'),
      '--count',
      '240000',
      '--batch-size',
      '2000',
      '--mode',
      'volatile',
      '--volatility',
      '0.1',
      '--swing-every',
      'batch',
    ])
  ).report;
  assert.equal(wild.acknowledged, 240_000);
  assert.equal(wild.sentiment?.batches, 120);
  assert.ok(
    (wild.sentiment?.batchPositiveShareStd ?? 0) > 0.12,
    `std at 0.8: ${wild.sentiment?.batchPositiveShareStd}`,
  );
  assert.ok(
    (calm.sentiment?.batchPositiveShareStd ?? 1) < 0.03,
    `std at 0.1: ${calm.sentiment?.batchPositiveShareStd}`,
  );
  // However wild the batches, the run's mix is the requested 50/30/20 within a point.
  const s = wild.sentiment?.shares;
  assert.ok(
    Math.abs(s.positive - 50) < 1 && Math.abs(s.negative - 30) < 1 && Math.abs(s.neutral - 20) < 1,
    JSON.stringify(s),
  );
});

test('acks=0: the report does not claim acknowledgements', async () => {
  const { report } = await stormJson(['--topic', uniqueTopic('acks0'), '--count', '20000', '--acks', '0']);
  assert.equal(report.acknowledged, null);
  assert.equal(report.sent, 20_000);
  assert.equal(report.latencyMs, null);
  assert.ok(report.notes.some((n) => n.includes('acks=0')));
});

test(
  'failures by kind, through the native producer: a topic refusing the batches ends the run with exit 5 and a ' +
    'true report',
  async () => {
    const topic = uniqueTopic('too-large');
    const created = await run('bash', [
      path.join(ROOT, 'kafka-cluster/cluster.sh'),
      'topic',
      '--create',
      '--topic',
      topic,
      '--partitions',
      '1',
      '--replication-factor',
      '1',
      '--config',
      'max.message.bytes=2000',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const r = await run(process.execPath, stormArgs(['--topic', topic, '--count', '100000']), {}, 120_000);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /refused a batch as too large/);
    const report = JSON.parse(r.stdout) as StormReport;
    assert.ok((report.failedByKind.MSG_SIZE_TOO_LARGE ?? 0) > 0, JSON.stringify(report.failedByKind));
    assert.equal(
      report.failed,
      Object.values(report.failedByKind).reduce((a, b) => a + b, 0),
    );
    assert.equal(
      report.acknowledged,
      (await topicMessageCount(bootstrap(), topic)).total,
      'acknowledged = what the topic holds',
    );
    assert.equal(report.error?.code, 'TOPIC');
  },
);
