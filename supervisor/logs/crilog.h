/* Container logs in the CRI format that kubelet, crictl and conmon use:
 *   <RFC3339Nano> stdout|stderr F|P <content>\n
 * F ends a line, P is a piece of a longer one (a chunk that ended without a
 * newline, or a line past max_line). Rotated by size through rotate.c. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "common/error.h"
#include "common/strbuf.h"
#include "common/timefmt.h"
#include "supervisor/logs/rotate.h"
#include "supervisor/logs/crilog_mask.h"

enum crilog_stream { CRILOG_STDOUT, CRILOG_STDERR };

#define CRILOG_FILE "ctr.log" /* in the container's directory */
#define CRILOG_MODE 0640
#define CRILOG_DEFAULT_MAX_SIZE (10u << 20)
#define CRILOG_DEFAULT_KEEP 5
#define CRILOG_DEFAULT_MAX_LINE (16u << 10)
/* max_size for a log that its reader rotates (kubelet's, at the path it
 * gives): never rotated here; reopened when asked (ReopenLog) */
#define CRILOG_NO_ROTATION ((size_t)-1)

typedef struct crilog {
	rotfile file;
	size_t max_line;
	strbuf batch;
	const crilog_mask *mask; /* NULL: none; set after open */
} crilog;

int crilog_open(crilog *l, const char *path, size_t max_size, unsigned keep, cerr *err);
/* The container's log: log_path (CRILOG_NO_ROTATION then) when given, else
 * dir's CRILOG_FILE; into path (PATH_MAX) */
size_t crilog_path_of(const char *dir, const char *log_path, size_t max_size, char *path);
void crilog_close(crilog *l);
/* Log one chunk read from the container's stream. now_ns 0: the clock. */
int crilog_write(crilog *l, enum crilog_stream s, const char *data, size_t len, long long now_ns,
		 cerr *err);

const char *crilog_stream_name(enum crilog_stream s);
/* RFC 3339 with nanoseconds, UTC ("...T...Z"); buf at least 40 bytes. */
/* The log's clock: nanoseconds since the epoch (CLOCK_REALTIME). */
long long crilog_now_ns(void);
const char *crilog_format_time(long long ns, char *buf, size_t n);
/* Parse RFC 3339 (Z or +hh:mm, 0-9 fraction digits) to ns since the epoch. */
static inline int crilog_parse_time(const char *s, size_t len, long long *ns) { return rfc3339_parse(s, len, ns); }
/* "since" as given by a user: RFC 3339, or seconds since the epoch. */
int crilog_parse_since(const char *s, long long *ns, cerr *err);
/* What a "since" that does not parse must be. */
#define CRILOG_SINCE_WORDS "must be an RFC 3339 time or seconds since the epoch"
