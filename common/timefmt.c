#include "timefmt.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <time.h>

const char *rfc3339_ns(long long ns, char *buf, size_t n)
{
	if (ns == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ns = (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
	}
	time_t sec = (time_t)(ns / 1000000000ll);
	struct tm tm;
	gmtime_r(&sec, &tm);
	/* not strftime: it loads the local time zone, which UTC never needs */
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, ns % 1000000000ll);
	return buf;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int rfc3339_parse(const char *s, size_t len, long long *ns)
{
	int Y, M, D, h, m, sec;
	if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':' || digits(s, 4, &Y) || digits(s + 5, 2, &M) ||
	    digits(s + 8, 2, &D) || digits(s + 11, 2, &h) || digits(s + 14, 2, &m) ||
	    digits(s + 17, 2, &sec))
		return -EINVAL;
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
		return -EINVAL;
	size_t i = 19;
	long long frac = 0;
	if (i < len && s[i] == '.') {
		int nd = 0;
		for (i++; i < len && isdigit((unsigned char)s[i]); i++, nd++)
			if (nd < 9)
				frac = frac * 10 + (s[i] - '0');
		if (nd == 0)
			return -EINVAL;
		for (; nd < 9; nd++)
			frac *= 10;
	}
	long off = 0;
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 <= len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		int oh, om;
		if (digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
			return -EINVAL;
		off = (oh * 3600L + om * 60L) * (s[i] == '-' ? -1 : 1);
		i += 6;
	} else {
		return -EINVAL;
	}
	if (i != len)
		return -EINVAL;
	struct tm tm = { .tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D,
			 .tm_hour = h, .tm_min = m, .tm_sec = sec };
	time_t t = timegm(&tm);
	*ns = ((long long)t - off) * 1000000000ll + frac;
	return 0;
}
