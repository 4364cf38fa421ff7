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

/** A storm's readers' end-to-end latency, microseconds: 1 µs to 1 hour at 3 significant digits. */
export const readerLatencyHistogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });

/** End-to-end percentiles in ms (to the µs), at OpenMessaging Benchmark's quantiles. */
export interface EndToEndPercentiles {
  mean: number;
  p50: number;
  p75: number;
  p95: number;
  p99: number;
  p999: number;
  p9999: number;
  max: number;
  samples: number;
}

/** A readers' histogram (µs) as ms percentiles; null when empty. */
export function endToEndPercentilesOf(h: hdr.Histogram): EndToEndPercentiles | null {
  if (h.totalCount === 0) return null;
  // A percentile is its bucket's highest value, the max the exact highest: no percentile is said above the max.
  const ms = (us: number) => Math.round(Math.min(us, h.maxValue)) / 1000;
  return {
    mean: Math.round(h.mean) / 1000,
    p50: ms(h.getValueAtPercentile(50)),
    p75: ms(h.getValueAtPercentile(75)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    p9999: ms(h.getValueAtPercentile(99.99)),
    max: ms(h.maxValue),
    samples: h.totalCount,
  };
}
