/* Sizes and durations as people write them: "4096", "10M", "2KiB", "1G";
 * "90s", "10m", "1h30m", "500ms". */
#pragma once
#include <stddef.h>

/* -EINVAL when not a size, -ERANGE when too big. */
int parse_size(const char *s, size_t *out);
/* A duration as Go writes it (1h30m, 10m, 1.5s, 500ms, 2us, 10ns; units
 * h, m, s, ms, us, ns, d for days) into nanoseconds; a bare number is
 * seconds. -EINVAL on anything else (a sign, a trailing word), -ERANGE past
 * about 290 years. */
int parse_duration(const char *s, long long *ns);
/* Decimal units, as podman prints them: 4.2kB, 1.5MB. */
const char *human_size(long long bytes, char *buf, size_t n);
