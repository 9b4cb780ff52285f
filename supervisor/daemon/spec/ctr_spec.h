/* ContainerSpec from a CreateContainer call, checked field by field, so the
 * lifecycle gets values it can use as they are. */
#pragma once
#include "supervisor/daemon/spec/spec_fields.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "common/json_get.h"
#include "supervisor/daemon/spec/restart_policy.h"
#include "supervisor/daemon/spec/spec_fields.h"
#include "supervisor/daemon/spec/ports.h"

/* none: a network namespace with lo down; loopback: lo up; host: the
 * host's namespace; cni: lo up and the CNI network net_name attached;
 * container: the namespace of net_container, joined at each start. */
enum ctr_network { CTR_NET_NONE, CTR_NET_LOOPBACK, CTR_NET_HOST, CTR_NET_CNI, CTR_NET_CONTAINER };
/* spec.pidNamespace, spec.ipcNamespace: the default (its session's where
 * the session shares it, else its own), its own always, the host's, or
 * (PID only) another container's, "container:REF" */
enum ctr_ns_mode { CTR_NS_DEFAULT, CTR_NS_PRIVATE, CTR_NS_HOST, CTR_NS_CONTAINER };

typedef struct ctr_mount {
	char *source, *destination;
	bool readonly;
	bool readonly_recursive; /* its submounts read-only too (the runtime's "rro") */
	bool idmap; /* its owners seen through the container's user namespace */
	bool create_source; /* a missing source directory is made (mkdir -p) as its owner, as Docker's -v */
	mode_t source_type; /* S_IFDIR, S_IFREG, ...: what the source must be (a hostPath's type); 0: any */
	const char *propagation; /* "rslave", ...; NULL: the runtime's default */
} ctr_mount;

/* A mount of type "volume" (supervisor/daemon/volumes): a named volume,
 * made on first use; name NULL until Create makes up an anonymous one. */
typedef struct ctr_volume {
	char *name, *destination;
	bool readonly;
	bool anonymous; /* made by this container for itself */
	bool no_copy;   /* a new one is not filled from the image (Docker's volume-nocopy) */
	bool as_bind;   /* a member's bind volume: a bind mount of spec.mounts,
			 * its device opened and pinned as the member's binds are */
	uid_t owner;    /* whose names it is one of: the container's owner's
			 * (set when it is resolved, or its record loaded) */
} ctr_volume;

/* A tmpfs the container gets ("/path[:opt,opt]" as podman --tmpfs). */
typedef struct ctr_tmpfs {
	char *destination;
	char **options; /* as given; the bundle adds podman's defaults */
} ctr_tmpfs;

/* A secret delivered as a file (supervisor/daemon/secrets): a reference,
 * never the value. */
typedef struct ctr_secret {
	char *name;
	char *target;  /* absolute, in the container: /run/secrets/NAME by default */
	int64_t uid;   /* the file's owner; -1: the container's user */
	unsigned mode; /* 0400 by default */
	bool mask;     /* log lines holding the value are written as [REDACTED] */
	char *id;      /* the secret's identity (secret_id) when Create checked it, kept in
			* record.json's "secretIds"; NULL: a record from before identities */
} ctr_secret;

/* One of spec.ulimits: a process rlimit ("RLIMIT_NOFILE"); UINT64_MAX is
 * unlimited */
typedef struct ctr_ulimit {
	char type[24];
	uint64_t soft, hard;
} ctr_ulimit;

/* A host device in the container (spec.devices): containerPath NULL is
 * hostPath; permissions NULL is rwm */
typedef struct ctr_device {
	char *host_path, *container_path, *permissions;
} ctr_device;

typedef struct ctr_spec {
	char *image;
	char *name;      /* NULL: generate one */
	char **command;  /* NULL: the image's Cmd */
	char **entrypoint; /* NULL: the image's; empty: none (bundle/command.h) */
	char *hostname;  /* NULL: the container's name */
	char *domainname; /* its UTS namespace's (Docker's --domainname); NULL: none */
	char *apparmor;  /* apparmorProfile: NULL is corrald's default where AppArmor is on */
	char **dns;      /* nameserver IPs (spec/names.h); NULL: the host's */
	char **dns_search, **dns_options; /* search domains and resolver options; NULL: the host's */
	char **extra_hosts; /* "NAME:IP" lines for its /etc/hosts */
	char **network_aliases; /* more names it has on its network (compose's service name) */
	char **env;      /* KEY=VALUE */
	char *workdir, *user;
	ctr_mount *mounts;
	size_t n_mounts;
	ctr_tmpfs *tmpfs;
	size_t n_tmpfs;
	ctr_volume *volumes;
	size_t n_volumes;
	ctr_secret *secrets;
	size_t n_secrets;
	int64_t memory;  /* bytes; -1: no limit */
	double cpus;     /* 0: no limit */
	int64_t pids;    /* -1: no limit */
	/* Docker's --memory-swap, memory plus swap (-1: no limit on swap), and
	 * --memory-reservation (memory.low); 0: none */
	long long memory_swap, memory_reservation;
	/* memory, pids: the policy's default, not asked for; such a limit is
	 * dropped where the host lacks its controller (the bundle's
	 * CG_OPTIONAL_LIMITS_ANNOTATION) */
	bool memory_defaulted, pids_defaulted;
	restart_policy restart;
	enum ctr_network network;
	bool network_default; /* not given: corrald's default-network (ctr_spec_default_network) */
	char *net_name;  /* CTR_NET_CNI: the network */
	char *net_container; /* CTR_NET_CONTAINER: the container as given, its id from Create on */
	char *ip_address, *mac_address; /* CTR_NET_CNI: eth0's, fixed (docker run --ip, --mac-address); NULL: CNI's */
	cni_port *ports; /* published (CTR_NET_CNI only) */
	size_t n_ports;
	char **labels;   /* key, value, key, value, ..., NULL */
	char *session;   /* spec.session: the session it is a member of (sessions/session.h); NULL: none */
	bool userns_auto; /* spec.userns "auto": a user namespace of its own (ctr_ids.h); a member's always */
	bool userns_host; /* spec.userns "host": the host's ids, which only root's may have */
	/* spec.usernsIds (root's): container ids 0 to size - 1 are host ids
	 * uid.. and gid.. (kubelet's for a pod without hostUsers); size 0: none */
	struct ctr_userns_ids { uint32_t uid, gid, size; } userns_ids;
	bool session_dns; /* its network is its session's CNI network: it gets a resolv.conf */
	bool tty;
	unsigned console_rows, console_cols; /* spec.consoleSize, with tty; 0: none given */
	bool interactive;  /* stdin kept open (the monitor holds it) */
	bool stdin_once;   /* spec.stdinOnce: the first attached client's end of input ends stdin (Docker's StdinOnce) */
	bool read_only;    /* the root filesystem is mounted read-only */
	bool no_read_only_tmpfs; /* with read_only: no tmpfs on /run, /tmp, /var/tmp (Docker's --read-only) */
	bool init;         /* catatonit (or tini) runs as pid 1 (ctr_init.h) */
	bool privileged;   /* every capability and device, no seccomp (ctr_privileged.h) */
	bool auto_remove;  /* removed once it has stopped */
	uint64_t caps;   /* podman's default set, less capDrop, plus capAdd */
	uint64_t caps_ambient; /* spec.capAmbient, of caps: inheritable and ambient too */
	int stop_signal;        /* Create puts the image's here unless stop_signal_given */
	bool stop_signal_given; /* spec.stopSignal */
	unsigned stop_timeout;
	struct health_check *healthcheck; /* spec.healthcheck (spec/healthcheck.h); Create puts the image's here */
	bool no_healthcheck;              /* spec.noHealthcheck: not the image's either */
	/* a node agent's (ctr_spec_node.c) */
	char *log_path;      /* spec.logPath: the CRI log here, not in its directory (root's only) */
	char *cgroup_parent; /* spec.cgroupParent: its cgroup's parent, not corrald's (root's only) */
	char **sysctls;      /* spec.sysctls: key, value, ..., NULL */
	/* a node agent's confinement (ctr_spec_confine.c) */
	long long *groups;   /* spec.groups: more group ids for its process */
	size_t n_groups;
	char **group_names;  /* spec.groupNames: more, by the image's /etc/group */
	bool new_privs_allowed; /* spec.noNewPrivileges given false: setuid files work (zero: no_new_privs) */
	char **masked_paths, **readonly_paths; /* in place of corral's, when given (root's) */
	bool masked_given, readonly_given;
	char *seccomp_profile; /* "unconfined" or a host file (root's); NULL: corral's */
	ctr_device *devices;   /* root's */
	enum ctr_ns_mode pid_ns, ipc_ns; /* the host's is root's */
	enum ctr_ns_mode uts_ns, cgroup_ns; /* private or host (root's) */
	char *pid_target;                /* CTR_NS_CONTAINER: that container's id or name */
	/* spec.selinuxOptions (root's): parts of its SELinux label, each NULL
	 * for the policy's container default (engine/ctr_selinux.h) */
	struct ctr_selinux { char *user, *role, *type, *level; } selinux;
	bool selinux_given;
	size_t n_devices;
	/* resources past memory, cpus and pids (kubelet's) */
	long long cpu_shares;  /* 0: none */
	char *cpuset_cpus, *cpuset_mems;
	int oom_score_adj;     /* process.oomScoreAdj; below 0 is root's */
	struct ctr_hugepages {
		char page_size[16]; /* "2MB" */
		long long limit;    /* bytes */
	} *hugepages;
	size_t n_hugepages;
	char **unified;        /* cgroup v2 file, value, ..., NULL (root's) */
	/* ctr_spec_limits.c */
	ctr_ulimit *ulimits;   /* over the default's rlimits */
	size_t n_ulimits;
	long long shm_size;    /* /dev/shm's bytes; 0: the default's */
	long long log_max_size;  /* its log rotates past these bytes; 0: corrald's log-max-size */
	long long log_max_files; /* and keeps this many files; 0: corrald's log-max-files */
} ctr_spec;


/* On failure *f names the field ("spec.mounts[1].source") and says why. */
int ctr_spec_parse(yajl_val v, const char *default_restart, unsigned default_stop_timeout, ctr_spec *out,
		   json_fault *f);
void ctr_spec_release(ctr_spec *s);
/* Create: the image's STOPSIGNAL (NULL: none) stops it unless the spec
 * names one (Docker's merge; containerd's CRI too); -EINVAL when it is no
 * signal, and SIGTERM stays. */
int ctr_spec_image_stop_signal(ctr_spec *s, const char *image_signal);
