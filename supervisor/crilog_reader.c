#include "crilog_reader.h"
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
	int r = fn(&l, data);
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
	if (c->acc[s].len == 0)
		c->acc_ts[s] = ts;
	if (sb_add(&c->acc[s], content, clen) < 0)
		return -ENOMEM;
	if (full)
		return emit(c, s, false, fn, data);
	return 0;
bad:
	c->bad++;
	return 0;
}

static int drain(crilog_cursor *c, crilog_line_fn fn, void *data, cerr *err)
{
	if (c->fd < 0)
		return 0;
	char buf[65536];
	for (;;) {
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
		size_t off = 0;
		char *nl;
		while ((nl = memchr(c->rec.buf + off, '\n', c->rec.len - off))) {
			int r = record(c, c->rec.buf + off, (size_t)(nl - c->rec.buf) - off, fn, data);
			off = (size_t)(nl - c->rec.buf) + 1;
			if (r != 0) {
				memmove(c->rec.buf, c->rec.buf + off, c->rec.len - off);
				c->rec.len -= off;
				return r < 0 ? cerr_set(err, -r, "%s: out of memory", c->path) : r;
			}
		}
		memmove(c->rec.buf, c->rec.buf + off, c->rec.len - off);
		c->rec.len -= off;
		c->rec.buf[c->rec.len] = '\0';
	}
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
		c->rec.len = 0;
		if (r != 0)
			return r;
	}
	return 0;
}

int crilog_cursor_poll(crilog_cursor *c, crilog_line_fn fn, void *data, cerr *err)
{
	for (int round = 0; round < 8; round++) {
		if (c->fd < 0) {
			int r = open_file(c, c->path, err);
			if (r < 0 || c->fd < 0)
				return r;
		}
		int r = drain(c, fn, data, err);
		if (r != 0)
			return r;
		struct stat st;
		if (stat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
			return 0; /* still the live file */
		/* rotated: whatever the writer added to the old file before renaming
		 * it is read here; then the files after it, then the new live one */
		r = drain(c, fn, data, err);
		c->rec.len = 0; /* a torn record cannot continue in another file */
		if (r == 0)
			r = catch_up(c, fn, data, err);
		if (r != 0)
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

struct tail_ctx {
	const crilog_read_opts *o;
	crilog_line_fn fn;
	void *data;
	crilog_line *ring;
	size_t n, head;
};

static int filter(const crilog_line *l, void *data)
{
	struct tail_ctx *t = data;
	if (t->o->since_ns && l->ts_ns < t->o->since_ns)
		return 0;
	if (t->o->tail < 0)
		return t->fn(l, t->data);
	if (t->o->tail == 0)
		return 0;
	size_t cap = (size_t)t->o->tail;
	crilog_line *slot = &t->ring[(t->head + t->n) % cap];
	if (t->n == cap) {
		slot = &t->ring[t->head];
		free((char *)slot->text);
		t->head = (t->head + 1) % cap;
	} else {
		t->n++;
	}
	*slot = *l;
	slot->text = strndup(l->text, l->len);
	return slot->text ? 0 : -ENOMEM;
}

int crilog_read(const char *path, const crilog_read_opts *o, crilog_line_fn fn, void *data,
		crilog_cursor *follow, cerr *err)
{
	crilog_cursor local, *c = follow ? follow : &local;
	int r = crilog_cursor_open(c, path, err);
	if (r < 0)
		return r;
	c->keep = o->keep ? o->keep : CRILOG_DEFAULT_KEEP;
	struct tail_ctx t = { .o = o, .fn = fn, .data = data };
	if (o->tail > 0 && !(t.ring = calloc((size_t)(o->tail > 100000 ? 100000 : o->tail), sizeof(*t.ring)))) {
		r = cerr_set(err, ENOMEM, "out of memory");
		goto out;
	}
	crilog_read_opts capped = *o;
	if (capped.tail > 100000)
		capped.tail = 100000;
	t.o = &capped;
	unsigned keep = o->keep ? o->keep : CRILOG_DEFAULT_KEEP;
	for (unsigned i = keep - 1; i >= 1 && r == 0; i--) {
		char p[4096];
		snprintf(p, sizeof(p), "%s.%u", path, i);
		if ((r = open_file(c, p, err)) == 0)
			r = drain(c, filter, &t, err);
		c->rec.len = 0;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (r == 0)
		r = crilog_cursor_poll(c, filter, &t, err);
	if (r == 0 && !follow)
		r = crilog_cursor_flush(c, filter, &t);
	for (size_t i = 0; i < t.n; i++) {
		crilog_line *l = &t.ring[(t.head + i) % (size_t)capped.tail];
		if (r == 0)
			r = fn(l, data);
		free((char *)l->text);
	}
out:
	free(t.ring);
	if (!follow || r != 0)
		crilog_cursor_close(c);
	return r;
}
