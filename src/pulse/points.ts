/**
 * Tweets → InfluxDB points, without ever overwriting one by accident and with every replay landing on the points it
 * wrote before (InfluxDB keeps one point per measurement + tag set + timestamp: a second write replaces the first).
 * Both stores tag the Kafka partition, which keeps series cardinality bounded (brands × 3 sentiments ×
 * partitions) and makes each series' writer unique; within a series:
 *   points: one point per tweet at  created_at (ms) · 10^6 + offset mod 10^6  ns — two tweets of one partition share
 *           it only if they were created in the same millisecond a million offsets apart;
 *   counts: per-second sums over a fixed window of COUNT_WINDOW offsets, at  second · 10^9 + window number  ns. The
 *           point's identity depends only on the data (second, brand, sentiment, partition, offset window), never on
 *           where a flush happened to cut: a window still open is written with its running sum, rewritten as it
 *           grows, and offsets are committed only up to its start, so whoever reads the partition next (a restarted
 *           child, a new owner after a rebalance, a replay by another group with other flush sizes) counts the whole
 *           window again and writes the same points with the same sums.
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

/** Offsets per counts window: what a restart reads again at most, per partition (see above). */
export const COUNT_WINDOW = 10_000;

/** Key of a per-second sum within a window: (second · 4 + sentiment) · 2^16 + brand (all below 2^53). */
const keyOf = (sec: number, sentiment: number, brand: number) => (sec * 4 + sentiment) * 65_536 + brand;

interface Window {
  partition: number;
  /** floor(offset / COUNT_WINDOW) */
  index: number;
  sums: Map<number, number>;
  /** Keys changed since the last flush. */
  dirty: Set<number>;
}

/**
 * Per-second counts per brand and sentiment, per partition, in fixed offset windows. A flush takes the lines of the
 * windows closed since the last one and the changed sums of the open ones (which it keeps counting).
 */
export class CountsAggregator {
  private readonly open = new Map<number, Window>();
  private closed: string[] = [];
  private readonly brands: string[] = [];
  private readonly brandIndex = new Map<string, number>();
  private readonly sentiments: string[] = [];
  private dirtyCount = 0;

  add(
    t: Pick<TweetView, 'created_at' | 'brand' | 'sentiment' | 'sentimentIndex'>,
    partition: number,
    offset: number,
  ): void {
    const index = Math.floor(offset / COUNT_WINDOW);
    let w = this.open.get(partition);
    if (!w || w.index !== index) {
      if (w) this.close(w);
      w = { partition, index, sums: new Map(), dirty: new Set() };
      this.open.set(partition, w);
    }
    let b = this.brandIndex.get(t.brand);
    if (b === undefined) {
      b = this.brands.push(t.brand) - 1;
      if (b >= 65_536) throw new Error('more than 65,536 distinct brands in one pulse child');
      this.brandIndex.set(t.brand, b);
    }
    this.sentiments[t.sentimentIndex] = t.sentiment;
    const key = keyOf(Math.floor(t.created_at / 1000), t.sentimentIndex, b);
    w.sums.set(key, (w.sums.get(key) ?? 0) + 1);
    if (!w.dirty.has(key)) {
      w.dirty.add(key);
      this.dirtyCount++;
    }
  }

  /** Points a flush would write now. */
  get size(): number {
    return this.closed.length + this.dirtyCount;
  }

  /** Forgets what it holds of these partitions (revoked: their new owner reads them again from the last commit). */
  drop(partitions: Set<number>): void {
    for (const p of partitions) {
      const w = this.open.get(p);
      if (w) this.dirtyCount -= w.dirty.size;
      this.open.delete(p);
    }
    // Closed windows of a revoked partition are not committed either: their new owner rewrites the same points.
    this.closed = this.closed.filter((l) => !partitions.has(Number(/,partition=(\d+)/.exec(l)?.[1])));
  }

  /** The lines of this flush: closed windows (forgotten) and the open windows' changed sums (kept, running). */
  drain(): string[] {
    const lines = this.closed;
    this.closed = [];
    for (const w of this.open.values()) {
      for (const key of w.dirty) lines.push(this.line(w, key, w.sums.get(key) ?? 0));
      w.dirty.clear();
    }
    this.dirtyCount = 0;
    return lines;
  }

  /**
   * The offset a partition may be committed to once this flush's lines are acknowledged: the start of its open window
   * (what comes before is written whole), never past `next` (the offset after the last consumed).
   */
  commitOffset(partition: number, next: number): number {
    const w = this.open.get(partition);
    return w ? Math.min(next, w.index * COUNT_WINDOW) : next;
  }

  private close(w: Window): void {
    // Its changed sums are the only ones not yet written; the rest were written with their final value already.
    for (const key of w.dirty) this.closed.push(this.line(w, key, w.sums.get(key) ?? 0));
    this.dirtyCount -= w.dirty.size;
  }

  private line(w: Window, key: number, n: number): string {
    const brand = key % 65_536;
    const rest = (key - brand) / 65_536;
    const sentiment = rest % 4;
    const sec = (rest - sentiment) / 4;
    const ns = BigInt(sec) * 1_000_000_000n + BigInt(w.index % 1_000_000_000);
    return new Point(MEASUREMENT)
      .tag('brand', this.brands[brand])
      .tag('sentiment', this.sentiments[sentiment])
      .tag('partition', String(w.partition))
      .intField('count', n)
      .timestamp(ns.toString())
      .toLineProtocol() as string;
  }
}
