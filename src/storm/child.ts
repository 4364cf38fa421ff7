/**
 * A storm child: leases slices of the global quota, generates and Avro-encodes tweets into a reused buffer, produces
 * them, and counts what the brokers acknowledged (delivery reports). Talks to the primary once per interval.
 */
import * as hdr from 'hdr-histogram-js';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import type Kafka from 'node-rdkafka';
import { connectRedis } from '../coord/redis.js';
import { Quota, leaseChunk } from '../coord/quota.js';
import { Counters } from '../coord/counters.js';
import { connectProducer, producerConfig, QUEUE_FULL } from '../kafka/producer.js';
import { FixedPlanner, VolatilePlanner, fillShuffled, type MixPlanner } from '../generate/mix.js';
import { Rng } from '../generate/random.js';
import { buildPool, encodePrefix, encodeTweet, loadTweetType } from '../generate/tweet-encoder.js';
import { DataStormError, isDataStormError } from '../errors.js';
import { AckTracker } from './ack-tracker.js';
import { log } from '../log.js';
import { CHILD_ENV, producerIdOf, type ChildConfig, type ChildMessage, type PrimaryMessage, type TickMessage } from './protocol.js';

const TICK_MS = 1000;
const YIELD_EVERY = 100;
/** Unacknowledged messages a child may have outstanding before it waits for the brokers. */
const MAX_IN_FLIGHT = 50_000;
const FLUSH_TIMEOUT_MS = 30_000;
const LOOP_RESOLUTION_MS = 10;
/**
 * Redis holds the run's quota. A lease that fails is retried for this long (a Redis restart, a failover); after that the
 * child stops producing, flushes what is in flight and reports true counts: without the quota it cannot honour an exact
 * --count or a shared --rate, and guessing would make the numbers untrue.
 */
export const REDIS_GRACE_MS = 5000;

const send = (m: ChildMessage) => process.send?.(m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const immediate = () => new Promise((r) => setImmediate(r));

export async function runChild(cfg: ChildConfig): Promise<void> {
  const o = cfg.options;
  const producerId = producerIdOf(o.runId, cfg.instance, cfg.slot, cfg.incarnation);
  let stopping = false;
  process.on('message', (m: PrimaryMessage) => m.t === 'stop' && (stopping = true));
  // Ctrl-C reaches the whole process group: the child stops like on the primary's word, it does not die.
  process.on('SIGINT', () => (stopping = true));
  process.on('SIGTERM', () => (stopping = true));

  // --- prepared before the loop -------------------------------------------------------------------
  const rng = new Rng((process.pid * 2654435761 + cfg.slot) >>> 0);
  const type = loadTweetType(o.schema);
  const pool = buildPool(type, rng, o.brands);
  const prefix = encodePrefix(o.runId, producerId);
  const planner: MixPlanner = o.mode === 'fixed' ? new FixedPlanner(o.sentiment) : new VolatilePlanner(o.sentiment, o.volatility, rng);
  const order = new Uint8Array(o.batchSize);
  const out = Buffer.allocUnsafe(o.batchSize * (prefix.length + 30 + pool.maxTail));
  const poolSize = pool.tails[0].length;
  const acks = new AckTracker(o.deliveryReports);
  // GC pauses of this child, in microseconds (the report shows their percentiles beside throughput).
  const gc = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 2 });
  let gcMs = 0, gcMaxMs = 0; // this interval
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.recordValue(Math.max(1, Math.round(e.duration * 1000)));
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
  const quota = new Quota(redis, o.runId, o.count, o.rate);
  const counters = new Counters(redis, o.runId);
  const producer = await connectProducer({ ...producerConfig(o, producerId), ...acks.config() } as Kafka.ProducerGlobalConfig);

  // --- counters (deltas since the last tick) --------------------------------------------------------
  let sent = 0, behind = 0;
  let mix: [number, number, number] = [0, 0, 0];
  let shares: number[] = [];
  acks.attach(producer);
  producer.setPollInterval(10);

  const tick = async () => {
    const d = acks.takeDelta();
    const mem = process.memoryUsage();
    const m: TickMessage = {
      t: 'tick', slot: cfg.slot, acked: d.acked, bytes: d.bytes, failed: d.failed, sent, mix,
      inFlight: acks.inFlight(), behind, batchShares: shares,
      health: {
        rssBytes: mem.rss, heapUsedBytes: mem.heapUsed,
        loopDelayP99Ms: loopDelay.count ? overMs(loopDelay.percentile(99)) : 0, loopDelayMaxMs: loopDelay.count ? overMs(loopDelay.max) : 0,
        gcMs, gcMaxMs,
      },
    };
    const delta = { acked: d.acked, bytes: d.bytes, failed: d.failedTotal, positive: mix[0], negative: mix[1], neutral: mix[2] };
    sent = 0; mix = [0, 0, 0]; shares = []; gcMs = gcMaxMs = 0;
    loopDelay.reset();
    send(m);
    // Redis blips must not stop the run; the primary counts too.
    await counters.add(delta).catch((e: Error) => log.warn(`child ${cfg.slot}: Redis counters not updated this interval: ${e.message}`));
    // Failed deliveries go back to the quota so another batch replaces them and an exact --count still lands.
    if (o.count !== undefined && delta.failed > 0)
      await quota.giveBack(delta.failed).catch((e: Error) => log.warn(`child ${cfg.slot}: ${delta.failed} failed messages not given back: ${e.message}`));
  };
  const ticker = setInterval(() => void tick(), TICK_MS);

  // --- the loop ---------------------------------------------------------------------------------------
  const chunk = leaseChunk(o.batchSize, o.rate, o.workers);
  const durationMs = o.duration !== undefined ? o.duration * 1000 : Infinity;
  let seq = 0;
  let leaseNo = 0; // numbers this producer's granted leases; a retried call reuses its number (see Quota.lease)
  const leaseSlice = async () => {
    const deadline = Date.now() + REDIS_GRACE_MS;
    for (;;) {
      try {
        const l = await quota.lease(chunk, producerId, leaseNo);
        if (l.granted > 0) leaseNo++;
        return l;
      } catch (e) {
        if (isDataStormError(e)) throw e;
        if (stopping || Date.now() >= deadline)
          throw new DataStormError('REDIS_UNREACHABLE', `lost Redis at ${o.redis} mid-run for more than ${REDIS_GRACE_MS / 1000} s (${(e as Error).message}); stopped producing and flushed what was in flight`);
        await sleep(250);
      }
    }
  };
  let cursor = rng.int(poolSize);
  const stride = 1 + 2 * rng.int(poolSize / 2); // odd: walks the whole pool (its size is a power of 2)
  send({ t: 'producing', slot: cfg.slot });
  try {
    while (!stopping) {
      const lease = await leaseSlice();
      if (lease.elapsedMs >= durationMs) break;
      if (lease.granted === 0) {
        if (lease.allowed < 0 || (o.count !== undefined && lease.first >= o.count)) break; // count reached
        await sleep(Math.min(50, Math.max(1, (chunk / Math.max(o.rate, 1)) * 1000)));
        continue;
      }
      behind = lease.allowed >= 0 ? Math.max(0, lease.allowed - lease.first - lease.granted) : 0;
      const n = lease.granted;
      const counts = planner.counts(n);
      if (o.mode === 'volatile') shares.push(counts[0] / n);
      fillShuffled(order, counts, rng);
      mix[0] += counts[0]; mix[1] += counts[1]; mix[2] += counts[2];
      let off = 0;
      const now = Date.now();
      for (let i = 0; i < n; i++) {
        cursor = (cursor + stride) & (poolSize - 1);
        const start = off;
        off = encodeTweet(out, off, prefix, seq, lease.first + i, now, pool.tails[order[i]][cursor]);
        const value = out.subarray(start, off);
        for (;;) {
          try {
            producer.produce(o.topic, null, value, null, now);
            break;
          } catch (e) {
            if ((e as { code?: number }).code !== QUEUE_FULL) throw e;
            await sleep(5); // librdkafka's queue is full: let deliveries drain (they arrive between awaits)
          }
        }
        seq++;
        sent++;
        acks.sentOne(value.length);
        // node-rdkafka hands JS at most 100 delivery reports per event-loop turn: yield every 100 messages so reports
        // keep pace (true live counts and latencies), and hold back while too many are unacknowledged.
        if ((i + 1) % YIELD_EVERY === 0) {
          acks.mark();
          await immediate();
          while (acks.inFlight() > MAX_IN_FLIGHT && !stopping) await sleep(1);
          if (acks.tooLarge) throw tooLargeError(o.topic, o.batchBytes);
        }
      }
      if (acks.tooLarge) throw tooLargeError(o.topic, o.batchBytes);
    }
  } catch (e) {
    const failure = isDataStormError(e) ? e : new DataStormError('PRODUCE', (e as Error).message);
    // Told at once, so the primary stops the other children; the counts follow with the last tick.
    send({ t: 'fatal', slot: cfg.slot, code: failure.code, message: failure.message });
  }
  // Stopped, finished or failed: stop generating and wait (bounded) for what is in flight, so the counts are true.
  const flushed = await new Promise<boolean>((resolve) => producer.flush(FLUSH_TIMEOUT_MS, (err) => resolve(!err)));
  acks.settle(flushed);
  const deadline = Date.now() + 5000;
  while (acks.inFlight() > 0 && Date.now() < deadline) await sleep(20); // reports still being handed to JS
  clearInterval(ticker);
  gcObserver.disconnect();
  await tick();
  loopDelay.disable();
  send({
    t: 'done',
    slot: cfg.slot,
    histogram: acks.histogram ? hdr.encodeIntoCompressedBase64(acks.histogram) : '',
    unresolved: acks.unresolved(),
    gcHistogram: hdr.encodeIntoCompressedBase64(gc),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  });
  await new Promise<void>((r) => producer.disconnect(5000, () => r()));
  redis.disconnect();
}

function tooLargeError(topic: string, batchBytes: number): DataStormError {
  return new DataStormError(
    'TOPIC',
    `topic '${topic}' refused a batch as too large (message size too large): its max.message.bytes is below the batch size; ` +
      `raise it (kafka-configs --alter --add-config max.message.bytes=${batchBytes + (1 << 20)}) or pass a smaller --batch-bytes (now ${batchBytes})`,
  );
}

// Entry point when forked by the primary (cluster.setupPrimary({ exec: this file })).
const raw = process.env[CHILD_ENV];
if (raw) {
  runChild(JSON.parse(raw) as ChildConfig).then(
    () => process.exit(0),
    (e) => {
      send({ t: 'fatal', slot: -1, code: isDataStormError(e) ? e.code : 'INTERNAL', message: (e as Error).message });
      process.exit(1);
    },
  );
}
