/* lifecycle.c: start, kill and delete of a created container, by its state. */
#pragma once
#include "runtime/container.h"

/* start: release a created container's init. */
int container_start(const char *root, const char *id, cerr *err);
int container_kill(const char *root, const char *id, int sig, bool all, cerr *err);
int container_delete(const char *root, const char *id, bool force, cerr *err);
/* The container's state and its cgroup; with live, a stopped container is
 * an error. */
int container_open_cgroup(const char *root, const char *id, bool live, struct rt_state **state, cg **out, cerr *err);
/* The config.json saved beside the state at create. */
int container_load_spec(const char *root, const char *id, struct oci_spec **out, cerr *err);
