/* create.c: The parent side of create: validate everything, then clone the
 * init into its namespaces and cgroup, write its id maps, and save the state
 * once it is ready. */
#pragma once
#include "runtime/container.h"

void container_release(struct container *c);
/* create: everything up to the exec fifo; on failure nothing is left. */
int container_create(const struct create_opts *o, struct container *c, cerr *err);
/* The same in two steps, so that a caller can prepare ahead of time. */
int container_prepare(const struct create_opts *o, struct create_prep *p, cerr *err);
int container_create_prepared(const struct create_opts *o, const struct create_prep *p, struct container *c,
			      cerr *err);
void create_prep_release(struct create_prep *p);
/* create's first and last steps, for restore: <root>/<id> made and locked
 * (the lock's fd); the config, the state of the running pid and --pid-file. */
int container_state_dir(const struct create_opts *o, char dir[PATH_MAX], cerr *err);
int container_record(const struct create_opts *o, const struct create_prep *p, const char *dir, pid_t pid,
		     const cg *cgroup, const char *created, cerr *err);
/* A state with no pid (status "creating") that names the cgroup: should
 * create or restore be killed before it saves the full state, delete
 * --force still finds the cgroup. Nothing without a cgroup. */
int container_record_creating(const struct create_opts *o, const struct create_prep *p, const char *dir,
			      const cg *cgroup, const char *created, cerr *err);
/* The state JSON that hooks get, of pid in status (restore's). */
char *container_state_json(const struct create_opts *o, const struct create_prep *p, pid_t pid, const cg *cgroup,
			   const char *created, enum rt_status status);
