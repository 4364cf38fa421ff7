/**
 * The HDR histogram settings, in one place: children record with them, the primary merges with them, and a merge of
 * histograms built differently would be wrong.
 */
import * as hdr from 'hdr-histogram-js';

/** Delivery latency, milliseconds: 1 ms to 1 hour at 3 significant digits. */
export const latencyHistogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 });

/** GC pauses, microseconds: 1 µs to 60 s at 2 significant digits. */
export const gcHistogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 2 });

/** End-to-end latency (verify: created to read back), milliseconds: 1 ms to 7 days at 3 significant digits. */
export const endToEndHistogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 7 * 86_400_000, numberOfSignificantValueDigits: 3 });

/** Milliseconds, from an HDR histogram. */
export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  samples: number;
}

/** The report's percentiles of a histogram; null when it is empty. */
export function percentilesOf(h: hdr.Histogram): Percentiles | null {
  if (h.totalCount === 0) return null;
  return {
    p50: h.getValueAtPercentile(50),
    p95: h.getValueAtPercentile(95),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
    samples: h.totalCount,
  };
}
