/**
 * Where a run's readers start and end: the topic's high watermarks before the first message is written (committed as
 * each group's offsets, so its members read what the run writes and nothing older) and after the last.
 */
import { wrapError } from '../errors.js';
import type { KafkaTarget } from '../kafka/admin.js';
import { BatchConsumer } from '../kafka/native/batch-consumer.js';

const clientFor = (cluster: KafkaTarget, extra: Record<string, string> = {}) => ({
  ...cluster.client,
  'metadata.broker.list': cluster.bootstrap,
  'socket.connection.setup.timeout.ms': 5000,
  ...extra,
});

/** Every partition's high watermark, in partition order. */
export async function highWatermarks(cluster: KafkaTarget, topic: string, partitions: number): Promise<number[]> {
  const consumer = await new BatchConsumer(clientFor(cluster, { 'group.id': 'datastorm-watermarks' }), topic).connect(
    cluster.bootstrap,
  );
  try {
    const highs: number[] = [];
    for (let p = 0; p < partitions; p++) highs.push(await highOf(consumer, p));
    return highs;
  } finally {
    consumer.close();
  }
}

/** How long a partition may have no leader (a topic just created, an election) before its watermark is an error. */
const LEADER_WAIT_MS = 15_000;

/** A partition's high watermark, waiting out a partition without a leader yet. */
async function highOf(consumer: BatchConsumer, partition: number): Promise<number> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    try {
      return (await consumer.watermarks(partition)).high;
    } catch (e) {
      const leaderless = /LEADER|UNKNOWN_TOPIC|Not leader|not available/i.test(String((e as Error).message));
      if (!leaderless || Date.now() > deadline)
        throw wrapError('TOPIC', `partition ${partition} of '${consumer.topic}': ${(e as Error).message}`, e);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Commits these offsets (index = partition) as the group's: its members start there. */
export async function commitGroupStart(cluster: KafkaTarget, topic: string, group: string, offsets: number[]) {
  const consumer = await new BatchConsumer(
    clientFor(cluster, { 'group.id': group, 'enable.auto.commit': 'false' }),
    topic,
  ).connect(cluster.bootstrap);
  try {
    await consumer.commit(new Map(offsets.map((o, p) => [p, o])));
  } finally {
    consumer.close();
  }
}
