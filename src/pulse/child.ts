/**
 * A pulse child: one member of the consumer group. Decodes tweets, buffers InfluxDB points (one per tweet, or
 * per-second counts), flushes every flushPoints points or flushMs, and commits the Kafka offsets a flush covers only
 * after InfluxDB acknowledged it. While a write is retried nothing more is consumed (backpressure), and nothing
 * buffered is dropped.
 */

import { childMain, fatalMessage, onStopRequest, toPrimary } from '../child-main.js';
import { loadTweetType } from '../generate/tweet-encoder.js';
import { TweetReader } from '../generate/tweet-reader.js';
import { BatchConsumer } from '../kafka/native/batch-consumer.js';
import { crashBeforeCommitOnce } from '../test-hooks.js';
import { InfluxSink } from './influx-sink.js';
import { CountsAggregator, tweetPoint } from './points.js';
import { PULSE_CHILD_ENV, type PulseChildConfig, type PulseChildMessage } from './protocol.js';

const send = (m: PulseChildMessage) => toPrimary(m);
const SHUTDOWN_WRITE_MS = 30_000;
/**
 * Messages per consume call (one crossing into C each). Counts points are per second, brand and sentiment, so a
 * batch this size adds at most a few hundred of them: a flush still lands close to every --flush-points points.
 */
const CONSUME_BATCH = 10_000;
const CONSUME_WAIT_MS = 500;

export async function runPulseChild({ options: o, slot }: PulseChildConfig): Promise<void> {
  const type = loadTweetType();
  // Only what the stores keep is decoded (the points store keeps the text too); the rest is skipped by length.
  const reader = new TweetReader(
    type,
    o.store === 'points' ? ['created_at', 'brand', 'sentiment', 'text'] : ['created_at', 'brand', 'sentiment'],
  );
  const sink = new InfluxSink(o.influx);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // A write still being retried gets a bounded time to land; after that its offsets stay uncommitted.
    setTimeout(() => sink.abort(), SHUTDOWN_WRITE_MS).unref();
  };
  onStopRequest(stop);
  const counts = new CountsAggregator();
  /** points store: buffered lines per partition (so a revoked partition's can be dropped). */
  let lines = new Map<number, string[]>();
  let lineCount = 0;
  /** Next offset to commit per partition, for what the buffer holds. */
  let pending = new Map<number, number>();
  let consumed = 0,
    undecodable = 0,
    points = 0,
    lag = -1;
  /** Partitions this child owns now: statistics keep stale entries for ones a rebalance moved away. */
  let assigned = new Set<string>();
  let bySentiment: [number, number, number] = [0, 0, 0];
  let reported = { retries: 0, writeErrors: 0 };

  const consumer = new BatchConsumer(
    {
      'metadata.broker.list': o.bootstrap,
      'group.id': o.group,
      'client.id': `pulse-${slot}`,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'socket.connection.setup.timeout.ms': 5000,
      // A write retried while InfluxDB is down holds the loop; the group waits this long before calling us dead.
      'max.poll.interval.ms': 600_000,
      'statistics.interval.ms': 1000,
      'auto.offset.reset': 'earliest',
    },
    o.topic,
  ).connect(o.bootstrap);
  consumer.subscribe();
  /** Rebalances come as events at the end of a batch: every message before them belongs to the old assignment. */
  const rebalanced = (assignedNow: boolean, ps: Int32Array) => {
    if (assignedNow) {
      assigned = new Set(Array.from(ps, String));
    } else {
      // Revoked: forget uncommitted work on those partitions; their next owner reads it again from the last commit.
      // Keeping it would let our later flush overwrite the new owner's points for the same range.
      const gone = new Set(ps);
      for (const p of gone) {
        pending.delete(p);
        lineCount -= lines.get(p)?.length ?? 0;
        lines.delete(p);
      }
      counts.drop(gone);
      assigned = new Set();
    }
  };
  type Stats = {
    topics?: Record<
      string,
      { partitions: Record<string, { consumer_lag: number; hi_offset: number; next_offset: number }> }
    >;
  };
  const readLag = () => {
    const s = consumer.statistics<Stats>();
    if (!s) return;
    const ps = s.topics?.[o.topic]?.partitions ?? {};
    let sum = 0;
    let known = false;
    for (const [id, p] of Object.entries(ps)) {
      if (!assigned.has(id)) continue;
      // librdkafka knows no lag for a partition the group never committed; one that was empty when fetched to its end,
      // with nothing of it waiting for a write, has nothing to catch up on.
      const l =
        p.consumer_lag >= 0
          ? p.consumer_lag
          : p.hi_offset >= 0 && p.next_offset >= p.hi_offset && !pending.has(Number(id))
            ? 0
            : -1;
      if (l >= 0) {
        sum += l;
        known = true;
      }
    }
    lag = known ? sum : -1;
  };

  const tick = () => {
    readLag();
    const s = sink.stats;
    send({
      t: 'tick',
      slot,
      consumed,
      undecodable,
      points,
      retries: s.retries - reported.retries,
      writeErrors: s.writeErrors - reported.writeErrors,
      bySentiment,
      lag,
    });
    consumed = 0;
    undecodable = 0;
    points = 0;
    bySentiment = [0, 0, 0];
    reported = { retries: s.retries, writeErrors: s.writeErrors };
  };
  const ticker = setInterval(tick, 1000);

  const flush = async () => {
    const out = o.store === 'points' ? [...lines.values()].flat() : counts.drain();
    lines = new Map();
    lineCount = 0;
    const commit = pending;
    pending = new Map();
    await sink.write(out); // resolves only once InfluxDB acknowledged
    points += out.length;
    // test hook (src/test-hooks.ts): between the acknowledgement and the commit
    if (out.length) crashBeforeCommitOnce();
    try {
      consumer.commit(commit);
    } catch {
      // Partitions revoked by a rebalance meanwhile: their new owner re-reads from the last commit (at-least-once;
      // the replayed points land on the same timestamps and replace, not add).
    }
  };

  let lastFlush = Date.now();
  let committed = true;
  try {
    while (!stopping) {
      const b = await consumer.consume(CONSUME_BATCH, CONSUME_WAIT_MS);
      let start = 0;
      for (let i = 0; i < b.count; i++) {
        const end = b.ends[i];
        const partition = b.partitions[i];
        const offset = b.offsets[i];
        const t = reader.read(b.values, start, end);
        start = end;
        // Not a tweet of the schema (another producer's data, a tombstone, truncated): counted and committed past.
        pending.set(partition, offset + 1);
        if (!t) {
          undecodable++;
          continue;
        }
        if (o.store === 'points') {
          let l = lines.get(partition);
          if (!l) {
            l = [];
            lines.set(partition, l);
          }
          l.push(tweetPoint(t, partition, offset));
          lineCount++;
        } else counts.add(t, partition, offset);
        consumed++;
        bySentiment[t.sentimentIndex]++;
      }
      for (const e of b.events) rebalanced(e.assigned, e.partitions);
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
    send(fatalMessage(slot, e));
  }
  clearInterval(ticker);
  tick();
  send({ t: 'done', slot, committed });
  consumer.close();
}

// Entry point when forked by the supervisor.
childMain(PULSE_CHILD_ENV, runPulseChild);
