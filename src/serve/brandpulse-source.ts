/**
 * BrandPulse beside the storm: every few seconds, the per-second sentiment InfluxDB holds (the dashboards' own Flux
 * query, last minute) and the pulse consumer group's lag per partition (its committed offsets against the partitions'
 * ends). Either may be missing (no InfluxDB token, no group yet): the panel says so.
 */
import Kafka from 'node-rdkafka';
import { fluxRows, type InfluxTarget } from '../pulse/influx-sink.js';
import { MEASUREMENT } from '../pulse/points.js';
import { fluxString } from '../pulse/summary.js';

export interface BrandPulseView {
  /** [unix seconds, positive, negative, neutral] per second of the last minute, from InfluxDB. */
  perSecond: [number, number, number, number][];
  /** Tweets per brand and sentiment over the last minute. */
  byBrand: Record<string, { positive: number; negative: number; neutral: number }>;
  /** The pulse group's lag per partition (-1: nothing committed yet). */
  lagByPartition: Record<string, number>;
  /** Why a part is missing, in one line each. */
  notes: string[];
}

export async function sentimentLastMinute(t: InfluxTarget): Promise<Pick<BrandPulseView, 'perSecond' | 'byBrand'>> {
  const flux =
    `from(bucket: ${fluxString(t.bucket)}) |> range(start: -60s)` +
    ` |> filter(fn: (r) => r._measurement == "${MEASUREMENT}" and r._field == "count")` +
    ' |> group(columns: ["brand", "sentiment"]) |> aggregateWindow(every: 1s, fn: sum, createEmpty: false)';
  const seconds = new Map<number, [number, number, number, number]>();
  const byBrand: BrandPulseView['byBrand'] = {};
  const index = { positive: 1, negative: 2, neutral: 3 } as const;
  for (const r of await fluxRows(t, flux)) {
    const sentiment = String(r.sentiment) as keyof typeof index;
    if (!(sentiment in index)) continue;
    const sec = Math.round(Date.parse(String(r._time)) / 1000);
    const n = Number(r._value ?? 0);
    const row = seconds.get(sec) ?? [sec, 0, 0, 0];
    seconds.set(sec, row);
    row[index[sentiment]] += n;
    const brand = String(r.brand);
    const b = byBrand[brand] ?? { positive: 0, negative: 0, neutral: 0 };
    byBrand[brand] = b;
    b[sentiment] += n;
  }
  return { perSecond: [...seconds.values()].sort((a, b) => a[0] - b[0]), byBrand };
}

/** The group's committed offsets against the partitions' ends (a consumer that never subscribes: no rebalance). */
export class GroupLag {
  private readonly consumer: Kafka.KafkaConsumer;
  private connected?: Promise<void>;
  constructor(
    bootstrap: string,
    group: string,
    private readonly topic: string,
  ) {
    this.consumer = new Kafka.KafkaConsumer(
      { 'metadata.broker.list': bootstrap, 'group.id': group, 'enable.auto.commit': false },
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
