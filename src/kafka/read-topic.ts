/** Reads a whole topic from the beginning with an assigned (group-less) consumer; stops at the end offsets seen at start. */
import Kafka from 'node-rdkafka';
import { topicMessageCount } from './admin.js';

export interface ReadOptions {
  bootstrap: string;
  topic: string;
  /** Called for every message; keep it cheap. */
  onMessage: (value: Buffer, partition: number, offset: number, timestamp: number | undefined) => void;
  /** Give up after this long without progress (ms). */
  idleTimeoutMs?: number;
}

export async function readTopic(o: ReadOptions): Promise<number> {
  const { perPartition } = await topicMessageCount(o.bootstrap, o.topic);
  const consumer = new Kafka.KafkaConsumer(
    {
      'metadata.broker.list': o.bootstrap,
      'group.id': `datastorm-reader-${process.pid}-${Date.now()}`,
      'enable.auto.commit': false,
      'fetch.max.bytes': 67108864,
      'max.partition.fetch.bytes': 20971520,
      'socket.connection.setup.timeout.ms': 5000,
    },
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise<void>((resolve, reject) => consumer.connect({ timeout: 10_000 }, (e) => (e ? reject(e) : resolve())));
  const lows = await Promise.all(
    perPartition.map(
      (_, i) =>
        new Promise<number>((resolve, reject) =>
          consumer.queryWatermarkOffsets(o.topic, i, 10_000, (e, w) => (e ? reject(e) : resolve(w.lowOffset))),
        ),
    ),
  );
  const remaining = perPartition.slice();
  let left = remaining.reduce((a, b) => a + b, 0);
  const expected = left;
  consumer.assign(perPartition.map((_, i) => ({ topic: o.topic, partition: i, offset: lows[i] })));
  let lastProgress = Date.now();
  try {
    while (left > 0) {
      const batch = await new Promise<Kafka.Message[]>((resolve, reject) =>
        consumer.consume(10_000, (e, m) => (e ? reject(e) : resolve(m))),
      );
      if (batch.length === 0) {
        if (Date.now() - lastProgress > (o.idleTimeoutMs ?? 30_000)) break;
        continue;
      }
      lastProgress = Date.now();
      for (const m of batch) {
        if (remaining[m.partition] > 0) {
          remaining[m.partition]--;
          left--;
          if (m.value) o.onMessage(m.value, m.partition, m.offset, m.timestamp);
        }
      }
    }
  } finally {
    await new Promise<void>((r) => consumer.disconnect(() => r()));
  }
  return expected - left;
}
