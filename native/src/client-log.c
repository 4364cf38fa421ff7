/*
 * librdkafka's log lines, kept for JavaScript instead of written to stderr: every client this addon makes logs into
 * one ring (librdkafka calls from its own threads, hence the mutex), and clientLogDrain() hands the lines to
 * DataStorm's logger (kafka/native/client-log.ts), which decides what a user sees. A full ring counts what it drops.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

#define LOG_RING 128

typedef struct {
  int level;
  char facility[32];
  char message[480];
} log_line_t;

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static log_line_t ring[LOG_RING];
static unsigned ring_start, ring_count, ring_dropped;

static void on_log(const rd_kafka_t *rk, int level, const char *facility, const char *message) {
  (void)rk;
  pthread_mutex_lock(&log_mu);
  if (ring_count == LOG_RING) {
    ring_dropped++;
  } else {
    log_line_t *line = &ring[(ring_start + ring_count++) % LOG_RING];
    line->level = level;
    snprintf(line->facility, sizeof line->facility, "%s", facility);
    snprintf(line->message, sizeof line->message, "%s", message);
  }
  pthread_mutex_unlock(&log_mu);
}

void ds_conf_log_to_ring(rd_kafka_conf_t *conf) { rd_kafka_conf_set_log_cb(conf, on_log); }

/* clientLogDrain() -> [level, facility, message, ..., dropped]: the lines since the last call, oldest first. */
napi_value client_log_drain(napi_env env, napi_callback_info info) {
  (void)info;
  log_line_t taken[LOG_RING];
  pthread_mutex_lock(&log_mu);
  unsigned n = ring_count, dropped = ring_dropped;
  for (unsigned i = 0; i < n; i++) taken[i] = ring[(ring_start + i) % LOG_RING];
  ring_start = (ring_start + n) % LOG_RING;
  ring_count = ring_dropped = 0;
  pthread_mutex_unlock(&log_mu);
  napi_value out, v;
  NAPI_OK(env, napi_create_array_with_length(env, 3 * n + 1, &out));
  for (unsigned i = 0; i < n; i++) {
    NAPI_OK(env, napi_set_element(env, out, 3 * i, ds_number(env, taken[i].level)));
    NAPI_OK(env, napi_create_string_utf8(env, taken[i].facility, NAPI_AUTO_LENGTH, &v));
    NAPI_OK(env, napi_set_element(env, out, 3 * i + 1, v));
    NAPI_OK(env, napi_create_string_utf8(env, taken[i].message, NAPI_AUTO_LENGTH, &v));
    NAPI_OK(env, napi_set_element(env, out, 3 * i + 2, v));
  }
  NAPI_OK(env, napi_set_element(env, out, 3 * n, ds_number(env, dropped)));
  return out;
}
