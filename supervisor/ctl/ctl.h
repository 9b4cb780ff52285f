/* corralctl's shared pieces: the socket, calls, and output. */
#pragma once
#include <stdbool.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/client.h"
#include "supervisor/varlink/interface.h"

#define M(x) CORRAL_SUPERVISOR_INTERFACE "." x

extern const char *ctl_sock;
extern int ctl_timeout_ms;
extern bool ctl_json;

/* Connect and call; on an error reply or failure prints one line and returns
 * nonzero. The reply must be released by the caller on success. */
/* Connects unless *c is already connected. */
int ctl_call(vl_client **c, const char *method, const char *params, bool more, vl_reply *rep);
/* The same with the parameters an open map in g, which it closes. */
int ctl_call_gen(vl_client **c, const char *method, yajl_gen g, bool more, vl_reply *rep);
int ctl_fail(const char *what, const char *msg);
char *ctl_to_json(yajl_val v, bool pretty);
const char *ctl_str(yajl_val o, const char *path);
/* The container verbs (containers.c): each gets argv after the verb; returns the exit code. */
int ctl_verb(const char *verb, int argc, char **argv, bool *handled);
/* corralctl image import|ls|inspect|rm|prune (images.c). */
int ctl_image(int argc, char **argv);

/* {"KEY": "ID"} as JSON text. */
char *ctl_obj_id(const char *key, const char *id);
/* Print a container's log (follow: until it ends); the exit code. */
int ctl_stream_logs(const char *id, bool follow, long tail, bool ts);
/* Wait for the container to stop; its exit code (*ok: the wait worked). */
int ctl_wait_code(const char *id, bool print, bool *ok);
/* Call method for each id in argv with {"id": ID} (and extra_key, as an
 * integer, a boolean "true" or a string); print each reply or each id. */
int ctl_by_id(const char *method, int argc, char **argv, const char *extra_key, const char *extra_val, bool is_int,
	      bool print);
/* The verbs, each given argv after the verb (or from the verb, for those
 * that parse options with getopt); each returns the exit code. */
int ctl_create_run(int argc, char **argv, bool run);
int ctl_exec(int argc, char **argv);
int ctl_ps(int argc, char **argv);
int ctl_logs(int argc, char **argv);
int ctl_stats(int argc, char **argv);
int ctl_events(int argc, char **argv);
