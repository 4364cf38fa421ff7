/**
 * Delivery-latency buckets for Prometheus (ms, upper bounds; +Inf after the last): children count each interval's
 * acknowledgements into them from the same per-message latencies the HDR histogram holds, so /metrics is a histogram
 * of every acknowledged message, not a sample.
 */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000] as const;

/** Per-bucket (not cumulative) counts, the last one +Inf; with the count and the sum of milliseconds. */
export interface LatencyBuckets {
  counts: number[];
  count: number;
  sumMs: number;
}

export const noLatencyBuckets = (): LatencyBuckets => ({
  counts: new Array(LATENCY_BUCKETS_MS.length + 1).fill(0),
  count: 0,
  sumMs: 0,
});

export function addToBuckets(b: LatencyBuckets, ms: number, n: number): void {
  let i = 0;
  while (i < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[i]) i++;
  b.counts[i] += n;
  b.count += n;
  b.sumMs += ms * n;
}

export function mergeBuckets(into: LatencyBuckets, b: LatencyBuckets): void {
  for (let i = 0; i < into.counts.length; i++) into.counts[i] += b.counts[i];
  into.count += b.count;
  into.sumMs += b.sumMs;
}
