#include "supervisor/logs/crilog.h"
#include "common/cleanup.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *crilog_stream_name(enum crilog_stream s) { return s == CRILOG_STDERR ? "stderr" : "stdout"; }

int crilog_open(crilog *l, const char *path, size_t max_size, unsigned keep, cerr *err)
{
	memset(l, 0, sizeof(*l));
	l->max_line = CRILOG_DEFAULT_MAX_LINE;
	max_size = max_size == CRILOG_NO_ROTATION ? 0 : max_size ? max_size : CRILOG_DEFAULT_MAX_SIZE;
	return rotfile_open(&l->file, path, max_size,
			    keep ? keep : CRILOG_DEFAULT_KEEP, CRILOG_MODE, err);
}

size_t crilog_path_of(const char *dir, const char *log_path, size_t max_size, char *path)
{
	if (log_path) {
		snprintf(path, PATH_MAX, "%s", log_path);
		return CRILOG_NO_ROTATION;
	}
	snprintf(path, PATH_MAX, "%s/" CRILOG_FILE, dir);
	return max_size;
}

void crilog_close(crilog *l)
{
	rotfile_close(&l->file);
	sb_release(&l->batch);
}

long long crilog_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

const char *crilog_format_time(long long ns, char *buf, size_t n)
{
	time_t sec = (time_t)(ns / 1000000000ll);
	long long frac = ns % 1000000000ll;
	if (frac < 0) {
		frac += 1000000000ll;
		sec--;
	}
	struct tm tm;
	gmtime_r(&sec, &tm);
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	return buf;
}

int crilog_parse_since(const char *s, long long *ns, cerr *err)
{
	if (crilog_parse_time(s, strlen(s), ns) == 0)
		return 0;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (*s && !errno && !*end && v >= 0) {
		*ns = (long long)(v * 1e9);
		return 0;
	}
	return cerr_set(err, EINVAL, "since %s: " CRILOG_SINCE_WORDS, s);
}

static int add_record(crilog *l, const char *ts, enum crilog_stream s, char tag, const char *p, size_t n)
{
	crilog_mask_record(l->mask, &p, &n);
	int r = sb_addf(&l->batch, "%s %s %c ", ts, crilog_stream_name(s), tag);
	if (!r)
		r = sb_add(&l->batch, p, n);
	return r ? r : sb_add(&l->batch, "\n", 1);
}

/* How much of the records at p (each ends in '\n') to write at once: all
 * that fits the live file; else the ones that fill it, or the first one,
 * which rotfile_write puts in a new file */
static size_t fitting(const rotfile *f, const char *p, size_t len)
{
	if (!f->max_size || f->size + len <= f->max_size)
		return len;
	size_t room = f->size < f->max_size ? f->max_size - f->size : 0;
	const char *last = room ? memrchr(p, '\n', room) : NULL;
	if (last)
		return (size_t)(last - p) + 1;
	const char *first = memchr(p, '\n', len);
	return first ? (size_t)(first - p) + 1 : len;
}

int crilog_write(crilog *l, enum crilog_stream s, const char *data, size_t len, long long ns,
		 cerr *err)
{
	char ts[48];
	crilog_format_time(ns ? ns : crilog_now_ns(), ts, sizeof(ts));
	sb_reset(&l->batch);
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - data) : len;
		/* long lines go out in max_line pieces, all but the last marked P */
		while (end - i > l->max_line) {
			if (add_record(l, ts, s, 'P', data + i, l->max_line) < 0)
				return cerr_set(err, ENOMEM, "log: out of memory");
			i += l->max_line;
		}
		if (add_record(l, ts, s, nl ? 'F' : 'P', data + i, end - i) < 0)
			return cerr_set(err, ENOMEM, "log: out of memory");
		i = nl ? end + 1 : len;
	}
	/* one write per run of whole records that fits what the live file has
	 * left: rotation falls between them, never inside a record, and no
	 * file passes max_size but by a record larger than it */
	const char *p = l->batch.buf;
	size_t left = l->batch.len;
	while (left > 0) {
		size_t n = fitting(&l->file, p, left);
		int r = rotfile_write(&l->file, p, n, err);
		if (r < 0)
			return r;
		p += n;
		left -= n;
	}
	return 0;
}
