#include "log.h"
#include "strbuf.h"
#include "timefmt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static enum log_level level = LOG_LVL_WARN;
static bool as_json;
static int log_fd = STDERR_FILENO;
static const char *prog = "corral";

void log_set_level(enum log_level lvl) { level = lvl; }
enum log_level log_get_level(void) { return level; }
void log_set_json(bool json) { as_json = json; }
void log_set_prog(const char *p) { prog = p; }

static char log_path[4096];

/* Opened on the first line: most runs never log, and then leave no file. */
int log_set_file(const char *path)
{
	if (strlen(path) >= sizeof(log_path))
		return -ENAMETOOLONG;
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = STDERR_FILENO;
	snprintf(log_path, sizeof(log_path), "%s", path);
	return 0;
}

static void open_pending_file(void)
{
	if (!log_path[0])
		return;
	int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	log_path[0] = '\0';
	if (fd >= 0)
		log_fd = fd;
}

static const char *level_name(enum log_level l)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	return names[l];
}

static void json_escape(strbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			sb_addf(sb, "\\%c", c);
		else if (c < 0x20)
			sb_addf(sb, "\\u%04x", c);
		else
			sb_add(sb, s, 1);
	}
}

/* Write one message (msg's text) at lvl. */
static void log_text(enum log_level lvl, const strbuf *msg)
{
	strbuf line = STRBUF_INIT;
	if (as_json) {
		char t[RFC3339_LEN];
		sb_addf(&line, "{\"level\":\"%s\",\"msg\":\"", level_name(lvl));
		json_escape(&line, msg->buf ? msg->buf : "");
		sb_addf(&line, "\",\"time\":\"%s\"}\n", rfc3339_ns(0, t, sizeof(t)));
	} else if (lvl == LOG_LVL_ERROR) {
		sb_addf(&line, "%s: %s\n", prog, msg->buf ? msg->buf : "");
	} else {
		sb_addf(&line, "%s: %s: %s\n", prog, level_name(lvl), msg->buf ? msg->buf : "");
	}
	open_pending_file();
	if (line.buf) {
		ssize_t w = write(log_fd, line.buf, line.len);
		(void)w;
	}
	/* with --log, the error still reaches the caller's stderr */
	if (lvl == LOG_LVL_ERROR && log_fd != STDERR_FILENO && msg->buf) {
		sb_reset(&line);
		sb_addf(&line, "%s: %s\n", prog, msg->buf);
		ssize_t w = write(STDERR_FILENO, line.buf, line.len);
		(void)w;
	}
	sb_release(&line);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	if (lvl > level)
		return;
	int saved = errno;
	strbuf msg = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&msg, fmt, ap);
	va_end(ap);
	log_text(lvl, &msg);
	sb_release(&msg);
	errno = saved;
}

void log_cerr(enum log_level lvl, cerr *err, const char *fmt, ...)
{
	if (lvl <= level) {
		int saved = errno;
		strbuf msg = STRBUF_INIT;
		if (fmt) {
			va_list ap;
			va_start(ap, fmt);
			sb_vaddf(&msg, fmt, ap);
			va_end(ap);
			sb_adds(&msg, ": ");
		}
		sb_adds(&msg, cerr_msg(err));
		log_text(lvl, &msg);
		sb_release(&msg);
		errno = saved;
	}
	cerr_clear(err);
}
