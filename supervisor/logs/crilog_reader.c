#include "supervisor/logs/crilog_reader.h"
#include "supervisor/logs/crilog_files.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int crilog_cursor_open(crilog_cursor *c, const char *path, cerr *err)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->keep = CRILOG_DEFAULT_KEEP;
	c->path = strdup(path);
	if (!c->path)
		return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}

void crilog_cursor_close(crilog_cursor *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	crilog_files_close(&c->hist);
	free(c->path);
	c->path = NULL;
	sb_release(&c->rec);
	sb_release(&c->acc[0]);
	sb_release(&c->acc[1]);
}

static int open_file(crilog_cursor *c, const char *path, cerr *err)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (c->fd < 0) {
		if (errno == ENOENT)
			return 0;
		return cerr_sys(err, errno, "%s", path);
	}
	struct stat st;
	if (fstat(c->fd, &st) < 0)
		return cerr_sys(err, errno, "%s: stat", path);
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	return 0;
}

static int emit(crilog_cursor *c, enum crilog_stream s, bool partial, crilog_line_fn fn, void *data)
{
	crilog_line l = { .ts_ns = c->acc_ts[s], .stream = s, .partial = partial,
			  .text = c->acc[s].buf ? c->acc[s].buf : "", .len = c->acc[s].len };
	bool out = (c->since_ns && l.ts_ns < c->since_ns) || (c->until_ns && l.ts_ns > c->until_ns);
	int r = out ? 0 : fn(&l, data);
	sb_reset(&c->acc[s]);
	return r;
}

/* One record, without its newline. */
static int record(crilog_cursor *c, char *p, size_t n, crilog_line_fn fn, void *data)
{
	char *sp1 = memchr(p, ' ', n);
	long long ts;
	if (!sp1 || crilog_parse_time(p, (size_t)(sp1 - p), &ts) < 0)
		goto bad;
	char *rest = sp1 + 1;
	size_t left = n - (size_t)(rest - p);
	enum crilog_stream s;
	if (left >= 7 && !memcmp(rest, "stdout ", 7))
		s = CRILOG_STDOUT;
	else if (left >= 7 && !memcmp(rest, "stderr ", 7))
		s = CRILOG_STDERR;
	else
		goto bad;
	rest += 7;
	left -= 7;
	if (left < 1 || (rest[0] != 'F' && rest[0] != 'P') || (left > 1 && rest[1] != ' '))
		goto bad;
	bool full = rest[0] == 'F';
	const char *content = left > 1 ? rest + 2 : rest + 1;
	size_t clen = left > 1 ? left - 2 : 0;
	int r = 0;
	if (c->acc[s].len && c->acc[s].len + clen > CRILOG_READ_MAX_LINE)
		r = emit(c, s, true, fn, data); /* joined enough: out as a piece */
	if (r < 0)
		return r;
	/* a pause (r > 0) takes effect after this record, which is consumed */
	if (c->acc[s].len == 0)
		c->acc_ts[s] = ts;
	if (sb_add(&c->acc[s], content, clen) < 0)
		return -ENOMEM;
	if (full) {
		int q = emit(c, s, false, fn, data);
		return q < 0 || !r ? q : r;
	}
	return r;
bad:
	c->bad++;
	return 0;
}

/* The complete records read so far; when fn stops, the rest stay for the
 * next call. A record longer than CRILOG_READ_MAX_RECORD is skipped. */
static int take_records(crilog_cursor *c, crilog_line_fn fn, void *data, cerr *err)
{
	if (c->rec.len == 0)
		return 0;
	size_t off = 0;
	char *nl;
	int r = 0;
	while (r == 0 && (nl = memchr(c->rec.buf + off, '\n', c->rec.len - off))) {
		if (c->skipping) { /* the end of a record too long to keep */
			c->skipping = false;
			c->bad++;
		} else {
			r = record(c, c->rec.buf + off, (size_t)(nl - c->rec.buf) - off, fn, data);
		}
		off = (size_t)(nl - c->rec.buf) + 1;
	}
	memmove(c->rec.buf, c->rec.buf + off, c->rec.len - off);
	c->rec.len -= off;
	if (r == 0 && c->rec.len > CRILOG_READ_MAX_RECORD) {
		c->skipping = true;
		c->rec.len = 0;
	}
	c->rec.buf[c->rec.len] = '\0';
	return r < 0 ? cerr_set(err, -r, "%s: out of memory", c->path) : r;
}

static int drain(crilog_cursor *c, crilog_line_fn fn, void *data, cerr *err)
{
	if (c->fd < 0)
		return 0;
	char buf[65536];
	for (;;) {
		int r = take_records(c, fn, data, err);
		if (r != 0)
			return r;
		ssize_t n = read(c->fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return cerr_sys(err, errno, "%s: read", c->path);
		}
		if (n == 0)
			return 0;
		if (sb_add(&c->rec, buf, (size_t)n) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	}
}

/* A torn record cannot continue in another file. */
static void forget_record(crilog_cursor *c)
{
	c->rec.len = 0;
	c->skipping = false;
}

/* After a rotation our file is path.k for some k; the files written after it
 * are path.(k-1) .. path.1. Read them whole, so that several rotations
 * between two polls lose nothing (as long as ours was not rotated out). */
static int catch_up(crilog_cursor *c, crilog_line_fn fn, void *data, cerr *err)
{
	dev_t dev = c->dev;
	ino_t ino = c->ino;
	unsigned k = 0;
	char p[4096];
	for (unsigned i = 1; i < c->keep && !k; i++) {
		struct stat st;
		snprintf(p, sizeof(p), "%s.%u", c->path, i);
		if (stat(p, &st) == 0 && st.st_dev == dev && st.st_ino == ino)
			k = i;
	}
	for (unsigned i = k ? k - 1 : 0; i >= 1; i--) {
		snprintf(p, sizeof(p), "%s.%u", c->path, i);
		int r = open_file(c, p, err);
		if (r == 0)
			r = drain(c, fn, data, err);
		if (r != 0)
			return r; /* paused: the next poll finds our file again */
		forget_record(c);
	}
	return 0;
}

/* fd, at its offset, becomes the cursor's file. */
static int adopt_file(crilog_cursor *c, int fd, cerr *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return cerr_sys(err, e, "%s: stat", c->path);
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = fd;
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	return 0;
}

/* The files of the history, each to its end, the live one left to poll. */
static int read_history(crilog_cursor *c, crilog_line_fn fn, void *data, cerr *err)
{
	for (;;) {
		if (c->in_hist) {
			int r = drain(c, fn, data, err);
			if (r != 0)
				return r;
			forget_record(c);
			close(c->fd);
			c->fd = -1;
			c->in_hist = false;
		}
		if (c->next == c->hist.n)
			return 0;
		unsigned i = c->next++;
		bool live = c->hist.live && i == c->hist.n - 1;
		int r = adopt_file(c, TAKE_FD(c->hist.fd[i]), err);
		if (r < 0 || live)
			return r; /* the poll reads the live file, and follows a rotation */
		c->in_hist = true;
	}
}

int crilog_cursor_poll(crilog_cursor *c, crilog_line_fn fn, void *data, cerr *err)
{
	int r = read_history(c, fn, data, err);
	if (r != 0)
		return r;
	for (int round = 0; round < 8; round++) {
		if (c->fd < 0) {
			r = open_file(c, c->path, err);
			if (r < 0 || c->fd < 0)
				return r;
		}
		if ((r = drain(c, fn, data, err)) != 0)
			return r;
		struct stat st;
		if (stat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
			return 0; /* still the live file */
		/* rotated: whatever the writer added to the old file before renaming
		 * it is read here; then the files after it, then the new live one */
		if ((r = drain(c, fn, data, err)) != 0)
			return r;
		forget_record(c);
		if ((r = catch_up(c, fn, data, err)) != 0)
			return r;
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
	}
	return 0;
}

int crilog_cursor_flush(crilog_cursor *c, crilog_line_fn fn, void *data)
{
	for (int s = 0; s < 2; s++)
		if (c->acc[s].len) {
			int r = emit(c, (enum crilog_stream)s, true, fn, data);
			if (r)
				return r;
		}
	return 0;
}

int crilog_cursor_start(crilog_cursor *c, const char *path, const crilog_read_opts *o, cerr *err)
{
	int r = crilog_cursor_open(c, path, err);
	if (r < 0)
		return r;
	c->keep = o->keep ? o->keep : CRILOG_DEFAULT_KEEP;
	c->since_ns = o->since_ns;
	c->until_ns = o->until_ns;
	if ((r = crilog_files_open(&c->hist, path, c->keep, o->tail, err)) == 0 && c->hist.start &&
	    lseek(c->hist.fd[0], c->hist.start, SEEK_SET) < 0)
		r = cerr_sys(err, errno, "%s: seek", path);
	if (r < 0)
		crilog_cursor_close(c);
	return r;
}

int crilog_read(const char *path, const crilog_read_opts *o, crilog_line_fn fn, void *data,
		crilog_cursor *follow, cerr *err)
{
	crilog_cursor local, *c = follow ? follow : &local;
	int r = crilog_cursor_start(c, path, o, err);
	if (r < 0)
		return r;
	r = crilog_cursor_poll(c, fn, data, err);
	if (r == 0 && !follow)
		r = crilog_cursor_flush(c, fn, data);
	if (!follow || r != 0)
		crilog_cursor_close(c);
	return r;
}
