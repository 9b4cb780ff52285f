/* corralctl's shared pieces: the command groups, calls to corrald, and
 * output in the forms podman prints. */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "common/strbuf.h"
#include "supervisor/ctl/opts.h"
#include "supervisor/template/template.h"
#include "supervisor/varlink/client.h"
#include "supervisor/api/interface.h"

#define M(x) CORRAL_SUPERVISOR_INTERFACE "." x

/* The prunes' options: podman asks before a prune without -f; corralctl
 * never asks, and takes -f for the habit. */
#define CTL_OPT_NEVER_ASK { "force", 'f', OPT_FLAG, "", "do not ask (corralctl never asks: taken for podman's habit)" }
/* logs and exec by a workload: which of its containers (target.c). */
#define CTL_OPT_WORKLOAD_CONTAINER \
	{ "container", 'c', OPT_STR, "NAME", "the workload's container NAME (default: its first), as kubectl's -c" }
#define CTL_OPT_PRUNE_ALL { "all", 'a', OPT_FLAG, "", "every image no container uses, not only unnamed ones" }

/* The global options, set by main before a command runs. */
extern const char *ctl_sock;
extern int ctl_timeout_ms; /* -1: wait as long as it takes */
extern bool ctl_json;      /* --json, or --format json */
extern const char *ctl_format; /* --format other than json; NULL: the command's own */

/* The commands, in groups each ended by { NULL } (commands.c lists them). */
extern const ctl_cmd ctl_service_cmds[]; /* ctl_service.c: ping, info, call, completion, system prune, ... */
extern const ctl_cmd ctl_run_cmds[];     /* run.c: create, run, exec */
extern const ctl_cmd ctl_container_cmds[]; /* containers.c: the verbs by id */
extern const ctl_cmd ctl_observe_cmds[]; /* observe.c: logs, events */
extern const ctl_cmd ctl_ps_cmds[];      /* ps.c */
extern const ctl_cmd ctl_stats_cmds[];   /* stats.c */
extern const ctl_cmd ctl_image_cmds[];   /* images.c */
extern const ctl_cmd ctl_pull_cmds[];    /* ctl_pull.c: pull, login, logout */
extern const ctl_cmd ctl_push_cmds[];    /* ctl_push.c: push */
/* run/create --pull POLICY for image: pull when the policy says, with its
 * progress on stderr; *use the name to create from when it pulled (free
 * it), else NULL. 0 or EXIT_CTL, said. */
int ctl_pull_policy(const char *policy, const char *image, char **use);
extern const ctl_cmd ctl_image_io_cmds[]; /* image_io.c: image tag, load, save, history */
extern const ctl_cmd ctl_build_cmds[];    /* build.c: build, commit */
extern const ctl_cmd ctl_ctr_fs_cmds[];   /* ctr_fs.c: container diff, export, import */
extern const ctl_cmd ctl_policy_cmds[];  /* ctl_policy.c: policy show, image sign, image verify */
extern const ctl_cmd ctl_cp_cmds[];      /* cp.c */
extern const ctl_cmd ctl_attach_cmds[];  /* attach_cmd.c: attach */
extern const ctl_cmd ctl_job_cmds[];     /* jobs.c: job submit, ls, wait, ... */
extern const ctl_cmd ctl_network_cmds[]; /* networks.c: network create, ls, inspect, rm */
extern const ctl_cmd ctl_session_cmds[]; /* sessions.c: session create, ls, inspect, rm, state */
extern const ctl_cmd ctl_workload_cmds[]; /* workloads.c: apply, diff, get, describe, delete */
/* describe KIND/NAME... (service.c's describe, given workloads) */
int ctl_describe_workloads(ctl_args *a);
extern const ctl_cmd ctl_broker_cmds[];  /* ctl_broker.c: broker pub, sub, req */
extern const ctl_cmd ctl_secret_cmds[];  /* ctl_secrets.c: secret create, ls, rm */
extern const ctl_cmd ctl_volume_cmds[];  /* ctl_volumes.c: volume create, ls, inspect, rm, prune */
/* Every group, NULL-ended, as main sets it before a command runs; and the
 * options every command takes, in the order of G_*. */
extern const ctl_cmd *const *ctl_groups;
extern const ctl_opt ctl_global_opts[];
enum { G_SOCKET, G_TIMEOUT, G_JSON, G_HELP, G_COUNT };
/* The command argv starts with (one word, or two: "image ls", "rmi" as
 * "image rm"), and in *words how many words named it; NULL if none. */
const ctl_cmd *ctl_find_cmd(int argc, char **argv, int *words);
/* The commands of the group word ("image": "history, import, ...") added
 * to out; how many (0: word names no group), or -ENOMEM. */
int ctl_group_commands(const char *word, strbuf *out);
/* Whether c also goes by "container VERB", as in podman. */
bool ctl_is_container_verb(const ctl_cmd *c);
/* The command list, for corralctl --help. */
void ctl_help_commands(FILE *f);
/* corralctl completion bash (completion.c). */
int ctl_completion_bash(FILE *f);

/* What a verb adds to a call's parameters from its options; 0 or nonzero. */
typedef int (*ctl_add_fn)(const ctl_args *a, yajl_gen g);
/* What it prints of a reply; 0 or an exit code. */
typedef int (*ctl_show_fn)(const ctl_args *a, const char *arg, yajl_val reply);
/* Call method once per argument, with {key: ARG} and what add puts in;
 * print each argument whose call worked, as podman does, or what show
 * prints. EXIT_CTL if any failed, after trying them all (ctl_call.c). */
int ctl_each(const ctl_args *a, const char *method, const char *key, ctl_add_fn add, ctl_show_fn show);
/* The add of verbs with -f/--force: {"force": true}. */
int ctl_add_force(const ctl_args *a, yajl_gen g);

/* Children (ctl_spawn.c). argv[0] (found on PATH) with one end of a pipe as
 * its stdin (feed) or its stdout, the other end in *fd; what names it in
 * errors. 0, or EXIT_CTL after saying why. */
int ctl_spawn_piped(const char *what, char *const argv[], bool feed, int *fd, pid_t *pid);
/* Wait for it: 0 if it exited 0, else EXIT_CTL after saying so (unless it
 * says_why itself, in one line of its own). */
int ctl_reap(const char *what, pid_t pid, bool says_why);
/* The path of a binary installed beside corralctl. */
int ctl_sibling(const char *name, char path[static PATH_MAX]);

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
/* Call method with "upgrade" and the parameters an open map in g (freed);
 * *fd is then the socket of the stream that follows, the caller's to
 * close. 0, or EXIT_CTL after saying why (an error reply unsaid when
 * quiet). */
int ctl_call_upgrade(const char *method, yajl_gen g, bool quiet, int *fd);
/* Call method once per argument, {param: ARG}, and gather each reply's
 * `key` into one array (*out, the caller's to free). What failed is said,
 * and makes it EXIT_CTL; *out still holds what worked. */
int ctl_collect(const char *method, const char *param, int argc, char **argv, const char *key, yajl_val *out);
/* corrald's Containers (Inspect's) as inspect prints them: each with
 * podman's and Docker's fields beside its own (inspect.c). */
int ctl_inspect_shape(yajl_val containers, yajl_val *out);
/* An error reply as one line: "corralctl: Start: no such container: x". */
void ctl_print_call_error(const char *method, const vl_reply *rep);
/* An error reply as varlink has it: "corralctl: METHOD: ERROR: {params}". */
void ctl_print_raw_error(const char *method, const vl_reply *rep);
/* After a failed Start: 127 when the last error said the command is not
 * found, 126 when it cannot be invoked, else EXIT_CTL (podman's codes). */
int ctl_exec_failure_code(void);
/* One call, its reply through show; show's exit code, or EXIT_CTL. */
int ctl_call_show(const char *method, const char *params, int (*show)(yajl_val reply));
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
/* The integer at key in o, or dflt. */
long long ctl_int(yajl_val o, const char *key, long long dflt);

/* Output (output.c). items printed as one JSON array (--json, --format
 * json); or each of rows (items when NULL) through --format, or through
 * dflt, a template ("table ..." for a table), when there is no --format.
 * With no dflt either, items print as JSON. */
int ctl_output(yajl_val items, yajl_val rows, const char *dflt, const tmpl_title *titles);
/* v as indented JSON; 0 or EXIT_CTL. */
int ctl_print_json(yajl_val v);
/* ctl_system.c: info's and system info's reply, as podman prints it; and
 * system df. */
int ctl_show_info(yajl_val p);
int ctl_system_df(ctl_args *a);
/* "reclaimed 1.2MB", from a prune's reclaimedBytes. */
void ctl_print_reclaimed(yajl_val reply);
/* ctl_output of what two generators hold, each an open array (closed here). */
int ctl_output_gen(yajl_gen items, yajl_gen rows, const char *dflt, const tmpl_title *titles);
/* What g generated, parsed into a tree (NULL on failure, said). */
yajl_val ctl_gen_tree(yajl_gen g);

/* Helpers the verbs share. */
/* path made absolute against the working directory (paths.c); NULL when
 * out of memory. */
char *ctl_absolute(const char *path);
/* A file for corrald to write as the caller, made (mode) or opened here,
 * the caller's: its fd, its absolute path in *path, and in *made whether it
 * is new (a failure removes only such a file); -1 when it cannot be, said. */
int ctl_output_file(const char *what, const char *file, mode_t mode, char **path, bool *made);
/* Each string of reply's array `key`, one a line; 0. */
int ctl_print_strings(yajl_val reply, const char *key);
/* The LogLines of a reply's "lines", stdout's to stdout, stderr's to stderr. */
void ctl_print_log_lines(yajl_val reply, bool ts);
/* Print a container's log (follow: until it ends); 0 or EXIT_CTL. */
int ctl_stream_logs(const char *id, bool follow, long tail, bool ts, const char *since);
/* The container logs and exec mean by target and -c cname (target.c): a
 * container's own name, else a workload's container; *id then malloc'd
 * (NULL: target as it is). 0, or EXIT_CTL after saying why. */
int ctl_target_container(const char *verb, const char *target, const char *cname, char **id);
/* Start it (run.c); 0, or after saying why, podman's code for a command
 * that is not found (127) or cannot run (126), else EXIT_CTL. */
int ctl_start(const char *id);

/* How a foreground run (or attach) meets the container's stdio. */
typedef struct ctl_run_io {
	bool interactive;        /* -i: our stdin is its stdin */
	bool tty;                /* -t: it has a terminal */
	bool sig_proxy;          /* --sig-proxy (default on): our signals are its */
	const char *detach_keys; /* --detach-keys; NULL: the default */
} ctl_run_io;
/* run without -d (attach_cmd.c): attach to the created container id, then
 * start(id) (its exit code when it fails), and pump its stdio; the
 * container's exit code, or 0 after a detach (*detached then). */
int ctl_run_attached(const char *id, const ctl_run_io *io, int (*start)(const char *id), bool *detached);
/* A terminal, and stdin if io->interactive asks, as the container was made
 * with (Inspect); *running (if given) whether it runs. 0, or EXIT_CTL said. */
int ctl_attach_config(const char *id, ctl_run_io *io, bool *running);
/* exec without -d (exec_cmd.c): Exec with params (an open map, taken)
 * through Streams: its output as it comes, our stdin with -i, a terminal
 * with -t. The command's exit code. */
int ctl_exec_stream(yajl_gen params, bool interactive, bool tty);
