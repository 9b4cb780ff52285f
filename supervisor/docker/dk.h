/* corral-docker's own: a request as its handlers see it, the answers they
 * give, and the calls to corrald they make. docker_http.c serves them. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <microhttpd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "common/strbuf.h"
#include "supervisor/varlink/client.h"
#include "supervisor/shape/shape.h"

typedef struct dk_req {
	vl_client *vl;
	struct MHD_Connection *conn;
	const char *method; /* "GET", "POST", ... (HEAD is answered as GET) */
	const char *path;   /* without its /vX.Y prefix */
	const char *body;   /* the request's body, NUL-terminated ("" when none) */
	size_t body_len;
	uid_t viewer; /* the client's uid: whose eyes corrald's objects are shown to */
	/* the answer, set once by one of dk_json, dk_text, dk_error, dk_stream */
	unsigned status;
	struct MHD_Response *resp;
} dk_req;

/* A handler answers through r and returns nothing useful: its answer is
 * whatever it set (a 500 when it set none). A header declares its file's
 * handlers with this type: `dk_handler dk_ping;`. */
typedef void dk_handler(dk_req *r, const char *arg);

/* A body taken as it comes (a tar, which may be large): feed gets
 * each piece, -1 when it takes no more; finish answers r and frees the
 * sink (r NULL: the request was cut short, nothing to answer). */
typedef struct dk_sink dk_sink;
struct dk_sink {
	int (*feed)(dk_sink *s, const char *data, size_t n);
	void (*finish)(dk_sink *s, dk_req *r);
};
/* A sink for the request, or NULL with r answered. */
typedef dk_sink *(*dk_sink_open)(dk_req *r, const char *arg);

/* A streamed body (docker_pump.c): fill appends to out what corrald says
 * next (it may block), and sets done at the end; -1 cuts the body short. */
typedef struct dk_pump dk_pump;
struct dk_pump {
	vl_client *vl;
	strbuf out;
	size_t off; /* bytes of out already given to libmicrohttpd */
	bool done, started;
	int (*fill)(dk_pump *p);
	void (*release)(dk_pump *p); /* may be NULL */
	void *ctx;                   /* extra bytes after the pump, zeroed */
	int client;                  /* the client's socket, watched for its hangup */
};

/* A corrald call whose replies stream (ImagePull, ImagePush), answered as
 * Docker's progress lines: its first reply is awaited before the answer
 * starts, so that a refusal is an HTTP error. */
typedef struct dk_relay dk_relay;
struct dk_relay {
	const char *verb; /* "pull": in an error line, with ref */
	char ref[1024];
	char tag[160];
	vl_reply first;
	void (*progress)(dk_pump *p, yajl_val prog);      /* a reply's progress */
	void (*done)(dk_pump *p, dk_relay *j, yajl_val params); /* the last reply's lines */
};

