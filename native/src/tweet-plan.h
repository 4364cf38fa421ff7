/*
 * A storm child's tweets, compiled once (src/storm/tweet-plan.ts builds it with avsc) and written here per message.
 * A tweet's Avro encoding is the concatenation of its fields' encodings:
 *   prefix     run_id and producer_id, constant per producer
 *   head       seq, id, created_at: three zig-zag varints
 *   tail       user … sentiment, pre-encoded for every tweet of the pool; under keys the tail's own handle is replaced
 *              by the key's Avro string (its length as a varint, then its bytes), so the key and the body name one user
 * Message i of a batch takes sentiment order[i], pool slot (cursor + (i + 1) * stride) mod the pool's size, seq
 * seq0 + i and id first + i: a message re-encoded after a full queue is the same bytes. The result is byte-for-byte
 * what avsc gives for the same record (test/unit/storm/tweet-plan.test.ts).
 */
#ifndef DATASTORM_TWEET_PLAN_H
#define DATASTORM_TWEET_PLAN_H

#include "common.h"

#include <stdint.h>
#include <string.h>

typedef struct {
  ds_handle_t head; /* DS_TWEET_PLAN: a handle of another kind is refused rather than misread */
  char *prefix;
  uint32_t prefix_len;
  char *tails;          /* every tail back to back; sentiment s, slot j is tail s * per_sentiment + j */
  uint32_t *tail_ends;  /* tail t ends at tail_ends[t] */
  uint32_t per_sentiment; /* a power of two */
  uint32_t stride;        /* odd: the walk visits every slot */
  uint16_t *handle_bytes; /* per tail, the bytes of its user's handle at its start; NULL: keys leave the tail whole */
  char *keys;             /* key texts back to back; NULL without keys */
  uint32_t *key_ends;
  uint32_t key_count;
  uint32_t max_message; /* the longest message the plan can write */
} tweet_plan_t;

/* The plan behind a JS handle (throws and returns NULL when it is not one). */
tweet_plan_t *tweet_plan_unwrap(napi_env env, napi_value v);

/* Writes the zig-zag varint of a non-negative integer below 2^52; returns the new end. */
static inline char *plan_write_long(char *out, uint64_t n) {
  uint64_t z = n << 1;
  while (z >= 0x80) {
    *out++ = (char)((z & 0x7f) | 0x80);
    z >>= 7;
  }
  *out++ = (char)z;
  return out;
}

/* The pool slot of message i of a batch whose walk starts at cursor. */
static inline uint32_t plan_slot(const tweet_plan_t *t, uint32_t cursor, uint32_t i) {
  return (uint32_t)((cursor + (uint64_t)(i + 1) * t->stride) & (t->per_sentiment - 1));
}

/*
 * Encodes one tweet at out (room for max_message bytes); returns its length. key < 0: no key. Under a key, *key_at
 * and *key_len say where the key's text is (for the message key).
 */
static inline uint32_t plan_encode(const tweet_plan_t *t, char *out, uint8_t sentiment, uint32_t slot, uint64_t seq,
                                   uint64_t id, uint64_t created, int64_t key) {
  char *w = out;
  memcpy(w, t->prefix, t->prefix_len);
  w += t->prefix_len;
  w = plan_write_long(w, seq);
  w = plan_write_long(w, id);
  w = plan_write_long(w, created);
  uint32_t tail = sentiment * t->per_sentiment + slot;
  uint32_t from = tail == 0 ? 0 : t->tail_ends[tail - 1];
  uint32_t to = t->tail_ends[tail];
  if (key >= 0 && t->handle_bytes) {
    uint32_t ks = key == 0 ? 0 : t->key_ends[key - 1];
    uint32_t kl = t->key_ends[key] - ks;
    w = plan_write_long(w, kl);
    memcpy(w, t->keys + ks, kl);
    w += kl;
    from += t->handle_bytes[tail];
  }
  memcpy(w, t->tails + from, to - from);
  w += to - from;
  return (uint32_t)(w - out);
}

/* Key k's text. */
static inline const char *plan_key(const tweet_plan_t *t, uint32_t k, size_t *len) {
  uint32_t ks = k == 0 ? 0 : t->key_ends[k - 1];
  *len = t->key_ends[k] - ks;
  return t->keys + ks;
}

/*
 * The arguments every batch call shares, read and checked once: order (Uint8Array), from, to, seq0, first,
 * createdAt, cursor, keyIds (Uint32Array | null) at argv[0..7].
 */
typedef struct {
  const uint8_t *order;
  uint32_t from, to;
  double seq0, first, created;
  uint32_t cursor;
  const uint32_t *key_ids;
} plan_batch_t;

/* Reads a batch's arguments; 0 (an exception pending) when they do not fit the plan. */
int plan_batch_args(napi_env env, const tweet_plan_t *t, napi_value *argv, plan_batch_t *b);

/* Encodes message i of a batch at out; returns its length. */
static inline uint32_t plan_encode_message(const tweet_plan_t *t, const plan_batch_t *b, uint32_t i, char *out) {
  int64_t key = b->key_ids ? (int64_t)b->key_ids[i] : -1;
  return plan_encode(t, out, b->order[i], plan_slot(t, b->cursor, i), (uint64_t)b->seq0 + i, (uint64_t)b->first + i,
                     (uint64_t)b->created, key);
}

#endif
