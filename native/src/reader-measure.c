/* See reader-measure.h. */
#include "reader-measure.h"

#include <stdlib.h>

/* Reads a zig-zag varint at *p (not beyond end); 0 when it does not fit. */
static int read_long(const uint8_t **p, const uint8_t *end, int64_t *out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && *p < end; shift += 7) {
    uint8_t b = *(*p)++;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
      return 1;
    }
  }
  return 0;
}

/* A tweet's id: after run_id, producer_id (strings) and seq (schemas/tweet.avsc); -1 when the bytes are not one. */
static int64_t tweet_id(const uint8_t *p, const uint8_t *end) {
  int64_t len = 0, seq = 0, id = -1;
  for (int s = 0; s < 2; s++) {
    if (!read_long(&p, end, &len) || len < 0 || len > end - p) return -1;
    p += len;
  }
  if (!read_long(&p, end, &seq) || !read_long(&p, end, &id)) return -1;
  return id;
}

double measure_intended_us(const reader_measure_t *r, uint64_t n) {
  if (!r->table || r->start_ms <= 0 || r->table_len < 2) return -1;
  double want = (double)n + 1 - 1e-6; /* message n is due when n + 1 are allowed (schedule.ts timeOfIndex) */
  if (r->table[r->table_len - 1] < want) return -1;
  uint32_t lo = 0, hi = r->table_len - 1; /* table[hi] >= want; find the first such */
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (r->table[mid] >= want) hi = mid;
    else lo = mid + 1;
  }
  double at = hi * r->table_step_ms;
  if (hi > 0 && r->table[hi] > r->table[hi - 1]) /* linear between the two samples around it */
    at -= r->table_step_ms * (r->table[hi] - want) / (r->table[hi] - r->table[hi - 1]);
  return (r->start_ms + at) * 1000.0;
}

static void add_run(reader_measure_t *r, int32_t partition, double offset) {
  size_t last = r->runs - 1;
  if (r->runs && r->run_partition[last] == partition && r->run_last[last] + 1 == offset) {
    r->run_last[last] = offset;
    return;
  }
  if (r->runs == r->runs_cap) {
    size_t cap = r->runs_cap ? r->runs_cap * 2 : 64;
    int32_t *p = realloc(r->run_partition, cap * sizeof *p);
    if (p) r->run_partition = p;
    double *f = p ? realloc(r->run_first, cap * sizeof *f) : NULL;
    if (f) r->run_first = f;
    double *l = f ? realloc(r->run_last, cap * sizeof *l) : NULL;
    if (!l) {
      r->out_of_memory = 1;
      return;
    }
    r->run_last = l;
    r->runs_cap = cap;
  }
  r->run_partition[r->runs] = partition;
  r->run_first[r->runs] = r->run_last[r->runs] = offset;
  r->runs++;
}

/* Times one message: from its creation, and from its intended time when it is a tweet of a scheduled run (id >= 0). */
static void time_message(reader_measure_t *r, int64_t created_ms, int64_t now_us, int64_t id) {
  if (created_ms < 0 || (double)created_ms < r->from_ms) return;
  /* CreateTime has ms: the send happened within [created, created + 1 ms), so its middle is the estimate. */
  int64_t sent = now_us - created_ms * 1000 - 500;
  r->hist_sent[hist_index(sent > 0 ? (uint64_t)sent : 0)]++;
  double intended = id >= 0 ? measure_intended_us(r, (uint64_t)id) : -1;
  if (intended < 0) return;
  double late = (double)now_us - intended;
  r->hist_intended[hist_index(late > 0 ? (uint64_t)late : 0)]++;
}

void measure_message(reader_measure_t *r, const rd_kafka_message_t *m, int64_t now_us) {
  r->bytes += m->len;
  add_run(r, m->partition, (double)m->offset);
  int64_t created_ms = rd_kafka_message_timestamp(m, NULL);
  int64_t id = -1;
  if (r->framing >= 0 && r->table && (size_t)r->framing <= m->len) {
    const uint8_t *p = (const uint8_t *)m->payload;
    id = tweet_id(p + r->framing, p + m->len);
  }
  if (r->start_ms > 0) time_message(r, created_ms, now_us, id);
  else if (r->n_pending < MEASURE_PENDING) r->pending[r->n_pending++] = (pending_message_t){created_ms, now_us, id};
}

void measure_known_start(reader_measure_t *r) {
  if (r->start_ms <= 0) return;
  for (int i = 0; i < r->n_pending; i++) {
    const pending_message_t *m = &r->pending[i];
    time_message(r, m->created_ms, m->now_us, m->id);
  }
  r->n_pending = 0;
}

void measure_free(reader_measure_t *r) {
  if (!r) return;
  free(r->table);
  free(r->run_partition);
  free(r->run_first);
  free(r->run_last);
  free(r);
}
