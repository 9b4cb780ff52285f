/* broker_state.c: The session's key/value state as a party sees it: past
 * the session's policy, with compare-and-set on versions, and watched
 * through a stream. Each fails with f filled (NoSuchKey, Conflict,
 * InvalidMessage, Denied, RateLimited) and -1 (NULL). */
#pragma once
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/daemon/sessions/session_kv.h"

/* The state, for m (as peer) to read, or write, key, or the keys under
 * prefix (key NULL). */
session_kv *broker_state_open(bparty *m, const peer_cred *peer, bool writes, const char *key, const char *prefix,
			      broker_fault *f);
int broker_state_get(session_kv *st, const char *key, const char **value, uint64_t *version, broker_fault *f);
/* a->value at a->key, when its version is a->expect (-1: any); *version its new one. */
int broker_state_set(bparty *m, session_kv *st, const broker_args *a, uint64_t *version, broker_fault *f);
int broker_state_remove(session_kv *st, const broker_args *a, broker_fault *f);
/* fn on each key under prefix; what kv_each returns. */
int broker_state_keys(session_kv *st, const char *prefix, int (*fn)(const char *key, void *data), void *data);
/* w (a StateWatch stream) gets each key under prefix, then each change;
 * closed when it cannot watch. */
void broker_state_watch(bstream *w, session_kv *st, const char *prefix);
