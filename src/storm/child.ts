/**
 * A storm child: leases slices of the global quota (quota-leaser.ts), sends each as one batch through the native
 * producer: tweets Avro-encoded in C straight into librdkafka's queue (batch-sender.ts), any other record schema's
 * messages written by its record plan in JavaScript and handed over in one call (record-sender.ts); and reports to the
 * primary on every whole second (child-ticker.ts). Delivery reports are counted in C: every acknowledgement, its
 * bytes and its latency; failures by kind. Warm-up counts are kept apart (warmup-barrier.ts).
 */
import { childMain, fatalMessage, type StopSignal, stopOnRequest, toPrimary } from '../child-main.js';
import { Counters } from '../coord/counters.js';
import { type Lease, Quota } from '../coord/quota.js';
import { connectRedis } from '../coord/redis.js';
import { DataStormError, isDataStormError } from '../errors.js';
import { frameFor, loadStormSchema } from '../generate/storm-schema.js';
import { producerIdOf } from '../generate/tweet-contract.js';
import { topicMaxMessageBytesFor } from '../kafka/limits.js';
import { BatchProducer } from '../kafka/native/batch-producer.js';
import { producerConfig, spreadKeylessFor } from '../kafka/producer.js';
import { Rng, Sfc32 } from '../random.js';
import { decodeSchedule, isUnlimited } from '../scenario/schedule.js';
import { BatchSender, type SliceSender } from './batch-sender.js';
import { ChildLatency } from './child-latency.js';
import { ChildTicker } from './child-ticker.js';
import { HealthProbe } from './health-probe.js';
import { CHILD_ENV, type ChildConfig, type ChildMessage } from './protocol.js';
import { QuotaLeaser } from './quota-leaser.js';
import { RecordSender } from './record-sender.js';
import { settle, WarmupBarrier } from './warmup-barrier.js';

const FLUSH_TIMEOUT_MS = 30_000;

const send = (message: ChildMessage) => toPrimary(message);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything a child runs with, made once at its start. */
interface ChildParts {
  config: ChildConfig;
  stop: StopSignal;
  producer: BatchProducer;
  leaser: QuotaLeaser;
  sender: SliceSender;
  ticker: ChildTicker;
  warmup: WarmupBarrier;
  latency: ChildLatency;
  health: HealthProbe;
  close: () => void;
}

export async function runChild(config: ChildConfig): Promise<void> {
  const parts = await prepare(config);
  parts.ticker.start();
  send({ t: 'producing', slot: config.slot });
  try {
    await produceUntilDone(parts);
  } catch (e) {
    // Told at once, so the primary stops the other children; the counts follow with the last tick.
    send(fatalMessage(config.slot, asRunError(e, config.options.topic)));
  }
  await finish(parts);
}

async function prepare(config: ChildConfig): Promise<ChildParts> {
  const options = config.options;
  const producerId = producerIdOf(options.runId, config.instance, config.slot, config.incarnation);
  const stop = stopOnRequest();
  const rng = new Rng((process.pid * 2654435761 + config.slot) >>> 0);
  // The run's rate shape, as the quota schedules it: each message's intended send time comes from it.
  const schedule = decodeSchedule(options.shape.schedule);
  const health = new HealthProbe();
  const redis = await connectRedis(options.redis, options.redisCa);
  const quota = new Quota(redis, options.runId, options.count, options.shape.schedule);
  const spreadKeyless = spreadKeylessFor(options.client);
  const producer = await new BatchProducer(producerConfig(options, producerId), options.topic, {
    spreadKeyless,
  }).connect();
  const draws = new Sfc32(rng.u32());
  const schema = loadStormSchema(options, draws);
  const frame = config.schemaId === undefined ? null : frameFor(schema, config.schemaId);
  const sender =
    schema.kind === 'tweet'
      ? new BatchSender(options, schema.type, producerId, schedule, producer, rng, stop, frame)
      : new RecordSender(options, schema, schedule, producer, rng, draws, stop, frame);
  const leaserSettings = {
    producerId,
    batchSize: options.batchSize,
    workers: options.workers,
    redisUrl: options.redis,
  };
  const leaser = new QuotaLeaser(quota, schedule, leaserSettings, stop);
  const latency = new ChildLatency(producer, !isUnlimited(schedule), options.ombResult !== undefined);
  const warmup = new WarmupBarrier(options.warmup * 1000, producer, stop);
  const ticker = new ChildTicker({
    slot: config.slot,
    producer,
    latency,
    health,
    counters: new Counters(redis, options.runId, producerId),
    quota,
    givesBackFailures: options.count !== undefined,
    warming: () => warmup.warming,
    scheduleStartMs: () => leaser.scheduleStartMs,
    firstGrantMs: () => leaser.firstGrantMs,
    send,
  });
  const close = () => {
    producer.close();
    redis.disconnect();
  };
  return { config, stop, producer, leaser, sender, ticker, warmup, latency, health, close };
}

/** The produce loop: lease, send, hold back while too much is in flight; until stopped, done or failed. */
async function produceUntilDone(parts: ChildParts): Promise<void> {
  const { config, stop, producer, leaser, ticker, warmup } = parts;
  const options = config.options;
  const durationMs = options.duration !== undefined ? options.duration * 1000 : Infinity;
  while (!stop.requested) {
    const lease = await leaser.next();
    // Instances of one run start on one instant (coord/instances.ts): wait for it, a few leases at most.
    if (lease.elapsedMs < 0) {
      await sleep(Math.min(-lease.elapsedMs, 500));
      continue;
    }
    if (lease.elapsedMs >= durationMs) return;
    if (warmup.reached(lease.elapsedMs)) await warmup.cross(() => ticker.tick());
    if (lease.granted === 0) {
      if (!quotaSpent(lease, options.count)) {
        await sleep(Math.min(20, Math.max(1, (leaser.chunk / Math.max(leaser.rateAhead(lease), 1)) * 1000)));
        continue;
      }
      if (await failuresToReplace(parts)) continue;
      return;
    }
    ticker.handed.behind = lease.allowed >= 0 ? Math.max(0, lease.allowed - lease.first - lease.granted) : 0;
    for (const slice of batchesOf(lease, options.batchSize)) {
      const { handed, bySentiment, share } = await parts.sender.send(slice, leaser.startLocal);
      ticker.handed.add(handed, bySentiment, share);
      // Hold back while too many are unacknowledged (--max-in-flight): a deeper queue adds latency, and verify's
      // unconfirmed window is sized for at most MAX_IN_FLIGHT_LIMIT (generate/tweet-contract.ts).
      while (producer.inFlight() > options.maxInFlight && !stop.requested) await sleep(1);
      if (producer.counts().tooLarge) throw tooLargeError(options.topic, options.batchBytes);
      throwIfRefusedForGood(producer, options.topic);
      if (stop.requested) break;
    }
  }
}

/** A slice of several batches (full speed, storm/quota-leaser.ts) as slices of one batch each. */
function* batchesOf(lease: Lease, batchSize: number): Generator<Lease> {
  for (let sent = 0; sent < lease.granted; sent += batchSize) {
    const granted = Math.min(batchSize, lease.granted - sent);
    yield { ...lease, first: lease.first + sent, firstId: lease.firstId + sent, granted };
  }
}

/** No more to lease: the schedule ended (allowed < 0) or an exact --count is all issued. */
const quotaSpent = (lease: Lease, count: number | undefined) =>
  lease.allowed < 0 || (count !== undefined && lease.first >= count);

/**
 * The quota is spent, but what is still in flight may yet fail: wait for it; when some failed under an exact --count,
 * a tick gives them back and this says lease again, so another batch replaces them and the count lands.
 */
async function failuresToReplace({ config, producer, ticker, stop }: ChildParts): Promise<boolean> {
  const options = config.options;
  await settle(producer, stop, FLUSH_TIMEOUT_MS, 5);
  const settled = producer.counts();
  if (settled.tooLarge) throw tooLargeError(options.topic, options.batchBytes);
  throwIfRefusedForGood(producer, options.topic);
  if (options.count === undefined || settled.failed <= ticker.failedSoFar) return false;
  await ticker.tick(true);
  return true;
}

/** Stopped, finished or failed: waits (bounded) for what is in flight, so the counts are true, then reports. */
async function finish(parts: ChildParts): Promise<void> {
  const { config, producer, ticker, health, stop } = parts;
  // The bound is read as it goes: a second stop request (Ctrl-C again) shortens it to what is already settled.
  await settle(producer, null, () => stop.settleMs ?? FLUSH_TIMEOUT_MS, 10);
  ticker.stop();
  await ticker.tick(true);
  health.stop();
  const cpu = process.cpuUsage();
  send({
    t: 'done',
    slot: config.slot,
    ...parts.latency.encoded(),
    partitions: parts.warmup.measuredPartitions(),
    unresolved: ticker.inFlightAtLastTick,
    gcHistogram: health.gcPauses.pairs(),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    cpuMicros: cpu.user + cpu.system,
  });
  parts.close();
}

/**
 * Refusals no retry can turn: the topic's or the cluster's settings (its cleanup policy, its in-sync replicas, an
 * ACL, a policy), each with the setting to look at and what can work. Replacing the failed messages would only fail
 * them again, counted each time: the run stops at the first, with its report.
 */
const REFUSED_FOR_GOOD: Readonly<Record<string, (topic: string) => string>> = {
  INVALID_RECORD: (t) =>
    `topic '${t}' refused the records as invalid (INVALID_RECORD): a compacted topic (cleanup.policy=compact) takes ` +
    'only keyed records; give --keys or --key-field, or write to a topic with cleanup.policy=delete',
  TOPIC_AUTHORIZATION_FAILED: (t) =>
    `the client may not write to topic '${t}' (TOPIC_AUTHORIZATION_FAILED): an ACL must allow its principal Write ` +
    `on the topic (kafka-acls --add --allow-principal User:… --operation Write --topic ${t})`,
  CLUSTER_AUTHORIZATION_FAILED: (t) =>
    'the cluster refused the idempotent producer (CLUSTER_AUTHORIZATION_FAILED): an ACL must allow the principal ' +
    `Write on topic '${t}' (which also allows idempotence) or IdempotentWrite on the cluster; or run with ` +
    '--idempotence false',
  NOT_ENOUGH_REPLICAS: (t) =>
    `topic '${t}' has fewer in-sync replicas than its min.insync.replicas (NOT_ENOUGH_REPLICAS): acks=all cannot be ` +
    "honoured until brokers come back; or lower the topic's min.insync.replicas, or run with --acks 1",
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: (t) =>
    `topic '${t}' lost in-sync replicas below its min.insync.replicas while writing ` +
    "(NOT_ENOUGH_REPLICAS_AFTER_APPEND): acks=all cannot be honoured until brokers come back; or lower the topic's " +
    'min.insync.replicas',
  POLICY_VIOLATION: (t) => `the cluster's policy refused the writes to topic '${t}' (POLICY_VIOLATION)`,
};

/** What ended a child's producing, as the run reports it: a refusal for good by its setting, else PRODUCE. */
function asRunError(e: unknown, topic: string): DataStormError {
  if (isDataStormError(e)) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && Object.hasOwn(REFUSED_FOR_GOOD, code))
    return new DataStormError('TOPIC', REFUSED_FOR_GOOD[code](topic), [], { cause: e });
  return new DataStormError('PRODUCE', (e as Error).message, [], { cause: e });
}

function throwIfRefusedForGood(producer: BatchProducer, topic: string): void {
  const failures = producer.failures();
  for (const kind of Object.keys(failures))
    if (Object.hasOwn(REFUSED_FOR_GOOD, kind)) throw new DataStormError('TOPIC', REFUSED_FOR_GOOD[kind](topic));
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
