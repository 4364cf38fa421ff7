/**
 * A storm child: leases slices of the global quota, plans a whole batch of tweets (sentiments, keys, pool walk) and
 * hands it to the native producer in one call, which Avro-encodes each tweet by the child's tweet plan straight into
 * librdkafka's queue. Delivery reports are counted in C: every acknowledgement, its bytes and its latency; failures
 * by kind. Talks to the primary once per interval.
 */

import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { childMain, fatalMessage, onStopRequest, toPrimary } from '../child-main.js';
import { Counters } from '../coord/counters.js';
import { leaseChunk, Quota } from '../coord/quota.js';
import { connectRedis } from '../coord/redis.js';
import { DataStormError, isDataStormError } from '../errors.js';
import { FixedPlanner, fillShuffled, type MixPlanner, VolatilePlanner } from '../generate/mix.js';
import { Rng } from '../generate/random.js';
import { buildPool, encodePrefix, loadTweetType } from '../generate/tweet-encoder.js';
import { topicMaxMessageBytesFor } from '../kafka/limits.js';
import { BatchProducer } from '../kafka/native/batch-producer.js';
import { producerConfig } from '../kafka/producer.js';
import { log } from '../log.js';
import { addValue, noMoments } from '../report/moments.js';
import { ValueCounts } from '../report/value-counts.js';
import { decodeSchedule, isUnlimited, rateAt, timeOfIndex } from '../scenario/schedule.js';
import { ChildLatency } from './child-latency.js';
import { CHILD_ENV, type ChildConfig, type ChildMessage, producerIdOf, type TickMessage } from './protocol.js';
import { TweetBatch } from './tweet-batch.js';

const TICK_MS = 1000;
const FLUSH_TIMEOUT_MS = 30_000;
const LOOP_RESOLUTION_MS = 10;
/**
 * Redis holds the run's quota. A lease that fails is retried for this long (a Redis restart, a failover); after that
 * the
 * child stops producing, flushes what is in flight and reports true counts: without the quota it cannot honour an exact
 * --count or a shared --rate, and guessing would make the numbers untrue.
 */
export const REDIS_GRACE_MS = 5000;

const send = (m: ChildMessage) => toPrimary(m);
/** CPU this process used so far, every thread, µs. */
const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChild(cfg: ChildConfig): Promise<void> {
  const o = cfg.options;
  const producerId = producerIdOf(o.runId, cfg.instance, cfg.slot, cfg.incarnation);
  let stopping = false;
  onStopRequest(() => (stopping = true));

  // --- prepared before the loop -------------------------------------------------------------------
  const rng = new Rng((process.pid * 2654435761 + cfg.slot) >>> 0);
  const type = loadTweetType(o.schema);
  const pool = buildPool(type, rng, o.brands);
  const prefix = encodePrefix(o.runId, producerId);
  const planner: MixPlanner =
    o.mode === 'fixed' ? new FixedPlanner(o.sentiment) : new VolatilePlanner(o.sentiment, o.volatility, rng);
  const batch = new TweetBatch(pool, prefix, o.batchSize, o.keys, rng);
  // The run's rate shape, as the quota schedules it: each message's intended send time comes from it.
  const schedule = decodeSchedule(o.shape.schedule);
  const scheduled = !isUnlimited(schedule);
  // GC pauses of this child, in microseconds (the report shows their percentiles beside throughput).
  const gc = new ValueCounts();
  let gcMs = 0,
    gcMaxMs = 0; // this interval
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.record(Math.max(1, Math.round(e.duration * 1000)));
      gcMs += e.duration;
      if (e.duration > gcMaxMs) gcMaxMs = e.duration;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  // Event-loop delay of this child, per interval: a loop that falls behind shows here before throughput drops.
  // Node's histogram holds the time between its timer's runs, resolution included: the delay is what exceeds it.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const overMs = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
  loopDelay.enable();

  const redis = await connectRedis(o.redis);
  const quota = new Quota(redis, o.runId, o.count, o.shape.schedule);
  const counters = new Counters(redis, o.runId);
  const producer = new BatchProducer(producerConfig(o, producerId), o.topic).connect();
  // Delivery latency (from the send and, under a schedule, from the intended time) and the publish delay.
  const latency = new ChildLatency(producer, scheduled);
  /** Until the first lease at or past --warmup, every count and latency belongs to the warm-up. */
  let warming = o.warmup > 0;
  let warmupPartitions: number[] = [];
  /** This process's clock at the run's start (Redis' start, minus the lease's elapsed time; the least is closest). */
  let startLocal = Number.POSITIVE_INFINITY;

  // --- counters (deltas since the last tick) --------------------------------------------------------
  let sent = 0,
    behind = 0;
  let mix: [number, number, number] = [0, 0, 0];
  let shares = noMoments();
  let last = { acked: 0, bytes: 0, failed: 0 };
  let lastFailures: Record<string, number> = {};

  const tick = async (final = false) => {
    const c = producer.counts();
    const interval = latency.tick(warming);
    const failed: Record<string, number> = {};
    if (c.failed !== last.failed) {
      const now = producer.failures();
      for (const [k, v] of Object.entries(now))
        if (v !== (lastFailures[k] ?? 0)) failed[k] = v - (lastFailures[k] ?? 0);
      lastFailures = now;
    }
    const d = { acked: c.acked - last.acked, bytes: c.ackedBytes - last.bytes, failed: c.failed - last.failed };
    last = { acked: c.acked, bytes: c.ackedBytes, failed: c.failed };
    const mem = process.memoryUsage();
    const m: TickMessage = {
      t: 'tick',
      slot: cfg.slot,
      second: final ? Math.ceil(Date.now() / TICK_MS) : Math.round(Date.now() / TICK_MS),
      acked: d.acked,
      bytes: d.bytes,
      failed,
      sent,
      mix,
      inFlight: c.inFlight,
      behind,
      batchShares: shares,
      latency: interval,
      warmup: warming,
      scheduleStartMs: Number.isFinite(startLocal) ? startLocal : null,
      health: {
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        loopDelayP99Ms: loopDelay.count ? overMs(loopDelay.percentile(99)) : 0,
        loopDelayMaxMs: loopDelay.count ? overMs(loopDelay.max) : 0,
        gcMs,
        gcMaxMs,
      },
    };
    const delta = {
      acked: d.acked,
      bytes: d.bytes,
      failed: d.failed,
      positive: mix[0],
      negative: mix[1],
      neutral: mix[2],
    };
    sent = 0;
    mix = [0, 0, 0];
    shares = noMoments();
    gcMs = gcMaxMs = 0;
    loopDelay.reset();
    send(m);
    // Redis blips must not stop the run; the primary counts too.
    await counters
      .add(delta)
      .catch((e: Error) => log.warn(`child ${cfg.slot}: Redis counters not updated this interval: ${e.message}`));
    // Failed deliveries go back to the quota so another batch replaces them and an exact --count still lands.
    if (o.count !== undefined && delta.failed > 0)
      await quota
        .giveBack(delta.failed)
        .catch((e: Error) =>
          log.warn(`child ${cfg.slot}: ${delta.failed} failed messages not given back: ${e.message}`),
        );
  };
  // Ticks fall on whole wall-clock seconds, the same in every child: the primary adds the children's counts per
  // second whatever order or delay their messages arrive in, so the timeline and the peak are true rates.
  let ticker: NodeJS.Timeout | undefined;
  const nextTick = () => (ticker = setTimeout(() => void tick().finally(nextTick), TICK_MS - (Date.now() % TICK_MS)));
  nextTick();

  // --- the loop ---------------------------------------------------------------------------------------
  let chunk = leaseChunk(o.batchSize, rateAt(schedule, 0), o.workers);
  const durationMs = o.duration !== undefined ? o.duration * 1000 : Infinity;
  let seq = 0;
  let leaseNo = 0; // numbers this producer's granted leases; a retried call reuses its number (see Quota.lease)
  const leaseSlice = async () => {
    const deadline = Date.now() + REDIS_GRACE_MS;
    for (;;) {
      try {
        const l = await quota.lease(chunk, producerId, leaseNo);
        if (l.granted > 0) leaseNo++;
        startLocal = Math.min(startLocal, Date.now() - l.elapsedMs);
        return l;
      } catch (e) {
        if (isDataStormError(e)) throw e;
        if (stopping || Date.now() >= deadline)
          throw new DataStormError(
            'REDIS_UNREACHABLE',
            `lost Redis at ${o.redis} mid-run for more than ${REDIS_GRACE_MS / 1000} s (${(e as Error).message}); ` +
              `stopped producing and flushed what was in flight`,
          );
        await sleep(250);
      }
    }
  };
  // The end of the warm-up: everything in flight settles first, so every count and latency before this point is the
  // warm-up's and everything after is measured (a pause of one round trip, once).
  const endWarmup = async () => {
    const deadline = Date.now() + FLUSH_TIMEOUT_MS;
    while (producer.inFlight() > 0 && !stopping && Date.now() < deadline) await sleep(2);
    const warmupTick = tick(); // its counts are taken synchronously, before warming ends
    warming = false;
    warmupPartitions = producer.partitionCounts();
    await warmupTick;
  };
  send({ t: 'producing', slot: cfg.slot });
  try {
    while (!stopping) {
      const lease = await leaseSlice();
      if (lease.elapsedMs >= durationMs) break;
      // Lease next a fiftieth of a second of the rate the shape aims at then.
      const rateNow = rateAt(schedule, lease.elapsedMs + 20);
      chunk = leaseChunk(o.batchSize, rateNow, o.workers);
      if (warming && lease.elapsedMs >= o.warmup * 1000) await endWarmup();
      if (lease.granted === 0) {
        if (lease.allowed < 0 || (o.count !== undefined && lease.first >= o.count)) {
          // The quota is spent, but what is still in flight may yet fail: wait for it, give failures back (a tick does)
          // and lease again, so another batch replaces them and the exact count lands; stop only once all settled.
          const deadline = Date.now() + FLUSH_TIMEOUT_MS;
          while (producer.inFlight() > 0 && !stopping && Date.now() < deadline) await sleep(5);
          const settled = producer.counts();
          if (settled.tooLarge) throw tooLargeError(o.topic, o.batchBytes);
          if (o.count !== undefined && settled.failed > last.failed) {
            await tick(true);
            continue;
          }
          break;
        }
        await sleep(Math.min(20, Math.max(1, (chunk / Math.max(rateNow, 1)) * 1000)));
        continue;
      }
      behind = lease.allowed >= 0 ? Math.max(0, lease.allowed - lease.first - lease.granted) : 0;
      const n = lease.granted;
      const counts = planner.counts(n);
      if (o.mode === 'volatile') addValue(shares, counts[0] / n);
      fillShuffled(batch.order, counts, rng);
      mix[0] += counts[0];
      mix[1] += counts[1];
      mix[2] += counts[2];
      // When the schedule meant the first and last message to go (ms after the start); between them, evenly.
      const tFirst = scheduled ? timeOfIndex(schedule, lease.first) : 0;
      const stepUs = scheduled && n > 1 ? ((timeOfIndex(schedule, lease.first + n - 1) - tFirst) * 1000) / (n - 1) : 0;
      // The whole batch crosses into C in one call, which encodes it straight into librdkafka's queue.
      const spec = {
        order: batch.order,
        from: 0,
        to: n,
        seq0: seq,
        first: lease.first,
        createdAt: Date.now(),
        cursor: batch.start(n),
        keyIds: batch.keyIds,
      };
      let from = 0;
      for (;;) {
        const delayUs = (Date.now() - startLocal - tFirst) * 1000 - from * stepUs;
        spec.from = from;
        from += producer.produceTweets(batch.plan, spec, scheduled ? { delayUs, stepUs } : null);
        if (from >= n || stopping) break;
        await sleep(1); // librdkafka's queue is full: deliveries drain it on their own thread
      }
      seq += from;
      sent += from;
      // Hold back while too many are unacknowledged (--max-in-flight): a deeper queue adds latency, and verify's
      // unconfirmed window (verify/verify.ts) is sized for at most MAX_IN_FLIGHT_LIMIT.
      while (producer.inFlight() > o.maxInFlight && !stopping) await sleep(1);
      if (producer.counts().tooLarge) throw tooLargeError(o.topic, o.batchBytes);
      if (from < n) {
        // Stopped while librdkafka's queue was full: the rest of the batch was never handed over, so it is not counted.
        for (let i = from; i < n; i++) mix[batch.order[i]]--;
        break;
      }
    }
  } catch (e) {
    // Told at once, so the primary stops the other children; the counts follow with the last tick.
    send(fatalMessage(cfg.slot, isDataStormError(e) ? e : new DataStormError('PRODUCE', (e as Error).message)));
  }
  // Stopped, finished or failed: stop generating and wait (bounded) for what is in flight, so the counts are true.
  const deadline = Date.now() + FLUSH_TIMEOUT_MS;
  while (producer.inFlight() > 0 && Date.now() < deadline) await sleep(10);
  clearTimeout(ticker);
  gcObserver.disconnect();
  await tick(true);
  loopDelay.disable();
  send({
    t: 'done',
    slot: cfg.slot,
    ...latency.encoded(),
    partitions: producer.partitionCounts().map((n, p) => n - (warmupPartitions[p] ?? 0)),
    unresolved: producer.inFlight(),
    gcHistogram: gc.pairs(),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    cpuMicros: cpuMicros(),
  });
  producer.close();
  redis.disconnect();
}

function tooLargeError(topic: string, batchBytes: number): DataStormError {
  return new DataStormError(
    'TOPIC',
    `topic '${topic}' refused a batch as too large (message size too large): ` +
      'its max.message.bytes is below the batch size; ' +
      `raise it (kafka-configs --alter --add-config max.message.bytes=${topicMaxMessageBytesFor(batchBytes)}) ` +
      `or pass a smaller --batch-bytes (now ${batchBytes})`,
  );
}

// Entry point when forked by the supervisor.
childMain(CHILD_ENV, runChild);
