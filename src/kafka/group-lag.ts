/** A consumer group's lag per partition, from outside the group (the dashboard's view of pulse). */
import Kafka from 'node-rdkafka';
import type { KafkaTarget } from './admin.js';

/** The group's committed offsets against the partitions' ends (a consumer that never subscribes: no rebalance). */
export class GroupLag {
  private readonly consumer: Kafka.KafkaConsumer;
  private connected?: Promise<void>;
  constructor(
    cluster: KafkaTarget,
    group: string,
    private readonly topic: string,
  ) {
    this.consumer = new Kafka.KafkaConsumer(
      { ...cluster.client, 'metadata.broker.list': cluster.bootstrap, 'group.id': group, 'enable.auto.commit': false },
      {},
    );
  }
  async read(partitions: number): Promise<Record<string, number>> {
    this.connected ??= new Promise((res, rej) => this.consumer.connect({ timeout: 5000 }, (e) => (e ? rej(e) : res())));
    await this.connected;
    const toppars = Array.from({ length: partitions }, (_, partition) => ({ topic: this.topic, partition }));
    const committed = await new Promise<Kafka.TopicPartitionOffset[]>((res, rej) =>
      this.consumer.committed(toppars, 5000, (e, tp) => (e ? rej(e) : res(tp))),
    );
    const lag: Record<string, number> = {};
    for (const tp of committed) {
      const high = await new Promise<number>((res, rej) =>
        this.consumer.queryWatermarkOffsets(this.topic, tp.partition, 5000, (e, w) => (e ? rej(e) : res(w.highOffset))),
      );
      lag[tp.partition] = tp.offset >= 0 ? Math.max(0, high - tp.offset) : -1;
    }
    return lag;
  }
  close(): void {
    if (this.connected) this.consumer.disconnect();
  }
}
