/**
 * A pulse child: one member of the consumer group. Decodes tweets, buffers InfluxDB points (one per tweet, or
 * per-second counts), flushes every flushPoints points or flushMs, and commits the Kafka offsets a flush covers only
 * after InfluxDB acknowledged it. While a write is retried nothing more is consumed (backpressure), and nothing
 * buffered is dropped.
 */
import Kafka from 'node-rdkafka';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeTweet, loadTweetType } from '../generate/tweet-encoder.js';
import { isDataStormError } from '../errors.js';
import { InfluxSink } from './influx-sink.js';
import { CountsAggregator, tweetPoint } from './points.js';
import { PULSE_CHILD_ENV, type PulseChildMessage, type PulseOptions } from './protocol.js';

const SENT = { positive: 0, negative: 1, neutral: 2 } as const;
const send = (m: PulseChildMessage) => process.send?.(m);
const SHUTDOWN_WRITE_MS = 30_000;
/** Messages per consume() call: small enough that a flush lands close to every --flush-points points. */
const CONSUME_BATCH = 1000;
const CRASH_MARKER = process.env.DATASTORM_PULSE_CRASH_BEFORE_COMMIT
  ? path.join(os.tmpdir(), `datastorm-pulse-crash-${process.ppid}`)
  : undefined;

export async function runPulseChild(o: PulseOptions, slot: number): Promise<void> {
  const type = loadTweetType();
  const sink = new InfluxSink(o.influx);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // A write still being retried gets a bounded time to land; after that its offsets stay uncommitted.
    setTimeout(() => sink.abort(), SHUTDOWN_WRITE_MS).unref();
  };
  process.on('message', (m: { t: string }) => m.t === 'stop' && stop());
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const counts = new CountsAggregator();
  /** points store: buffered lines per partition (so a revoked partition's can be dropped). */
  let lines = new Map<number, string[]>();
  let lineCount = 0;
  /** Next offset to commit per partition, for what the buffer holds. */
  let pending = new Map<number, number>();
  let consumed = 0, points = 0, lag = -1, partitions = 0;
  /** Partitions this child owns now: statistics keep stale entries for ones a rebalance moved away. */
  let assigned = new Set<string>();
  let bySentiment: [number, number, number] = [0, 0, 0];
  let reported = { retries: 0, writeErrors: 0 };

  const consumer = new Kafka.KafkaConsumer(
    {
      'metadata.broker.list': o.bootstrap,
      'group.id': o.group,
      'client.id': `pulse-${slot}`,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'socket.connection.setup.timeout.ms': 5000,
      'fetch.max.bytes': 67108864,
      'max.partition.fetch.bytes': 20971520,
      // A write retried while InfluxDB is down holds the loop; the group waits this long before calling us dead.
      'max.poll.interval.ms': 600_000,
      'statistics.interval.ms': 1000,
      rebalance_cb: (err: Kafka.LibrdKafkaError, assignment: Kafka.Assignment[]) => {
        // (no client calls but these: during disconnect the consumer is in a state where others throw)
        if (err.code === Kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS) {
          consumer.assign(assignment);
          assigned = new Set(assignment.map((a) => String(a.partition)));
        } else {
          // Revoked: forget uncommitted work on those partitions; their next owner reads it again from the last commit.
          // Keeping it would let our later flush overwrite the new owner's points for the same range.
          const gone = new Set(assignment.map((a) => a.partition));
          for (const p of gone) {
            pending.delete(p);
            lineCount -= lines.get(p)?.length ?? 0;
            lines.delete(p);
          }
          counts.drop(gone);
          consumer.unassign();
          assigned = new Set();
        }
        partitions = assigned.size;
      },
    },
    { 'auto.offset.reset': 'earliest' },
  );
  consumer.on('event.stats', (e: { message: string }) => {
    const s = JSON.parse(e.message) as { topics?: Record<string, { partitions: Record<string, { consumer_lag: number }> }> };
    const ps = s.topics?.[o.topic]?.partitions ?? {};
    let sum = 0;
    let known = false;
    for (const [id, p] of Object.entries(ps)) if (assigned.has(id) && p.consumer_lag >= 0) { sum += p.consumer_lag; known = true; }
    lag = known ? sum : -1;
  });
  await new Promise<void>((resolve, reject) => consumer.connect({ timeout: 10_000 }, (e) => (e ? reject(e) : resolve())));
  consumer.subscribe([o.topic]);

  const tick = () => {
    const s = sink.stats;
    send({ t: 'tick', slot, consumed, points, retries: s.retries - reported.retries, writeErrors: s.writeErrors - reported.writeErrors, bySentiment, lag, partitions });
    consumed = 0; points = 0; bySentiment = [0, 0, 0];
    reported = { retries: s.retries, writeErrors: s.writeErrors };
  };
  const ticker = setInterval(tick, 1000);

  const flush = async () => {
    const out = o.store === 'points' ? [...lines.values()].flat() : counts.drain();
    lines = new Map();
    lineCount = 0;
    const commit = [...pending].map(([partition, offset]) => ({ topic: o.topic, partition, offset }));
    pending = new Map();
    await sink.write(out); // resolves only once InfluxDB acknowledged
    points += out.length;
    // Fault injection for the test that proves commits follow writes: die between the acknowledgement and the commit,
    // once per run (the marker file is the run's memory across the restart).
    if (CRASH_MARKER && out.length && !existsSync(CRASH_MARKER)) {
      writeFileSync(CRASH_MARKER, String(process.pid));
      process.exit(86);
    }
    if (commit.length) {
      try {
        consumer.commitSync(commit);
      } catch {
        // Partitions revoked by a rebalance meanwhile: their new owner re-reads from the last commit (at-least-once;
        // the replayed points land on the same timestamps and replace, not add).
      }
    }
  };

  let lastFlush = Date.now();
  let committed = true;
  try {
    while (!stopping) {
      const batch = await new Promise<Kafka.Message[]>((resolve, reject) => consumer.consume(CONSUME_BATCH, (e, m) => (e ? reject(e) : resolve(m))));
      for (const m of batch) {
        if (!m.value) continue;
        const t = decodeTweet(type, m.value);
        if (o.store === 'points') {
          let l = lines.get(m.partition);
          if (!l) lines.set(m.partition, (l = []));
          l.push(tweetPoint(t, m.partition, m.offset));
          lineCount++;
        }
        else counts.add(t, m.partition, m.offset);
        pending.set(m.partition, m.offset + 1);
        consumed++;
        bySentiment[SENT[t.sentiment]]++;
      }
      const size = o.store === 'points' ? lineCount : counts.size;
      if (size >= o.flushPoints || (pending.size > 0 && Date.now() - lastFlush >= o.flushMs)) {
        await flush();
        lastFlush = Date.now();
      }
    }
    // Shutdown: flush, then commit (a write that never succeeds leaves its offsets uncommitted).
    await flush();
  } catch (e) {
    committed = false;
    sink.abort();
    send({ t: 'fatal', slot, code: isDataStormError(e) ? e.code : 'INTERNAL', message: (e as Error).message });
  }
  clearInterval(ticker);
  tick();
  send({ t: 'done', slot, committed });
  await new Promise<void>((r) => consumer.disconnect(() => r()));
}

const raw = process.env[PULSE_CHILD_ENV];
if (raw) {
  const { options, slot } = JSON.parse(raw) as { options: PulseOptions; slot: number };
  runPulseChild(options, slot).then(
    () => process.exit(0),
    (e: Error) => {
      send({ t: 'fatal', slot, code: isDataStormError(e) ? e.code : 'KAFKA_UNREACHABLE', message: e.message });
      process.exit(1);
    },
  );
}
