/**
 * What an operator does to a topic for a test: makes it with settings of their own, gives it more partitions.
 * (Deleting: src/kafka/admin.ts.)
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import Kafka from 'node-rdkafka';
import { bootstrap, ROOT, run } from './services.js';

/** Creates a topic with Kafka's own tool (as a super user), with topic settings given as key=value. */
export async function createTopic(topic: string, partitions: number, replication: number, config: string[] = []) {
  const r = await run('bash', [
    ...[path.join(ROOT, 'kafka-cluster/cluster.sh'), 'topic', '--create', '--topic', topic],
    ...['--partitions', String(partitions), '--replication-factor', String(replication)],
    ...config.flatMap((c) => ['--config', c]),
  ]);
  assert.equal(r.code, 0, r.stderr);
}

export async function addPartitions(topic: string, total: number): Promise<void> {
  const admin = Kafka.AdminClient.create({ 'metadata.broker.list': bootstrap() });
  try {
    await new Promise<void>((resolve, reject) =>
      admin.createPartitions(topic, total, 15_000, (err) => (err ? reject(err) : resolve())),
    );
  } finally {
    admin.disconnect();
  }
}
