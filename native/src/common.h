/* Shared by the producer and the consumer: Node-API checks and librdkafka configuration from a JS object. */
#ifndef DATASTORM_COMMON_H
#define DATASTORM_COMMON_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <librdkafka/rdkafka.h>
#include <stddef.h>

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
/* Reads a JS string argument into buf (truncated to size - 1); returns 0 on failure (and throws). */
int ds_get_string(napi_env env, napi_value v, char *buf, size_t size);
napi_value ds_number(napi_env env, double n);
/*
 * The object behind a handle (napi_create_external) of the given kind, whose `int closed` field sits at closed_offset;
 * NULL, with an error thrown, when the value is not a handle or the object is closed.
 */
void *ds_unwrap(napi_env env, napi_value handle, const char *kind, size_t closed_offset);

#endif
