/* The options of create and run into a ContainerSpec (spec.c). */
#pragma once
#include <stdbool.h>
#include <yajl/yajl_gen.h>
#include "supervisor/ctl/opts.h"

/* A container's limits and restart policy: create's and run's, and
 * update's, which changes them in place. */
#define CTL_OPT_RESTART { "restart", 0, OPT_STR, "POLICY", "no, on-failure[:N], always or unless-stopped" }
#define CTL_OPT_LIMITS \
	{ "memory", 'm', OPT_SIZE, "SIZE", "memory limit: 512m, 2g" }, \
	{ "memory-swap", 0, OPT_STR, "SIZE", "memory plus swap limit, at least --memory; -1: no limit on swap" }, \
	{ "memory-reservation", 0, OPT_SIZE, "SIZE", "memory kept from reclaim (memory.low), at most --memory" }, \
	{ "cpus", 0, OPT_FLOAT, "NUMBER", "CPUs it may use: 0.5, 2" }, \
	{ "pids-limit", 0, OPT_INT, "N", "processes and threads it may have" }, \
	{ "cpu-shares", 0, OPT_INT, "N", "its CPU weight against others, as cgroup v1's shares (1024: one)" }, \
	{ "cpuset-cpus", 0, OPT_STR, "CPUS", "the CPUs it may use: 0-3,8" }, \
	{ "cpuset-mems", 0, OPT_STR, "NODES", "the memory nodes it may use: 0,1" }

/* The options every ContainerSpec is made of, shared by create's and
 * run's tables. */
#define CTL_SPEC_OPTS \
	{ "name", 0, OPT_STR, "NAME", "the container's name (default: a generated adjective_noun)" }, \
	{ "env", 'e', OPT_LIST, "KEY[=VALUE]", "set a variable; KEY alone passes the host's value" }, \
	{ "env-file", 0, OPT_LIST, "FILE", "read KEY=VALUE lines from FILE (# comments)" }, \
	{ "volume", 'v', OPT_LIST, "SRC:DST[:OPTS]", \
	  "bind-mount a host path, or mount a volume (NAME:DST, or /DST for an anonymous one); OPTS: ro, rw, z, Z, [r]private, [r]shared, [r]slave" }, \
	{ "tmpfs", 0, OPT_LIST, "PATH[:OPTS]", "mount a tmpfs at PATH (OPTS as mount(8): size=64m,mode=1777)" }, \
	{ "workdir", 'w', OPT_STR, "DIR", "the working directory inside" }, \
	{ "user", 'u', OPT_STR, "USER[:GROUP]", "run as USER, a name in the image or a number" }, \
	{ "label", 'l', OPT_LIST, "KEY=VALUE", "set a label" }, \
	{ "tty", 't', OPT_FLAG, "", "give the process a terminal" }, \
	{ "interactive", 'i', OPT_FLAG, "", "keep stdin open" }, \
	{ "entrypoint", 0, OPT_STR, "CMD", "replace the image's ENTRYPOINT: a command, a JSON array, or \"\"" }, \
	{ "hostname", 'h', OPT_STR, "NAME", "the container's hostname (default: its name)" }, \
	{ "add-host", 0, OPT_LIST, "NAME:IP", "add a line to its /etc/hosts" }, \
	{ "network-alias", 0, OPT_LIST, "NAME", "another name it has on its network (in its peers' /etc/hosts)" }, \
	{ "dns", 0, OPT_LIST, "IP", "a nameserver for its /etc/resolv.conf, in place of the host's" }, \
	{ "read-only", 0, OPT_FLAG, "", "mount the root filesystem read-only" }, \
	{ "init", 0, OPT_FLAG, "", "run an init (catatonit or tini) as pid 1 that reaps and forwards signals" }, \
	{ "privileged", 0, OPT_FLAG, "", "every capability and device, no seccomp (root only)" }, \
	{ "rm", 0, OPT_FLAG, "", "remove the container once it has stopped" }, \
	CTL_OPT_RESTART, \
	CTL_OPT_LIMITS, \
	{ "network", 0, OPT_STR, "NETWORK", \
	  "none, loopback (lo up alone), host, container:CONTAINER (its namespace), or a network's name " \
	  "(default: corrald's default-network, corral)" }, \
	{ "session", 0, OPT_STR, "SESSION", \
	  "a member of SESSION (session create): its namespaces, network and broker socket" }, \
	{ "publish", 'p', OPT_LIST, "[IP:]HOSTPORT:CTRPORT[/PROTO]", "publish a container port on the host (tcp or udp)" }, \
	{ "ip", 0, OPT_STR, "ADDRESS", "its fixed address on its network, in the network's subnet" }, \
	{ "mac-address", 0, OPT_STR, "MAC", "its interface's fixed MAC address on its network" }, \
	{ "uts", 0, OPT_STR, "MODE", "private (default) or host: the host's UTS namespace and hostname (root only)" }, \
	{ "cgroupns", 0, OPT_STR, "MODE", "private (default) or host: the host's cgroup namespace (root only)" }, \
	{ "pid", 0, OPT_STR, "MODE", \
	  "private: a PID namespace of its own, also in a session that shares one; host: the host's (root only); container:NAME: a running container's" }, \
	{ "ipc", 0, OPT_STR, "MODE", \
	  "private: an IPC namespace of its own, also in a session that shares one; host: the host's and its /dev/shm (root only)" }, \
	{ "userns", 0, OPT_STR, "MODE", \
	  "auto: a user namespace of corrald's ids, root inside not root outside (a member's always has one)" }, \
	{ "stop-signal", 0, OPT_STR, "SIGNAL", "the signal stop sends first (default: the image's STOPSIGNAL, else SIGTERM)" }, \
	{ "stop-timeout", 0, OPT_INT, "SECONDS", "how long stop waits before SIGKILL (default 10)" }, \
	{ "cap-add", 0, OPT_LIST, "CAP", "add a capability (NET_ADMIN, or ALL)" }, \
	{ "cap-drop", 0, OPT_LIST, "CAP", "drop a capability (or ALL)" }, \
	{ "security-opt", 0, OPT_LIST, "OPTION", \
	  "no-new-privileges[=false]; apparmor=PROFILE; seccomp=unconfined or a profile's path; label=disable, " \
	  "user:, role:, type: or level:; systempaths=unconfined (all but no-new-privileges root only)" }, \
	{ "ulimit", 0, OPT_LIST, "NAME=SOFT[:HARD]", "an rlimit of its process: nofile=1024:4096, nproc, core, ... (-1: unlimited)" }, \
	{ "shm-size", 0, OPT_SIZE, "SIZE", "the size of its /dev/shm (default 64m)" }, \
	{ "log-opt", 0, OPT_LIST, "max-size=SIZE|max-file=N", \
	  "its log rotates past SIZE and keeps N files (1 unless said), in place of corrald's" }, \
	{ "sysctl", 0, OPT_LIST, "KEY=VALUE", "a sysctl of its namespaces (a member: Kubernetes' safe ones)" }, \
	{ "group-add", 0, OPT_LIST, "GROUP", "another group for its process: an id, or a name in the image's /etc/group" }, \
	{ "device", 0, OPT_LIST, "HOST[:CTR[:PERMS]]", "a host device in it, PERMS of rwm (root only)" }, \
	{ "dns-search", 0, OPT_LIST, "DOMAIN", "a search domain for its /etc/resolv.conf" }, \
	{ "dns-option", 0, OPT_LIST, "OPTION", "a resolver option for its /etc/resolv.conf (ndots:2)" }, \
	{ "oom-score-adj", 0, OPT_STR, "N", "its OOM score adjustment, -1000 to 1000 (below 0: root only)" }, \
	{ "secret", 0, OPT_LIST, "NAME[,OPTS]", \
	  "give it a secret as a file, /run/secrets/NAME; OPTS: target=PATH, uid=U, mode=0400, mask=true " \
	  "(output lines holding the value show [REDACTED]: logs, run, attach, exec)" }, \
	{ "health-cmd", 0, OPT_STR, "CMD", "a health check: a shell command (or a JSON array) run in it every interval" }, \
	{ "health-interval", 0, OPT_DURATION, "DURATION", "between health checks (default 30s)" }, \
	{ "health-timeout", 0, OPT_DURATION, "DURATION", "a check that runs longer is killed and fails (default 30s)" }, \
	{ "health-retries", 0, OPT_INT, "N", "failures in a row that make it unhealthy (default 3)" }, \
	{ "health-start-period", 0, OPT_DURATION, "DURATION", "failures in it do not count, until a success (default 0s)" }, \
	{ "health-on-failure", 0, OPT_STR, "ACTION", "when unhealthy: none, kill or restart (default none)" }, \
	{ "no-healthcheck", 0, OPT_FLAG, "", "no health check, not even the image's HEALTHCHECK" }, \
	{ "pull", 0, OPT_STR, "POLICY", "missing (the default): pull an image not in the store; always, newer or never" }

