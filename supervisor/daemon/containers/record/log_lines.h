/* A container's log lines as a Logs reply's LogLine objects: a batch of
 * them, and the history as one reply (Logs without more, a job's log). */
#pragma once
#include <stddef.h>
#include "common/error.h"
#include "common/strbuf.h"
#include "supervisor/logs/crilog_reader.h"

#define LOGS_MAX_REPLY (8u << 20) /* a reply this large is sent (or refused) */

typedef struct log_batch {
	strbuf text; /* LogLine objects, comma-separated */
	size_t n;
} log_batch;

/* One LogLine added: 0; 1, adding nothing, when the batch would pass max
 * bytes; -ENOMEM. */
int log_batch_add(log_batch *b, const crilog_line *l, size_t max);
/* The batch as a reply's parameters, {"lines":[...]} (NULL when out of
 * memory); it starts anew. */
char *log_batch_take(log_batch *b);
/* The history as one reply's parameters into *reply; -E2BIG when it is
 * larger than LOGS_MAX_REPLY. */
int logs_read_all(const char *path, const crilog_read_opts *o, char **reply, cerr *err);
