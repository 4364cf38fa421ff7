/**
 * A sparse histogram of integer values (latencies in ms, GC pauses in µs): each value's count, exact. A storm child
 * keeps these rather than HDR histograms, and sends them as (value, count) pairs that the primary adds into its HDR
 * histograms (measure/histograms.ts): loading hdr-histogram-js costs a process about 0.2 s of CPU, which a child would
 * pay for a few percentiles a second. The values a child sees are few and repeat (the C side already buckets
 * latencies at 0.1%), so the map stays small.
 */
import type { Histogram } from 'hdr-histogram-js';

export class ValueCounts {
  private readonly counts = new Map<number, number>();
  total = 0;

  record(value: number, count = 1): void {
    this.counts.set(value, (this.counts.get(value) ?? 0) + count);
    this.total += count;
  }

  add(other: ValueCounts): void {
    for (const [value, count] of other.counts) this.record(value, count);
  }

  reset(): void {
    this.counts.clear();
    this.total = 0;
  }

  /** The least value with at least p% of the counts at or below it (null when empty), as HDR reads a percentile. */
  percentile(p: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (const value of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(value) ?? 0;
      if (seen >= rank) return value;
    }
    return null;
  }

  /** [value, count, value, count, …], ascending: what goes over IPC. */
  pairs(): number[] {
    const out: number[] = [];
    for (const value of [...this.counts.keys()].sort((a, b) => a - b)) out.push(value, this.counts.get(value) ?? 0);
    return out;
  }
}

/** Adds (value, count) pairs into an HDR histogram (values beyond its range are clamped to its highest). */
export function addPairs(into: Histogram, pairs: readonly number[]): void {
  for (let i = 0; i + 1 < pairs.length; i += 2)
    into.recordValueWithCount(Math.min(pairs[i], into.highestTrackableValue), pairs[i + 1]);
}
