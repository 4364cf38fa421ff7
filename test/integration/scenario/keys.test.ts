/**
 * Skewed keys, read back from the topic: zipf with s=1.2 over 1,000 keys puts its expected share (±2 points) on the
 * top key; the report's per-partition counts are the topic's own and its skew figure follows from them; verify finds
 * every key in one partition and in order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeTweet, loadTweetType } from '../../../src/generate/tweet-encoder.js';
import { topicMessageCount } from '../../../src/kafka/admin.js';
import { readTopic } from '../../../src/kafka/read-topic.js';
import { keyShares, keyText, parseKeys } from '../../../src/scenario/keys.js';
import { bootstrap, uniqueTopic } from '../../helpers/services.js';
import { stormJson, verifyJson } from '../../helpers/storm-cli.js';

const COUNT = 200_000;

test('zipf:1000:1.2 keys: the top key gets its share, partitions skew as reported, order per key holds', async () => {
  const topic = uniqueTopic('zipf');
  const { report } = await stormJson(['--topic', topic, '--count', String(COUNT), '--keys', 'zipf:1000:1.2']);
  const byKey = new Map<string, number>();
  const type = loadTweetType();
  let handleIsKey = 0;
  await readTopic({
    bootstrap: bootstrap(),
    topic,
    onMessage: (values, start, end, _p, _o, _t, keys, ks, ke) => {
      const k = keys.toString('latin1', ks, ke);
      byKey.set(k, (byKey.get(k) ?? 0) + 1);
      if (decodeTweet(type, values.subarray(start, end)).handle === k) handleIsKey++;
    },
  });
  assert.equal(handleIsKey, COUNT, "every tweet's user is its key");
  const spec = parseKeys('zipf:1000:1.2').keys;
  assert.ok(spec);
  const expected = keyShares(spec)[0];
  const top = [...byKey.entries()].sort((a, b) => b[1] - a[1])[0];
  assert.equal(top[0], keyText(0), 'the top key is the first rank');
  const share = top[1] / COUNT;
  assert.ok(Math.abs(share - expected) <= 0.02, `top key share ${share}, zipf expects ${expected} (±2 points)`);
  assert.ok(byKey.size <= 1000 && byKey.size > 300, `${byKey.size} distinct keys`);

  // The report's per-partition counts are the topic's, and the skew is the busiest over the mean.
  const { perPartition, total } = await topicMessageCount(bootstrap(), topic);
  assert.equal(total, COUNT);
  assert.deepEqual(report.partitions.acknowledged, perPartition);
  const mean = COUNT / perPartition.length;
  assert.equal(report.partitions.skew, Math.round((Math.max(...perPartition) / mean) * 100) / 100);
  assert.ok((report.partitions.skew ?? 0) > 1.5, `a top key of ${Math.round(expected * 100)}% skews partitions`);

  const v = await verifyJson(topic);
  assert.equal(v.code, 0);
  assert.ok(v.report.keys, 'verify saw the keys');
  assert.equal(v.report.keys.keyedMessages, COUNT);
  assert.equal(v.report.keys.keysInSeveralPartitions, 0);
  assert.equal(v.report.keys.outOfOrder, 0);
  assert.equal(v.report.keys.keys, byKey.size);
});
