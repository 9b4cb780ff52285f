/* ctl_call.c: corralctl's calls to corrald, and corrald's errors as one line
 * each. */
#pragma once
#include "supervisor/ctl/ctl.h"

/* Call method once per argument, with {key: ARG} and what add puts in;
 * print each argument whose call worked, as podman does, or what show
 * prints. EXIT_CTL if any failed, after trying them all (ctl_call.c). */
int ctl_each(const ctl_args *a, const char *method, const char *key, ctl_add_fn add, ctl_show_fn show);
/* The add of verbs with -f/--force: {"force": true}. */
int ctl_add_force(const ctl_args *a, yajl_gen g);
/* Calls (ctl_call.c). Connect unless *c is connected, call, and read the first
 * reply; on an error reply or a failure print one line and return EXIT_CTL
 * (the reply released), else 0 with the reply for the caller to release. */
int ctl_call(vl_client **c, const char *method, const char *params, bool more, vl_reply *rep);
/* The same with the parameters an open map in g, which it closes and frees
 * (NULL: out of memory, said). */
int ctl_call_gen(vl_client **c, const char *method, yajl_gen g, bool more, vl_reply *rep);
/* ctl_call_gen without "more", where an error reply named `tolerated`
 * (its short name, "NoSuchContainer") returns 1, unsaid. */
int ctl_call_gen_tolerating(vl_client **c, const char *method, yajl_gen g, const char *tolerated, vl_reply *rep);
/* A call for its outcome alone, on a connection of its own: 1 when it
 * succeeded, 0 when it failed with `tolerated`, else EXIT_CTL (said). */
int ctl_call_found(const char *method, yajl_gen g, const char *tolerated);
/* A pull's or a push's call, which takes its time (no timeout: a stalled
 * registry is corral-images' to end; ctl_timeout_ms stays -1 for the
 * calls after it): the parameters an open map in g (freed); accepted is
 * said on stderr once corrald takes the call (NULL: nothing); each reply's
 * "progress" before the last goes to show with ctx (NULL: none shown).
 * 0 with the last reply in *last, or EXIT_CTL said. */
int ctl_call_progress(const char *method, yajl_gen g, const char *accepted, void (*show)(yajl_val progress, void *ctx),
		      void *ctx, vl_reply *last);
/* Call method with "upgrade" and the parameters an open map in g (freed);
 * *fd is then the socket of the stream that follows, the caller's to
 * close. 0, or EXIT_CTL after saying why (an error reply unsaid when
 * quiet). */
int ctl_call_upgrade(const char *method, yajl_gen g, bool quiet, int *fd);
/* Call method once per argument, {param: ARG}, and gather each reply's
 * `key` into one array (*out, the caller's to free). What failed is said,
 * and makes it EXIT_CTL; *out still holds what worked. */
int ctl_collect(const char *method, const char *param, int argc, char **argv, const char *key, yajl_val *out);
/* An error reply as one line: "corralctl: Start: no such container: x". */
void ctl_print_call_error(const char *method, const vl_reply *rep);
/* An error reply as varlink has it: "corralctl: METHOD: ERROR: {params}". */
void ctl_print_raw_error(const char *method, const vl_reply *rep);
/* After a failed Start: 127 when the last error said the command is not
 * found, 126 when it cannot be invoked, else EXIT_CTL (podman's codes). */
int ctl_exec_failure_code(void);
/* One call, its reply through show; show's exit code, or EXIT_CTL. */
int ctl_call_show(const char *method, const char *params, int (*show)(yajl_val reply));
/* A prune's call of method, which takes its time (no timeout), with
 * {"all": true} when the verb has --all, its reply through show. */
int ctl_prune(const ctl_args *a, const char *method, int (*show)(yajl_val reply));
/* The next reply of a streaming call, as ctl_call. */
int ctl_recv(vl_client *c, const char *method, vl_reply *rep);
/* A map opened for a call's parameters, with "id" when id is not NULL. */
yajl_gen ctl_params(const char *id);
/* "corralctl: WHAT: MSG" and EXIT_CTL. */
int ctl_fail(const char *what, const char *msg);
int ctl_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *ctl_to_json(yajl_val v, bool pretty);
/* The string at key in o, or "" (keys matched as templates match them). */
const char *ctl_str(yajl_val o, const char *key);
/* A container's name as this user is shown it (owned_name.h), into buf. */
const char *ctl_owned_name(yajl_val o, char *buf, size_t n);
/* The integer at key in o, or dflt. */
long long ctl_int(yajl_val o, const char *key, long long dflt);
/* What g generated, parsed into a tree (NULL on failure, said). */
yajl_val ctl_gen_tree(yajl_gen g);
