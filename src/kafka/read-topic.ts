/**
 * Reads a whole topic from the beginning with an assigned (group-less) native batch consumer; stops at the end offsets
 * seen at start. Messages are handed over as a range of one batch buffer: no object or Buffer per message. A read
 * that cannot finish (the topic deleted under it, no progress for the idle timeout) ends early and says why: a caller
 * must not take a partial read for the whole topic.
 */
import { describeTopic, topicMessageCount } from './admin.js';
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

export interface ReadResult {
  /** Messages handed to onMessage. */
  read: number;
  /** The messages the topic held at the start (end minus start offsets). */
  expected: number;
  /** Why the read ended before `expected` (undefined: it read them all). */
  cutShort?: string;
}

/** librdkafka's answers for a topic that is gone. */
const TOPIC_GONE = /UNKNOWN_TOPIC/;
/**
 * librdkafka mostly retries a fetch from a deleted topic without a word: after this long without a message the read
 * asks the cluster whether the topic still exists (and again every as long).
 */
const GONE_CHECK_MS = 2000;

export async function readTopic(o: ReadOptions): Promise<ReadResult> {
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
  );
  try {
    await consumer.connect(o.bootstrap);
    const lows = await Promise.all(perPartition.map(async (_, i) => (await consumer.watermarks(i)).low));
    const remaining = perPartition.slice();
    let left = remaining.reduce((a, b) => a + b, 0);
    const expected = left;
    consumer.assign(
      perPartition.map((_, i) => i),
      lows,
    );
    let lastProgress = Date.now();
    let cutShort: string | undefined;
    let lastChecked = 0;
    while (left > 0) {
      const b = await consumer.consume(READ_BATCH, 1000);
      const gone = b.errors.find((e) => TOPIC_GONE.test(e));
      if (gone) {
        cutShort = `the topic went away while it was read (${gone})`;
        break;
      }
      if (b.count === 0) {
        const idleMs = o.idleTimeoutMs ?? 30_000;
        if (Date.now() - lastChecked > GONE_CHECK_MS && Date.now() - lastProgress > GONE_CHECK_MS) {
          lastChecked = Date.now();
          if (!(await describeTopic({ bootstrap: o.bootstrap, client: o.client }, o.topic))) {
            cutShort = 'the topic was deleted while it was read';
            break;
          }
        }
        if (Date.now() - lastProgress > idleMs) {
          cutShort = `nothing came for ${idleMs / 1000} s${b.errors.length ? ` (${b.errors.at(-1)})` : ''}`;
          break;
        }
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
    return { read: expected - left, expected, ...(left > 0 ? { cutShort } : {}) };
  } finally {
    consumer.close();
  }
}
