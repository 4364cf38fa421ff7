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
import { escape as lineProtocol } from '@influxdata/influxdb-client';
import { BrandTable, MAX_BRANDS } from '../generate/brand-table.js';
import type { TweetView } from '../generate/tweet-reader.js';

export const MEASUREMENT = 'tweets';

/**
 * The created_at (ms) a point can carry: InfluxDB stores int64 nanoseconds (1677-09-21 to 2262-04-11), and both
 * stores add up to a second's worth of ns below the ms (points: offset mod 10^6; counts: window number). A tweet
 * outside it can never be written: it is counted apart and dead-lettered, never retried for ever.
 */
export const STORABLE_CREATED_AT = { min: -9_223_372_035_000, max: 9_223_372_035_000 } as const;
export const storable = (createdAt: number): boolean =>
  createdAt >= STORABLE_CREATED_AT.min && createdAt <= STORABLE_CREATED_AT.max;
const TEXT_MAX = 255;

/**
 * One tweet's line, as the client's Point would write it (tags sorted, escaped, empty ones left out; fields sorted;
 * the text quoted and cut to TEXT_MAX), built from a cached series prefix: no Point and no BigInt per tweet.
 */
export class TweetLines {
  private readonly prefixes = new Map<string, string>();

  line(t: Pick<TweetView, 'created_at' | 'brand' | 'sentiment' | 'text'>, partition: number, offset: number): string {
    const series = `${partition}\u0000${t.sentiment}\u0000${t.brand}`;
    let prefix = this.prefixes.get(series);
    if (prefix === undefined) {
      prefix = `${MEASUREMENT}${tag('brand', t.brand)},partition=${partition}${tag('sentiment', t.sentiment)}`;
      // Series are brands × sentiments × partitions: few, but bounded anyway.
      if (this.prefixes.size < 100_000) this.prefixes.set(series, prefix);
    }
    const text = t.text.length > TEXT_MAX ? t.text.slice(0, TEXT_MAX) : t.text;
    return `${prefix} count=1i,text=${lineProtocol.quoted(text)} ${pointTimestamp(t.created_at, offset)}`;
  }
}

const defaultLines = new TweetLines();

export function tweetPoint(
  t: Pick<TweetView, 'created_at' | 'brand' | 'sentiment' | 'text'>,
  partition: number,
  offset: number,
): string {
  return defaultLines.line(t, partition, offset);
}

/** created_at (ms) · 10^6 + offset mod 10^6, in ns. */
function pointTimestamp(createdAt: number, offset: number): string {
  const within = offset % 1_000_000;
  if (createdAt > 0) return `${createdAt}${String(within).padStart(6, '0')}`;
  return (BigInt(createdAt) * 1_000_000n + BigInt(within)).toString();
}

/** Offsets per counts window: what a restart reads again at most, per partition (see above). */
export const COUNT_WINDOW = 10_000;

/** Sentiments a counts array has room for per brand (the built-in schema has 3). */
const SENTIMENT_SLOTS = 4;

/** One second's sums in one window: count per brand × sentiment, and which changed since the last flush. */
interface SecondSums {
  second: number;
  counts: Float64Array;
  changed: Uint8Array;
  changedKeys: number[];
}

interface Window {
  partition: number;
  /** floor(offset / COUNT_WINDOW) */
  index: number;
  seconds: Map<number, SecondSums>;
  /** The second the last tweet fell in (tweets of a window mostly share a few seconds). */
  last: SecondSums | undefined;
}

/**
 * Per-second counts per brand and sentiment, per partition, in fixed offset windows. A flush takes the lines of the
 * windows closed since the last one and the changed sums of the open ones (which it keeps counting). A tweet costs
 * an increment in a typed array (brand and sentiment as indexes: generate/brand-table.ts): no string, object or Map
 * operation per tweet; strings are made per line, per flush.
 */
export class CountsAggregator {
  /** The brands by index; a TweetReader given this table reads brands straight into it. */
  readonly brands = new BrandTable();
  private readonly open = new Map<number, Window>();
  private closed: string[] = [];
  private readonly sentiments: string[] = [];
  /** Line prefixes (measurement and tags) by series: partition, brand, sentiment. */
  private readonly prefixes = new Map<number, string>();
  private dirtyCount = 0;
  /**
   * Per brand index, the index whose tag it is written with: brands that write the same tag (they differ only in
   * trailing backslashes, see `tag`) share one series and must share one sum, or one point would replace the other.
   */
  private readonly written: number[] = [];
  private readonly byTag = new Map<string, number>();

  add(
    t: Pick<TweetView, 'created_at' | 'brand' | 'sentiment' | 'sentimentIndex'> & { brandIndex?: number },
    partition: number,
    offset: number,
  ): void {
    const index = Math.floor(offset / COUNT_WINDOW);
    let w = this.open.get(partition);
    if (!w || w.index !== index) {
      if (w) this.close(w);
      w = { partition, index, seconds: new Map(), last: undefined };
      this.open.set(partition, w);
    }
    const read = t.brandIndex !== undefined && t.brandIndex >= 0 ? t.brandIndex : this.brands.internString(t.brand);
    const brand = this.written[read] ?? this.writtenAs(read);
    const sentiment = t.sentimentIndex;
    if (sentiment >= SENTIMENT_SLOTS) throw new RangeError(`more than ${SENTIMENT_SLOTS} sentiments`);
    if (this.sentiments[sentiment] === undefined) this.sentiments[sentiment] = t.sentiment;
    const second = Math.floor(t.created_at / 1000);
    let sums = w.last;
    if (sums === undefined || sums.second !== second) {
      sums = w.seconds.get(second) ?? this.newSecond(w, second);
      w.last = sums;
    }
    const key = brand * SENTIMENT_SLOTS + sentiment;
    if (key >= sums.counts.length) this.grow(sums, key);
    sums.counts[key]++;
    if (sums.changed[key] === 0) {
      sums.changed[key] = 1;
      sums.changedKeys.push(key);
      this.dirtyCount++;
    }
  }

  private writtenAs(brand: number): number {
    const tagged = tag('brand', this.brands.names[brand]);
    const first = this.byTag.get(tagged) ?? brand;
    this.byTag.set(tagged, first);
    this.written[brand] = first;
    return first;
  }

  /** Points a flush would write now. */
  get size(): number {
    return this.closed.length + this.dirtyCount;
  }

  /** Forgets what it holds of these partitions (revoked: their new owner reads them again from the last commit). */
  drop(partitions: Set<number>): void {
    for (const p of partitions) {
      const w = this.open.get(p);
      if (w) for (const sums of w.seconds.values()) this.dirtyCount -= sums.changedKeys.length;
      this.open.delete(p);
    }
    // Closed windows of a revoked partition are not committed either: their new owner rewrites the same points.
    this.closed = this.closed.filter((l) => !partitions.has(Number(/,partition=(\d+)/.exec(l)?.[1])));
  }

  /** The lines of this flush: closed windows (forgotten) and the open windows' changed sums (kept, running). */
  drain(): string[] {
    const lines = this.closed;
    this.closed = [];
    for (const w of this.open.values()) this.changedLines(w, lines);
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
    const before = this.closed.length;
    this.changedLines(w, this.closed);
    this.dirtyCount -= this.closed.length - before;
  }

  /** A line per sum changed since the last flush, appended to `lines`; the sums are marked unchanged. */
  private changedLines(w: Window, lines: string[]): void {
    for (const sums of w.seconds.values()) {
      for (const key of sums.changedKeys) {
        lines.push(this.line(w, sums.second, key, sums.counts[key]));
        sums.changed[key] = 0;
      }
      sums.changedKeys.length = 0;
    }
  }

  private newSecond(w: Window, second: number): SecondSums {
    const slots = Math.max(1, this.brands.size) * SENTIMENT_SLOTS;
    const sums = { second, counts: new Float64Array(slots), changed: new Uint8Array(slots), changedKeys: [] };
    w.seconds.set(second, sums);
    return sums;
  }

  /** Room for a brand seen after this second's arrays were made. */
  private grow(sums: SecondSums, key: number): void {
    const slots = Math.max(key + 1, sums.counts.length * 2);
    const counts = new Float64Array(slots);
    counts.set(sums.counts);
    const changed = new Uint8Array(slots);
    changed.set(sums.changed);
    sums.counts = counts;
    sums.changed = changed;
  }

  private line(w: Window, second: number, key: number, n: number): string {
    const sentiment = key % SENTIMENT_SLOTS;
    const brand = (key - sentiment) / SENTIMENT_SLOTS;
    const series = (w.partition * MAX_BRANDS + brand) * SENTIMENT_SLOTS + sentiment;
    let prefix = this.prefixes.get(series);
    if (prefix === undefined) {
      prefix = `${MEASUREMENT}${tag('brand', this.brands.names[brand])},partition=${w.partition}`;
      prefix += tag('sentiment', this.sentiments[sentiment]);
      this.prefixes.set(series, prefix);
    }
    return `${prefix} count=${n}i ${countTimestamp(second, w.index)}`;
  }
}

/**
 * A tag as the client's Point writes it: escaped, and left out when empty (InfluxDB refuses an empty tag value). One
 * thing more than Point: backslashes at the end of a value are dropped. InfluxDB reads the character after a backslash
 * as escaped, so a value ending in one swallows the comma or space after it and the whole write is refused, for ever
 * (tried: `brand=d\\,p=0` and `brand=d\\\\,p=0` are both refused); no escaping keeps it, and the tweet still counts.
 */
const tag = (key: string, value: string) => {
  const kept = value.replace(/\\+$/, '');
  return kept ? `,${key}=${lineProtocol.tag(kept)}` : '';
};

/** second · 10^9 + window number (mod 10^9), in ns, as line protocol writes it. */
function countTimestamp(second: number, window: number): string {
  const within = window % 1_000_000_000;
  if (second > 0) return `${second}${String(within).padStart(9, '0')}`;
  return (BigInt(second) * 1_000_000_000n + BigInt(within)).toString();
}
