/* The events' file (podman's events_logger "file"): one JSON object a
 * line, {"ts": ns, "uid", "shared", ["session",] "event": {...}}, in
 * <state-dir>/events.log and the one file it last rotated to, read back
 * oldest first. A line that does not parse (the torn last one of a
 * corrald killed while writing) is skipped. */
#include "supervisor/daemon/core/events_log.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"
#include "common/log.h"
#include "common/strbuf.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE_MAX_BYTES (64u << 10) /* an event is far smaller: a longer line is not one of ours */

/* A line cut short ends the file: a newline, so the next one starts clean. */
static void end_torn_line(events_log *l)
{
	_cleanup_close_ int fd = openat(l->file.dirfd, l->file.name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char last = '\n';
	off_t size = fd >= 0 ? lseek(fd, 0, SEEK_END) : 0;
	if (size > 0 && pread(fd, &last, 1, size - 1) == 1 && last != '\n') {
		_cleanup_cerr_ cerr err = { 0 };
		if (rotfile_write(&l->file, "\n", 1, &err) < 0)
			log_cerr(LOG_LVL_WARN, &err, "events log");
	}
}

int events_log_open(events_log *l, const char *path, size_t max_size, cerr *err)
{
	int r = rotfile_open(&l->file, path, max_size, 2, 0600, err);
	if (r < 0)
		return cerr_wrap(err, "events log");
	l->open = true;
	end_torn_line(l);
	return 0;
}

void events_log_close(events_log *l)
{
	if (l->open)
		rotfile_close(&l->file);
	l->open = false;
	sb_release(&l->held);
}

/* line written, after what was held; else held too (the first refusal
 * said in the log, not each) */
static void write_line(events_log *l, const strbuf *line)
{
	_cleanup_cerr_ cerr err = { 0 };
	if (l->held.len && rotfile_write(&l->file, l->held.buf, l->held.len, &err) == 0) {
		log_info("events log: %zu bytes of events held while it could not be written are in it now", l->held.len);
		sb_reset(&l->held);
	}
	cerr_clear(&err);
	if (!l->held.len && rotfile_write(&l->file, line->buf, line->len, &err) == 0)
		return;
	if (err.code)
		log_cerr(LOG_LVL_WARN, &err, "events log: events are held until it can be written");
	if (l->held.len + line->len > EVENTS_LOG_HELD_MAX || sb_add(&l->held, line->buf, line->len) < 0)
		log_warn("events log: %zu bytes held already: an event is not kept", l->held.len);
}

void events_log_append(events_log *l, long long ts, event_owner who, const char *session, const char *json)
{
	if (!l->open)
		return;
	/* who and when, then the event as subscribers get it: {"event":{...}} */
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	size_t len;
	_cleanup_free_ char *head = NULL;
	_cleanup_strbuf_ strbuf line = STRBUF_INIT;
	int r = !g || yajl_gen_map_open(g) || jg_key_int(g, "ts", ts) || jg_key_int(g, "uid", (long long)who.uid) ||
		jg_key_bool(g, "shared", who.shared) || (session && jg_key_str(g, "session", session)) ||
		yajl_gen_map_close(g) || !(head = jg_finish(g, &len)) || json[0] != '{' ||
		sb_add(&line, head, len - 1) || sb_adds(&line, ",") || sb_adds(&line, json + 1) || sb_adds(&line, "\n");
	if (r)
		log_warn("events log: out of memory: an event is not kept");
	else
		write_line(l, &line);
}

/* One line: false when the reader wants no more. */
static bool replay_line(const char *line, long long since, events_log_fn fn, void *data)
{
	_cleanup_json_ yajl_val v = NULL;
	if (json_parse(line, NULL, &v, NULL) < 0)
		return true;
	long long ts, uid;
	yajl_val ev = json_key(v, "event"), session = json_key(v, "session");
	if (!json_int_in(json_key(v, "ts"), 0, LLONG_MAX, &ts) || ts < since ||
	    !json_int_in(json_key(v, "uid"), 0, (uid_t)-1, &uid) || !YAJL_IS_OBJECT(ev))
		return true;
	event_owner who = { .uid = (uid_t)uid, .shared = YAJL_IS_TRUE(json_key(v, "shared")) };
	return fn(data, ts, who, YAJL_IS_STRING(session) ? session->u.string : NULL, ev);
}

/* One file, oldest line first: false when the reader wants no more. */
static bool replay_file(int dirfd, const char *name, long long since, events_log_fn fn, void *data)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_fclose_ FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return true;
	}
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool more = true;
	while (more && (n = getline(&line, &cap, f)) > 0)
		if ((size_t)n <= LINE_MAX_BYTES && line[n - 1] == '\n')
			more = replay_line(line, since, fn, data);
	return more;
}

void events_log_replay(const events_log *l, long long since, events_log_fn fn, void *data)
{
	if (!l->open)
		return;
	char rotated[NAME_MAX + 3];
	snprintf(rotated, sizeof(rotated), "%s.1", l->file.name);
	if (!replay_file(l->file.dirfd, rotated, since, fn, data) || !replay_file(l->file.dirfd, l->file.name, since, fn, data))
		return;
	for (const char *p = l->held.buf, *nl; p && (nl = strchr(p, '\n')); p = nl + 1) {
		_cleanup_free_ char *line = strndup(p, (size_t)(nl - p) + 1);
		if (!line || !replay_line(line, since, fn, data))
			return;
	}
}
