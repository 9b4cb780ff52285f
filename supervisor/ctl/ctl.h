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
/* An error reply as one line on stderr: "corralctl: Start: no such container: x". */
void ctl_print_call_error(const char *method, const vl_reply *rep);
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
/* Whether corrald says the container runs (false too when it cannot say). */
bool ctl_is_running(const char *id);
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

/* How a foreground run (or attach) meets the container's stdio. */
typedef struct ctl_run_io {
	bool interactive;        /* -i: our stdin is its stdin */
	bool tty;                /* -t: it has a terminal */
	bool sig_proxy;          /* --sig-proxy (default on): our signals are its */
	const char *detach_keys; /* --detach-keys; NULL: the default */
} ctl_run_io;
/* run without -d (attach_cmd.c): attach to the created container id, start
 * it, and pump its stdio; its exit code (0 after a detach). */
int ctl_run_attached(const char *id, const ctl_run_io *io);
/* --opt or --opt=true|false (arg NULL: given bare); false, said, when arg
 * is neither. */
bool ctl_bool_arg(const char *opt, const char *arg, bool *out);
/* corralctl attach [--detach-keys K] [--no-stdin] [--sig-proxy=B] ID */
int ctl_attach(int argc, char **argv);

/* corralctl exec, its options read (exec_cmd.c): streams the output as it
 * comes (-i/-t through Streams), and returns the command's exit code. */
typedef struct ctl_exec_req {
	const char *id;
	char **command;
	int n_command;
	char **env; /* KEY=VALUE strv, or NULL */
	const char *workdir, *user;
	bool interactive, tty, detach;
} ctl_exec_req;
int ctl_exec_run(const ctl_exec_req *r);
