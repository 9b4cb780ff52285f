/* words.c: Docker's ways of saying times and names, from corral's, and the
 * members of corral's replies that its shapes read. */
#pragma once
#include "supervisor/shape/shape.h"

/* Times: RFC 3339 text to seconds since the epoch (0 when empty or not one). */
/* RFC 3339 as nanoseconds since the epoch; 0 when there is none */
long long dk_unix_ns(const char *rfc3339);
long long dk_unix(const char *rfc3339);
/* Docker's "3 seconds", "About a minute", ... of seconds. */
void dk_human_duration(long long secs, char *buf, size_t n);
/* docker.io/library/busybox:1 is busybox:1, docker.io/x/y is x/y: the
 * names Docker shows; others stay as they are. */
const char *dk_familiar(const char *name);
/* Members of corral's replies: "" , dflt or false when absent. */
const char *dk_str(yajl_val o, const char *key);
long long dk_int(yajl_val o, const char *key, long long dflt);
bool dk_bool(yajl_val o, const char *key);
/* key: the strings of arr ([] or null when it is no array). */
int dk_gen_strings(yajl_gen g, const char *key, yajl_val arr, bool null_when_absent);
/* key: obj, or {} when it is no object. */
int dk_gen_object(yajl_gen g, const char *key, yajl_val obj);
