/* POST /containers/{id}/resize?h=&w=: the container's terminal sized as an
 * attached client sizes it, by a RESIZE frame on an Attach of its own
 * (which closes this HTTP connection, as tar_stream.h says). As Docker's:
 * 409 when it is not running, and nothing to do (200) without a terminal. */
#include "supervisor/docker/tar_stream.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_tar_stream.h"
#include "supervisor/docker/docker_ctr_resize.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <string.h>
#include <unistd.h>

void dk_ctr_resize(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg);
	long long h, w;
	if (dk_query_int(r, "h", -1, &h) < 0 || dk_query_int(r, "w", -1, &w) < 0 || h < 0 || w < 0 || h > 65535 ||
	    w > 65535) {
		dk_error(r, 400, "h and w must be numbers from 0 to 65535");
		return;
	}
	vl_reply rep;
	yajl_val c = dk_ctr_record(r, id, &rep);
	if (!c)
		return;
	const char *st = dk_str(json_get(c, "state"), "status");
	bool running = streq(st, "running") || streq(st, "paused");
	bool tty = dk_bool(json_get(c, "config"), "tty");
	vl_reply_release(&rep);
	if (!running) {
		dk_error(r, 409, "Container %s is not running", id);
		return;
	}
	if (!tty || !h || !w) {
		dk_empty(r, 200);
		return;
	}
	_cleanup_free_ char *params = dk_params_text("id", id);
	tar_stream *s = params ? tar_stream_open(r, "Attach", params, id) : NULL;
	if (!params)
		dk_error(r, 500, "out of memory");
	if (!s)
		return;
	_cleanup_strbuf_ strbuf f = STRBUF_INIT;
	bool sent = stream_put_resize(&f, (unsigned)h, (unsigned)w) == 0 && write(s->sc.fd, f.buf, f.len) == (ssize_t)f.len;
	tar_stream_free(s);
	if (sent)
		dk_empty(r, 200);
	else
		dk_error(r, 500, "the container's terminal: its stream broke");
	if (r->resp)
		MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CONNECTION, "close");
}
