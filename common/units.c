#include "common/units.h"

#include <stdio.h>

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int parse_size(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	unsigned shift = 0;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: return -EINVAL;
	}
	/* "16mb" as docker and podman take it, "16MiB", "16MB" */
	if (*end == 'i' || *end == 'B' || *end == 'b')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end)
		return -EINVAL;
	if (shift && v > (~0ull >> shift))
		return -ERANGE;
	*out = (size_t)(v << shift);
	return 0;
}

static const struct {
	const char *name;
	long long ns;
} duration_units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000ll },
	{ "m", 60000000000ll }, { "h", 3600000000000ll }, { "d", 86400000000000ll },
};

/* The unit named by s[0..len), in nanoseconds; 0 if none is. */
static long long duration_unit(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++)
		if (strlen(duration_units[i].name) == len && !strncmp(s, duration_units[i].name, len))
			return duration_units[i].ns;
	return 0;
}

int parse_duration(const char *s, long long *ns)
{
	if (!*s)
		return -EINVAL;
	long double sum = 0;
	bool bare = true;
	while (*s) {
		/* digits, at most one dot, then a unit's letters: no sign, no exponent */
		long double v = 0, scale = 1;
		const char *start = s;
		bool dot = false;
		for (; isdigit((unsigned char)*s) || (*s == '.' && !dot); s++) {
			if (*s == '.')
				dot = true;
			else if (dot)
				v += (scale /= 10) * (*s - '0');
			else
				v = v * 10 + (*s - '0');
		}
		if (s == start || (dot && s == start + 1))
			return -EINVAL;
		const char *u = s;
		while (isalpha((unsigned char)*s))
			s++;
		long long unit = duration_unit(u, (size_t)(s - u));
		if (!unit && !(bare && s == u && !*s)) /* a bare number alone is seconds */
			return -EINVAL;
		sum += v * (unit ? unit : 1000000000ll);
		if (sum >= 9.2e18L)
			return -ERANGE;
		bare = false;
	}
	*ns = (long long)sum;
	return 0;
}

const char *human_size(long long b, char *buf, size_t n)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	double v = (double)b;
	size_t i = 0;
	while (v >= 1000 && i + 1 < sizeof(unit) / sizeof(unit[0]))
		v /= 1000, i++;
	snprintf(buf, n, i ? "%.3g%s" : "%.0f%s", v, unit[i]);
	return buf;
}
