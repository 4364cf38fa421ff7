/**
 * The cluster changing the topic under a run (issue: hostile input, the cluster under a run): deleted while a storm
 * writes or pulse reads it, each ends within seconds with one line naming the topic, exit 5, and the storm's report
 * still out; given more partitions, both say so and take the new ones in: the storm writes to them, pulse counts
 * every tweet of every partition, exactly.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deleteTopic, topicMessageCount } from '../../../src/kafka/admin.js';
import type { PulseReport } from '../../../src/report/pulse-report.js';
import type { StormReport } from '../../../src/report/storm-report.js';
import { untilAcknowledged } from '../../helpers/progress.js';
import { pulseArgs } from '../../helpers/pulse-cli.js';
import {
  bootstrap,
  freshBucket,
  influxToken,
  redisUrl,
  run,
  sentimentTotals,
  uniqueTopic,
} from '../../helpers/services.js';
import { spawnStorm, stormJson } from '../../helpers/storm-cli.js';
import { addPartitions } from '../../helpers/topic-admin.js';

const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('datastorm: error:'));

test('a topic deleted under a storm: it stops within seconds, exit 5, one line naming it, the report out', async () => {
  const topic = uniqueTopic('deleted-storm');
  const runId = `${topic}-run`;
  const storm = spawnStorm(['--topic', topic, '--rate', '20k', '--duration', '60', '--run-id', runId]);
  await untilAcknowledged(redisUrl(), runId, 20_000);
  await deleteTopic(bootstrap(), topic);
  const deletedAt = Date.now();
  const { code, stdout, stderr } = await storm.exited;
  const tookMs = Date.now() - deletedAt;
  assert.equal(code, 5, stderr);
  assert.ok(tookMs < 20_000, `ended ${tookMs} ms after the deletion`);
  const lines = errorLines(stderr);
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0], new RegExp(`topic '${topic}' was deleted while the storm wrote to it`));
  const report = JSON.parse(stdout) as StormReport;
  assert.ok((report.acknowledged ?? 0) >= 20_000, `acknowledged ${report.acknowledged}`);
  assert.equal(report.error?.code, 'TOPIC');
});

test('partitions added under a storm: it says so and writes to the new ones; the topic holds its count', async () => {
  const topic = uniqueTopic('grown-storm');
  const runId = `${topic}-run`;
  const storm = spawnStorm([
    ...['--topic', topic, '--partitions', '2', '--rate', '20k', '--duration', '14', '--run-id', runId],
  ]);
  await untilAcknowledged(redisUrl(), runId, 20_000);
  await addPartitions(topic, 4);
  const { code, stdout, stderr } = await storm.exited;
  assert.equal(code, 0, stderr);
  assert.match(stderr, new RegExp(`topic '${topic}' grew from 2 to 4 partitions mid-run`));
  const report = JSON.parse(stdout) as StormReport;
  const perPartition = report.partitions.acknowledged;
  assert.equal(perPartition.length, 4, `acknowledged per partition ${perPartition.join(', ')}`);
  assert.ok(perPartition[2] > 0 && perPartition[3] > 0, `the new partitions written: ${perPartition.join(', ')}`);
  assert.equal((await topicMessageCount(bootstrap(), topic)).total, report.acknowledged);
});

test('partitions added under pulse: it says so, reads them too, and the sums are exact', async () => {
  const topic = uniqueTopic('grown-pulse');
  await stormJson(['--topic', topic, '--partitions', '2', '--count', '20000']);
  const bucket = await freshBucket('grown');
  const pulse = run(
    process.execPath,
    pulseArgs(topic, bucket, ['--until-idle', '8', '--store', 'counts', '--influx-token', influxToken()]),
  );
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await addPartitions(topic, 4);
  // A storm on the grown topic writes to all 4 partitions (an existing topic is taken as it is): each producer sends
  // its keyless batches to them in turn, and 15 batches reach every one.
  const more = await stormJson(['--topic', topic, '--count', '30000', '--batch-size', '2000']);
  assert.ok(more.report.partitions.acknowledged.length === 4);
  const r = await pulse;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`topic '${topic}' grew from 2 to 4 partitions mid-run`));
  const report = JSON.parse(r.stdout) as PulseReport;
  assert.ok(report.consumed >= 50_000, `consumed ${report.consumed}`);
  assert.deepEqual(await sentimentTotals(bucket), { positive: 25_000, negative: 15_000, neutral: 10_000 });
});

test('a topic deleted under pulse: it stops within seconds, exit 5, one line naming it', async () => {
  const topic = uniqueTopic('deleted-pulse');
  await stormJson(['--topic', topic, '--count', '20000']);
  const bucket = await freshBucket('deleted');
  const pulse = run(
    process.execPath,
    pulseArgs(topic, bucket, ['--until-idle', '60', '--influx-token', influxToken()]),
  );
  await new Promise((resolve) => setTimeout(resolve, 5000));
  await deleteTopic(bootstrap(), topic);
  const deletedAt = Date.now();
  const r = await pulse;
  const tookMs = Date.now() - deletedAt;
  assert.equal(r.code, 5, r.stderr);
  assert.ok(tookMs < 20_000, `ended ${tookMs} ms after the deletion`);
  const lines = errorLines(r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], new RegExp(`topic '${topic}' was deleted while pulse read it: stopped after \\d+ tweets`));
});
