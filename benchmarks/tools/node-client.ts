/**
 * What a Node.js user would pick instead of node-rdkafka: KafkaJS or @platformatic/kafka, producing the same Avro tweet
 * payload (DataStorm's generator) in batches of 1,000 with up to 8 sends in flight; a send resolves when the brokers
 * acknowledged it. Prints JSON {client, count, seconds, msgsPerSec, compression}.
 *   node dist/benchmarks/tools/node-client.js kafkajs|platformatic BOOTSTRAP TOPIC COUNT ACKS(all|1)
 */
import { FixedPlanner, fillShuffled } from '../../src/generate/mix.js';
import { BRANDS } from '../../src/generate/texts.js';
import { buildPool, encodePrefix, encodeTweet, loadTweetType } from '../../src/generate/tweet-encoder.js';
import { Rng } from '../../src/random.js';

const BATCH = 1000;
const IN_FLIGHT = 8;

/** Batches of encoded tweets (each batch its own buffer: these clients keep references until sent). */
function* batches(count: number): Generator<Buffer[]> {
  const rng = new Rng(99);
  const pool = buildPool(loadTweetType(), rng, Object.keys(BRANDS));
  const prefix = encodePrefix('bench', 'bench/p0.0');
  const planner = new FixedPlanner([50, 30, 20]);
  const order = new Uint8Array(BATCH);
  let seq = 0;
  let cursor = 0;
  while (seq < count) {
    const n = Math.min(BATCH, count - seq);
    fillShuffled(order, planner.counts(n), rng);
    const out = Buffer.allocUnsafe(n * (prefix.length + 30 + pool.maxTail));
    const values: Buffer[] = [];
    let off = 0;
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      cursor = (cursor + 757) & 1023;
      const start = off;
      off = encodeTweet(out, off, prefix, seq, seq, now, pool.tails[order[i]][cursor]);
      values.push(out.subarray(start, off));
      seq++;
    }
    yield values;
  }
}

type Send = (values: Buffer[]) => Promise<unknown>;

async function pump(count: number, send: Send): Promise<number> {
  const t0 = performance.now();
  const inflight = new Set<Promise<unknown>>();
  for (const values of batches(count)) {
    const p: Promise<unknown> = send(values).finally(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= IN_FLIGHT) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  return (performance.now() - t0) / 1000;
}

async function kafkajs(bootstrap: string, topic: string, count: number, acks: number) {
  const { Kafka, logLevel, CompressionTypes } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'bench-kafkajs', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  // KafkaJS ships GZIP only; LZ4 needs a third-party native codec, so it sends uncompressed.
  const seconds = await pump(count, (values) =>
    producer.send({ topic, acks, compression: CompressionTypes.None, messages: values.map((value) => ({ value })) }),
  );
  await producer.disconnect();
  return { seconds, compression: 'none (KafkaJS has no built-in LZ4)' };
}

async function platformatic(bootstrap: string, topic: string, count: number, acks: number) {
  const { Producer } = await import('@platformatic/kafka');
  const producer = new Producer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: bootstrap.split(','),
    acks,
    compression: 'lz4',
  });
  const seconds = await pump(count, (values) => producer.send({ messages: values.map((value) => ({ topic, value })) }));
  await producer.close();
  return { seconds, compression: 'lz4' };
}

const [client, bootstrap, topic, countArg, acksArg] = process.argv.slice(2);
const count = Number(countArg);
const acks = acksArg === 'all' ? -1 : Number(acksArg);
const run = client === 'kafkajs' ? kafkajs : client === 'platformatic' ? platformatic : undefined;
if (!run || !bootstrap || !topic || !(count > 0)) {
  process.stderr.write('usage: node-client.js kafkajs|platformatic BOOTSTRAP TOPIC COUNT ACKS\n');
  process.exit(2);
}
run(bootstrap, topic, count, acks).then(
  (r) => {
    process.stdout.write(
      `${JSON.stringify({
        client,
        count,
        seconds: Math.round(r.seconds * 100) / 100,
        msgsPerSec: Math.round(count / r.seconds),
        compression: r.compression,
      })}\n`,
    );
    process.exit(0);
  },
  (e: Error) => {
    process.stderr.write(`node-client ${client}: ${e.message}\n`);
    process.exit(1);
  },
);
