/* netdevices.c: linux.netDevices across the container's life. */
#pragma once
#include "runtime/container.h"

/* linux.netDevices: pin pid's network namespace in the state directory;
 * later give the devices back to the host and unpin it (warnings only). */
int netdev_pin(const char *dir, pid_t pid, cerr *err);
void netdev_release(const char *dir, const struct oci_linux *l);
