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
#define CTL_OPT_PRUNE_FILTER \
	{ "filter", 0, OPT_LIST, "KEY=VALUE", \
	  "only what matches: until=TIME (made before it: RFC 3339, epoch seconds, or a duration ago like 24h), " \
	  "label=KEY[=VALUE], label!=KEY[=VALUE]" }

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
extern const ctl_cmd ctl_broker_cmds[];  /* ctl_broker.c: broker pub, sub, req */
extern const ctl_cmd ctl_secret_cmds[];  /* ctl_secrets.c: secret create, ls, rm */
extern const ctl_cmd ctl_volume_cmds[];  /* ctl_volumes.c: volume create, ls, inspect, rm, prune */
/* Every group, NULL-ended, as main sets it before a command runs; and the
 * options every command takes, in the order of G_*. */
extern const ctl_cmd *const *ctl_groups;
extern const ctl_opt ctl_global_opts[];
enum { G_SOCKET, G_TIMEOUT, G_JSON, G_HELP, G_COUNT };

/* What a verb adds to a call's parameters from its options; 0 or nonzero. */
typedef int (*ctl_add_fn)(const ctl_args *a, yajl_gen g);
/* What it prints of a reply; 0 or an exit code. */
typedef int (*ctl_show_fn)(const ctl_args *a, const char *arg, yajl_val reply);

/* Helpers the verbs share. */

/* How a foreground run (or attach) meets the container's stdio. */
typedef struct ctl_run_io {
	bool interactive;        /* -i: our stdin is its stdin */
	bool tty;                /* -t: it has a terminal */
	bool sig_proxy;          /* --sig-proxy (default on): our signals are its */
	const char *detach_keys; /* --detach-keys; NULL: the default */
} ctl_run_io;
