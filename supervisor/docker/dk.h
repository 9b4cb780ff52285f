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
	/* the answer, set once by one of dk_json, dk_text, dk_error, dk_stream */
	unsigned status;
	struct MHD_Response *resp;
} dk_req;

/* A handler answers through r and returns nothing useful: its answer is
 * whatever it set (a 500 when it set none). */
typedef void (*dk_handler)(dk_req *r, const char *arg);

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

/* Answers, each with Docker's headers; the last one set is r's. dk_answer
 * takes resp (and ctype, when not NULL); dk_json copies g's text. */
void dk_answer(dk_req *r, unsigned status, struct MHD_Response *resp, const char *ctype);
void dk_json(dk_req *r, unsigned status, yajl_gen g);
void dk_text(dk_req *r, unsigned status, const char *ctype, const char *body, size_t len);
void dk_empty(dk_req *r, unsigned status);
void dk_error(dk_req *r, unsigned status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A body made as it is sent: next fills buf (at most max bytes) and
 * returns the count, 0 to be called again, MHD_CONTENT_READER_END_OF_STREAM
 * at the end; done frees ctx. */
void dk_stream(dk_req *r, unsigned status, const char *ctype, MHD_ContentReaderCallback next, void *ctx,
	       MHD_ContentReaderFreeCallback done);

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
/* A pump with extra bytes of context (p->ctx); NULL when out of memory. */
dk_pump *dk_pump_new(dk_req *r, int (*fill)(dk_pump *p), size_t extra);
/* Before a fill blocks on corrald: 0 once a reply can be read, -1 when
 * the client hung up meanwhile (a follow or an event stream would wait
 * for its next line to learn it). */
int dk_pump_await(dk_pump *p);
/* g's JSON (finished here), then eol, onto the body */
void dk_pump_put_json(dk_pump *p, yajl_gen g, const char *eol);
/* Answer 200 with p's body; p is libmicrohttpd's from here. */
void dk_pump_answer(dk_req *r, dk_pump *p, const char *ctype);

/* Docker's JSON progress lines (docker_progress.c), into p->out: a line
 * of g (finished here), {"status", "id"} (id may be NULL), an error
 * ({"errorDetail": {"message"}, "error"}), and {"status", "progressDetail":
 * {"current", "total"}, "id"} for a blob (its id: 12 hex digits). */
void dk_put_line(dk_pump *p, yajl_gen g);
void dk_put_status(dk_pump *p, const char *status, const char *id);
void dk_put_error(dk_pump *p, const char *msg);
void dk_put_progress(dk_pump *p, const char *status, const char *digest, long long done, long long total);

/* A corrald job whose replies stream (ImagePull, ImagePush), answered as
 * Docker's progress lines: its first reply is awaited before the answer
 * starts, so that a refusal is an HTTP error. */
typedef struct dk_job dk_job;
struct dk_job {
	const char *verb; /* "pull": in an error line, with ref */
	char ref[1024];
	char tag[160];
	vl_reply first;
	void (*progress)(dk_pump *p, yajl_val prog);      /* a reply's progress */
	void (*done)(dk_pump *p, dk_job *j, yajl_val params); /* the last reply's lines */
};
/* A pump whose ctx is a zeroed dk_job, for the caller to fill; NULL with r
 * answered. */
dk_pump *dk_job_new(dk_req *r);
/* A job not yet called, freed. */
void dk_job_free(dk_pump *p);
/* Call method and await its first reply: 0, or -1 with r answered (refused,
 * for subject; or corrald lost) and p freed. */
int dk_job_call(dk_req *r, dk_pump *p, const char *method, const char *params, const char *subject);

/* The query's argument, or NULL. */
const char *dk_query(dk_req *r, const char *key);
/* Docker's booleans: 1, true, True (absent or anything else: dflt, "0"
 * and "false": false). */
bool dk_query_bool(dk_req *r, const char *key, bool dflt);
/* An integer argument: dflt when absent, -1 when it is no integer. */
int dk_query_int(dk_req *r, const char *key, long long dflt, long long *out);

/* X-Registry-Auth, the client's credentials for this pull or push, as
 * ImagePull's and ImagePush's "credentials" member of g: 0 (none when
 * absent or without a username and password), or -1 with r answered
 * (400) when it is unreadable. */
int dk_registry_auth(dk_req *r, yajl_gen g);

/* ?filters= parsed into *out (NULL when none), each of its keys one of
 * known (NULL-terminated); -1 with r answered (400) when not. */
int dk_filters(dk_req *r, const char *const *known, yajl_val *out);
/* The i-th value of a filter, NULL past the last. */
const char *dk_filter_value(yajl_val filters, const char *key, size_t i);

/* Call corrald. 0 with the reply in *rep; -1 when the call failed: a
 * varlink error (rep->error, to be judged or passed to dk_fail) or a lost
 * connection (then r's answer is set already). */
int dk_call(dk_req *r, const char *method, const char *params, vl_reply *rep);
/* Answer a failed dk_call in Docker's words; subject is what the client
 * named (a container, an image). Releases rep. */
void dk_fail(dk_req *r, vl_reply *rep, const char *subject);
/* {"id": id} and more: a generator with the map open and "id" in it. */
yajl_gen dk_params_id(const char *id);
/* The container's record (corrald's Inspect) in *rep; -1 with r answered
 * when there is none. */
int dk_ctr_record(dk_req *r, const char *id, vl_reply *rep);
/* The same with another key: {key: value} and more. */
yajl_gen dk_params_of(const char *key, const char *value);
/* The params' text (the map closed), or NULL. */
char *dk_params_end(yajl_gen g);
/* A container's name as Docker clients give it ("/web" is web). */
const char *dk_ctr_name(const char *s);
/* A parsed JSON body (NULL and r answered 400 when it is no JSON object). */
yajl_val dk_body_json(dk_req *r);

/* An Image of ImageList as a row of Docker's image list; containers: how
 * many use it (-1: not counted). */
void dk_gen_img_summary(yajl_gen g, yajl_val im, long long containers);

/* A LogLine of corrald's as Docker sends it: behind the 8-byte header
 * [stream, 0, 0, 0, size BE32] but for a terminal's, with its time first
 * when timestamps. */
void dk_log_frame(strbuf *out, yajl_val line, bool tty, bool timestamps);

/* Create's fields that corral has no word for: -1 with r answered (400)
 * for one that changes what the container is, else a string in warnings
 * (an open array) for each that only tunes. */
int dk_create_unsupported(dk_req *r, yajl_val body, yajl_gen warnings);

/* Answer 101 and join the client's hijacked connection to stream (a
 * Streams socket of corrald's, taken) as attach does: stdout and stderr
 * framed unless tty, the client's bytes as stdin when stdin_on. */
void dk_hijack_stream(dk_req *r, int stream, bool tty, bool stdin_on);

/* The routes, by file. */
void dk_ping(dk_req *r, const char *arg);
void dk_version(dk_req *r, const char *arg);
void dk_info(dk_req *r, const char *arg);
void dk_commit(dk_req *r, const char *arg);
void dk_build_prune(dk_req *r, const char *arg);
void dk_exec_create(dk_req *r, const char *arg);
void dk_exec_start(dk_req *r, const char *arg);
void dk_exec_inspect(dk_req *r, const char *arg);
void dk_exec_resize(dk_req *r, const char *arg);
void dk_events(dk_req *r, const char *arg);
void dk_auth(dk_req *r, const char *arg);
void dk_system_df(dk_req *r, const char *arg);

void dk_ctr_create(dk_req *r, const char *arg);
void dk_ctr_list(dk_req *r, const char *arg);
void dk_ctr_inspect(dk_req *r, const char *arg);
void dk_ctr_start(dk_req *r, const char *arg);
void dk_ctr_stop(dk_req *r, const char *arg);
void dk_ctr_kill(dk_req *r, const char *arg);
void dk_ctr_restart(dk_req *r, const char *arg);
void dk_ctr_pause(dk_req *r, const char *arg);
void dk_ctr_unpause(dk_req *r, const char *arg);
void dk_ctr_rename(dk_req *r, const char *arg);
void dk_ctr_wait(dk_req *r, const char *arg);
void dk_ctr_remove(dk_req *r, const char *arg);
void dk_ctr_top(dk_req *r, const char *arg);
void dk_ctr_prune(dk_req *r, const char *arg);
void dk_ctr_logs(dk_req *r, const char *arg);
void dk_ctr_attach(dk_req *r, const char *arg);
void dk_ctr_resize(dk_req *r, const char *arg);
void dk_ctr_stats(dk_req *r, const char *arg);
void dk_ctr_archive_get(dk_req *r, const char *arg);
void dk_ctr_changes(dk_req *r, const char *arg);
void dk_ctr_export(dk_req *r, const char *arg);
dk_sink *dk_ctr_archive_put(dk_req *r, const char *arg);
dk_sink *dk_build(dk_req *r, const char *arg);
dk_sink *dk_img_create(dk_req *r, const char *arg);

/* The network a request's arg names, into name: a network of that name,
 * else the one whose Id it is, else the one whose Id it begins (Docker's
 * order). 0, with arg itself when none matches (corrald then says there
 * is none), or -1 with r answered: an ambiguous prefix is a 404. */
int dk_net_resolve(dk_req *r, const char *arg, char *name, size_t n);
void dk_net_list(dk_req *r, const char *arg);
void dk_net_inspect(dk_req *r, const char *arg);
void dk_net_create(dk_req *r, const char *arg);
void dk_net_remove(dk_req *r, const char *arg);
void dk_net_connect(dk_req *r, const char *arg);
void dk_net_prune(dk_req *r, const char *arg);
void dk_net_disconnect(dk_req *r, const char *arg);

void dk_vol_list(dk_req *r, const char *arg);
void dk_vol_create(dk_req *r, const char *arg);
void dk_vol_inspect(dk_req *r, const char *arg);
void dk_vol_remove(dk_req *r, const char *arg);
void dk_vol_prune(dk_req *r, const char *arg);

void dk_img_list(dk_req *r, const char *arg);
void dk_img_inspect(dk_req *r, const char *arg);
void dk_img_remove(dk_req *r, const char *arg);
void dk_img_tag(dk_req *r, const char *arg);
void dk_img_prune(dk_req *r, const char *arg);
void dk_img_pull(dk_req *r, const char *arg);
void dk_img_push(dk_req *r, const char *arg);
void dk_img_history(dk_req *r, const char *arg);
void dk_img_save(dk_req *r, const char *arg);
void dk_img_save_many(dk_req *r, const char *arg);
dk_sink *dk_img_load(dk_req *r, const char *arg);
