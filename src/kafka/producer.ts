/** node-rdkafka producer configured for a storm: big LZ4 batches, linger, acks (delivery reports: see storm/ack-tracker). */
import Kafka from 'node-rdkafka';
import type { StormOptions } from '../storm/options.js';

export function producerConfig(o: StormOptions, clientId: string): Kafka.ProducerGlobalConfig {
  const acks = o.acks === 'all' ? -1 : Number(o.acks);
  return {
    'client.id': clientId,
    'metadata.broker.list': o.bootstrap,
    'compression.codec': o.compression,
    'batch.size': o.batchBytes,
    // A request may carry one full batch plus protocol overhead; the brokers allow 20 MiB.
    'message.max.bytes': Math.min(o.batchBytes + (1 << 20), 1_000_000_000),
    'batch.num.messages': 1_000_000,
    'linger.ms': o.lingerMs,
    'request.required.acks': acks,
    'enable.idempotence': o.idempotence,
    'queue.buffering.max.messages': 2_000_000,
    'queue.buffering.max.kbytes': 2_097_151,
    'socket.connection.setup.timeout.ms': 5000,
    'message.timeout.ms': 120_000,
    'log.connection.close': false,
  } as Kafka.ProducerGlobalConfig;
}

export function connectProducer(config: Kafka.ProducerGlobalConfig, timeoutMs = 10_000): Promise<Kafka.Producer> {
  const p = new Kafka.Producer(config);
  return new Promise((resolve, reject) =>
    p.connect({ timeout: timeoutMs }, (err) => (err ? reject(err) : resolve(p))),
  );
}

/** The librdkafka error code a produce() call throws when its local queue is full. */
export const QUEUE_FULL = Kafka.CODES.ERRORS.ERR__QUEUE_FULL;
