/* ContainerSpec.privileged, as podman --privileged gives it: every
 * capability corrald's bounding set has, no seccomp filter, no masked or read-only /proc and /sys
 * paths, /sys and /sys/fs/cgroup writable, no no_new_privileges, and the
 * host's devices: each device node of the host's /dev (not its pts, shm
 * and mqueue mounts) is made in the container's /dev, and its device
 * cgroup allows every device. It stays a container all the same: its own
 * namespaces, root filesystem and cgroup limits. Only root may ask for it
 * (CreateContainer answers PermissionDenied to a group member). */
#pragma once
#include <stdbool.h>
#include <yajl/yajl_gen.h>

/* A member of the default config's "linux" that privileged leaves out. */
bool ctr_privileged_drops(const char *linux_key);
/* "devices": the host's device nodes, as linux.devices entries. */
void ctr_privileged_gen_devices(yajl_gen g);
/* One linux.devices entry: the node st describes, at path in the container */
struct stat;
void ctr_gen_device_node(yajl_gen g, const char *path, const struct stat *st);
/* "devices" of linux.resources: allow every device. */
void ctr_privileged_gen_device_rule(yajl_gen g);
