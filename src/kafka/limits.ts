/** Size limits that must agree between the producer, the topics DataStorm creates and the brokers (20 MiB). */

/**
 * The local cluster's brokers take messages (batches) up to this size (kafka-cluster/cluster.sh: message.max.bytes).
 */
export const BROKER_MAX_MESSAGE_BYTES = 20 * 1024 * 1024;

/** Protocol overhead allowed on top of one full batch in a produce request, and on a topic's max.message.bytes. */
export const BATCH_OVERHEAD_BYTES = 1 << 20;

/** librdkafka's message.max.bytes (the largest request) for a batch size: one full batch plus overhead. */
export const requestBytesFor = (batchBytes: number) => Math.min(batchBytes + BATCH_OVERHEAD_BYTES, 1_000_000_000);

/** A topic's max.message.bytes that takes a full batch (never below Kafka's own default). */
export const topicMaxMessageBytesFor = (batchBytes: number) => Math.max(batchBytes + BATCH_OVERHEAD_BYTES, 1_048_588);
