#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int ds_get_string(napi_env env, napi_value v, char *buf, size_t size) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, buf, size, &len) != napi_ok) {
    ds_throw(env, "NATIVE", "expected a string argument");
    return 0;
  }
  return 1;
}

napi_value ds_number(napi_env env, double n) {
  napi_value v;
  napi_create_double(env, n, &v);
  return v;
}

rd_kafka_conf_t *ds_conf_from_object(napi_env env, napi_value object) {
  napi_value keys;
  uint32_t n = 0;
  if (napi_get_property_names(env, object, &keys) != napi_ok || napi_get_array_length(env, keys, &n) != napi_ok) {
    ds_throw(env, "NATIVE", "configuration must be an object of strings");
    return NULL;
  }
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  ds_conf_log_to_ring(conf);
  char key[256], value[4096], errstr[512];
  for (uint32_t i = 0; i < n; i++) {
    napi_value k, v, vs;
    napi_get_element(env, keys, i, &k);
    napi_get_property(env, object, k, &v);
    napi_coerce_to_string(env, v, &vs);
    if (!ds_get_string(env, k, key, sizeof key) || !ds_get_string(env, vs, value, sizeof value)) {
      rd_kafka_conf_destroy(conf);
      return NULL;
    }
    if (rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      ds_throw(env, "CONFIG", errstr);
      return NULL;
    }
  }
  return conf;
}

void *ds_unwrap(napi_env env, napi_value handle, const char *kind, size_t closed_offset) {
  char *object = NULL;
  char message[64];
  if (napi_get_value_external(env, handle, (void **)&object) != napi_ok || !object) {
    snprintf(message, sizeof message, "not a %s handle", kind);
    ds_throw(env, "NATIVE", message);
    return NULL;
  }
  if (*(int *)(object + closed_offset)) {
    snprintf(message, sizeof message, "%s is closed", kind);
    ds_throw(env, "NATIVE", message);
    return NULL;
  }
  return object;
}

/* clientConfigCheck(config): throws librdkafka's own line for a setting it does not know or a value it refuses. */
napi_value client_config_check(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "clientConfigCheck", 1);
  rd_kafka_conf_t *conf = ds_conf_from_object(env, argv[0]);
  if (conf) rd_kafka_conf_destroy(conf);
  return NULL;
}
