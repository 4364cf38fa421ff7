/**
 * A storm's reader: one member of one consumer group, reading the run's topic while it is written. Each message is
 * measured in C (native/src/reader-measure.h: end-to-end latency from its creation and, for tweets under a schedule,
 * from its intended send time; the offsets read), never copied to JavaScript; once a second the reader tells the
 * primary what it read as runs of offsets and the second's percentiles. Offsets are committed by librdkafka every
 * few seconds, as most applications do: a rebalance re-reads from the last commit, and the primary counts those
 * re-reads apart.
 */
import type { Redis } from 'ioredis';
import { childMain, stopOnRequest, toPrimary } from '../child-main.js';
import { runKeys } from '../coord/quota.js';
import { connectRedis } from '../coord/redis.js';
import { BatchConsumer, type MeasuredBatch } from '../kafka/native/batch-consumer.js';
import { METADATA_REFRESH_MS } from '../kafka/producer.js';
import { ValueCounts } from '../measure/value-counts.js';
import { decodeSchedule } from '../scenario/schedule.js';
import { intendedTable } from './intended-table.js';
import { READER_CHILD_ENV, type ReaderChildConfig, type ReaderMessage } from './protocol.js';

const send = (m: ReaderMessage) => toPrimary(m);
const CONSUME_BATCH = 10_000;
const CONSUME_WAIT_MS = 200;

/** One reader's running state between ticks. */
class ReaderState {
  read = 0;
  bytes = 0;
  runs: number[] = [];
  firstReadMs: number | null = null;
  lastReadMs: number | null = null;
  readonly e2e = new ValueCounts();
  readonly intended = new ValueCounts();
  /** The schedule's start (Unix ms) once Redis has it: intended times and the warm-up count from it. */
  startMs = 0;

  constructor(readonly config: ReaderChildConfig) {}

  add(batch: MeasuredBatch): void {
    if (batch.count === 0) return;
    this.firstReadMs ??= Date.now();
    this.lastReadMs = Date.now();
    this.read += batch.count;
    this.bytes += batch.bytes;
    for (let i = 0; i < batch.runPartitions.length; i++)
      this.runs.push(batch.runPartitions[i], batch.runFirst[i], batch.runLast[i]);
  }

  /** The interval's tick; the interval's latencies also go into the run's totals. */
  tick(consumer: BatchConsumer): void {
    const second = new ValueCounts();
    const intended = new ValueCounts();
    addPairs(second, consumer.takeEndToEnd('created'));
    addPairs(intended, consumer.takeEndToEnd('intended'));
    this.e2e.add(second);
    this.intended.add(intended);
    const p = (v: ValueCounts, q: number) => (v.percentile(q) ?? 0) / 1000;
    const { slot, groupIndex } = this.config;
    send({
      t: 'reader-tick',
      slot,
      group: groupIndex,
      second: Math.round(Date.now() / 1000),
      read: this.read,
      bytes: this.bytes,
      firstReadMs: this.firstReadMs,
      lastReadMs: this.lastReadMs,
      runs: this.runs,
      e2e: second.total ? { p50: p(second, 50), p99: p(second, 99) } : null,
      intendedP99: intended.total ? p(intended, 99) : null,
      ...(this.config.series ? { e2ePairs: second.pairs() } : {}),
    });
    this.read = this.bytes = 0;
    this.runs = [];
    this.firstReadMs = this.lastReadMs = null;
  }
}

function addPairs(into: ValueCounts, pairs: Float64Array): void {
  for (let i = 0; i + 1 < pairs.length; i += 2) into.record(Math.max(1, Math.round(pairs[i])), pairs[i + 1]);
}

export async function runReaderChild(config: ReaderChildConfig): Promise<void> {
  const stop = stopOnRequest();
  const redis = await connectRedis(config.redis, config.redisCa);
  const consumer = await connectReader(config);
  const state = new ReaderState(config);
  const schedule = decodeSchedule(config.schedule);
  const table = intendedTable(schedule, config.horizonMs);
  const measure = () =>
    consumer.measure({
      tweetFraming: config.tweetFraming,
      fromMs: state.startMs ? state.startMs + config.warmupSec * 1000 : Number.POSITIVE_INFINITY,
      startMs: state.startMs,
      table: table?.cumulative ?? null,
      tableStepMs: table?.stepMs ?? 0,
    });
  measure();
  const paused = { now: config.paused };
  if (paused.now) consumer.pause(true);
  process.on('message', (m: { t?: string }) => {
    if (m.t === 'resume') paused.now = false;
  });
  consumer.subscribe();
  try {
    await readUntilStopped(consumer, state, redis, measure, stop, paused);
  } finally {
    redis.disconnect();
  }
  state.tick(consumer);
  consumer.close();
  const cpu = process.cpuUsage();
  send({
    t: 'done',
    slot: config.slot,
    group: config.groupIndex,
    e2e: state.e2e.pairs(),
    intended: state.intended.pairs(),
    cpuMicros: cpu.user + cpu.system,
  });
}

async function readUntilStopped(
  consumer: BatchConsumer,
  state: ReaderState,
  redis: Redis,
  measure: () => void,
  stop: { readonly requested: boolean },
  paused: { now: boolean },
): Promise<void> {
  const { slot, groupIndex } = state.config;
  let nextTick = Date.now() + 1000;
  let pausedNow = paused.now;
  while (!stop.requested) {
    if (pausedNow && !paused.now) consumer.pause(false);
    pausedNow = paused.now;
    // Messages exist only after the run's first lease set its start: read it before the first one is measured.
    if (!state.startMs) {
      state.startMs = Number((await redis.get(runKeys(state.config.runId).start)) ?? 0);
      if (state.startMs) measure();
    }
    const batch = await consumer.consumeMeasured(state.startMs ? CONSUME_BATCH : 1, CONSUME_WAIT_MS);
    state.add(batch);
    for (const e of batch.events)
      send({ t: 'reader-assignment', slot, group: groupIndex, assigned: e.assigned, partitions: [...e.partitions] });
    if (Date.now() >= nextTick) {
      state.tick(consumer);
      nextTick += 1000 * Math.max(1, Math.ceil((Date.now() - nextTick) / 1000));
    }
  }
}

async function connectReader(config: ReaderChildConfig): Promise<BatchConsumer> {
  const consumer = new BatchConsumer(
    {
      'topic.metadata.refresh.interval.ms': METADATA_REFRESH_MS,
      ...config.client,
      'metadata.broker.list': config.bootstrap,
      'group.id': config.group,
      'client.id': `datastorm-reader-${config.groupIndex}-${config.member}`,
      'socket.connection.setup.timeout.ms': 5000,
      // The primary committed the run's start offsets for the group: a member starts there, never at the topic's
      // old messages; a partition without them (added mid-run) is read from its beginning.
      'auto.offset.reset': 'earliest',
    },
    config.topic,
  );
  await consumer.connect(config.bootstrap);
  return consumer;
}

// Entry point when forked by the fleet's supervisor (a failure reaches the primary as the child's fatal message).
childMain(READER_CHILD_ENV, runReaderChild);
