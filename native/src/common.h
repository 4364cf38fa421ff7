/* Shared by the producer and the consumer: Node-API checks and librdkafka configuration from a JS object. */
#ifndef DATASTORM_COMMON_H
#define DATASTORM_COMMON_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <librdkafka/rdkafka.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Evaluates a napi call; on failure throws (if nothing is pending yet) and returns NULL from the calling function. */
#define NAPI_OK(env, call)                                                 \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      ds_throw_last(env, #call);                                           \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

/*
 * Declares argv with the first n arguments of a call; throws "<name> takes n arguments" and returns NULL from the
 * calling function when fewer were given (every entry point's opening, written once).
 */
#define DS_ARGS(env, info, name, n)                                                                              \
  napi_value argv[n];                                                                                            \
  do {                                                                                                           \
    size_t argc_ = (n);                                                                                          \
    NAPI_OK(env, napi_get_cb_info(env, info, &argc_, argv, NULL, NULL));                                         \
    if (argc_ < (n)) return ds_throw(env, "NATIVE", name " takes " #n " arguments");                             \
  } while (0)

void ds_throw_last(napi_env env, const char *what);
/* Throws an Error with a message and a string `code` property (librdkafka's error name, or our own). */
napi_value ds_throw(napi_env env, const char *code, const char *message);
/* Builds an rd_kafka_conf_t from a plain object of string values; throws and returns NULL on a bad key or value. */
rd_kafka_conf_t *ds_conf_from_object(napi_env env, napi_value object);
/* Sends a client's log lines to the ring that clientLogDrain() empties (client-log.c), not to stderr. */
void ds_conf_log_to_ring(rd_kafka_conf_t *conf);
/* A JS string as a NUL-terminated copy of any length (free() it); NULL, with an error thrown, when it is not one. */
char *ds_string_dup(napi_env env, napi_value v);
napi_value ds_number(napi_env env, double n);

/*
 * Every object behind a handle (napi_create_external) starts with this header: its kind, checked on every use, and
 * whether it is closed. One check for all of them (ds_unwrap), so a handle of one kind passed for another is refused.
 */
typedef struct {
  uint32_t tag;
  int closed;
} ds_handle_t;

enum { DS_PRODUCER = 0x44535031, DS_CONSUMER = 0x44534331, DS_TWEET_PLAN = 0x44535431 };
enum { DS_OPEN_ONLY = 0, DS_CLOSED_TOO = 1 };

/* The object behind a handle of the given tag; NULL, with an error thrown, when it is not one (or is closed, unless
 * closed ones are asked for too). */
void *ds_unwrap(napi_env env, napi_value handle, uint32_t tag, int closed_too);

/*
 * A call that can take seconds (connecting, committing, reading watermarks) runs on the libuv pool and answers with a
 * promise, so the event loop keeps ticking meanwhile. `run` fills err, detail and values off the JavaScript thread;
 * the promise resolves with values[0..n_values) (an array, or undefined for none) or rejects with an Error whose code
 * is librdkafka's error name. The handle is kept alive, and `pending` counted, while the job runs: a close waits.
 */
typedef struct ds_job ds_job_t;
struct ds_job {
  void (*run)(ds_job_t *job);
  void *object;
  atomic_int *pending;
  int32_t timeout_ms;
  int32_t partition;
  void *list; /* a job's own input (a partition list), freed by free_list */
  void (*free_list)(void *list);
  rd_kafka_resp_err_t err;
  double values[2];
  int n_values;
  napi_async_work work;
  napi_deferred deferred;
  napi_ref keep;
};
/* A job of `run` on object (whose jobs `pending` counts), its timeout from a JS number (NULL: none); NULL, thrown,
 * when it cannot be made. */
ds_job_t *ds_job_new(napi_env env, void (*run)(ds_job_t *), void *object, atomic_int *pending, napi_value timeout);
/* Starts job (made by ds_job_new, freed here when it completes) and returns its promise; NULL on failure
 * (thrown). */
napi_value ds_job_start(napi_env env, napi_value handle, ds_job_t *job);
/* Waits until no job of an object is using its client (each is bounded by its own timeout; the count drops on the
 * pool thread, so waiting on the JavaScript thread cannot deadlock). */
void ds_jobs_wait(atomic_int *pending);

#endif
