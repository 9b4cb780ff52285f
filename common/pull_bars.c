#include "common/pull_bars.h"
#include "common/units.h"
#include "common/monotonic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_BARS 64

typedef struct bar {
	char digest[80];
	unsigned long long done, total;
	double t0;
} bar;

/* seconds, on the monotonic clock */
static double now(void) { return (double)mono_usec() / 1e6; }

static void draw(bar *bars, size_t n, size_t drawn)
{
	if (drawn)
		fprintf(stderr, "\033[%zuA", drawn);
	for (size_t i = 0; i < n; i++) {
		char d[32], t[32], sp[32];
		double secs = now() - bars[i].t0;
		human_size((long long)bars[i].done, d, sizeof(d));
		human_size((long long)bars[i].total, t, sizeof(t));
		human_size(secs > 0.05 ? (long long)((double)bars[i].done / secs) : 0, sp, sizeof(sp));
		fprintf(stderr, "\r\033[KCopying blob %.12s %s / %s%s%s%s\n", bars[i].digest + 7, d, t,
			bars[i].done >= bars[i].total ? " done" : " (", bars[i].done >= bars[i].total ? "" : sp,
			bars[i].done >= bars[i].total ? "" : "/s)");
	}
	fflush(stderr);
}

static void *bars_main(void *p)
{
	pull_bars *b = p;
	FILE *f = fdopen(b->rfd, "r");
	if (!f)
		return NULL;
	bar bars[MAX_BARS];
	size_t n = 0, drawn = 0;
	char line[256];
	while (fgets(line, sizeof(line), f)) {
		char dg[80];
		unsigned long long done, total;
		if (sscanf(line, "layer %79s %llu %llu", dg, &done, &total) != 3 || strlen(dg) < 19)
			continue;
		size_t i = 0;
		while (i < n && strcmp(bars[i].digest, dg))
			i++;
		if (i == n) {
			if (n == MAX_BARS)
				continue;
			snprintf(bars[n].digest, sizeof(bars[n].digest), "%s", dg);
			bars[n++].t0 = now();
		}
		bars[i].done = done;
		bars[i].total = total;
		draw(bars, n, drawn);
		drawn = n;
	}
	fclose(f);
	return NULL;
}

int pull_bars_start(pull_bars *b)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	b->in = fdopen(p[1], "w");
	if (!b->in) {
		close(p[0]);
		close(p[1]);
		return -ENOMEM;
	}
	setvbuf(b->in, NULL, _IOLBF, 0);
	b->rfd = p[0];
	if (pthread_create(&b->th, NULL, bars_main, b)) {
		fclose(b->in);
		close(p[0]);
		b->in = NULL;
		return -EAGAIN;
	}
	b->started = 1;
	return 0;
}

void pull_bars_end(pull_bars *b)
{
	if (!b->started)
		return;
	fclose(b->in);
	pthread_join(b->th, NULL);
	b->started = 0;
}
