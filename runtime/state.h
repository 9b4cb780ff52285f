/* The CLI's per-container state: <root>/<id>/state.json and exec.fifo. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"

#define DEFAULT_STATE_ROOT "/run/corral/runtime"
#define EXEC_FIFO "exec.fifo"

enum rt_status { ST_CREATING, ST_CREATED, ST_RUNNING, ST_PAUSED, ST_STOPPED };
extern const char *const rt_status_names[];

struct rt_state {
	char *id;
	char *bundle;
	char *rootfs;
	char *created;   /* RFC 3339 with nanoseconds */
	char *owner;
	pid_t pid;
	unsigned long long pid_start; /* /proc/<pid>/stat starttime: guards reuse */
	char *cgroup_mount, *cgroup_path;
	yajl_val annotations; /* object or NULL; owned */
	bool systemd_cgroup;
};

void rt_state_free(struct rt_state *s);
static inline void rt_state_freep(struct rt_state **s) { rt_state_free(*s); }
#define _cleanup_state_ __attribute__((cleanup(rt_state_freep)))

/* Container ids: [A-Za-z0-9_+.-], not "." or "..", at most 1024 bytes. */
int validate_id(const char *id, cerr *err);
/* flags as write_file_atomic_ex's (the runtime's records pass
 * WFA_NO_SYNC: see create.c's copy_config) */
int state_save(const char *dir, const struct rt_state *s, unsigned flags, cerr *err);
/* --pid-file: pid in decimal, replacing path whole; not synced (see
 * create.c's copy_config) */
int state_write_pid_file(const char *path, pid_t pid, cerr *err);
/* Load <root>/<id>; a missing container is -ENOENT "container X does not exist". */
int state_load(const char *root, const char *id, struct rt_state **out, cerr *err);
enum rt_status state_status(const char *root, const struct rt_state *s);
/* The runtime-spec state object (plus created, rootfs and owner, as runc). */
char *state_to_json(const struct rt_state *s, enum rt_status st, bool pretty);
/* starttime of pid from /proc, or 0 when gone. */
unsigned long long proc_starttime(pid_t pid);
/* A pidfd for the container's init, verified against pid_start; -ESRCH when gone. */
int state_pidfd(const struct rt_state *s);
/* Take an exclusive lock on <root>/<id> (the directory fd). */
int state_lock(const char *dir);
