/* corrald's containers: the in-memory model, its record.json, lookup, and
 * the lifecycle in engine/.
 *
 * record.json, one per containers/<id>/, written atomically on every
 * change: {"id", "name", "image", "imageDigest", "imageManifest"?,
 * "created", "command"?: the args it runs, "publishedPorts"?: the host port
 * of each of spec.ports (corrald picked those given as 0),
 * "spec": the ContainerSpec as given, "status", "pid",
 * "hasExit", "exitCode", "signal", "oomKilled", "startedAt", "finishedAt",
 * "restartCount", "restartsSinceReset", "stoppedByUser", "hasRun", "owner",
 * "secretIds"?: the identity (secret_id) each of spec.secrets was bound to at
 * Create}. Keys
 * are camelCase, as everywhere in the interface; the loader also takes the
 * snake_case spelling (exit_code, oom_killed, started_at, finished_at,
 * restart_count, has_exit, ...) that early records and exit.json used. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "common/fileio.h"
#include "common/strbuf.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/daemon/spec/restart_policy.h"
#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/api/monitor_iface.h"
#include "supervisor/varlink/server.h"

struct corrald;

/* paused: running, with its cgroup frozen (Pause) */
enum ctr_status_kind { CS_CREATED, CS_RUNNING, CS_EXITED, CS_RESTARTING, CS_REMOVING, CS_PAUSED, CS_COUNT };
extern const char *const ctr_status_str[CS_COUNT];

#define CTR_ID_LEN 64
#define CTR_RECORD_FILE "record.json" /* in the container's directory */
#define CTR_FILLING_FILE "filling"    /* there while a Create's fill runs (ctr_service.h) */
#define CTR_RECORD_MODE 0600
#define CTR_MAX_WAITERS 64

struct ctr_done;
/* ExecCreate's instances (methods/ctr_exec.c): kept on their container,
 * newest first, and freed with it; the monitor writes each one's pid and
 * exit code to DIR/execs/ID (monitor/exec_session.h). */
#define CTR_EXEC_ID_LEN 64
typedef struct ctr_exec_inst {
	struct ctr_exec_inst *next;
	char id[CTR_EXEC_ID_LEN + 1];
	char *params; /* ExecCreate's, as JSON */
	bool started;
} ctr_exec_inst;
#define CTR_MAX_EXECS 256 /* kept per container: the oldest ended go first */
typedef struct ctr_spawn ctr_spawn;

typedef struct ctr {
	char id[CTR_ID_LEN + 1];
	char *name, *image, *image_digest;
	char *image_manifest; /* of a store image: what its hold keeps; else NULL */
	char **command;         /* the args it runs, image defaults composed in (record "command") */
	char created[64];
	char *spec_json;  /* the ContainerSpec, as given */
	yajl_val spec_tree; /* spec_json parsed once, for List and Inspect */
	ctr_spec spec;
	enum ctr_status_kind status;
	pid_t pid;
	bool has_exit;
	bool ended_unseen;      /* it ended while no corrald ran: adoption says so */
	int exit_code, signal;
	bool oom_killed;
	bool stop_killed;       /* its last Stop had to SIGKILL it (exit.json) */
	char started_at[64], finished_at[64];
	char end_reason[64];    /* why it ended when its own exit is not why: "host rebooted" */
	char *start_error;      /* why its last start failed, until one succeeds (record "startError") */
	unsigned restart_count;
	char net_last_ip[48];    /* its address before its last DEL: a restart asks for it again */
	restart_tally rs;
	bool stopped_by_user, has_run;
	bool remove_volumes;    /* Remove with volumes: its anonymous volumes go with it (not recorded) */
	bool checkpointed;      /* down, with a checkpoint to restore (record "checkpointed") */
	bool checkpointing;     /* a Checkpoint's dump was begun (recorded): an end it makes is no failure */
	bool dumping;           /* that dump runs, a child of this corrald */
	bool pausing;           /* a freeze runs (ctr_freeze_async), a child of this corrald */
	bool repinning;         /* its bind sources are being pinned again, as its member (ctr_repin.h) */
	bool checkpoint_ending; /* dumped; the Checkpoint is answered once its end is heard */
	struct ctr_done *checkpoint_done; /* that Checkpoint's, while its client waits */
	bool restoring;         /* its monitor restores it rather than creates it */
	uid_t owner;            /* the peer that created it (record "owner"; 0 when absent) */
	/* a member's gid and groups when it created it (record "ownerGid",
	 * "ownerGroups"): its bind sources are opened so again after a reboot */
	gid_t owner_gid;
	gid_t *owner_groups;
	unsigned n_owner_groups;
	char **pin_sources;     /* each pinned bind's source as it was given (record "pinSources") */
	bool stop_pending;           /* a Stop came while a restart was starting */
	bool stop_said;              /* a Stop or Restart signalled it: its "stop" event follows its "die" */
	bool remove_pending;         /* a forced Remove came while it was starting */
	bool restart_wanted;         /* a Restart stops it: start it once it has ended */
	struct ctr_done *restart_done;    /* that Restart's, while its client waits */
	unsigned stop_pending_timeout;
	uint64_t started_mono;
	int mon_fd;             /* a connection to monitor.sock: EOF = monitor gone */
	ctr_spawn *spawn;       /* a monitor starting it, until it reports */
	/* clients that attached before the start (run -it): their Streams
	 * sockets go to the monitor with "go", so that no output is missed */
	int attach_fds[MONITOR_MAX_ATTACH];
	bool attach_stdin[MONITOR_MAX_ATTACH];
	size_t n_attach;
	el_source *mon_src, *restart_timer;
	struct ctr_done *waiters; /* the calls that wait on it (ctr_waiters.h) */
	ctr_exec_inst *execs;   /* newest first */
	unsigned n_execs;
	struct health_checker *health; /* its health checker (health/checker.h); NULL: none yet */
	struct corrald *d;
	struct ctr *next;
	/* List's cache: the Container object as JSON, valid while the state it
	 * was made from (list_key) is unchanged; the rest never changes */
	char *list_json;
	size_t list_len;
	struct ctr_list_key {
		int status, pid, has_exit, exit_code, signal, oom_killed, checkpointed;
		unsigned restart_count, features; /* the sum of the features' version() */
		char started_at[64], finished_at[64];
	} list_key;
} ctr;

ctr *ctr_find(struct corrald *d, const char *ref); /* id, unique id prefix, or name */
/* A peer other than root reaches only the containers it made (owner): the
 * others are not there for it (corrald(8) SECURITY). NULL peer: corrald. */
bool ctr_visible_to(const ctr *c, const peer_cred *peer);
ctr *ctr_find_for(struct corrald *d, const char *ref, const peer_cred *peer);
/* c's name as viewer is shown it (NULL: corrald's own word): NAME, or to
 * root a member's NAME@UID (owned_name.h), into buf */
const char *ctr_shown_name(const ctr *c, const peer_cred *viewer, char *buf, size_t n);
/* owner's container name (each owner's names are its own: owned_name.h) */
ctr *ctr_by_name(struct corrald *d, uid_t owner, const char *name);
ctr *ctr_by_id(const struct corrald *d, const char *id); /* the whole id, nothing else */
/* A new container of d, with nothing in it yet; NULL when out of memory. */
ctr *ctr_new(struct corrald *d);
/* Close the sockets of c's clients attached before the start: they hear
 * the end of their stream. */
void ctr_drop_attached(ctr *c);
/* Free c, and what the features (the engine first) hang on it. */
void ctr_free(ctr *c);
static inline void ctr_freep(ctr **c) { ctr_free(*c); }
size_t ctr_count(const struct corrald *d, int status /* -1: all */);
/* Its process exists: running or paused. */
static inline bool ctr_alive(const ctr *c) { return c->status == CS_RUNNING || c->status == CS_PAUSED; }
void ctr_update_gauges(struct corrald *d);

/* Free every container, answering nothing (corrald's exit). */
void ctr_shutdown_all(struct corrald *d);
