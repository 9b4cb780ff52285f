/* The build's end of the client's stream (bld.h): the context in as STDIN
 * frames, the progress out as STDOUT frames of JSON lines. */
#include "supervisor/build/bld.h"
#include "supervisor/build/bld_stream.h"
#include "supervisor/varlink/stdin_frames.h"
#include "images/extract_stream.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One JSON line; a client gone is noticed by the next call's failure. */
static void send_line(bld *b, yajl_gen g)
{
	size_t n;
	_cleanup_free_ char *text = jg_finish(g, &n);
	if (!text)
		return;
	_cleanup_strbuf_ strbuf line = STRBUF_INIT;
	sb_add(&line, text, n);
	sb_adds(&line, "\n");
	if (line.buf)
		stream_send_all(b->sock, STREAM_STDOUT, line.buf, line.len);
}

void bld_say_raw(bld *b, const char *text, size_t n)
{
	if (b->quiet || !n)
		return;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key(g, "stream");
	jg_text(g, text, n);
	yajl_gen_map_close(g);
	send_line(b, g);
}

void bld_say(bld *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *text = NULL;
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n > 0)
		bld_say_raw(b, text, (size_t)n);
}

int bld_send_result(bld *b, const char *id, const char *manifest)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	jg_object(g, JG_STR("image", id), JG_STR("manifestDigest", manifest), JG_END);
	send_line(b, g);
	return 0;
}

static long next_frame(void *ctx, const void **out, cerr *err)
{
	return stdin_frames_next(ctx, out, err);
}

int bld_take_context(bld *b, uint64_t max, cerr *err)
{
	stdin_frames *in = stdin_frames_new(b->sock, max);
	if (!in)
		return cerr_set(err, ENOMEM, "out of memory");
	extract_limits lim;
	extract_limits_default(&lim);
	lim.max_bytes = max;
	int r = extract_stream(b->ctx_fd, "", &(extract_how){ .mode = EXTRACT_COPY, .unpadded_end = true, .lim = &lim },
			       "the build context",
				   next_frame, in, err);
	stdin_frames_free(in);
	return r;
}
