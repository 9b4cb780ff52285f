/* Log lines as LogLine objects (log_lines.h). */
#include "supervisor/daemon/containers/record/log_lines.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int log_batch_add(log_batch *b, const crilog_line *l, size_t max)
{
	char ts[48];
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "time", crilog_format_time(l->ts_ns, ts, sizeof(ts))) ||
	    jg_key_str(g, "stream", crilog_stream_name(l->stream)) || jg_key(g, "line") ||
	    jg_text(g, l->text, l->len) || jg_key_bool(g, "partial", l->partial) ||
	    yajl_gen_map_close(g))
		return -ENOMEM;
	const unsigned char *buf;
	size_t n;
	yajl_gen_get_buf(g, &buf, &n);
	if (b->text.len + n > max)
		return 1;
	if ((b->n && sb_add(&b->text, ",", 1)) || sb_add(&b->text, buf, n))
		return -ENOMEM;
	b->n++;
	return 0;
}

char *log_batch_take(log_batch *b)
{
	char *p = NULL;
	if (asprintf(&p, "{\"lines\":[%s]}", b->text.buf ? b->text.buf : "") < 0)
		p = NULL;
	sb_reset(&b->text);
	b->n = 0;
	return p;
}

typedef struct whole {
	log_batch batch;
	bool too_big;
} whole;

static int add_whole(const crilog_line *l, void *data)
{
	whole *w = data;
	int r = log_batch_add(&w->batch, l, LOGS_MAX_REPLY);
	w->too_big = r == 1;
	return r;
}

int logs_read_all(const char *path, const crilog_read_opts *o, char **reply, cerr *err)
{
	whole w = { 0 };
	int r = crilog_read(path, o, add_whole, &w, NULL, err);
	if (r >= 0 && w.too_big)
		r = cerr_set(err, E2BIG, "the log is larger than one reply: use tail, since, or more");
	if (r >= 0 && !(*reply = log_batch_take(&w.batch)))
		r = cerr_set(err, ENOMEM, "out of memory");
	sb_release(&w.batch.text);
	return r < 0 ? r : 0;
}
