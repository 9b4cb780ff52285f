/* Network namespace setup over rtnetlink: no `ip` binary. */
#pragma once
#include <stdint.h>
#include <sys/types.h>
#include <linux/netlink.h>
#include "bundle/spec.h"

/* Bring lo up in the calling process's network namespace. */
int net_loopback_up(cerr *err);
/* Delete the device name in the calling process's network namespace (its
 * addresses and routes go with it); 0 if there is none. */
int net_link_delete(const char *name, cerr *err);
/* A restored container's network namespace, which criu made empty: lo up
 * and l's net.* sysctls, from a child that joins pid's. */
int net_restored_setup(pid_t pid, const struct oci_linux *l, cerr *err);
/* Move each linux.netDevices interface into the network namespace of pid,
 * renaming it as asked (in the same request, so the new name never exists
 * in the host). Runs in the host namespace. */
int net_move_devices(const struct oci_linux *l, pid_t pid, cerr *err);
/* Move them back (on delete or failed create), by their container names:
 * netns_fd is the container's network namespace; they return to the
 * caller's namespace under their host names. Devices no longer in the
 * container are skipped. Briefly setns()es the calling thread. */
int net_return_devices(const struct oci_linux *l, int netns_fd, cerr *err);
/* The same, into the namespace of host_fd, or of pid 1 when host_fd < 0. */
int net_return_devices_to(const struct oci_linux *l, int netns_fd, int host_fd, cerr *err);

/* Request builders (RTM_NEWLINK, NLM_F_ACK) into buf, which must hold
 * NET_MSG_BUF bytes. */
#define NET_MSG_BUF 8192
struct nlmsghdr *net_msg_link_up(void *buf, int ifindex, uint32_t seq);
/* Into pid's namespace when pid > 0, else netns_fd's; renamed when name. */
struct nlmsghdr *net_msg_link_move(void *buf, int ifindex, const char *name, pid_t pid, int netns_fd, uint32_t seq);
