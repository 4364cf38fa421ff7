/**
 * A pulse child: one member of the consumer group. Decodes tweets, buffers InfluxDB points (one per tweet, or
 * per-second counts: point-buffer.ts), flushes every --flush-points points or --flush-ms, and commits the Kafka
 * offsets a flush covers only after InfluxDB acknowledged it and every flush before it (offset-ledger.ts). The points
 * store keeps several writes in flight; once that many are unacknowledged (a write being retried holds the ones after
 * it) nothing more is consumed (backpressure), and nothing buffered is dropped.
 */
import { childMain, fatalMessage, type StopSignal, stopOnRequest, toPrimary } from '../child-main.js';
import { framedTweetReader, type TweetSource } from '../generate/framed-reader.js';
import { loadTweetType } from '../generate/tweet-encoder.js';
import { TweetReader } from '../generate/tweet-reader.js';
import { InfluxSink } from '../influx/influx-sink.js';
import { DeadLetter } from '../kafka/dead-letter.js';
import { BatchConsumer, type ConsumedBatch } from '../kafka/native/batch-consumer.js';
import { METADATA_REFRESH_MS } from '../kafka/producer.js';
import { CreatedRuns } from './freshness.js';
import { OffsetLedger } from './offset-ledger.js';
import type { PulseOptions } from './options.js';
import { type ConsumerStatistics, partitionLag } from './partition-lag.js';
import { type PointBuffer, pointBufferFor } from './point-buffer.js';
import { CountsAggregator, storable } from './points.js';
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
/**
 * Writes in flight per store. The points store's lines are the same whoever writes them (a point per tweet at its
 * created_at and offset), so a write still landing after its partition moved to another child only repeats that
 * child's points. A counts line is a running sum of an open window: one landing late could replace the new owner's
 * larger sum, so the counts store writes one flush at a time, and the group's rebalance waits for it (a consumer
 * that does not poll holds the rebalance).
 */
const WRITES_IN_FLIGHT = { points: 4, counts: 1 } as const;

/** Everything a pulse child runs with, made once at its start. */
interface PulseParts {
  options: PulseOptions;
  stop: StopSignal;
  reader: TweetSource;
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
  /** Flushes not yet committed, oldest first: each settles once its lines are acknowledged and offsets committed. */
  inFlight: Promise<void>[];
  /** The created_at of every tweet buffered since the last flush: its freshness once the flush is acknowledged. */
  created: CreatedRuns;
}

export async function runPulseChild({ options, slot }: PulseChildConfig): Promise<void> {
  const parts = await prepare(options, slot);
  parts.ticker.start();
  let written = true;
  try {
    await consumeUntilStopped(parts);
    // Shutdown: flush, then commit (a write that never succeeds leaves its offsets uncommitted).
    startFlush(parts);
    await settleFlushes(parts, 0);
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
  const wanted = options.store === 'points' ? [...fields, 'text' as const] : fields;
  const brands = buffer instanceof CountsAggregator ? buffer.brands : undefined;
  const reader = options.registry
    ? await framedTweetReader(options.registry, options.topic, loadTweetType(), wanted, brands)
    : new TweetReader(loadTweetType(), wanted, brands);
  // One flush writes at most --flush-points plus one consume batch of lines.
  const sink = new InfluxSink(options.influx, options.flushPoints + CONSUME_BATCH);
  const deadLetter = options.deadLetter
    ? await new DeadLetter(options, options.deadLetter, options.topic).connect()
    : undefined;
  // A write still being retried gets a bounded time to land; after that its offsets stay uncommitted.
  const stop = stopOnRequest(() => setTimeout(() => sink.abort(), SHUTDOWN_WRITE_MS).unref());
  const consumer = await connectConsumer(options, slot);
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
    inFlight: [],
    created: new CreatedRuns(),
  };
}

async function connectConsumer(options: PulseOptions, slot: number): Promise<BatchConsumer> {
  const consumer = new BatchConsumer(
    {
      // Partitions added mid-run are joined within seconds (librdkafka's default refresh is 5 min); -X wins.
      'topic.metadata.refresh.interval.ms': METADATA_REFRESH_MS,
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
  );
  await consumer.connect(options.bootstrap);
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
      startFlush(parts);
      lastFlush = Date.now();
    }
    await settleFlushes(parts, WRITES_IN_FLIGHT[options.store] - 1);
  }
}

/** Waits until at most `room` flushes are in flight; a flush that failed fails the child here. */
async function settleFlushes(parts: PulseParts, room: number): Promise<void> {
  while (parts.inFlight.length > room) await parts.inFlight.shift();
}

function readBatch(parts: PulseParts, batch: ConsumedBatch): void {
  const { reader, buffer, ledger, ticker, deadLetter, created } = parts;
  const tally = ticker.tally;
  let start = 0;
  for (let i = 0; i < batch.count; i++) {
    const end = batch.ends[i];
    const partition = batch.partitions[i];
    const offset = batch.offsets[i];
    const tweet = reader.read(batch.values, start, end);
    ledger.consumed(partition, offset);
    if (tweet && !storable(tweet.created_at)) {
      // A tweet InfluxDB can never store (its time out of range): counted apart, dead-lettered, committed past.
      tally.unstorable++;
      deadLetter?.copy(batch.values.subarray(start, end), partition, offset);
    } else if (tweet) {
      buffer.add(tweet, partition, offset);
      created.add(tweet.created_at);
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
    // Which of the noted created_at were on those partitions is not kept: this flush's freshness goes unsampled.
    parts.created = new CreatedRuns();
  }
  assigned.clear();
  if (!assignedNow) return;
  const now = parts.consumerTs();
  for (const p of partitions) {
    assigned.add(p);
    parts.assignedAt.set(p, now);
  }
}

/**
 * Writes what the buffer holds and, once InfluxDB acknowledged it and the flush before it is committed, commits the
 * offsets it covers (a later flush's offsets cover the earlier's: committing out of order could skip unwritten work).
 */
function startFlush(parts: PulseParts): void {
  const { buffer, ledger, sink, ticker, inFlight } = parts;
  // counts: an open window is committed up to its start only (pulse/points.ts): a reader after us counts it whole.
  const lines = buffer.drain();
  const plan = ledger.takeCommitPlan(buffer);
  const written = sink.write(lines); // resolves only once InfluxDB acknowledged
  const created = parts.created;
  parts.created = new CreatedRuns();
  // Freshness at this write's own acknowledgement: from then on a query sees its tweets, whatever flush is retried.
  written.then(() => created.recordAges(Date.now(), ticker.tally.freshness)).catch(() => {});
  const before = inFlight.at(-1) ?? Promise.resolve();
  const committed = Promise.all([written, before]).then(async () => {
    ticker.tally.points += lines.length;
    await parts.deadLetter?.settled(); // copies of the poison records past which this commit goes
    await commitOwned(parts, plan);
  });
  committed.catch(() => {}); // awaited in order by settleFlushes; a failure is raised there
  inFlight.push(committed);
}

/** Commits the plan's partitions this child still owns (a revoked one's offsets are its new owner's to commit). */
async function commitOwned({ consumer, ledger, assigned }: PulseParts, plan: Map<number, number>): Promise<void> {
  for (const p of plan.keys()) if (!assigned.has(p)) plan.delete(p);
  if (plan.size === 0) return;
  try {
    await consumer.commit(plan);
    ledger.committed(plan);
  } catch {
    // Partitions revoked by a rebalance meanwhile: their new owner re-reads from the last commit (at-least-once;
    // the replayed points land on the same timestamps and replace, not add).
  }
}

// Entry point when forked by the supervisor.
childMain(PULSE_CHILD_ENV, runPulseChild);
