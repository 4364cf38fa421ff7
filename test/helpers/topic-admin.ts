/** What an operator does to a topic under a running test: more partitions. (Deleting: src/kafka/admin.ts.) */
import Kafka from 'node-rdkafka';
import { bootstrap } from './services.js';

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
