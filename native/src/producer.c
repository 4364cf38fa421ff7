/*
 * The storm's producer: JavaScript says which tweets a batch holds (sentiments, keys, where the pool walk starts) in
 * one call; C encodes them by the child's tweet plan (tweet-plan.h) and librdkafka copies each into its queue. Delivery
 * reports never cross into JavaScript: a thread of ours serves rd_kafka_poll(), counts acknowledgements, bytes and
 * failures by error, and records every message's produce-to-acknowledgement latency (rd_kafka_message_latency) into a
 * histogram. JavaScript reads the aggregates once a tick. One crossing per batch, and no per-message JavaScript, is
 * the whole point (see issues 11 and 20's measurements).
 */
#include "common.h"
#include "latency-histogram.h"
#include "tweet-plan.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* librdkafka error codes span about -200..100; failures are counted per code in this window. */
#define ERR_BASE 256
#define ERR_SLOTS 512

typedef struct {
  ds_handle_t head; /* DS_PRODUCER */
  rd_kafka_t *rk;
  rd_kafka_topic_t *rkt;
  pthread_t poller;
  int poller_started;
  atomic_int stop;
  atomic_int jobs; /* blocking calls running on the pool (ds_job_start) */

  pthread_mutex_t mu; /* guards everything below it, written by the poller thread */
  double acked, acked_bytes, failed;
  double failed_by[ERR_SLOTS];
  uint64_t hist[HIST_LEN];          /* produce-to-acknowledgement latency */
  uint64_t hist_intended[HIST_LEN]; /* intended-send-to-acknowledgement latency (rate schedules only) */
  uint64_t hist_count;
  double *partition_acked; /* acknowledged per partition, grown on demand */
  int partition_slots;
  int too_large;
  int errors;
  double throttled_ms; /* brokers' throttle times (quotas), summed over their responses */

  atomic_llong produced; /* handed to librdkafka (JavaScript thread) */
  uint64_t hist_delay[HIST_LEN]; /* publish delay: handed minus intended (JavaScript thread only) */
  char *scratch;                 /* a batch's encoded messages (JavaScript thread only) */
  size_t scratch_cap;
  rd_kafka_message_t *msgs; /* a batch as librdkafka takes it */
  uint32_t msgs_cap;
  atomic_llong settled;  /* acknowledged or failed (poller thread) */

  /* Keyless batches go whole to the led partitions in turn (spread_keyless): librdkafka's sticky partitioner, held
   * for a batch instead of linger.ms, without its per-message partitioning and locks (about 15% of the client's CPU at
   * full speed). Producers start at different partitions (next_led). */
  int spread_keyless;
  pthread_mutex_t led_mu; /* guards led: written by metadata jobs on the pool, read per batch */
  int32_t *led;           /* partitions with a leader, by the latest metadata */
  int led_count;
  uint32_t next_led;
} producer_t;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  producer_t *p = opaque;
  pthread_mutex_lock(&p->mu);
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    p->acked += 1;
    p->acked_bytes += (double)m->len;
    int64_t us = rd_kafka_message_latency(m);
    if (us < 0) us = 0;
    p->hist[hist_index((uint64_t)us)]++;
    p->hist_count++;
    /* The opaque carries the message's publish delay + 1 (µs) when a schedule gave it an intended time. */
    uintptr_t delay = (uintptr_t)m->_private;
    if (delay) p->hist_intended[hist_index((uint64_t)us + (uint64_t)(delay - 1))]++;
    if (m->partition >= 0) {
      if (m->partition >= p->partition_slots) {
        int slots = m->partition + 64;
        double *grown = realloc(p->partition_acked, (size_t)slots * sizeof(double));
        if (grown) {
          memset(grown + p->partition_slots, 0, (size_t)(slots - p->partition_slots) * sizeof(double));
          p->partition_acked = grown;
          p->partition_slots = slots;
        }
      }
      if (m->partition < p->partition_slots) p->partition_acked[m->partition] += 1;
    }
  } else {
    p->failed += 1;
    int slot = (int)m->err + ERR_BASE;
    if (slot >= 0 && slot < ERR_SLOTS) p->failed_by[slot] += 1;
    if (m->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) p->too_large = 1;
  }
  pthread_mutex_unlock(&p->mu);
  atomic_fetch_add_explicit(&p->settled, 1, memory_order_release);
}

/* Client-level errors (brokers down, ...) are transient: librdkafka retries; counted, not printed per occurrence. */
static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
  (void)rk;
  (void)err;
  (void)reason;
  producer_t *p = opaque;
  pthread_mutex_lock(&p->mu);
  p->errors++;
  pthread_mutex_unlock(&p->mu);
}

/* A broker delayed its answer for a quota (throttle_time_ms > 0); librdkafka calls this from rd_kafka_poll(). */
static void on_throttle(rd_kafka_t *rk, const char *broker_name, int32_t broker_id, int throttle_time_ms,
                        void *opaque) {
  (void)rk;
  (void)broker_name;
  (void)broker_id;
  producer_t *p = opaque;
  if (throttle_time_ms <= 0) return;
  pthread_mutex_lock(&p->mu);
  p->throttled_ms += throttle_time_ms;
  pthread_mutex_unlock(&p->mu);
}

static void *poll_loop(void *arg) {
  producer_t *p = arg;
  while (!atomic_load(&p->stop)) rd_kafka_poll(p->rk, 50);
  rd_kafka_poll(p->rk, 0);
  return NULL;
}

static void producer_close(producer_t *p) {
  if (p->head.closed) return;
  p->head.closed = 1;
  ds_jobs_wait(&p->jobs);
  /* Whatever is still queued was counted unresolved by the caller; do not let destroy wait for it. */
  if (p->rk) rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  atomic_store(&p->stop, 1);
  if (p->poller_started) pthread_join(p->poller, NULL);
  if (p->rkt) rd_kafka_topic_destroy(p->rkt);
  if (p->rk) rd_kafka_destroy(p->rk);
  p->rkt = NULL;
  p->rk = NULL;
}

/* Frees a producer whose client never started or is closed. */
static void producer_free(producer_t *p) {
  pthread_mutex_destroy(&p->mu);
  pthread_mutex_destroy(&p->led_mu);
  free(p->led);
  free(p);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  producer_t *p = data;
  producer_close(p);
  free(p->partition_acked);
  free(p->scratch);
  free(p->msgs);
  producer_free(p);
}

static producer_t *unwrap(napi_env env, napi_value v) {
  return ds_unwrap(env, v, DS_PRODUCER, DS_OPEN_ONLY);
}

/* Starts the client, its topic and its delivery thread; NULL with the reason in errstr when one of them fails. */
static const char *producer_start(producer_t *p, rd_kafka_conf_t *conf, const char *topic, char *errstr, size_t size) {
  p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, size);
  if (!p->rk) return "CLIENT";
  p->rkt = rd_kafka_topic_new(p->rk, topic, NULL);
  if (!p->rkt) {
    snprintf(errstr, size, "topic '%s': %s", topic, rd_kafka_err2str(rd_kafka_last_error()));
    return "CLIENT";
  }
  /* Without this thread no acknowledgement would ever be counted: its failure ends the run here, said. */
  int err = pthread_create(&p->poller, NULL, poll_loop, p);
  if (err) {
    snprintf(errstr, size, "could not start the delivery thread: %s", strerror(err));
    return "NATIVE";
  }
  p->poller_started = 1;
  return NULL;
}

/* producerNew(config: Record<string, string>, topic: string, spreadKeyless: boolean) -> handle */
napi_value producer_new(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "producerNew", 3);
  bool spread = false;
  if (napi_get_value_bool(env, argv[2], &spread) != napi_ok) return ds_throw(env, "NATIVE", "spreadKeyless: a boolean");
  char *topic = ds_string_dup(env, argv[1]);
  if (!topic) return NULL;
  rd_kafka_conf_t *conf = ds_conf_from_object(env, argv[0]);
  producer_t *p = conf ? calloc(1, sizeof *p) : NULL;
  if (!p) {
    free(topic);
    if (!conf) return NULL;
    rd_kafka_conf_destroy(conf);
    return ds_throw(env, "NATIVE", "out of memory for a producer");
  }
  p->head.tag = DS_PRODUCER;
  p->spread_keyless = spread;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  p->next_led = (uint32_t)now.tv_nsec ^ (uint32_t)getpid();
  pthread_mutex_init(&p->mu, NULL);
  pthread_mutex_init(&p->led_mu, NULL);
  rd_kafka_conf_set_opaque(conf, p);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_error_cb(conf, on_error);
  rd_kafka_conf_set_throttle_cb(conf, on_throttle);
  char errstr[512];
  const char *code = producer_start(p, conf, topic, errstr, sizeof errstr);
  free(topic);
  if (code) {
    if (!p->rk) rd_kafka_conf_destroy(conf); /* rd_kafka_new owns conf only once it succeeded */
    producer_close(p);
    producer_free(p);
    return ds_throw(env, code, errstr);
  }
  napi_value handle;
  if (napi_create_external(env, p, finalize, NULL, &handle) != napi_ok) {
    producer_close(p);
    producer_free(p);
    return ds_throw(env, "NATIVE", "could not create the producer handle");
  }
  return handle;
}

/* Whether every partition of the topic in md has a leader (a topic just created has none for a moment). */
static int all_led(const struct rd_kafka_metadata *md) {
  const struct rd_kafka_metadata_topic *t = &md->topics[0];
  if (t->partition_cnt == 0) return 0;
  for (int i = 0; i < t->partition_cnt; i++)
    if (t->partitions[i].err || t->partitions[i].leader < 0) return 0;
  return 1;
}

/* Keeps the topic's led partitions from metadata md, for keyless batches; the last list stays when this one cannot
 * be had (out of memory, or the topic absent from the answer). */
static void take_leaders(producer_t *p, const struct rd_kafka_metadata *md) {
  if (md->topic_cnt != 1 || md->topics[0].err) return;
  const struct rd_kafka_metadata_topic *t = &md->topics[0];
  int32_t *led = malloc((size_t)(t->partition_cnt ? t->partition_cnt : 1) * sizeof *led);
  if (!led) return;
  int count = 0;
  for (int i = 0; i < t->partition_cnt; i++)
    if (!t->partitions[i].err && t->partitions[i].leader >= 0) led[count++] = t->partitions[i].id;
  pthread_mutex_lock(&p->led_mu);
  int32_t *old = p->led;
  p->led = led;
  p->led_count = count;
  pthread_mutex_unlock(&p->led_mu);
  free(old);
}

/* Milliseconds left of a timeout that began at start. */
static int32_t ms_left(const struct timespec *start, int32_t timeout) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return timeout - (int32_t)((now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000);
}

/* The connect job, on the pool: metadata until every partition is led or the time is up. */
static void connect_run(ds_job_t *job) {
  producer_t *p = job->object;
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    int32_t left = ms_left(&start, job->timeout_ms);
    const struct rd_kafka_metadata *md = NULL;
    job->err = rd_kafka_metadata(p->rk, 0, p->rkt, &md, left > 1 ? left : 1);
    if (job->err) return;
    rd_kafka_resp_err_t terr = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    int led = !terr && all_led(md);
    take_leaders(p, md);
    rd_kafka_metadata_destroy(md);
    if (terr && !(terr == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE && left > 100)) {
      job->err = terr;
      return;
    }
    if (led || left <= 100) return;
    struct timespec pause = {0, 50 * 1000000};
    nanosleep(&pause, NULL);
  }
}

/*
 * producerConnect(handle, timeoutMs) -> Promise: waits for the topic's metadata, then (within the same time) until
 * every partition has a leader, so the run's first messages are not held while a topic just created elects them;
 * rejects (code: librdkafka's error name) when the topic is unknown. Partitions still without a leader at the end are
 * left to librdkafka, which holds their messages until one is elected. Off the event loop (ds_job_start).
 */
napi_value producer_connect(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "producerConnect", 2);
  producer_t *p = unwrap(env, argv[0]);
  ds_job_t *job = p ? ds_job_new(env, connect_run, p, &p->jobs, argv[1]) : NULL;
  return job ? ds_job_start(env, argv[0], job) : NULL;
}

/* The refresh job, on the pool: the topic's led partitions again (a leader lost or elected, partitions added). */
static void refresh_run(ds_job_t *job) {
  producer_t *p = job->object;
  const struct rd_kafka_metadata *md = NULL;
  job->err = rd_kafka_metadata(p->rk, 0, p->rkt, &md, job->timeout_ms);
  if (job->err) return;
  take_leaders(p, md);
  rd_kafka_metadata_destroy(md);
}

/* producerRefreshLeaders(handle, timeoutMs) -> Promise: where keyless batches may go, from fresh metadata (off the
 * event loop); rejects with librdkafka's error name when the cluster does not answer in time. */
napi_value producer_refresh_leaders(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "producerRefreshLeaders", 2);
  producer_t *p = unwrap(env, argv[0]);
  ds_job_t *job = p ? ds_job_new(env, refresh_run, p, &p->jobs, argv[1]) : NULL;
  return job ? ds_job_start(env, argv[0], job) : NULL;
}

/* Room for a batch of n messages of at most max_len bytes each: the scratch they are encoded into and the array
 * librdkafka takes them from, grown when a batch needs more (allocated once for a steady batch size). */
static int reserve_batch(producer_t *p, uint32_t n, uint32_t max_len) {
  size_t bytes = (size_t)n * max_len;
  if (bytes > p->scratch_cap) {
    char *grown = realloc(p->scratch, bytes);
    if (!grown) return 0;
    p->scratch = grown;
    p->scratch_cap = bytes;
  }
  if (n > p->msgs_cap) {
    rd_kafka_message_t *grown = realloc(p->msgs, (size_t)n * sizeof *grown);
    if (!grown) return 0;
    p->msgs = grown;
    p->msgs_cap = n;
  }
  return 1;
}

/* Message i's publish delay (µs) under a rate schedule: it was meant to go delay_us - (i - from) * step_us ago. */
static uint64_t publish_delay(double delay_us, double step_us, uint32_t k) {
  double d = delay_us - (double)k * step_us;
  return d > 0 ? (uint64_t)d : 0;
}

/* The opaque carries the publish delay + 1 (µs), so the acknowledgement also counts from the intended time. */
static void mark_intended(rd_kafka_message_t *m, double delay_us, double step_us, uint32_t k) {
  if (delay_us >= 0) m->_private = (void *)(uintptr_t)(publish_delay(delay_us, step_us, k) + 1);
}

/*
 * Hands p->msgs[0..n) to librdkafka in one rd_kafka_produce_batch: one clock reading and one topic lock per call. A
 * keyless batch under spread_keyless goes whole to the next led partition (librdkafka then skips its per-message
 * partitioner); otherwise the partition is left to librdkafka. Returns how many were taken in a row from the first;
 * *taken_after counts those taken after the first refused one.
 */
static uint32_t hand_over(producer_t *p, uint32_t n, uint32_t *taken_after) {
  int32_t partition = RD_KAFKA_PARTITION_UA;
  pthread_mutex_lock(&p->led_mu);
  if (p->spread_keyless && !p->msgs[0].key && p->led_count)
    partition = p->led[p->next_led++ % (uint32_t)p->led_count];
  pthread_mutex_unlock(&p->led_mu);
  rd_kafka_produce_batch(p->rkt, partition, RD_KAFKA_MSG_F_COPY, p->msgs, (int)n);
  uint32_t accepted = 0;
  while (accepted < n && !p->msgs[accepted].err) accepted++;
  *taken_after = 0;
  for (uint32_t k = accepted; k < n; k++) *taken_after += !p->msgs[k].err;
  return accepted;
}

/* A fatal error of the client, thrown as what caused it (e.g. CLUSTER_AUTHORIZATION_FAILED for an idempotent
 * producer the cluster refused) rather than as librdkafka's generic _FATAL. */
static napi_value throw_fatal(napi_env env, producer_t *p) {
  char reason[512] = "";
  rd_kafka_resp_err_t cause = rd_kafka_fatal_error(p->rk, reason, sizeof reason);
  if (!cause) return ds_throw(env, "_FATAL", rd_kafka_err2str(RD_KAFKA_RESP_ERR__FATAL));
  return ds_throw(env, rd_kafka_err2name(cause), reason);
}

/*
 * Hands the n messages laid out in p->msgs to librdkafka (hand_over). Returns how many it took, a prefix of the
 * batch. A full queue fails that message and, by librdkafka's rule (rd_kafka_produce_batch propagates QUEUE_FULL to
 * every later message of its call), all after it: the caller waits for deliveries and calls again with the rest, so
 * nothing goes out twice. Should a later message ever be taken after a full queue, the re-send would double it: that
 * is refused here, loudly. Any other error ends the run, as a single produce would; messages taken after it are in
 * flight and counted produced.
 */
static napi_value hand_batch(napi_env env, producer_t *p, uint32_t n, double delay_us, double step_us) {
  uint32_t taken_after = 0;
  uint32_t accepted = hand_over(p, n, &taken_after);
  if (delay_us >= 0)
    for (uint32_t k = 0; k < accepted; k++) p->hist_delay[hist_index(publish_delay(delay_us, step_us, k))]++;
  atomic_fetch_add_explicit(&p->produced, (long long)(accepted + taken_after), memory_order_relaxed);
  if (accepted == n) return ds_number(env, (double)accepted);
  rd_kafka_resp_err_t err = p->msgs[accepted].err;
  if (err == RD_KAFKA_RESP_ERR__FATAL) return throw_fatal(env, p);
  if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return ds_throw(env, rd_kafka_err2name(err), rd_kafka_err2str(err));
  if (taken_after)
    return ds_throw(env, "NATIVE", "librdkafka took messages after a full queue: a re-send would double them");
  return ds_number(env, (double)accepted);
}

/* A batch's intended times: argv[0] delayUs (-1 without a schedule), argv[1] stepUs. */
static int intended_args(napi_env env, napi_value *argv, double *delay_us, double *step_us) {
  *delay_us = -1;
  *step_us = 0;
  return napi_get_value_double(env, argv[0], delay_us) == napi_ok &&
         napi_get_value_double(env, argv[1], step_us) == napi_ok;
}

/*
 * producerProduceTweets(handle, plan, order, from, to, seq0, first, createdAt, cursor, keyIds | null, delayUs,
 *   delayStepUs) -> accepted
 * Encodes tweets from..to-1 of a batch by the plan (tweet-plan.h) and hands them over (hand_batch). Message i's key,
 * under keys, is key keyIds[i] of the plan. Under a rate schedule (delayUs >= 0) message i was meant to be sent
 * delayUs - (i - from) * delayStepUs µs ago: that publish delay goes into its histogram and rides with the message, so
 * its acknowledgement also counts from the intended time. The rest of a batch not taken encodes to the same bytes.
 */
napi_value producer_produce_tweets(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "producerProduceTweets", 12);
  producer_t *p = unwrap(env, argv[0]);
  if (!p) return NULL;
  tweet_plan_t *plan = tweet_plan_unwrap(env, argv[1]);
  if (!plan) return NULL;
  plan_batch_t b;
  if (!plan_batch_args(env, plan, argv + 2, &b)) return NULL;
  double delay_us, step_us;
  if (!intended_args(env, argv + 10, &delay_us, &step_us)) return ds_throw(env, "NATIVE", "delays must be numbers");
  uint32_t n = b.to - b.from;
  if (n == 0) return ds_number(env, 0);
  if (!reserve_batch(p, n, plan->max_message)) return ds_throw(env, "NATIVE", "out of memory for a batch");
  char *w = p->scratch;
  for (uint32_t k = 0; k < n; k++) {
    uint32_t i = b.from + k;
    rd_kafka_message_t *m = &p->msgs[k];
    memset(m, 0, sizeof *m);
    m->payload = w;
    m->len = plan_encode_message(plan, &b, i, w);
    w += m->len;
    if (b.key_ids) m->key = (void *)plan_key(plan, b.key_ids[i], &m->key_len);
    mark_intended(m, delay_us, step_us, k);
  }
  return hand_batch(env, p, n, delay_us, step_us);
}

/* A Buffer's bytes and a Uint32Array of where each of its messages ends (message i: ends[i-1]..ends[i]). */
typedef struct {
  char *bytes;
  size_t len;
  uint32_t *ends;
  size_t count;
} packed_t;

/* Reads a (Buffer, Uint32Array) pair whose first `used` ends are read; returns 0 (with an error thrown) unless they
 * ascend within the buffer (the array is sized for the largest batch: entries past `used` are stale). */
static int packed_args(napi_env env, napi_value bytes, napi_value ends, uint32_t used, packed_t *out) {
  napi_typedarray_type type;
  void *raw = NULL;
  if (napi_get_typedarray_info(env, bytes, &type, &out->len, &raw, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    ds_throw(env, "NATIVE", "messages must be a Buffer");
    return 0;
  }
  out->bytes = raw;
  if (napi_get_typedarray_info(env, ends, &type, &out->count, &raw, NULL, NULL) != napi_ok ||
      type != napi_uint32_array) {
    ds_throw(env, "NATIVE", "message ends must be a Uint32Array");
    return 0;
  }
  out->ends = raw;
  if (used > out->count) {
    ds_throw(env, "NATIVE", "batch range outside its messages");
    return 0;
  }
  for (size_t i = 0; i < used; i++)
    if (out->ends[i] > out->len || (i > 0 && out->ends[i] < out->ends[i - 1])) {
      ds_throw(env, "NATIVE", "message ends must ascend within their buffer");
      return 0;
    }
  return 1;
}

static void *packed_at(const packed_t *packed, uint32_t i, size_t *len) {
  uint32_t start = i ? packed->ends[i - 1] : 0;
  *len = packed->ends[i] - start;
  return packed->bytes + start;
}

/*
 * producerProduceBuffers(handle, payloads, payloadEnds, keys | null, keyEnds | null, from, to, delayUs, delayStepUs)
 *   -> accepted
 * Hands messages from..to-1 of a batch already written by JavaScript (any schema's record plan) to librdkafka:
 * message i's value is payloads[payloadEnds[i-1]..payloadEnds[i]), its key likewise in keys. Intended times and the
 * accepted prefix as producerProduceTweets.
 */
napi_value producer_produce_buffers(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "producerProduceBuffers", 9);
  producer_t *p = unwrap(env, argv[0]);
  if (!p) return NULL;
  uint32_t from = 0, to = 0;
  NAPI_OK(env, napi_get_value_uint32(env, argv[5], &from));
  NAPI_OK(env, napi_get_value_uint32(env, argv[6], &to));
  if (from > to) return ds_throw(env, "NATIVE", "batch range outside its messages");
  packed_t values, keys = {0};
  napi_valuetype key_type;
  NAPI_OK(env, napi_typeof(env, argv[3], &key_type));
  if (!packed_args(env, argv[1], argv[2], to, &values)) return NULL;
  if (key_type != napi_null && !packed_args(env, argv[3], argv[4], to, &keys)) return NULL;
  double delay_us, step_us;
  if (!intended_args(env, argv + 7, &delay_us, &step_us)) return ds_throw(env, "NATIVE", "delays must be numbers");
  uint32_t n = to - from;
  if (n == 0) return ds_number(env, 0);
  if (!reserve_batch(p, n, 0)) return ds_throw(env, "NATIVE", "out of memory for a batch");
  for (uint32_t k = 0; k < n; k++) {
    rd_kafka_message_t *m = &p->msgs[k];
    memset(m, 0, sizeof *m);
    m->payload = packed_at(&values, from + k, &m->len);
    if (keys.ends) m->key = packed_at(&keys, from + k, &m->key_len);
    mark_intended(m, delay_us, step_us, k);
  }
  return hand_batch(env, p, n, delay_us, step_us);
}

/* producerPartitionCounts(handle) -> Float64Array: acknowledged per partition, cumulative (index = partition). */
napi_value producer_partition_counts(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "producerPartitionCounts", 1);
  producer_t *p = unwrap(env, argv[0]);
  if (!p) return NULL;
  pthread_mutex_lock(&p->mu);
  int used = p->partition_slots;
  while (used > 0 && p->partition_acked[used - 1] == 0) used--;
  napi_value ab, arr;
  double *out = NULL;
  if (napi_create_arraybuffer(env, (size_t)used * sizeof(double), (void **)&out, &ab) != napi_ok) {
    pthread_mutex_unlock(&p->mu);
    return ds_throw(env, "NATIVE", "out of memory");
  }
  if (used) memcpy(out, p->partition_acked, (size_t)used * sizeof(double));
  pthread_mutex_unlock(&p->mu);
  NAPI_OK(env, napi_create_typedarray(env, napi_float64_array, (size_t)used, ab, 0, &arr));
  return arr;
}

/*
 * producerStats(handle, out: Float64Array(9)): cumulative [produced, acknowledged, acknowledged bytes, failed,
 * in flight, too large (0/1), client errors, latencies recorded, ms throttled by brokers]. Fills a caller's array:
 * nothing allocated per call.
 */
napi_value producer_stats(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "producerStats", 2);
  producer_t *p = unwrap(env, argv[0]);
  if (!p) return NULL;
  napi_typedarray_type type;
  size_t n = 0;
  void *raw = NULL;
  NAPI_OK(env, napi_get_typedarray_info(env, argv[1], &type, &n, &raw, NULL, NULL));
  if (type != napi_float64_array || n < 9) return ds_throw(env, "NATIVE", "stats needs a Float64Array(9)");
  double *out = raw;
  long long settled = atomic_load_explicit(&p->settled, memory_order_acquire);
  long long produced = atomic_load(&p->produced);
  pthread_mutex_lock(&p->mu);
  out[0] = (double)produced;
  out[1] = p->acked;
  out[2] = p->acked_bytes;
  out[3] = p->failed;
  out[5] = p->too_large;
  out[6] = p->errors;
  out[7] = (double)p->hist_count;
  out[8] = p->throttled_ms;
  pthread_mutex_unlock(&p->mu);
  out[4] = (double)(produced - settled);
  return NULL;
}

/* producerFailures(handle) -> { [librdkafka error name]: count }, cumulative. */
napi_value producer_failures(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "producerFailures", 1);
  producer_t *p = unwrap(env, argv[0]);
  if (!p) return NULL;
  napi_value obj;
  NAPI_OK(env, napi_create_object(env, &obj));
  double counts[ERR_SLOTS];
  pthread_mutex_lock(&p->mu);
  memcpy(counts, p->failed_by, sizeof counts);
  pthread_mutex_unlock(&p->mu);
  for (int i = 0; i < ERR_SLOTS; i++) {
    if (counts[i] == 0) continue;
    const char *name = rd_kafka_err2name((rd_kafka_resp_err_t)(i - ERR_BASE));
    NAPI_OK(env, napi_set_named_property(env, obj, name, ds_number(env, counts[i])));
  }
  return obj;
}

/*
 * producerTakeLatency(handle, which) -> Float64Array of (microseconds, count) pairs recorded since the last call, of
 * histogram `which`: 0 latency from the send, 1 latency from the intended send time, 2 publish delay.
 */
napi_value producer_take_latency(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "producerTakeLatency", 2);
  producer_t *p = unwrap(env, argv[0]);
  if (!p) return NULL;
  int32_t which = 0;
  NAPI_OK(env, napi_get_value_int32(env, argv[1], &which));
  uint64_t *h = which == 1 ? p->hist_intended : which == 2 ? p->hist_delay : p->hist;
  static uint64_t snap[HIST_LEN]; /* JavaScript thread only */
  pthread_mutex_lock(&p->mu);
  memcpy(snap, h, sizeof snap);
  memset(h, 0, sizeof snap);
  pthread_mutex_unlock(&p->mu);
  size_t used = 0;
  for (int i = 0; i < HIST_LEN; i++) used += snap[i] != 0;
  napi_value ab, arr;
  double *out = NULL;
  NAPI_OK(env, napi_create_arraybuffer(env, used * 2 * sizeof(double), (void **)&out, &ab));
  size_t k = 0;
  for (int i = 0; i < HIST_LEN; i++) {
    if (!snap[i]) continue;
    out[k++] = hist_value(i);
    out[k++] = (double)snap[i];
  }
  NAPI_OK(env, napi_create_typedarray(env, napi_float64_array, used * 2, ab, 0, &arr));
  return arr;
}

/* producerClose(handle): stops the delivery thread and destroys the client (wait for in-flight messages first). */
napi_value producer_close_js(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "producerClose", 1);
  producer_t *p = ds_unwrap(env, argv[0], DS_PRODUCER, DS_CLOSED_TOO);
  if (p) producer_close(p);
  return NULL;
}
