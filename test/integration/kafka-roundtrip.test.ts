/**
 * The foundation works end to end: a replicated topic on the real cluster, node-rdkafka in and out, every message back.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import Kafka from 'node-rdkafka';
import { deleteTopic, ensureTopic, listBrokers, topicMessageCount } from '../../src/kafka/admin.js';
import { readTopic } from '../../src/kafka/read-topic.js';
import { bootstrap, uniqueTopic } from '../helpers/services.js';

test('the test cluster has 3 registered brokers', async () => {
  const brokers = await listBrokers(bootstrap());
  assert.equal(brokers.length, 3);
});

test('produce to a replicated topic and read every message back, content intact', async () => {
  const topic = uniqueTopic('roundtrip');
  const t = await ensureTopic(bootstrap(), { topic, partitions: 6, replication: 3 });
  assert.equal(t.created, true);
  assert.equal(t.replication, 3);
  assert.equal(t.partitions, 6);

  const N = 5000;
  const producer = new Kafka.Producer({
    'metadata.broker.list': bootstrap(),
    'compression.codec': 'lz4',
    acks: -1,
    dr_cb: true,
    'linger.ms': 5,
  } as Kafka.ProducerGlobalConfig);
  await new Promise<void>((res, rej) => producer.connect({ timeout: 10_000 }, (e) => (e ? rej(e) : res())));
  let acked = 0;
  let failed = 0;
  const done = new Promise<void>((resolve) => {
    producer.on('delivery-report', (err) => {
      if (err) failed++;
      else acked++;
      if (acked + failed === N) resolve();
    });
  });
  producer.setPollInterval(20);
  for (let i = 0; i < N; i++) producer.produce(topic, null, Buffer.from(`message-${i}`), `k${i % 97}`);
  await done;
  await new Promise<void>((r) => producer.disconnect(() => r()));
  assert.equal(failed, 0);
  assert.equal(acked, N);

  const count = await topicMessageCount(bootstrap(), topic);
  assert.equal(count.total, N);
  assert.equal(count.perPartition.length, 6);

  const seen = new Set<string>();
  const read = await readTopic({
    bootstrap: bootstrap(),
    topic,
    onMessage: (b, s, e) => seen.add(b.toString('utf8', s, e)),
  });
  assert.deepEqual(read, { read: N, expected: N });
  assert.equal(seen.size, N);
  for (let i = 0; i < N; i += 499) assert.ok(seen.has(`message-${i}`), `message-${i} came back`);
  await deleteTopic(bootstrap(), topic);
});

test('an unreachable bootstrap is reported within seconds, as KAFKA_UNREACHABLE', async () => {
  const t0 = Date.now();
  await assert.rejects(listBrokers('127.0.0.1:1'), (e: { code?: string }) => e.code === 'KAFKA_UNREACHABLE');
  assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
});
