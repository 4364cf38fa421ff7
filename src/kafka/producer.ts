/**
 * librdkafka settings of a storm producer: big LZ4 batches, linger, acks. Delivery reports are counted in C (native/).
 */
import { requestBytesFor } from './limits.js';

export interface ProducerSettings {
  bootstrap: string;
  compression: string;
  batchBytes: number;
  lingerMs: number;
  acks: '0' | '1' | 'all';
  idempotence: boolean;
  /** The user's client settings (TLS, SASL, …): DataStorm's own settings are refused there, so none is overridden. */
  client: Record<string, string>;
  /** Over `client`, for producers only (an OMB driver's producerConfig, e.g. its largest request). */
  producerClient?: Record<string, string>;
}

/** How often storm producers and pulse consumers refresh the topic's metadata (new partitions, leaders). */
export const METADATA_REFRESH_MS = 5000;

export function producerConfig(s: ProducerSettings, clientId: string): Record<string, string | number | boolean> {
  return {
    'client.id': clientId,
    // A topic deleted mid-run is never re-created by our metadata requests, and partitions added mid-run are written
    // to within seconds (librdkafka's default refresh is 5 min); the user's -X wins for either.
    'allow.auto.create.topics': false,
    'topic.metadata.refresh.interval.ms': METADATA_REFRESH_MS,
    // Keys land where the Java client would put them (murmur2), so --keys loads partitions as real producers do.
    partitioner: 'murmur2_random',
    ...s.client,
    'metadata.broker.list': s.bootstrap,
    'compression.codec': s.compression,
    'batch.size': s.batchBytes,
    'message.max.bytes': requestBytesFor(s.batchBytes),
    'batch.num.messages': 1_000_000,
    'linger.ms': s.lingerMs,
    'request.required.acks': s.acks === 'all' ? -1 : Number(s.acks),
    'enable.idempotence': s.idempotence,
    'queue.buffering.max.messages': 2_000_000,
    'queue.buffering.max.kbytes': 2_097_151,
    'socket.connection.setup.timeout.ms': 5000,
    'message.timeout.ms': 120_000,
    'log.connection.close': false,
    ...s.producerClient,
  };
}

/**
 * Whether keyless batches go whole to the led partitions in turn (kafka/native/batch-producer.ts) rather than through
 * librdkafka's sticky partitioner message by message: the same stickiness, held for a batch instead of linger.ms, for
 * a fraction of the CPU. A user who set how keyless messages are partitioned gets librdkafka's own partitioning,
 * exactly as set.
 */
export function spreadKeylessFor(client: Record<string, string>): boolean {
  return !Object.hasOwn(client, 'partitioner') && !Object.hasOwn(client, 'sticky.partitioning.linger.ms');
}
