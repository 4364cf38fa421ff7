/* The tweet plan's JS face: built once per child (tweetPlanNew), and tweetPlanEncode for tests and the benchmarks. */
#include "tweet-plan.h"

#include <stdlib.h>

static void plan_free(tweet_plan_t *t) {
  if (!t) return;
  free(t->prefix);
  free(t->tails);
  free(t->tail_ends);
  free(t->handle_bytes);
  free(t->keys);
  free(t->key_ends);
  free(t);
}

static void plan_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  plan_free(data);
}

tweet_plan_t *tweet_plan_unwrap(napi_env env, napi_value v) {
  return ds_unwrap(env, v, DS_TWEET_PLAN, DS_OPEN_ONLY);
}

/* A copy of a typed array's or Buffer's bytes (n elements of `size`); NULL with an exception pending on failure. */
static void *copy_array(napi_env env, napi_value v, napi_typedarray_type want, size_t size, size_t *n) {
  void *raw = NULL;
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, v, &type, n, &raw, NULL, NULL) != napi_ok || type != want) {
    ds_throw(env, "NATIVE", "tweet plan: an argument is not the typed array it should be");
    return NULL;
  }
  void *copy = malloc(*n > 0 ? *n * size : 1);
  if (!copy) {
    ds_throw(env, "NATIVE", "tweet plan: out of memory");
    return NULL;
  }
  memcpy(copy, raw, *n * size);
  return copy;
}

static int is_null(napi_env env, napi_value v) {
  napi_valuetype type = napi_undefined;
  napi_typeof(env, v, &type);
  return type == napi_null || type == napi_undefined;
}

/* Checks what tweetPlanNew was given fits together: every end inside its bytes, ascending, a power-of-two pool. */
static const char *plan_problem(const tweet_plan_t *t, size_t tails_len, size_t n_tails, size_t n_handles,
                                size_t keys_len) {
  if (t->per_sentiment == 0 || (t->per_sentiment & (t->per_sentiment - 1)))
    return "the pool per sentiment must be a power of two";
  if (!(t->stride & 1)) return "the stride must be odd";
  if (n_tails != 3 * (size_t)t->per_sentiment) return "there must be three sentiments' tails";
  for (size_t i = 0; i < n_tails; i++)
    if (t->tail_ends[i] > tails_len || (i && t->tail_ends[i] < t->tail_ends[i - 1])) return "a tail end is outside";
  if (t->handle_bytes && n_handles != n_tails) return "one handle length per tail";
  for (size_t i = 0; t->handle_bytes && i < n_tails; i++)
    if (t->handle_bytes[i] > t->tail_ends[i] - (i ? t->tail_ends[i - 1] : 0)) return "a handle is longer than its tail";
  for (size_t i = 0; t->keys && i < t->key_count; i++)
    if (t->key_ends[i] > keys_len || (i && t->key_ends[i] < t->key_ends[i - 1])) return "a key end is outside";
  return NULL;
}

/* The longest message: prefix, three varints of at most 8 bytes (values below 2^52), the longest tail and key. */
static uint32_t plan_max_message(const tweet_plan_t *t) {
  uint32_t tail = 0, key = 0;
  for (uint32_t i = 0; i < 3 * t->per_sentiment; i++) {
    uint32_t len = t->tail_ends[i] - (i ? t->tail_ends[i - 1] : 0);
    if (len > tail) tail = len;
  }
  for (uint32_t i = 0; t->keys && i < t->key_count; i++) {
    uint32_t len = t->key_ends[i] - (i ? t->key_ends[i - 1] : 0);
    if (len > key) key = len;
  }
  return t->prefix_len + 3 * 8 + tail + (t->keys ? 5 + key : 0);
}

/*
 * tweetPlanNew(prefix: Buffer, tails: Buffer, tailEnds: Uint32Array, perSentiment, stride,
 *              handleBytes: Uint16Array | null, keys: Buffer | null, keyEnds: Uint32Array | null) -> plan
 * Everything is copied: the plan owns its bytes.
 */
napi_value tweet_plan_new(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "tweetPlanNew", 8);
  tweet_plan_t *t = calloc(1, sizeof *t);
  if (!t) return ds_throw(env, "NATIVE", "tweet plan: out of memory");
  size_t n_prefix = 0, tails_len = 0, n_tails = 0, n_handles = 0, keys_len = 0, n_keys = 0;
  uint32_t per = 0, stride = 0;
  napi_get_value_uint32(env, argv[3], &per);
  napi_get_value_uint32(env, argv[4], &stride);
  t->per_sentiment = per;
  t->stride = stride;
  int ok = (t->prefix = copy_array(env, argv[0], napi_uint8_array, 1, &n_prefix)) &&
           (t->tails = copy_array(env, argv[1], napi_uint8_array, 1, &tails_len)) &&
           (t->tail_ends = copy_array(env, argv[2], napi_uint32_array, 4, &n_tails)) &&
           (is_null(env, argv[5]) || (t->handle_bytes = copy_array(env, argv[5], napi_uint16_array, 2, &n_handles))) &&
           (is_null(env, argv[6]) || (t->keys = copy_array(env, argv[6], napi_uint8_array, 1, &keys_len))) &&
           (is_null(env, argv[6]) || (t->key_ends = copy_array(env, argv[7], napi_uint32_array, 4, &n_keys)));
  if (!ok) {
    plan_free(t);
    return NULL;
  }
  t->prefix_len = (uint32_t)n_prefix;
  t->key_count = (uint32_t)n_keys;
  if (t->keys && n_keys == 0) {
    plan_free(t);
    return ds_throw(env, "NATIVE", "tweet plan: keys without key ends");
  }
  const char *problem = plan_problem(t, tails_len, n_tails, n_handles, keys_len);
  if (problem) {
    plan_free(t);
    return ds_throw(env, "NATIVE", problem);
  }
  t->max_message = plan_max_message(t);
  t->head.tag = DS_TWEET_PLAN;
  napi_value handle;
  if (napi_create_external(env, t, plan_finalize, NULL, &handle) != napi_ok) {
    plan_free(t);
    return ds_throw(env, "NATIVE", "could not create the tweet plan handle");
  }
  return handle;
}

int plan_batch_args(napi_env env, const tweet_plan_t *t, napi_value *argv, plan_batch_t *b) {
  napi_typedarray_type type;
  size_t n_order = 0;
  void *raw = NULL;
  if (napi_get_typedarray_info(env, argv[0], &type, &n_order, &raw, NULL, NULL) != napi_ok ||
      type != napi_uint8_array) {
    ds_throw(env, "NATIVE", "order must be a Uint8Array");
    return 0;
  }
  b->order = raw;
  b->from = b->to = b->cursor = 0;
  napi_get_value_uint32(env, argv[1], &b->from);
  napi_get_value_uint32(env, argv[2], &b->to);
  napi_get_value_double(env, argv[3], &b->seq0);
  napi_get_value_double(env, argv[4], &b->first);
  napi_get_value_double(env, argv[5], &b->created);
  napi_get_value_uint32(env, argv[6], &b->cursor);
  if (b->to > n_order || b->from > b->to) {
    ds_throw(env, "NATIVE", "from/to outside the batch");
    return 0;
  }
  /* Varints are written for values below 2^52 (JavaScript's safe integers, with room for seq0 + i). */
  if (!(b->seq0 >= 0 && b->first >= 0 && b->created >= 0 && b->seq0 < 4e15 && b->first < 4e15 && b->created < 4e15)) {
    ds_throw(env, "NATIVE", "seq, id and created_at must be non-negative integers below 2^52");
    return 0;
  }
  for (uint32_t i = b->from; i < b->to; i++)
    if (b->order[i] > 2) {
      ds_throw(env, "NATIVE", "a sentiment index is not 0, 1 or 2");
      return 0;
    }
  b->key_ids = NULL;
  if (is_null(env, argv[7])) return 1;
  size_t n_keys = 0;
  if (napi_get_typedarray_info(env, argv[7], &type, &n_keys, &raw, NULL, NULL) != napi_ok ||
      type != napi_uint32_array || n_keys < b->to) {
    ds_throw(env, "NATIVE", "keyIds must be a Uint32Array as long as the batch");
    return 0;
  }
  if (!t->keys) {
    ds_throw(env, "NATIVE", "keyIds given to a tweet plan without keys");
    return 0;
  }
  for (uint32_t i = b->from; i < b->to; i++)
    if (((const uint32_t *)raw)[i] >= t->key_count) {
      ds_throw(env, "NATIVE", "a key id is outside the key table");
      return 0;
    }
  b->key_ids = raw;
  return 1;
}

/*
 * tweetPlanEncode(plan, out: Buffer, ends: Uint32Array, order, from, to, seq0, first, createdAt, cursor, keyIds)
 *   -> bytes written
 * Writes messages from..to-1 back to back into out (message i ends at ends[i - from]): the very bytes the producer
 * hands to librdkafka, for tests and for the benchmarks' payload files.
 */
napi_value tweet_plan_encode(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "tweetPlanEncode", 11);
  tweet_plan_t *t = tweet_plan_unwrap(env, argv[0]);
  if (!t) return NULL;
  char *out = NULL;
  size_t out_len = 0, n_ends = 0;
  if (napi_get_buffer_info(env, argv[1], (void **)&out, &out_len) != napi_ok)
    return ds_throw(env, "NATIVE", "out must be a Buffer");
  napi_typedarray_type type;
  void *raw = NULL;
  if (napi_get_typedarray_info(env, argv[2], &type, &n_ends, &raw, NULL, NULL) != napi_ok ||
      type != napi_uint32_array)
    return ds_throw(env, "NATIVE", "ends must be a Uint32Array");
  uint32_t *ends = raw;
  plan_batch_t b;
  if (!plan_batch_args(env, t, argv + 3, &b)) return NULL;
  if (n_ends < b.to - b.from) return ds_throw(env, "NATIVE", "ends is shorter than the batch");
  size_t off = 0;
  for (uint32_t i = b.from; i < b.to; i++) {
    if (out_len - off < t->max_message) return ds_throw(env, "NATIVE", "out is too small for the batch");
    off += plan_encode_message(t, &b, i, out + off);
    ends[i - b.from] = (uint32_t)off;
  }
  return ds_number(env, (double)off);
}
