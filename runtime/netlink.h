/* Network namespace setup over rtnetlink (libmnl): no `ip` binary. */
#pragma once
#include <sys/types.h>
#include "bundle/spec.h"

/* Bring lo up in the calling process's network namespace. */
int net_loopback_up(cerr *err);
/* Move each linux.netDevices interface into the network namespace of pid,
 * renaming it as asked. Runs in the host namespace. */
int net_move_devices(const struct oci_linux *l, pid_t pid, cerr *err);
/* Move them back (on delete or failed create), by their container names. */
int net_return_devices(const struct oci_linux *l, int netns_fd, cerr *err);
