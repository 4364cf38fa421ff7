/*
 * A log-linear histogram of microseconds, HDR-style: exact below 2048, then 1024 sub-buckets per power of two
 * (about 0.1% relative precision), up to 2^40 us. Recorded on librdkafka's delivery thread, read by JavaScript once a
 * tick as (value, count) pairs that it adds into its hdr-histogram-js histogram.
 */
#ifndef DATASTORM_LATENCY_HISTOGRAM_H
#define DATASTORM_LATENCY_HISTOGRAM_H

#include <stdint.h>

#define HIST_EXACT 2048
#define HIST_SUB 1024
#define HIST_MAX_SHIFT 30
#define HIST_LEN (HIST_EXACT + HIST_MAX_SHIFT * HIST_SUB)

static inline int hist_index(uint64_t v) {
  if (v < HIST_EXACT) return (int)v;
  int shift = (63 - __builtin_clzll(v)) - 10; /* v >> shift lands in [1024, 2047] */
  if (shift > HIST_MAX_SHIFT) return HIST_LEN - 1;
  return HIST_EXACT + (shift - 1) * HIST_SUB + (int)((v >> shift) - HIST_SUB);
}

/* The middle of bucket i (its lower bound for the exact range). */
static inline double hist_value(int i) {
  if (i < HIST_EXACT) return (double)i;
  int shift = (i - HIST_EXACT) / HIST_SUB + 1;
  uint64_t low = ((uint64_t)((i - HIST_EXACT) % HIST_SUB + HIST_SUB)) << shift;
  return (double)low + (double)(1ULL << shift) / 2.0;
}

#endif
