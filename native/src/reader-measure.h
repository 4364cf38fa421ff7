/*
 * What a storm's reader measures of each message it reads, without copying it to JavaScript: end-to-end latency from
 * the record's creation time (Kafka's CreateTime, the moment the producer handed the batch to librdkafka, in ms) and,
 * for tweets under a rate schedule, from the message's intended send time (the schedule's time of the tweet's id, the
 * run's global index: coordinated omission cannot hide a stalled producer), each into a histogram of microseconds;
 * and the offsets read, as runs of consecutive offsets per partition, from which JavaScript counts what is new and
 * what a rebalance made it read again. Written on the pool thread inside a consume call, read between calls.
 */
#ifndef DATASTORM_READER_MEASURE_H
#define DATASTORM_READER_MEASURE_H

#include "common.h"
#include "latency-histogram.h"

#include <stdint.h>

/* Messages read before the run's start was known are timed once it is (measure_known_start). */
#define MEASURE_PENDING 1024

typedef struct {
  int64_t created_ms, now_us, id;
} pending_message_t;

typedef struct {
  uint64_t hist_sent[HIST_LEN];     /* arrival minus creation time (µs) */
  uint64_t hist_intended[HIST_LEN]; /* arrival minus intended send time (µs) */
  double from_ms;      /* records created before this (Unix ms) are counted, not timed: the warm-up */
  double start_ms;     /* the schedule's start, Unix ms (0: not known yet, or no schedule) */
  double *table;       /* table[k]: messages the schedule allows by k * table_step_ms after its start */
  uint32_t table_len;
  double table_step_ms;
  int framing;         /* bytes before the tweet's Avro (the registry's 5-byte frame, else 0); -1: not tweets */
  uint64_t bytes;
  /* runs of this batch: partition, first and last offset of consecutive offsets read */
  int32_t *run_partition;
  double *run_first, *run_last;
  size_t runs, runs_cap;
  int out_of_memory;
  pending_message_t pending[MEASURE_PENDING];
  int n_pending;
} reader_measure_t;

/* Counts, times and places one message read at now_us (Unix µs). */
void measure_message(reader_measure_t *r, const rd_kafka_message_t *m, int64_t now_us);

/* The intended send time of message n, Unix µs; < 0 when the table cannot say (unknown start, beyond the table). */
double measure_intended_us(const reader_measure_t *r, uint64_t n);

/* The start is known now (start_ms set): times what was read before it. */
void measure_known_start(reader_measure_t *r);

void measure_free(reader_measure_t *r);

#endif
