/** Produces raw records (any bytes, or null: a tombstone) to chosen partitions, for tests that need odd data. */
import Kafka from 'node-rdkafka';
import { bootstrap } from './services.js';

export async function produceRaw(topic: string, records: [partition: number, value: Buffer | null][]): Promise<void> {
  const p = new Kafka.Producer({ 'metadata.broker.list': bootstrap(), dr_cb: true } as Kafka.ProducerGlobalConfig);
  await new Promise<void>((res, rej) => p.connect({ timeout: 10_000 }, (e) => (e ? rej(e) : res())));
  let delivered = 0;
  let failed: Error | undefined;
  const done = new Promise<void>((res) =>
    p.on('delivery-report', (e) => {
      if (e) failed = e as unknown as Error;
      if (++delivered === records.length) res();
    }),
  );
  p.setPollInterval(10);
  for (const [partition, value] of records) p.produce(topic, partition, value);
  await done;
  await new Promise<void>((r) => p.disconnect(() => r()));
  if (failed) throw failed;
}
