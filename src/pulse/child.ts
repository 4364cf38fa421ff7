/**
 * A pulse child: one member of the consumer group. Decodes tweets, buffers InfluxDB points (one per tweet, or
 * per-second counts: point-buffer.ts), flushes every --flush-points points or --flush-ms, and commits the Kafka
 * offsets a flush covers only after InfluxDB acknowledged it (offset-ledger.ts). While a write is retried nothing
 * more is consumed (backpressure), and nothing buffered is dropped.
 */
import { childMain, fatalMessage, type StopSignal, stopOnRequest, toPrimary } from '../child-main.js';
import { loadTweetType } from '../generate/tweet-encoder.js';
import { TweetReader } from '../generate/tweet-reader.js';
import { DeadLetter } from '../kafka/dead-letter.js';
import { BatchConsumer, type ConsumedBatch } from '../kafka/native/batch-consumer.js';
import { InfluxSink } from './influx-sink.js';
import { OffsetLedger } from './offset-ledger.js';
import type { PulseOptions } from './options.js';
import { type ConsumerStatistics, partitionLag } from './partition-lag.js';
import { type PointBuffer, pointBufferFor } from './point-buffer.js';
import { CountsAggregator } from './points.js';
import { PULSE_CHILD_ENV, type PulseChildConfig, type PulseChildMessage } from './protocol.js';
import { PulseTicker } from './pulse-ticker.js';

const send = (message: PulseChildMessage) => toPrimary(message);
const SHUTDOWN_WRITE_MS = 30_000;
/**
 * Messages per consume call (one crossing into C each). Counts points are per second, brand and sentiment, so a
 * batch this size adds at most a few hundred of them: a flush still lands close to every --flush-points points.
 */
const CONSUME_BATCH = 10_000;
const CONSUME_WAIT_MS = 500;

/** Everything a pulse child runs with, made once at its start. */
interface PulseParts {
  options: PulseOptions;
  stop: StopSignal;
  reader: TweetReader;
  consumer: BatchConsumer;
  sink: InfluxSink;
  deadLetter: DeadLetter | undefined;
  buffer: PointBuffer;
  ledger: OffsetLedger;
  ticker: PulseTicker;
  /** Partitions this child owns now (statistics keep stale entries for ones a rebalance moved away). */
  assigned: Set<number>;
  /** When each owned partition was assigned, by the statistics' clock (partition-lag.ts). */
  assignedAt: Map<number, number>;
  consumerTs: () => number;
}

export async function runPulseChild({ options, slot }: PulseChildConfig): Promise<void> {
  const parts = await prepare(options, slot);
  parts.ticker.start();
  let written = true;
  try {
    await consumeUntilStopped(parts);
    // Shutdown: flush, then commit (a write that never succeeds leaves its offsets uncommitted).
    await flush(parts);
  } catch (e) {
    written = false;
    parts.sink.abort();
    send(fatalMessage(slot, e));
  }
  parts.ticker.stop();
  parts.ticker.tick();
  send({ t: 'done', slot, written, uncommitted: parts.ledger.uncommitted() });
  parts.consumer.close();
  await parts.deadLetter?.close();
  await parts.sink.close();
}

async function prepare(options: PulseOptions, slot: number): Promise<PulseParts> {
  // Only what the stores keep is decoded (the points store keeps the text too); the rest is skipped by length.
  const fields = ['created_at', 'brand', 'sentiment'] as const;
  const buffer = pointBufferFor(options.store);
  // The counts store reads brands as indexes into its own table: no string per tweet.
  const reader = new TweetReader(
    loadTweetType(),
    options.store === 'points' ? [...fields, 'text'] : fields,
    buffer instanceof CountsAggregator ? buffer.brands : undefined,
  );
  // One flush writes at most --flush-points plus one consume batch of lines.
  const sink = new InfluxSink(options.influx, options.flushPoints + CONSUME_BATCH);
  const deadLetter = options.deadLetter
    ? await new DeadLetter(options, options.deadLetter, options.topic).connect()
    : undefined;
  // A write still being retried gets a bounded time to land; after that its offsets stay uncommitted.
  const stop = stopOnRequest(() => setTimeout(() => sink.abort(), SHUTDOWN_WRITE_MS).unref());
  const consumer = connectConsumer(options, slot);
  const ledger = new OffsetLedger();
  const assigned = new Set<number>();
  const assignedAt = new Map<number, number>();
  let lag: Record<number, number> = {};
  const readLag = () => {
    const statistics = consumer.statistics<ConsumerStatistics>();
    if (statistics)
      lag = partitionLag(
        statistics,
        options.topic,
        assigned,
        (p) => ledger.positionOf(p),
        (p) => assignedAt.get(p),
      );
    return lag;
  };
  // The statistics' clock now: the latest snapshot's ts (none yet: any snapshot to come is newer).
  const consumerTs = () => consumer.statistics<ConsumerStatistics>()?.ts ?? Number.NEGATIVE_INFINITY;
  const ticker = new PulseTicker({ slot, sink, deadLetter, lag: readLag, send });
  return {
    options,
    stop,
    reader,
    consumer,
    sink,
    deadLetter,
    buffer,
    ledger,
    ticker,
    assigned,
    assignedAt,
    consumerTs,
  };
}

function connectConsumer(options: PulseOptions, slot: number): BatchConsumer {
  const consumer = new BatchConsumer(
    {
      ...options.client,
      'metadata.broker.list': options.bootstrap,
      'group.id': options.group,
      'client.id': `pulse-${slot}`,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'socket.connection.setup.timeout.ms': 5000,
      // A write retried while InfluxDB is down holds the loop; the group waits this long before calling us dead.
      'max.poll.interval.ms': 600_000,
      'statistics.interval.ms': 1000,
      'auto.offset.reset': 'earliest',
    },
    options.topic,
  ).connect(options.bootstrap);
  consumer.subscribe();
  return consumer;
}

/** Consumes batch after batch, flushing when the buffer is full or old enough; until stopped. */
async function consumeUntilStopped(parts: PulseParts): Promise<void> {
  const { options, consumer, buffer, ledger, ticker } = parts;
  let lastFlush = Date.now();
  while (!parts.stop.requested) {
    const batch = await consumer.consume(CONSUME_BATCH, CONSUME_WAIT_MS);
    if (batch.count > 0) ticker.tally.activeFrom ??= Date.now();
    readBatch(parts, batch);
    if (batch.count > 0) ticker.tally.activeTo = Date.now();
    for (const event of batch.events) rebalanced(parts, event.assigned, event.partitions);
    if (buffer.size >= options.flushPoints || (ledger.hasPending && Date.now() - lastFlush >= options.flushMs)) {
      await flush(parts);
      lastFlush = Date.now();
    }
  }
}

function readBatch({ reader, buffer, ledger, ticker, deadLetter }: PulseParts, batch: ConsumedBatch): void {
  const tally = ticker.tally;
  let start = 0;
  for (let i = 0; i < batch.count; i++) {
    const end = batch.ends[i];
    const partition = batch.partitions[i];
    const offset = batch.offsets[i];
    const tweet = reader.read(batch.values, start, end);
    ledger.consumed(partition, offset);
    if (tweet) {
      buffer.add(tweet, partition, offset);
      tally.consumed++;
      tally.bySentiment[tweet.sentimentIndex]++;
    } else {
      // Not a tweet of the schema (another producer's data, a tombstone, truncated): counted, copied to the
      // dead-letter topic when there is one, and committed past.
      tally.undecodableAt(partition);
      deadLetter?.copy(batch.values.subarray(start, end), partition, offset);
    }
    start = end;
  }
}

/** Rebalances come as events at the end of a batch: every message before them belongs to the old assignment. */
function rebalanced(parts: PulseParts, assignedNow: boolean, partitions: Int32Array): void {
  const { assigned, ledger, buffer } = parts;
  if (!assignedNow) {
    // Revoked: forget uncommitted work on those partitions; their next owner reads it again from the last commit.
    // Keeping it would let our later flush overwrite the new owner's points for the same range.
    const gone = new Set(partitions);
    ledger.revoke(gone);
    buffer.drop(gone);
  }
  assigned.clear();
  if (!assignedNow) return;
  const now = parts.consumerTs();
  for (const p of partitions) {
    assigned.add(p);
    parts.assignedAt.set(p, now);
  }
}

/** Writes what the buffer holds and, once InfluxDB acknowledged it, commits the offsets it covers. */
async function flush({ buffer, ledger, sink, deadLetter, consumer, ticker }: PulseParts): Promise<void> {
  // counts: an open window is committed up to its start only (pulse/points.ts): a reader after us counts it whole.
  const lines = buffer.drain();
  const plan = ledger.takeCommitPlan(buffer);
  await sink.write(lines); // resolves only once InfluxDB acknowledged
  ticker.tally.points += lines.length;
  await deadLetter?.settled(); // copies of the poison records past which this commit goes
  try {
    consumer.commit(plan);
    ledger.committed(plan);
  } catch {
    // Partitions revoked by a rebalance meanwhile: their new owner re-reads from the last commit (at-least-once;
    // the replayed points land on the same timestamps and replace, not add).
  }
}

// Entry point when forked by the supervisor.
childMain(PULSE_CHILD_ENV, runPulseChild);
