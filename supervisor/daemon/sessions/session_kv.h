/* A session's key/value store: keys of at most SESSION_KV_KEY_MAX bytes
 * ([A-Za-z0-9_.:/-]), values any JSON value of at most SESSION_KV_VALUE_MAX
 * bytes as text, at most SESSION_KV_KEYS_MAX keys and SESSION_KV_TOTAL_MAX bytes in
 * all. Each key has a version (1 on creation, +1 on each set; the store's
 * own version counts every change). Persisted to one file, written
 * atomically (temp + fsync + rename) on every change. Watches hear every
 * change after it is persisted.
 *
 * Contract shared by the sessions, state and broker work. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"

#define SESSION_KV_KEY_MAX 256
#define SESSION_KV_VALUE_MAX (64 * 1024)
#define SESSION_KV_KEYS_MAX 1024
#define SESSION_KV_TOTAL_MAX (4 * 1024 * 1024)

typedef struct session_kv session_kv;
typedef struct kv_watch kv_watch;

/* Load path (a missing file: an empty store) or fail with why. */
int kv_open(const char *path, session_kv **out, cerr *err);
void kv_free(session_kv *st);
/* -ENOENT when there is no such key; *value (JSON text) stays the store's
 * until the next change. */
int kv_get(const session_kv *st, const char *key, const char **value, uint64_t *version);
/* Set key to value (JSON text, checked). expect_version: -1 any; 0 the key
 * must not exist; N it must be at version N, or -ESTALE (err names the
 * version it is at). -EINVAL bad key or value, -E2BIG a bound, each with err
 * saying which. */
int kv_set(session_kv *st, const char *key, const char *value, int64_t expect_version, uint64_t *new_version,
	       cerr *err);
/* The same CAS rule; -ENOENT when there is no such key. */
int kv_remove(session_kv *st, const char *key, int64_t expect_version, cerr *err);
/* Keys in order, each with its version: fn returns < 0 to stop. */
int kv_each(const session_kv *st, int (*fn)(const char *key, const char *value, uint64_t version, void *data),
		void *data);
size_t kv_count(const session_kv *st);

/* Called after each change of a key that starts with prefix ("" all);
 * value NULL: removed. A watch may remove itself from its callback. */
typedef void (*kv_watch_fn)(const char *key, const char *value, uint64_t version, void *data);
kv_watch *kv_watch_add(session_kv *st, const char *prefix, kv_watch_fn fn, void *data);
void kv_watch_remove(kv_watch *w);
