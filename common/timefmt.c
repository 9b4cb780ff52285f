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
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%s.%09lldZ", date, ns % 1000000000ll);
	return buf;
}
