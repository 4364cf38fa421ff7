#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void ds_throw_last(napi_env env, const char *what) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  char msg[512];
  snprintf(msg, sizeof msg, "%s: %s", what, info && info->error_message ? info->error_message : "Node-API call failed");
  napi_throw_error(env, "NATIVE", msg);
}

napi_value ds_throw(napi_env env, const char *code, const char *message) {
  napi_value m, c, err;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &m);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c);
  napi_create_error(env, c, m, &err);
  napi_throw(env, err);
  return NULL;
}

char *ds_string_dup(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
    ds_throw(env, "NATIVE", "expected a string argument");
    return NULL;
  }
  char *s = malloc(len + 1);
  if (!s) {
    ds_throw(env, "NATIVE", "out of memory for a string argument");
    return NULL;
  }
  if (napi_get_value_string_utf8(env, v, s, len + 1, &len) != napi_ok) {
    free(s);
    ds_throw_last(env, "napi_get_value_string_utf8");
    return NULL;
  }
  return s;
}

napi_value ds_number(napi_env env, double n) {
  napi_value v;
  napi_create_double(env, n, &v);
  return v;
}

/* Sets one key of conf from a JS key and value of any length; 0 (thrown) when it cannot. */
static int conf_set_one(napi_env env, rd_kafka_conf_t *conf, napi_value object, napi_value k) {
  napi_value v, vs;
  if (napi_get_property(env, object, k, &v) != napi_ok || napi_coerce_to_string(env, v, &vs) != napi_ok) {
    ds_throw_last(env, "reading a configuration value");
    return 0;
  }
  char *key = ds_string_dup(env, k);
  char *value = key ? ds_string_dup(env, vs) : NULL;
  char errstr[512];
  int ok = value && rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr) == RD_KAFKA_CONF_OK;
  if (value && !ok) ds_throw(env, "CONFIG", errstr);
  free(key);
  free(value);
  return ok;
}

rd_kafka_conf_t *ds_conf_from_object(napi_env env, napi_value object) {
  napi_value keys;
  uint32_t n = 0;
  if (napi_get_property_names(env, object, &keys) != napi_ok || napi_get_array_length(env, keys, &n) != napi_ok) {
    ds_throw(env, "NATIVE", "configuration must be an object of strings");
    return NULL;
  }
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (!conf) {
    ds_throw(env, "NATIVE", "out of memory for a client configuration");
    return NULL;
  }
  ds_conf_log_to_ring(conf);
  for (uint32_t i = 0; i < n; i++) {
    napi_value k;
    if (napi_get_element(env, keys, i, &k) != napi_ok) {
      ds_throw_last(env, "reading a configuration key");
      rd_kafka_conf_destroy(conf);
      return NULL;
    }
    if (!conf_set_one(env, conf, object, k)) {
      rd_kafka_conf_destroy(conf);
      return NULL;
    }
  }
  return conf;
}

void *ds_unwrap(napi_env env, napi_value handle, uint32_t tag, int closed_too) {
  static const char *kinds[] = {"producer", "consumer", "tweet plan"};
  const char *kind = tag == DS_PRODUCER ? kinds[0] : tag == DS_CONSUMER ? kinds[1] : kinds[2];
  char message[64];
  napi_valuetype type = napi_undefined;
  ds_handle_t *object = NULL;
  if (napi_typeof(env, handle, &type) != napi_ok || type != napi_external ||
      napi_get_value_external(env, handle, (void **)&object) != napi_ok || !object || object->tag != tag) {
    snprintf(message, sizeof message, "not a %s handle", kind);
    ds_throw(env, "NATIVE", message);
    return NULL;
  }
  if (object->closed && !closed_too) {
    snprintf(message, sizeof message, "%s is closed", kind);
    ds_throw(env, "NATIVE", message);
    return NULL;
  }
  return object;
}

static void job_execute(napi_env env, void *data) {
  (void)env;
  ds_job_t *job = data;
  job->run(job);
  /* Done with the client here, on the pool thread: a close waiting on the JavaScript thread may go on. */
  atomic_fetch_sub(job->pending, 1);
}

/* Settles the job's promise; a Node-API failure here is thrown (an uncaught exception, never a hung promise). */
static napi_status job_settle(napi_env env, ds_job_t *job, napi_status status) {
  napi_value result, code, message;
  if (status != napi_ok) job->err = RD_KAFKA_RESP_ERR__FAIL;
  if (job->err) {
    napi_status s = napi_create_string_utf8(env, rd_kafka_err2name(job->err), NAPI_AUTO_LENGTH, &code);
    if (s == napi_ok) s = napi_create_string_utf8(env, rd_kafka_err2str(job->err), NAPI_AUTO_LENGTH, &message);
    if (s == napi_ok) s = napi_create_error(env, code, message, &result);
    return s == napi_ok ? napi_reject_deferred(env, job->deferred, result) : s;
  }
  napi_status s = job->n_values ? napi_create_array_with_length(env, (size_t)job->n_values, &result)
                                : napi_get_undefined(env, &result);
  for (int i = 0; s == napi_ok && i < job->n_values; i++)
    s = napi_set_element(env, result, i, ds_number(env, job->values[i]));
  return s == napi_ok ? napi_resolve_deferred(env, job->deferred, result) : s;
}

static void job_complete(napi_env env, napi_status status, void *data) {
  ds_job_t *job = data;
  napi_status s = job_settle(env, job, status);
  napi_delete_async_work(env, job->work);
  napi_delete_reference(env, job->keep);
  if (job->list && job->free_list) job->free_list(job->list);
  if (status == napi_cancelled) atomic_fetch_sub(job->pending, 1); /* it never ran */
  free(job);
  if (s != napi_ok) ds_throw_last(env, "settling a native call's promise");
}

ds_job_t *ds_job_new(napi_env env, void (*run)(ds_job_t *), void *object, atomic_int *pending, napi_value timeout) {
  ds_job_t *job = calloc(1, sizeof *job);
  if (!job) {
    ds_throw(env, "NATIVE", "out of memory for a native call");
    return NULL;
  }
  *job = (ds_job_t){.run = run, .object = object, .pending = pending, .timeout_ms = 10000};
  if (timeout && napi_get_value_int32(env, timeout, &job->timeout_ms) != napi_ok) {
    free(job);
    ds_throw(env, "NATIVE", "timeoutMs must be a number");
    return NULL;
  }
  return job;
}

/* A job that could not start: what it made so far is undone, its input freed, and the reason thrown. */
static napi_value job_discard(napi_env env, ds_job_t *job, const char *what) {
  ds_throw_last(env, what);
  if (job->work) napi_delete_async_work(env, job->work);
  if (job->keep) napi_delete_reference(env, job->keep);
  if (job->list && job->free_list) job->free_list(job->list);
  free(job);
  return NULL;
}

napi_value ds_job_start(napi_env env, napi_value handle, ds_job_t *job) {
  napi_value promise, name;
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_reference(env, handle, 1, &job->keep) != napi_ok ||
      napi_create_string_utf8(env, "datastorm.blocking", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, job_execute, job_complete, job, &job->work) != napi_ok)
    return job_discard(env, job, "starting a native call off the event loop");
  atomic_fetch_add(job->pending, 1);
  if (napi_queue_async_work(env, job->work) != napi_ok) {
    atomic_fetch_sub(job->pending, 1);
    return job_discard(env, job, "napi_queue_async_work");
  }
  return promise;
}

void ds_jobs_wait(atomic_int *pending) {
  struct timespec pause = {0, 5 * 1000000};
  while (atomic_load(pending) > 0) nanosleep(&pause, NULL);
}

/* clientConfigCheck(config): throws librdkafka's own line for a setting it does not know or a value it refuses. */
napi_value client_config_check(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "clientConfigCheck", 1);
  rd_kafka_conf_t *conf = ds_conf_from_object(env, argv[0]);
  if (conf) rd_kafka_conf_destroy(conf);
  return NULL;
}
