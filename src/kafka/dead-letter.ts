/**
 * The dead-letter topic: records that are not tweets of the schema are copied there as they are, with where they came
 * from in headers (datastorm-source-topic, -partition, -offset), before the consumer commits past them. A plain
 * node-rdkafka producer: poison records are few, so per-record calls cost nothing that matters.
 */
import Kafka from 'node-rdkafka';
import { DataStormError } from '../errors.js';
import type { KafkaTarget } from './admin.js';

export class DeadLetter {
  private readonly producer: Kafka.Producer;
  private unsettled = 0;
  private failure?: { message: string };
  /** Records the brokers acknowledged. */
  copied = 0;

  constructor(
    cluster: KafkaTarget,
    private readonly topic: string,
    private readonly sourceTopic: string,
  ) {
    this.producer = new Kafka.Producer({
      ...cluster.client,
      'metadata.broker.list': cluster.bootstrap,
      'client.id': 'datastorm-dead-letter',
      dr_cb: true,
      'enable.idempotence': true,
      'socket.connection.setup.timeout.ms': 5000,
      'message.max.bytes': 20 * 1024 * 1024,
    });
    this.producer.on('delivery-report', (err) => {
      this.unsettled--;
      if (err) this.failure = err;
      else this.copied++;
    });
    this.producer.setPollInterval(50);
  }

  connect(timeoutMs = 10_000): Promise<this> {
    return new Promise((resolve, reject) =>
      this.producer.connect({ timeout: timeoutMs }, (e) =>
        e ? reject(new DataStormError('KAFKA_UNREACHABLE', `dead-letter producer: ${e.message}`)) : resolve(this),
      ),
    );
  }

  copy(value: Buffer, partition: number, offset: number): void {
    const headers: Kafka.MessageHeader[] = [
      { 'datastorm-source-topic': this.sourceTopic },
      { 'datastorm-source-partition': String(partition) },
      { 'datastorm-source-offset': String(offset) },
    ];
    this.producer.produce(this.topic, null, value, null, Date.now(), undefined, headers);
    this.unsettled++;
  }

  /** Resolves once every copy so far was acknowledged; rejects when one failed (its source is then not committed). */
  async settled(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.unsettled > 0 && !this.failure) {
      if (Date.now() > deadline)
        throw new DataStormError('PRODUCE', `dead-letter topic '${this.topic}': no ack in time`);
      await new Promise((r) => setTimeout(r, 10));
    }
    if (this.failure)
      throw new DataStormError(
        'PRODUCE',
        `dead-letter topic '${this.topic}' refused a record: ${this.failure.message}`,
      );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.producer.disconnect(5000, () => resolve()));
  }
}
