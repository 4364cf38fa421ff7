/**
 * Tweets → InfluxDB points, without ever overwriting one (InfluxDB keeps one point per measurement + tag set +
 * timestamp and silently replaces the rest). Both stores tag the Kafka partition, which keeps series cardinality
 * bounded (brands × 3 sentiments × partitions) and makes each series' writer unique; within a series:
 *   points: one point per tweet at  created_at (ms) · 10^6 + offset mod 10^6  ns — two tweets of one partition share
 *           it only if they were created in the same millisecond a million offsets apart;
 *   counts: per-second sums at  second · 10^9 + (first offset of this flush for the partition) mod 10^9  ns — each
 *           flush covers a disjoint range of offsets, so its points get their own timestamps; a range replayed after a
 *           crash (at-least-once) lands on the same timestamp and replaces its earlier copy instead of adding to it.
 * Queries sum the field `count` (1 per tweet, or the per-second sum).
 */
import { Point } from '@influxdata/influxdb-client';
import type { TweetView } from '../generate/tweet-reader.js';

export const MEASUREMENT = 'tweets';
const TEXT_MAX = 255;

export function tweetPoint(
  t: Pick<TweetView, 'created_at' | 'brand' | 'sentiment' | 'text'>,
  partition: number,
  offset: number,
): string {
  const ns = BigInt(t.created_at) * 1_000_000n + BigInt(offset % 1_000_000);
  return new Point(MEASUREMENT)
    .tag('brand', t.brand)
    .tag('sentiment', t.sentiment)
    .tag('partition', String(partition))
    .stringField('text', t.text.length > TEXT_MAX ? t.text.slice(0, TEXT_MAX) : t.text)
    .intField('count', 1)
    .timestamp(ns.toString())
    .toLineProtocol() as string; // a point with fields always has a line
}

/** Per-second counts per brand and sentiment, per partition, for one flush. */
export class CountsAggregator {
  private readonly sums = new Map<string, number>();
  private readonly firstOffset = new Map<number, number>();
  add(t: Pick<TweetView, 'created_at' | 'brand' | 'sentiment'>, partition: number, offset: number): void {
    if (!this.firstOffset.has(partition)) this.firstOffset.set(partition, offset);
    const key = `${Math.floor(t.created_at / 1000)}\u0000${partition}\u0000${t.brand}\u0000${t.sentiment}`;
    this.sums.set(key, (this.sums.get(key) ?? 0) + 1);
  }
  get size(): number {
    return this.sums.size;
  }
  /** Forgets what it holds of these partitions (revoked: their new owner reads them again from the last commit). */
  drop(partitions: Set<number>): void {
    for (const key of this.sums.keys()) if (partitions.has(Number(key.split('\u0000')[1]))) this.sums.delete(key);
    for (const p of partitions) this.firstOffset.delete(p);
  }
  /** The points of this flush; empties the aggregator. */
  drain(): string[] {
    const lines: string[] = [];
    for (const [key, n] of this.sums) {
      const [sec, partition, brand, sentiment] = key.split('\u0000');
      const ns = BigInt(sec) * 1_000_000_000n + BigInt((this.firstOffset.get(Number(partition)) ?? 0) % 1_000_000_000);
      lines.push(
        new Point(MEASUREMENT)
          .tag('brand', brand)
          .tag('sentiment', sentiment)
          .tag('partition', partition)
          .intField('count', n)
          .timestamp(ns.toString())
          .toLineProtocol() as string,
      );
    }
    this.sums.clear();
    this.firstOffset.clear();
    return lines;
  }
}
