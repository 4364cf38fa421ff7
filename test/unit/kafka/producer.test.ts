/**
 * A storm producer's librdkafka settings: the user's own taken as given (DataStorm's own are refused in client-config),
 * and whether keyless batches are spread by DataStorm or partitioned by librdkafka as the user set.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { producerConfig, spreadKeylessFor } from '../../../src/kafka/producer.js';

const settings = (client: Record<string, string>) => ({
  bootstrap: '127.0.0.1:9092',
  compression: 'lz4',
  batchBytes: 1 << 20,
  lingerMs: 5,
  acks: 'all' as const,
  idempotence: true,
  client,
});

test("the user's partitioner wins over DataStorm's murmur2_random; DataStorm's own settings win", () => {
  assert.equal(producerConfig(settings({}), 'c').partitioner, 'murmur2_random');
  const mine = producerConfig(settings({ partitioner: 'consistent', 'security.protocol': 'ssl' }), 'c');
  assert.equal(mine.partitioner, 'consistent');
  assert.equal(mine['security.protocol'], 'ssl');
  assert.equal(mine['compression.codec'], 'lz4');
});

test('keyless batches are spread by DataStorm unless the user set how keyless messages are partitioned', () => {
  assert.equal(spreadKeylessFor({}), true);
  assert.equal(spreadKeylessFor({ 'security.protocol': 'ssl' }), true);
  assert.equal(spreadKeylessFor({ partitioner: 'random' }), false);
  assert.equal(spreadKeylessFor({ 'sticky.partitioning.linger.ms': '0' }), false);
});
