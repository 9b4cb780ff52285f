/* cgroup v2: the container's cgroup, its lifetime and its processes. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"

struct cg_resources;

typedef struct cg {
	char *mount;   /* cgroup2 mount point, e.g. /sys/fs/cgroup */
	char *path;    /* path below the mount, starting with '/' */
	int dirfd;     /* O_DIRECTORY fd of the cgroup (for CLONE_INTO_CGROUP) */
} cg;

/* The cgroup2 mount: /sys/fs/cgroup on a pure v2 host, or the hybrid
 * /sys/fs/cgroup/unified. Returns -ENOENT when there is none. */
int cg_find_mount(const char **mount);
/* Controllers the root offers (space-separated, as in cgroup.controllers). */
int cg_root_controllers(const char *mount, char **out);

/* Create the cgroup at path (below the mount), enabling the controllers
 * that res needs down the tree. Fails, naming them, when res asks for
 * controllers the host cannot provide. Removes what it created on failure. */
int cg_create(const char *path, const struct cg_resources *res, cg **out, cerr *err);
/* Open an existing cgroup. */
int cg_open(const char *mount, const char *path, cg **out, cerr *err);
void cg_free(cg *c);
static inline void cg_freep(cg **c) { cg_free(*c); }
#define _cleanup_cg_ __attribute__((cleanup(cg_freep)))

int cg_enter(cg *c, pid_t pid, cerr *err);
/* Pids in cgroup.procs of the cgroup and its descendants. */
int cg_pids(cg *c, pid_t **pids, size_t *n, cerr *err);
/* Signal every process: cgroup.kill for SIGKILL, else iterate procs. */
int cg_signal_all(cg *c, int sig, cerr *err);
/* Remove the cgroup (and empty children), killing what is left when force;
 * retries EBUSY for a bounded time. */
int cg_destroy(cg *c, bool force, cerr *err);
/* Whether the cgroup has no processes left (cgroup.events populated 0). */
bool cg_is_empty(cg *c);
