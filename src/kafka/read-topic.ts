/**
 * Reads a whole topic from the beginning with an assigned (group-less) native batch consumer; stops at the end offsets
 * seen at start. Messages are handed over as a range of one batch buffer: no object or Buffer per message.
 */
import { topicMessageCount } from './admin.js';
import { BatchConsumer } from './native/batch-consumer.js';

/** Messages per consume call: a few MB of tweets. */
const READ_BATCH = 20_000;

export interface ReadOptions {
  bootstrap: string;
  /** The user's client settings (TLS, SASL, …). */
  client?: Record<string, string>;
  topic: string;
  /**
   * Called for every message: its value is values[start..end), its key keys[keyStart..keyEnd) (empty when none).
   * Keep it cheap; copy what you keep.
   */
  onMessage: (
    values: Buffer,
    start: number,
    end: number,
    partition: number,
    offset: number,
    timestamp: number,
    keys: Buffer,
    keyStart: number,
    keyEnd: number,
  ) => void;
  /** Give up after this long without progress (ms). */
  idleTimeoutMs?: number;
}

export async function readTopic(o: ReadOptions): Promise<number> {
  const { perPartition } = await topicMessageCount({ bootstrap: o.bootstrap, client: o.client }, o.topic);
  const consumer = new BatchConsumer(
    {
      ...o.client,
      'metadata.broker.list': o.bootstrap,
      'group.id': `datastorm-reader-${process.pid}-${Date.now()}`,
      'enable.auto.commit': false,
      'socket.connection.setup.timeout.ms': 5000,
      'auto.offset.reset': 'earliest',
    },
    o.topic,
  ).connect(o.bootstrap);
  try {
    const lows = perPartition.map((_, i) => consumer.watermarks(i).low);
    const remaining = perPartition.slice();
    let left = remaining.reduce((a, b) => a + b, 0);
    const expected = left;
    consumer.assign(
      perPartition.map((_, i) => i),
      lows,
    );
    let lastProgress = Date.now();
    while (left > 0) {
      const b = await consumer.consume(READ_BATCH, 1000);
      if (b.count === 0) {
        if (Date.now() - lastProgress > (o.idleTimeoutMs ?? 30_000)) break;
        continue;
      }
      lastProgress = Date.now();
      let start = 0;
      let keyStart = 0;
      for (let i = 0; i < b.count; i++) {
        const end = b.ends[i];
        const keyEnd = b.keyEnds[i];
        const p = b.partitions[i];
        if (remaining[p] > 0) {
          remaining[p]--;
          left--;
          o.onMessage(b.values, start, end, p, b.offsets[i], b.timestamps[i], b.keys, keyStart, keyEnd);
        }
        start = end;
        keyStart = keyEnd;
      }
    }
    return expected - left;
  } finally {
    consumer.close();
  }
}
