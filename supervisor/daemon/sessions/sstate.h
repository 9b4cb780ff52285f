/* A session's key/value state: keys of at most SSTATE_KEY_MAX bytes
 * ([A-Za-z0-9_.:/-]), values any JSON value of at most SSTATE_VALUE_MAX
 * bytes as text, at most SSTATE_KEYS_MAX keys and SSTATE_TOTAL_MAX bytes in
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

#define SSTATE_KEY_MAX 256
#define SSTATE_VALUE_MAX (64 * 1024)
#define SSTATE_KEYS_MAX 1024
#define SSTATE_TOTAL_MAX (4 * 1024 * 1024)

typedef struct sstate sstate;
typedef struct sstate_watch sstate_watch;

/* Load path (a missing file: an empty store) or fail with why. */
int sstate_open(const char *path, sstate **out, cerr *err);
void sstate_free(sstate *st);
/* -ENOENT when there is no such key; *value (JSON text) stays the store's
 * until the next change. */
int sstate_get(const sstate *st, const char *key, const char **value, uint64_t *version);
/* Set key to value (JSON text, checked). expect_version: -1 any; 0 the key
 * must not exist; N it must be at version N, or -ESTALE (err names the
 * version it is at). -EINVAL bad key or value, -E2BIG a bound, each with err
 * saying which. */
int sstate_set(sstate *st, const char *key, const char *value, int64_t expect_version, uint64_t *new_version,
	       cerr *err);
/* The same CAS rule; -ENOENT when there is no such key. */
int sstate_remove(sstate *st, const char *key, int64_t expect_version, cerr *err);
/* Keys in order, each with its version: fn returns < 0 to stop. */
int sstate_each(const sstate *st, int (*fn)(const char *key, const char *value, uint64_t version, void *data),
		void *data);
size_t sstate_count(const sstate *st);

/* Called after each change of a key that starts with prefix ("" all);
 * value NULL: removed. A watch may remove itself from its callback. */
typedef void (*sstate_watch_fn)(const char *key, const char *value, uint64_t version, void *data);
sstate_watch *sstate_watch_add(sstate *st, const char *prefix, sstate_watch_fn fn, void *data);
void sstate_watch_remove(sstate_watch *w);
