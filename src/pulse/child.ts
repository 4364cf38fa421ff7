/**
 * A pulse child: one member of the consumer group. Decodes tweets, buffers InfluxDB points (one per tweet, or
 * per-second counts), flushes every flushPoints points or flushMs, and commits the Kafka offsets a flush covers only
 * after InfluxDB acknowledged it. While a write is retried nothing more is consumed (backpressure), and nothing
 * buffered is dropped.
 */

import { childMain, fatalMessage, onStopRequest, toPrimary } from '../child-main.js';
import { loadTweetType } from '../generate/tweet-encoder.js';
import { TweetReader } from '../generate/tweet-reader.js';
import { DeadLetter } from '../kafka/dead-letter.js';
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
  // One flush writes at most --flush-points plus one consume batch of lines.
  const sink = new InfluxSink(o.influx, o.flushPoints + CONSUME_BATCH);
  const deadLetter = o.deadLetter ? await new DeadLetter(o.bootstrap, o.deadLetter, o.topic).connect() : undefined;
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
  /** Next offset per partition, for what the buffer holds (what a flush commits, at most). */
  let pending = new Map<number, number>();
  /** Next offset per assigned partition (consumed up to here), and what was committed there. */
  const position = new Map<number, number>();
  const committedTo = new Map<number, number>();
  let consumed = 0;
  let points = 0;
  let undecodable: Record<number, number> = {};
  let lag: Record<number, number> = {};
  /** Partitions this child owns now: statistics keep stale entries for ones a rebalance moved away. */
  let assigned = new Set<number>();
  let bySentiment: [number, number, number] = [0, 0, 0];
  let activeFrom: number | undefined;
  let activeTo: number | undefined;
  let reported = { retries: 0, writeErrors: 0, deadLettered: 0 };

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
      assigned = new Set(ps);
      return;
    }
    // Revoked: forget uncommitted work on those partitions; their next owner reads it again from the last commit.
    // Keeping it would let our later flush overwrite the new owner's points for the same range.
    const gone = new Set(ps);
    for (const p of gone) {
      pending.delete(p);
      position.delete(p);
      committedTo.delete(p);
      lineCount -= lines.get(p)?.length ?? 0;
      lines.delete(p);
    }
    counts.drop(gone);
    assigned = new Set();
  };
  type PartitionStats = { hi_offset: number; committed_offset: number; next_offset: number };
  type Stats = { topics?: Record<string, { partitions: Record<string, PartitionStats> }> };
  /** Messages behind each assigned partition's end, from where this child has consumed to (-1: unknown yet). */
  const readLag = () => {
    const s = consumer.statistics<Stats>();
    if (!s) return;
    const ps = s.topics?.[o.topic]?.partitions ?? {};
    lag = {};
    for (const p of assigned) {
      const st = ps[String(p)];
      if (!st || st.hi_offset < 0) {
        lag[p] = -1;
        continue;
      }
      // Not consumed from yet in this run: the group's committed offset tells, or a fetch already at the end.
      const at =
        position.get(p) ??
        (st.committed_offset >= 0 ? st.committed_offset : st.next_offset >= st.hi_offset ? st.hi_offset : -1);
      lag[p] = at < 0 ? -1 : Math.max(0, st.hi_offset - at);
    }
  };

  const tick = () => {
    readLag();
    const s = sink.stats;
    const dl = deadLetter?.copied ?? 0;
    send({
      t: 'tick',
      slot,
      consumed,
      undecodable,
      points,
      retries: s.retries - reported.retries,
      writeErrors: s.writeErrors - reported.writeErrors,
      deadLettered: dl - reported.deadLettered,
      activeFrom,
      activeTo,
      bySentiment,
      lag,
    });
    consumed = 0;
    undecodable = {};
    points = 0;
    bySentiment = [0, 0, 0];
    activeFrom = activeTo = undefined;
    reported = { retries: s.retries, writeErrors: s.writeErrors, deadLettered: dl };
  };
  const ticker = setInterval(tick, 1000);

  const flush = async () => {
    const out = o.store === 'points' ? [...lines.values()].flat() : counts.drain();
    lines = new Map();
    lineCount = 0;
    const commit = new Map<number, number>();
    // counts: an open window is committed up to its start only (pulse/points.ts): a reader after us counts it whole.
    for (const [p, next] of pending) commit.set(p, o.store === 'points' ? next : counts.commitOffset(p, next));
    pending = new Map();
    await sink.write(out); // resolves only once InfluxDB acknowledged
    points += out.length;
    await deadLetter?.settled(); // copies of the poison records past which this commit goes
    // test hook (src/test-hooks.ts): between the acknowledgement and the commit
    if (out.length) crashBeforeCommitOnce();
    try {
      consumer.commit(commit);
      for (const [p, at] of commit) committedTo.set(p, at);
    } catch {
      // Partitions revoked by a rebalance meanwhile: their new owner re-reads from the last commit (at-least-once;
      // the replayed points land on the same timestamps and replace, not add).
    }
  };

  let lastFlush = Date.now();
  let written = true;
  try {
    while (!stopping) {
      const b = await consumer.consume(CONSUME_BATCH, CONSUME_WAIT_MS);
      if (b.count > 0) activeFrom ??= Date.now();
      let start = 0;
      for (let i = 0; i < b.count; i++) {
        const end = b.ends[i];
        const partition = b.partitions[i];
        const offset = b.offsets[i];
        const t = reader.read(b.values, start, end);
        pending.set(partition, offset + 1);
        position.set(partition, offset + 1);
        if (!t) {
          // Not a tweet of the schema (another producer's data, a tombstone, truncated): counted, copied to the
          // dead-letter topic when there is one, and committed past.
          undecodable[partition] = (undecodable[partition] ?? 0) + 1;
          deadLetter?.copy(b.values.subarray(start, end), partition, offset);
          start = end;
          continue;
        }
        start = end;
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
      if (b.count > 0) activeTo = Date.now();
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
    written = false;
    sink.abort();
    send(fatalMessage(slot, e));
  }
  clearInterval(ticker);
  tick();
  let uncommitted = 0;
  for (const [p, at] of position) uncommitted += at - (committedTo.get(p) ?? at);
  send({ t: 'done', slot, written, uncommitted });
  consumer.close();
  await deadLetter?.close();
  await sink.close();
}

// Entry point when forked by the supervisor.
childMain(PULSE_CHILD_ENV, runPulseChild);
