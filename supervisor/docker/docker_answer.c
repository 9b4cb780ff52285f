/* The answers handlers give, with the headers every Docker answer has, and
 * the query's arguments as Docker spells them. */
#include "supervisor/docker/docker.h"
#include "supervisor/docker/dk.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dk_answer(dk_req *r, unsigned status, struct MHD_Response *resp, const char *ctype)
{
	if (!resp)
		return; /* out of memory: MHD closes the connection */
	MHD_add_response_header(resp, "Api-Version", DOCKER_API_VERSION);
	MHD_add_response_header(resp, "Server", "corral/" CORRAL_VERSION);
	MHD_add_response_header(resp, "Docker-Experimental", "false");
	MHD_add_response_header(resp, "OSType", "linux");
	if (ctype)
		MHD_add_response_header(resp, "Content-Type", ctype);
	if (r->resp)
		MHD_destroy_response(r->resp);
	r->resp = resp;
	r->status = status;
}

void dk_text(dk_req *r, unsigned status, const char *ctype, const char *body, size_t len)
{
	dk_answer(r, status, MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY), ctype);
}

void dk_json(dk_req *r, unsigned status, yajl_gen g)
{
	size_t len;
	_cleanup_free_ char *text = jg_finish(g, &len);
	if (!text) {
		dk_error(r, 500, "out of memory");
		return;
	}
	/* a newline, as Docker's encoder ends each document */
	_cleanup_free_ char *line = malloc(len + 1);
	if (!line)
		return;
	memcpy(line, text, len);
	line[len] = '\n';
	dk_text(r, status, "application/json", line, len + 1);
}

void dk_empty(dk_req *r, unsigned status)
{
	dk_answer(r, status, MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT), NULL);
}

void dk_error(dk_req *r, unsigned status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	/* msg may quote multibyte text cut at its 1024 bytes: jg_text mends it */
	if (!g || yajl_gen_map_open(g) || jg_key(g, "message") || jg_text(g, msg, strlen(msg)) || yajl_gen_map_close(g))
		return;
	dk_json(r, status, g);
}

void dk_stream(dk_req *r, unsigned status, const char *ctype, MHD_ContentReaderCallback next, void *ctx,
	       MHD_ContentReaderFreeCallback done)
{
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, next, ctx, done);
	if (!resp)
		done(ctx);
	dk_answer(r, status, resp, ctype);
}

const char *dk_query(dk_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

bool dk_query_bool(dk_req *r, const char *key, bool dflt)
{
	const char *v = dk_query(r, key);
	if (!v || !*v)
		return dflt;
	if (streq(v, "0") || strcasecmp(v, "false") == 0)
		return false;
	return true; /* Docker's form parser: anything else given is true */
}

int dk_query_int(dk_req *r, const char *key, long long dflt, long long *out)
{
	const char *v = dk_query(r, key);
	*out = dflt;
	if (!v || !*v)
		return 0;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || *end)
		return -1;
	*out = n;
	return 0;
}
