#include "timefmt.h"

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
