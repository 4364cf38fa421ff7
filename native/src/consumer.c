/*
 * The batch consumer for pulse and verify: one call (run on libuv's thread pool) polls librdkafka for up to N
 * messages and returns them as one Buffer of values plus typed arrays of end offsets, partitions, offsets and
 * timestamps: one crossing per batch instead of one JavaScript object per message.
 *
 * Group membership stays librdkafka's: the rebalance callback runs inside the poll, on the pool thread; it assigns or
 * unassigns at once and records the event, and the batch ends there, so JavaScript sees every message of a revoked
 * partition before the revocation (and drops its uncommitted work) and none after. A message the same poll returns
 * after the callback (librdkafka's poll goes on serving once the callback returns) is of the new assignment: it is
 * held for the next batch, so a batch's messages always precede its events (in this batch it would be counted, then
 * dropped with the revoked partition's work while the fetch went on past it). Commits are synchronous and
 * explicit: pulse commits only what InfluxDB acknowledged.
 */
#include "common.h"
#include "reader-measure.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_EVENTS 16
#define MAX_ERRORS 8

typedef struct {
  int assigned; /* 1 assigned, 0 revoked */
  int count;
  int32_t *partitions;
} rebalance_event_t;

typedef struct {
  ds_handle_t head; /* DS_CONSUMER */
  rd_kafka_t *rk;
  char *topic;
  int busy;
  atomic_int jobs; /* blocking calls running on the pool (ds_job_start) */

  /* scratch of the batch being filled (pool thread while busy, then the JavaScript thread) */
  char *values;
  size_t values_len, values_cap;
  uint32_t *ends;
  char *keys; /* keys back to back (a missing key is empty), ending at key_ends */
  size_t keys_len, keys_cap;
  uint32_t *key_ends;
  int32_t *partitions;
  double *offsets, *timestamps;
  size_t count, cap;
  size_t max_messages;
  int timeout_ms;
  char errors[MAX_ERRORS][256];
  int n_errors;
  rebalance_event_t events[MAX_EVENTS];
  int n_events;
  int rebalanced; /* set by the rebalance callback: end the batch */
  rd_kafka_message_t *held; /* polled after a rebalance callback: the next batch's first message */
  int out_of_memory; /* the batch could not be held: the call fails, so nothing is committed past it */

  reader_measure_t *measure; /* a storm's reader: messages measured, not copied (consumerMeasure) */
  atomic_int paused;         /* consumerPause: partitions assigned from now on are paused at once */
  rd_kafka_queue_t *queue;   /* the consumer queue, for a measuring consumer's batches */

  pthread_mutex_t mu; /* guards stats */
  char *stats;

  napi_async_work work;
  napi_ref callback;
} consumer_t;

static void record_event(consumer_t *c, int assigned, const rd_kafka_topic_partition_list_t *parts) {
  c->rebalanced = 1;
  if (c->n_events >= MAX_EVENTS) return;
  rebalance_event_t *e = &c->events[c->n_events++];
  e->assigned = assigned;
  e->count = parts ? parts->cnt : 0;
  e->partitions = malloc(sizeof(int32_t) * (e->count ? e->count : 1));
  if (!e->partitions) {
    e->count = 0;
    c->out_of_memory = 1;
    return;
  }
  for (int i = 0; i < e->count; i++) e->partitions[i] = parts->elems[i].partition;
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                         void *opaque) {
  consumer_t *c = opaque;
  int cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    /* Start where the group committed, explicitly: a partition revoked and assigned back to this same consumer would
     * otherwise go on from where its fetch stood, past messages whose uncommitted work was dropped at the revocation.
     * Never committed (or the committed offset could not be fetched): from the beginning, which is what pulse's
     * auto.offset.reset=earliest means; an invalid offset here would again resume a stale fetch position. Reading
     * again is safe (replays land on the same points), skipping is not. */
    for (int i = 0; i < parts->cnt; i++) parts->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
    rd_kafka_committed(rk, parts, 10000);
    for (int i = 0; i < parts->cnt; i++)
      if (parts->elems[i].offset < 0) parts->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    if (cooperative) rd_kafka_error_destroy(rd_kafka_incremental_assign(rk, parts));
    else rd_kafka_assign(rk, parts);
    if (atomic_load(&c->paused)) rd_kafka_pause_partitions(rk, parts);
    record_event(c, 1, parts);
  } else {
    record_event(c, 0, parts);
    if (cooperative) rd_kafka_error_destroy(rd_kafka_incremental_unassign(rk, parts));
    else rd_kafka_assign(rk, NULL);
  }
}

static int on_stats(rd_kafka_t *rk, char *json, size_t len, void *opaque) {
  (void)rk;
  consumer_t *c = opaque;
  char *copy = malloc(len + 1);
  if (!copy) return 0; /* the previous statistics stay */
  memcpy(copy, json, len);
  copy[len] = 0;
  pthread_mutex_lock(&c->mu);
  free(c->stats);
  c->stats = copy;
  pthread_mutex_unlock(&c->mu);
  return 0;
}

/* Grows *array to hold cap elements of size; 0 (the array as it was) when memory is short. */
static int grow_array(void **array, size_t cap, size_t size) {
  void *grown = realloc(*array, cap * size);
  if (!grown) return 0;
  *array = grown;
  return 1;
}

/* Room for need_msgs messages and need_bytes of values; 0 when memory is short. */
static int grow(consumer_t *c, size_t need_msgs, size_t need_bytes) {
  if (need_msgs > c->cap) {
    size_t cap = c->cap ? c->cap : 1024;
    while (cap < need_msgs) cap *= 2;
    if (!grow_array((void **)&c->ends, cap, sizeof *c->ends) ||
        !grow_array((void **)&c->key_ends, cap, sizeof *c->key_ends) ||
        !grow_array((void **)&c->partitions, cap, sizeof *c->partitions) ||
        !grow_array((void **)&c->offsets, cap, sizeof *c->offsets) ||
        !grow_array((void **)&c->timestamps, cap, sizeof *c->timestamps))
      return 0;
    c->cap = cap;
  }
  if (need_bytes > c->values_cap) {
    size_t cap = c->values_cap ? c->values_cap : 1 << 20;
    while (cap < need_bytes) cap *= 2;
    if (!grow_array((void **)&c->values, cap, 1)) return 0;
    c->values_cap = cap;
  }
  return 1;
}

/* Room for need bytes of keys; 0 when memory is short. */
static int grow_keys(consumer_t *c, size_t need) {
  if (need <= c->keys_cap) return 1;
  size_t cap = c->keys_cap ? c->keys_cap : 1 << 16;
  while (cap < need) cap *= 2;
  if (!grow_array((void **)&c->keys, cap, 1)) return 0;
  c->keys_cap = cap;
  return 1;
}

/* Appends a message to the batch; 0 when memory is short (the batch fails: nothing of it is delivered). */
static int add_message(consumer_t *c, const rd_kafka_message_t *m) {
  if (!grow(c, c->count + 1, c->values_len + m->len) || (m->key_len && !grow_keys(c, c->keys_len + m->key_len))) {
    c->out_of_memory = 1;
    return 0;
  }
  if (m->len) memcpy(c->values + c->values_len, m->payload, m->len);
  c->values_len += m->len;
  c->ends[c->count] = (uint32_t)c->values_len;
  if (m->key_len) {
    memcpy(c->keys + c->keys_len, m->key, m->key_len);
    c->keys_len += m->key_len;
  }
  c->key_ends[c->count] = (uint32_t)c->keys_len;
  c->partitions[c->count] = m->partition;
  c->offsets[c->count] = (double)m->offset;
  c->timestamps[c->count] = (double)rd_kafka_message_timestamp(m, NULL);
  c->count++;
  return 1;
}

static int64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Notes a consumer error of a batch (transient: librdkafka retries); the end of a partition is none. */
static void note_error(consumer_t *c, rd_kafka_message_t *m) {
  if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && c->n_errors < MAX_ERRORS)
    snprintf(c->errors[c->n_errors++], 256, "%s: %s", rd_kafka_err2name(m->err), rd_kafka_message_errstr(m));
}

#define MEASURE_CHUNK 1024

/* Measures one message of a batch (or notes its error) and lets it go. */
static void measure_one(consumer_t *c, rd_kafka_message_t *m, int64_t now) {
  if (m->err) note_error(c, m);
  else {
    measure_message(c->measure, m, now);
    c->count++;
  }
  rd_kafka_message_destroy(m);
}

/*
 * A measuring consumer's batch: the first message waited for as a poll does (a batch call would wait for a whole
 * chunk), then what is already fetched taken a thousand at a time from the consumer queue (one lock and one clock
 * reading per chunk, not per message; rebalance callbacks are served inside as in a poll). Nothing is held back at a
 * rebalance: the primary counts every offset once whoever reads it, so a message after a revocation is only a re-read.
 */
static void consume_measured(consumer_t *c) {
  rd_kafka_message_t *first = rd_kafka_consumer_poll(c->rk, c->timeout_ms);
  if (!first) return;
  measure_one(c, first, now_us());
  rd_kafka_message_t *msgs[MEASURE_CHUNK];
  while (c->count < c->max_messages && !c->rebalanced && !c->measure->out_of_memory) {
    size_t want = c->max_messages - c->count;
    ssize_t n = rd_kafka_consume_batch_queue(c->queue, 0, msgs, want < MEASURE_CHUNK ? want : MEASURE_CHUNK);
    if (n <= 0) break;
    int64_t now = now_us();
    for (ssize_t k = 0; k < n; k++) measure_one(c, msgs[k], now);
  }
  c->out_of_memory = c->measure->out_of_memory;
}

static void consume_execute(napi_env env, void *data) {
  (void)env;
  consumer_t *c = data;
  c->count = c->values_len = c->keys_len = 0;
  c->n_errors = c->n_events = c->rebalanced = c->out_of_memory = 0;
  if (c->measure) {
    c->measure->runs = c->measure->bytes = 0;
    consume_measured(c);
    return;
  }
  int timeout = c->timeout_ms;
  if (c->held) {
    int added = add_message(c, c->held);
    rd_kafka_message_destroy(c->held);
    c->held = NULL;
    if (!added) return;
    timeout = 0;
  }
  while (c->count < c->max_messages && !c->rebalanced) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, timeout);
    if (!m) break;
    if (m->err) {
      note_error(c, m);
      rd_kafka_message_destroy(m);
      continue;
    }
    if (c->rebalanced) {
      c->held = m;
      break;
    }
    int added = add_message(c, m);
    rd_kafka_message_destroy(m);
    if (!added) break;
    timeout = 0; /* the first message may be waited for; the rest are what is already fetched */
  }
}

/* A typed array holding a copy of n elements of src; NULL when Node-API failed (the caller says so). */
static napi_value typed(napi_env env, napi_typedarray_type type, const void *src, size_t n, size_t elem) {
  napi_value ab, arr;
  void *dst = NULL;
  if (napi_create_arraybuffer(env, n * elem, &dst, &ab) != napi_ok) return NULL;
  if (n) memcpy(dst, src, n * elem);
  return napi_create_typedarray(env, type, n, ab, 0, &arr) == napi_ok ? arr : NULL;
}

/* Sets obj[name] = value; 0 when either failed. */
static int set(napi_env env, napi_value obj, const char *name, napi_value value) {
  return value && napi_set_named_property(env, obj, name, value) == napi_ok;
}

static napi_value buffer_copy(napi_env env, const char *bytes, size_t len) {
  napi_value v;
  void *copy = NULL;
  return napi_create_buffer_copy(env, len, len ? bytes : "", &copy, &v) == napi_ok ? v : NULL;
}

/* The rebalances of the batch as [{assigned, partitions}]; frees them (handed over). NULL when Node-API failed. */
static napi_value events_of(napi_env env, consumer_t *c) {
  napi_value events, e, assigned;
  int ok = napi_create_array_with_length(env, c->n_events, &events) == napi_ok;
  for (int i = 0; i < c->n_events; i++) {
    ok = ok && napi_create_object(env, &e) == napi_ok &&
         napi_get_boolean(env, c->events[i].assigned, &assigned) == napi_ok &&
         set(env, e, "assigned", assigned) &&
         set(env, e, "partitions", typed(env, napi_int32_array, c->events[i].partitions, c->events[i].count, 4)) &&
         napi_set_element(env, events, i, e) == napi_ok;
    free(c->events[i].partitions);
  }
  /* Handed over and freed: a revocation recorded later (consumer_destroy's close) must not free them again. */
  c->n_events = 0;
  return ok ? events : NULL;
}

static napi_value errors_of(napi_env env, consumer_t *c) {
  napi_value errors, s;
  if (napi_create_array_with_length(env, c->n_errors, &errors) != napi_ok) return NULL;
  for (int i = 0; i < c->n_errors; i++)
    if (napi_create_string_utf8(env, c->errors[i], NAPI_AUTO_LENGTH, &s) != napi_ok ||
        napi_set_element(env, errors, i, s) != napi_ok)
      return NULL;
  return errors;
}

/* A measured batch as MeasuredBatch (src/kafka/native/addon.ts): counts and runs of offsets. */
static int measured_of(napi_env env, consumer_t *c, napi_value batch) {
  reader_measure_t *r = c->measure;
  return set(env, batch, "count", ds_number(env, (double)c->count)) &&
         set(env, batch, "bytes", ds_number(env, (double)r->bytes)) &&
         set(env, batch, "runPartitions", typed(env, napi_int32_array, r->run_partition, r->runs, 4)) &&
         set(env, batch, "runFirst", typed(env, napi_float64_array, r->run_first, r->runs, 8)) &&
         set(env, batch, "runLast", typed(env, napi_float64_array, r->run_last, r->runs, 8));
}

/* The messages of a batch as ConsumedBatch's fields: values, keys and where each came from. */
static int copied_of(napi_env env, consumer_t *c, napi_value batch) {
  return set(env, batch, "values", buffer_copy(env, c->values, c->values_len)) &&
           set(env, batch, "ends", typed(env, napi_uint32_array, c->ends, c->count, 4)) &&
           set(env, batch, "keys", buffer_copy(env, c->keys, c->keys_len)) &&
           set(env, batch, "keyEnds", typed(env, napi_uint32_array, c->key_ends, c->count, 4)) &&
           set(env, batch, "partitions", typed(env, napi_int32_array, c->partitions, c->count, 4)) &&
           set(env, batch, "offsets", typed(env, napi_float64_array, c->offsets, c->count, 8)) &&
           set(env, batch, "timestamps", typed(env, napi_float64_array, c->timestamps, c->count, 8)) &&
           set(env, batch, "count", ds_number(env, (double)c->count));
}

/* The batch as ConsumedBatch or MeasuredBatch (src/kafka/native/addon.ts); NULL when any Node-API call failed. */
static napi_value batch_of(napi_env env, consumer_t *c) {
  napi_value batch;
  if (napi_create_object(env, &batch) != napi_ok) return NULL;
  int ok = c->measure ? measured_of(env, c, batch) : copied_of(env, c, batch);
  napi_value events = events_of(env, c);
  ok = ok && set(env, batch, "events", events) && set(env, batch, "errors", errors_of(env, c));
  return ok ? batch : NULL;
}

/* The callback's error argument: why the batch cannot be had (none of it is handed over, so nothing is committed). */
static napi_value consume_error(napi_env env, const char *why) {
  napi_value msg, code, err;
  napi_create_string_utf8(env, why, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, "NATIVE", NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, msg, &err);
  return err;
}

static void consume_complete(napi_env env, napi_status status, void *data) {
  consumer_t *c = data;
  napi_value cb, undefined, argv[2];
  napi_value batch = status == napi_ok && !c->out_of_memory ? batch_of(env, c) : NULL;
  if (!batch) { /* its rebalance events still need freeing */
    for (int i = 0; i < c->n_events; i++) free(c->events[i].partitions);
    c->n_events = 0;
  }
  c->busy = 0;
  napi_delete_async_work(env, c->work);
  napi_ref ref = c->callback;
  c->callback = NULL;
  napi_status s = napi_get_reference_value(env, ref, &cb);
  napi_delete_reference(env, ref);
  if (s != napi_ok || napi_get_undefined(env, &undefined) != napi_ok) {
    ds_throw_last(env, "consume: the callback is gone"); /* an uncaught exception: the child ends, said */
    return;
  }
  const char *why = c->out_of_memory ? "out of memory for a batch (nothing of it was delivered)"
                    : status != napi_ok ? "consume cancelled"
                                        : "could not hand the batch to JavaScript (Node-API failed)";
  argv[0] = batch ? NULL : consume_error(env, why);
  if (batch) napi_get_null(env, &argv[0]);
  argv[1] = batch ? batch : undefined;
  if (napi_call_function(env, undefined, cb, 2, argv, NULL) != napi_ok) ds_throw_last(env, "consume callback");
}

static void consumer_destroy(consumer_t *c) {
  if (c->head.closed) return;
  c->head.closed = 1;
  ds_jobs_wait(&c->jobs);
  if (c->held) rd_kafka_message_destroy(c->held); /* before the handle it refers to goes */
  c->held = NULL;
  if (c->queue) rd_kafka_queue_destroy(c->queue);
  c->queue = NULL;
  if (c->rk) {
    rd_kafka_consumer_close(c->rk); /* its revocation is recorded like any other; nobody reads it now */
    rd_kafka_destroy(c->rk);
    c->rk = NULL;
  }
  for (int i = 0; i < c->n_events; i++) free(c->events[i].partitions);
  c->n_events = 0;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  consumer_t *c = data;
  if (c->busy) return; /* a batch still running owns it: leak rather than free under it (process exit) */
  consumer_destroy(c);
  free(c->values);
  free(c->ends);
  free(c->keys);
  free(c->key_ends);
  free(c->partitions);
  free(c->offsets);
  free(c->timestamps);
  free(c->stats);
  measure_free(c->measure);
  free(c->topic);
  pthread_mutex_destroy(&c->mu);
  free(c);
}

static consumer_t *unwrap(napi_env env, napi_value v) {
  return ds_unwrap(env, v, DS_CONSUMER, DS_OPEN_ONLY);
}

/* consumerNew(config, topic) -> handle */
napi_value consumer_new(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "consumerNew", 2);
  consumer_t *c = calloc(1, sizeof *c);
  if (!c) return ds_throw(env, "NATIVE", "out of memory for a consumer");
  c->head.tag = DS_CONSUMER;
  c->topic = ds_string_dup(env, argv[1]);
  rd_kafka_conf_t *conf = c->topic ? ds_conf_from_object(env, argv[0]) : NULL;
  if (!conf) {
    free(c->topic);
    free(c);
    return NULL;
  }
  pthread_mutex_init(&c->mu, NULL);
  rd_kafka_conf_set_opaque(conf, c);
  rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
  rd_kafka_conf_set_stats_cb(conf, on_stats);
  char errstr[512];
  c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (!c->rk) {
    rd_kafka_conf_destroy(conf);
    pthread_mutex_destroy(&c->mu);
    free(c->topic);
    free(c);
    return ds_throw(env, "CLIENT", errstr);
  }
  rd_kafka_poll_set_consumer(c->rk);
  napi_value handle;
  NAPI_OK(env, napi_create_external(env, c, finalize, NULL, &handle));
  return handle;
}

static void connect_run(ds_job_t *job) {
  consumer_t *c = job->object;
  const struct rd_kafka_metadata *md = NULL;
  job->err = rd_kafka_metadata(c->rk, 0, NULL, &md, job->timeout_ms);
  if (!job->err) rd_kafka_metadata_destroy(md);
}

/* consumerConnect(handle, timeoutMs) -> Promise: waits for cluster metadata off the event loop; rejects if the cluster
 * does not answer. */
napi_value consumer_connect(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "consumerConnect", 2);
  consumer_t *c = unwrap(env, argv[0]);
  ds_job_t *job = c ? ds_job_new(env, connect_run, c, &c->jobs, argv[1]) : NULL;
  return job ? ds_job_start(env, argv[0], job) : NULL;
}

/* consumerSubscribe(handle): joins the group on the handle's topic. */
napi_value consumer_subscribe(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "consumerSubscribe", 1);
  consumer_t *c = unwrap(env, argv[0]);
  if (!c) return NULL;
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(l, c->topic, RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(c->rk, l);
  rd_kafka_topic_partition_list_destroy(l);
  if (err) return ds_throw(env, rd_kafka_err2name(err), rd_kafka_err2str(err));
  return NULL;
}

static rd_kafka_topic_partition_list_t *partition_list(napi_env env, consumer_t *c, napi_value parts,
                                                       napi_value offsets) {
  napi_typedarray_type pt, ot;
  size_t np = 0, no = 0;
  void *praw = NULL, *oraw = NULL;
  if (napi_get_typedarray_info(env, parts, &pt, &np, &praw, NULL, NULL) != napi_ok ||
      napi_get_typedarray_info(env, offsets, &ot, &no, &oraw, NULL, NULL) != napi_ok || pt != napi_int32_array ||
      ot != napi_float64_array || np != no) {
    ds_throw(env, "NATIVE", "expected partitions (Int32Array) and offsets (Float64Array) of one length");
    return NULL;
  }
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)np);
  for (size_t i = 0; i < np; i++)
    rd_kafka_topic_partition_list_add(l, c->topic, ((int32_t *)praw)[i])->offset = (int64_t)((double *)oraw)[i];
  return l;
}

/* consumerAssign(handle, partitions, offsets): reads these partitions from these offsets, without a group. */
napi_value consumer_assign(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "consumerAssign", 3);
  consumer_t *c = unwrap(env, argv[0]);
  if (!c) return NULL;
  rd_kafka_topic_partition_list_t *l = partition_list(env, c, argv[1], argv[2]);
  if (!l) return NULL;
  rd_kafka_resp_err_t err = rd_kafka_assign(c->rk, l);
  rd_kafka_topic_partition_list_destroy(l);
  if (err) return ds_throw(env, rd_kafka_err2name(err), rd_kafka_err2str(err));
  return NULL;
}

static void commit_run(ds_job_t *job) {
  consumer_t *c = job->object;
  rd_kafka_topic_partition_list_t *l = job->list;
  job->err = l->cnt ? rd_kafka_commit(c->rk, l, 0) : RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int i = 0; !job->err && i < l->cnt; i++) job->err = l->elems[i].err;
}

static void free_partition_list(void *l) {
  rd_kafka_topic_partition_list_destroy(l);
}

/* consumerCommit(handle, partitions, nextOffsets) -> Promise: commits exactly these offsets, synchronously with the
 * group coordinator but off the event loop; rejects on failure. */
napi_value consumer_commit(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "consumerCommit", 3);
  consumer_t *c = unwrap(env, argv[0]);
  if (!c) return NULL;
  rd_kafka_topic_partition_list_t *l = partition_list(env, c, argv[1], argv[2]);
  if (!l) return NULL;
  ds_job_t *job = ds_job_new(env, commit_run, c, &c->jobs, NULL);
  if (!job) {
    rd_kafka_topic_partition_list_destroy(l);
    return NULL;
  }
  job->list = l;
  job->free_list = free_partition_list;
  return ds_job_start(env, argv[0], job);
}

/* consumerConsume(handle, maxMessages, timeoutMs, callback(err, batch)) */
napi_value consumer_consume(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "consumerConsume", 4);
  consumer_t *c = unwrap(env, argv[0]);
  if (!c) return NULL;
  if (c->busy) return ds_throw(env, "NATIVE", "a consume call is already running on this consumer");
  uint32_t max = 1000;
  int32_t timeout = 1000;
  NAPI_OK(env, napi_get_value_uint32(env, argv[1], &max));
  NAPI_OK(env, napi_get_value_int32(env, argv[2], &timeout));
  c->max_messages = max ? max : 1;
  c->timeout_ms = timeout;
  NAPI_OK(env, napi_create_reference(env, argv[3], 1, &c->callback));
  napi_value name;
  NAPI_OK(env, napi_create_string_utf8(env, "datastorm.consume", NAPI_AUTO_LENGTH, &name));
  NAPI_OK(env, napi_create_async_work(env, NULL, name, consume_execute, consume_complete, c, &c->work));
  c->busy = 1;
  NAPI_OK(env, napi_queue_async_work(env, c->work));
  return NULL;
}

/* consumerStats(handle) -> the newest librdkafka statistics JSON since the last call, or null. */
napi_value consumer_stats(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "consumerStats", 1);
  consumer_t *c = unwrap(env, argv[0]);
  if (!c) return NULL;
  pthread_mutex_lock(&c->mu);
  char *s = c->stats;
  c->stats = NULL;
  pthread_mutex_unlock(&c->mu);
  napi_value v;
  if (!s) {
    NAPI_OK(env, napi_get_null(env, &v));
    return v;
  }
  napi_status status = napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  free(s);
  NAPI_OK(env, status);
  return v;
}

static void watermarks_run(ds_job_t *job) {
  consumer_t *c = job->object;
  int64_t low = 0, high = 0;
  job->err = rd_kafka_query_watermark_offsets(c->rk, c->topic, job->partition, &low, &high, job->timeout_ms);
  job->values[0] = (double)low;
  job->values[1] = (double)high;
  job->n_values = 2;
}

/* consumerWatermarks(handle, partition, timeoutMs) -> Promise<[low, high]> from the partition's leader. */
napi_value consumer_watermarks(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "consumerWatermarks", 3);
  consumer_t *c = unwrap(env, argv[0]);
  ds_job_t *job = c ? ds_job_new(env, watermarks_run, c, &c->jobs, argv[2]) : NULL;
  if (!job) return NULL;
  if (napi_get_value_int32(env, argv[1], &job->partition) != napi_ok) {
    free(job);
    return ds_throw(env, "NATIVE", "partition must be a number");
  }
  return ds_job_start(env, argv[0], job);
}

/* consumerClose(handle): leaves the group (revoking what it holds) and destroys the client. Blocks briefly. */
napi_value consumer_close_js(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "consumerClose", 1);
  consumer_t *c = ds_unwrap(env, argv[0], DS_CONSUMER, DS_CLOSED_TOO);
  if (!c) return NULL;
  if (c->busy) return ds_throw(env, "NATIVE", "close while a consume call is running");
  consumer_destroy(c);
  return NULL;
}

/* The consumer's measure, for a call between consume calls (their pool thread writes it); NULL: thrown. */
static reader_measure_t *idle_measure(napi_env env, consumer_t *c) {
  if (c->busy) {
    ds_throw(env, "NATIVE", "a consume call is running on this consumer");
    return NULL;
  }
  if (!c->measure) c->measure = calloc(1, sizeof *c->measure);
  if (!c->measure) ds_throw(env, "NATIVE", "out of memory for a reader's histograms");
  if (c->measure && !c->queue) c->queue = rd_kafka_queue_get_consumer(c->rk);
  return c->measure;
}

/*
 * consumerMeasure(handle, framing, fromMs, startMs, table, tableStepMs): from now on the consumer measures what it
 * reads instead of handing it over (reader-measure.h). framing: bytes before a tweet's Avro, -1 when the records
 * are not tweets; table: Float64Array of the messages the schedule allows at each step, or null without a schedule.
 */
napi_value consumer_measure(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "consumerMeasure", 6);
  consumer_t *c = unwrap(env, argv[0]);
  reader_measure_t *r = c ? idle_measure(env, c) : NULL;
  if (!r) return NULL;
  int32_t framing = -1;
  double from = 0, start = 0, step = 0;
  NAPI_OK(env, napi_get_value_int32(env, argv[1], &framing));
  NAPI_OK(env, napi_get_value_double(env, argv[2], &from));
  NAPI_OK(env, napi_get_value_double(env, argv[3], &start));
  NAPI_OK(env, napi_get_value_double(env, argv[5], &step));
  r->framing = framing;
  r->from_ms = from;
  r->start_ms = start;
  napi_valuetype t;
  NAPI_OK(env, napi_typeof(env, argv[4], &t));
  if (t == napi_null || t == napi_undefined) {
    measure_known_start(r);
    return NULL;
  }
  napi_typedarray_type tt;
  size_t n = 0;
  void *raw = NULL;
  if (napi_get_typedarray_info(env, argv[4], &tt, &n, &raw, NULL, NULL) != napi_ok || tt != napi_float64_array)
    return ds_throw(env, "NATIVE", "the schedule's table must be a Float64Array");
  double *copy = malloc((n ? n : 1) * sizeof *copy);
  if (!copy) return ds_throw(env, "NATIVE", "out of memory for the schedule's table");
  memcpy(copy, raw, n * sizeof *copy);
  free(r->table);
  r->table = copy;
  r->table_len = (uint32_t)n;
  r->table_step_ms = step;
  measure_known_start(r);
  return NULL;
}

/* consumerTakeEndToEnd(handle, which) -> (µs, count) pairs since the last call: 0 from creation, 1 from intended. */
napi_value consumer_take_end_to_end(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "consumerTakeEndToEnd", 2);
  consumer_t *c = unwrap(env, argv[0]);
  reader_measure_t *r = c ? idle_measure(env, c) : NULL;
  if (!r) return NULL;
  int32_t which = 0;
  NAPI_OK(env, napi_get_value_int32(env, argv[1], &which));
  uint64_t *h = which == 1 ? r->hist_intended : r->hist_sent;
  size_t used = 0;
  for (int i = 0; i < HIST_LEN; i++) used += h[i] != 0;
  double *out = malloc((used ? used : 1) * 2 * sizeof *out);
  if (!out) return ds_throw(env, "NATIVE", "out of memory for a histogram");
  size_t k = 0;
  for (int i = 0; i < HIST_LEN; i++) {
    if (!h[i]) continue;
    out[k++] = hist_value(i);
    out[k++] = (double)h[i];
    h[i] = 0;
  }
  napi_value arr = typed(env, napi_float64_array, out, k, 8);
  free(out);
  if (!arr) return ds_throw(env, "NATIVE", "could not hand a histogram to JavaScript");
  return arr;
}

/*
 * consumerPause(handle, paused): stops (or resumes) fetching every partition assigned now and, while paused, every
 * one assigned later; the consumer stays in its group (polls go on, returning nothing). A storm's readers wait so
 * while a backlog is built.
 */
napi_value consumer_pause(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "consumerPause", 2);
  consumer_t *c = unwrap(env, argv[0]);
  if (!c) return NULL;
  bool paused = false;
  NAPI_OK(env, napi_get_value_bool(env, argv[1], &paused));
  atomic_store(&c->paused, paused ? 1 : 0);
  rd_kafka_topic_partition_list_t *now = NULL;
  rd_kafka_resp_err_t err = rd_kafka_assignment(c->rk, &now);
  if (!err && now->cnt) err = paused ? rd_kafka_pause_partitions(c->rk, now) : rd_kafka_resume_partitions(c->rk, now);
  if (now) rd_kafka_topic_partition_list_destroy(now);
  if (err) return ds_throw(env, rd_kafka_err2name(err), rd_kafka_err2str(err));
  return NULL;
}
