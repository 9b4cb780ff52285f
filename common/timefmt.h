/* RFC 3339 timestamps with nanoseconds, in UTC: 2026-11-21T19:01:59.123456789Z */
#pragma once
#include <stddef.h>

#define RFC3339_LEN 40
/* Format ns since the epoch (0 means now) into buf. */
const char *rfc3339_ns(long long ns, char *buf, size_t n);
/* Parse RFC 3339 (Z or +hh:mm, 0-9 fraction digits) to ns since the epoch;
 * -EINVAL unless all of s[0..len) is one. */
int rfc3339_parse(const char *s, size_t len, long long *ns);
