/**
 * What a pulse child holds between two flushes, per store: the points store's lines (one per tweet, kept per partition
 * so a revoked partition's can be dropped) or the counts store's per-second sums (points.ts CountsAggregator). Both
 * say how far a partition may be committed once a flush of theirs is acknowledged.
 */
import type { TweetView } from '../generate/tweet-reader.js';
import type { Store } from './options.js';
import { CountsAggregator, TweetLines } from './points.js';

/** A tweet as a store takes it: the counts store uses `brandIndex` when the reader gave one (else `brand`). */
export type BufferedTweet = Pick<TweetView, 'created_at' | 'brand' | 'sentiment' | 'sentimentIndex' | 'text'> & {
  brandIndex?: number;
};

export interface PointBuffer {
  add(tweet: BufferedTweet, partition: number, offset: number): void;
  /** Points a flush would write now. */
  readonly size: number;
  /** The lines of this flush. */
  drain(): string[];
  /** How far a partition may be committed once this flush is acknowledged (`next`: after the last consumed). */
  commitOffset(partition: number, next: number): number;
  /** Forgets what it holds of revoked partitions: their new owner reads them again from the last commit. */
  drop(partitions: Set<number>): void;
}

/** The points store's buffer: one line per tweet. */
export class LineBuffer implements PointBuffer {
  private lines = new Map<number, string[]>();
  private readonly tweetLines = new TweetLines();
  size = 0;

  add(tweet: BufferedTweet, partition: number, offset: number): void {
    let partitionLines = this.lines.get(partition);
    if (!partitionLines) {
      partitionLines = [];
      this.lines.set(partition, partitionLines);
    }
    partitionLines.push(this.tweetLines.line(tweet, partition, offset));
    this.size++;
  }

  drain(): string[] {
    const out = [...this.lines.values()].flat();
    this.lines = new Map();
    this.size = 0;
    return out;
  }

  /** Every buffered line is a whole point: a flush covers everything consumed. */
  commitOffset(_partition: number, next: number): number {
    return next;
  }

  drop(partitions: Set<number>): void {
    for (const p of partitions) {
      this.size -= this.lines.get(p)?.length ?? 0;
      this.lines.delete(p);
    }
  }
}

export const pointBufferFor = (store: Store): PointBuffer =>
  store === 'points' ? new LineBuffer() : new CountsAggregator();
