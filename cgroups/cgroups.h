/* cgroup v2: the container's cgroup, its lifetime and its processes. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"

struct cg_resources;

/* Bounded wait for a cgroup's processes to go when deleting it. */
#define CG_DESTROY_TIMEOUT_MS 5000
/* Where processes of a cgroup that must delegate controllers are moved. */
#define CG_LEAF_NAME "corral-leaf"

typedef struct cg {
	char *mount;   /* cgroup2 mount point, e.g. /sys/fs/cgroup */
	char *path;    /* path below the mount, starting with '/' */
	int dirfd;     /* O_DIRECTORY fd of the cgroup (for CLONE_INTO_CGROUP) */
} cg;

/* Use mount as the cgroup2 root instead of looking for one (NULL: look
 * again). Tests point it at a fake cgroupfs directory. */
void cg_set_root(const char *mount);
/* The cgroup2 mount: /sys/fs/cgroup on a pure v2 host, or the hybrid
 * /sys/fs/cgroup/unified. Returns -ENOENT when there is none. */
int cg_find_mount(const char **mount);
/* Controllers the root offers (space-separated, as in cgroup.controllers). */
int cg_root_controllers(const char *mount, char **out);

/* Why each controller of missing (space-separated) is not on cgroup v2
 * ("cpu is bound to cgroup v1 at /sys/fs/cgroup/cpu,cpuacct; ..."). */
void cg_explain_missing(const char *missing, char *out, size_t len);
/* What a node running containers needs that the cgroup2 root lacks of
 * cpu, memory, pids, io (space-separated; "" when none is missing or
 * there is no cgroup2 mount: *mount is then NULL). */
void cg_missing_standard(const char **mount, char *out, size_t len);

/* Create the cgroup at path (below the mount), enabling the controllers
 * that res needs down the tree (and, when offered, cpu io memory pids for
 * stats). Fails, naming them, when res asks for controllers the host cannot
 * provide. A process in an ancestor that must delegate is moved to a leaf
 * child (CG_LEAF_NAME). An existing empty cgroup is reused. Removes what it
 * created on failure. *out is NULL when there is no cgroup2 mount at all and
 * res needs nothing. */
int cg_create(const char *path, const struct cg_resources *res, cg **out, cerr *err);
/* Apply res to a live cgroup (`corral update`), first enabling in its
 * ancestors any controller res needs that is not delegated yet. */
int cg_update(cg *c, const struct cg_resources *res, cerr *err);
/* Open an existing cgroup; mount NULL means cg_find_mount's. */
int cg_open(const char *mount, const char *path, cg **out, cerr *err);
void cg_free(cg *c);
static inline void cg_freep(cg **c) { cg_free(*c); }
#define _cleanup_cg_ __attribute__((cleanup(cg_freep)))

/* Pids in cgroup.procs of the cgroup and its descendants. */
int cg_pids(cg *c, pid_t **pids, size_t *n, cerr *err);
/* Signal every process: cgroup.kill for SIGKILL, else iterate procs. */
int cg_signal_all(cg *c, int sig, cerr *err);
/* Remove the cgroup (and empty children), killing what is left when force;
 * retries EBUSY for a bounded time. */
int cg_destroy(cg *c, bool force, cerr *err);
/* Whether the cgroup has no processes left (cgroup.events populated 0). */
bool cg_is_empty(cg *c);
/* Wait (polling cgroup.events) until it is empty; -ETIMEDOUT after timeout. */
int cg_wait_empty(cg *c, int timeout_ms);
/* Freeze or thaw through cgroup.freeze, waiting until cgroup.events says it
 * is done; a freeze that times out is undone. */
int cg_freeze(cg *c, bool freeze, int timeout_ms, cerr *err);
int cg_frozen(cg *c, bool *frozen);
