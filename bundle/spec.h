/* The OCI runtime-spec (v1.2) config.json, as a C model. Parsing validates
 * types and values and names the JSON path of anything wrong. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"

#define OCI_VERSION "1.2.0"

struct oci_user {
	uint32_t uid, gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username;
};

struct oci_rlimit {
	int resource; /* RLIMIT_* */
	char *type;   /* "RLIMIT_NOFILE" */
	uint64_t soft, hard;
};

enum oci_cap_set { CAPSET_BOUNDING, CAPSET_EFFECTIVE, CAPSET_INHERITABLE, CAPSET_PERMITTED, CAPSET_AMBIENT, CAPSET_COUNT };
extern const char *const oci_capset_names[CAPSET_COUNT];

struct oci_caps {
	bool present;
	/* each set: capability numbers; has[i] tells whether the key was given */
	bool has[CAPSET_COUNT];
	int *caps[CAPSET_COUNT];
	size_t n[CAPSET_COUNT];
};

struct oci_process {
	bool present;
	bool terminal;
	bool has_console_size;
	unsigned console_height, console_width;
	struct oci_user user;
	char **args;
	char **env;
	char *cwd;
	struct oci_caps caps;
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
	char *apparmor_profile;
	char *selinux_label;
};

struct oci_mount {
	char *destination;
	char *source;
	char *type;
	char **options;          /* as given, for serialisation */
	unsigned long flags;     /* MS_* to set */
	unsigned long propagation; /* MS_PRIVATE|MS_REC ... or 0 */
	uint64_t attr_set, attr_clr; /* recursive MOUNT_ATTR_* (rro, rnosuid, ...) */
	bool bind, recursive;
	bool idmap, idmap_recursive; /* "idmap"/"ridmap", or mappings given */
	bool tmpcopyup;          /* a tmpfs that starts with what the rootfs had there */
	char *data;              /* options that are not flags, comma-joined */
	struct oci_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
};

struct oci_idmap {
	uint32_t container_id, host_id, size;
};

enum oci_ns_type { NS_PID, NS_NETWORK, NS_MOUNT, NS_IPC, NS_UTS, NS_USER, NS_CGROUP, NS_TIME, NS_COUNT };
extern const char *const oci_ns_names[NS_COUNT];

struct oci_namespace {
	enum oci_ns_type type;
	char *path;
};

struct oci_device {
	char *path;
	char type; /* c, b, u or p */
	int64_t major, minor;
	bool has_mode, has_uid, has_gid;
	uint32_t file_mode, uid, gid;
};

enum oci_hook_kind { HOOK_PRESTART, HOOK_CREATE_RUNTIME, HOOK_CREATE_CONTAINER, HOOK_START_CONTAINER, HOOK_POSTSTART, HOOK_POSTSTOP, HOOK_COUNT };
extern const char *const oci_hook_names[HOOK_COUNT];

struct oci_hook {
	char *path;
	char **args;
	char **env;
	int timeout; /* seconds, 0 = none */
};

struct oci_kv {
	char *key, *value;
};

struct oci_seccomp_arg {
	unsigned index;
	uint64_t value, value_two;
	int op; /* SCMP_CMP_* numbering: see seccomp_op_names */
};

struct oci_seccomp_syscall {
	char **names;
	char *action;
	bool has_errno_ret;
	uint32_t errno_ret;
	struct oci_seccomp_arg *args;
	size_t n_args;
};

struct oci_seccomp {
	char *default_action;
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures;
	char **flags;
	char *listener_path;
	char *listener_metadata;
	struct oci_seccomp_syscall *syscalls;
	size_t n_syscalls;
};
/* Names of actions and operators the parser accepts. */
extern const char *const oci_seccomp_actions[];
extern const char *const oci_seccomp_ops[];

struct oci_linux {
	struct oci_namespace *namespaces;
	size_t n_namespaces;
	struct oci_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct oci_device *devices;
	size_t n_devices;
	char *cgroups_path;
	yajl_val resources; /* borrowed from oci_spec.tree; parsed by cgroups/ */
	struct oci_kv *sysctl;
	size_t n_sysctl;
	struct oci_seccomp *seccomp;
	char *rootfs_propagation;
	unsigned long rootfs_propagation_flags;
	char **masked_paths;
	char **readonly_paths;
	bool has_masked_paths, has_readonly_paths;
	char *mount_label;
	bool has_personality;
	char *personality_domain;
	char **personality_flags;
	struct oci_kv *net_devices; /* key = host name, value = name in container */
	size_t n_net_devices;
	bool has_time_offsets;
	int64_t time_offsets[2][2]; /* [monotonic|boottime][secs|nanosecs] */
};

struct oci_spec {
	char *oci_version;
	char *root_path;
	bool root_readonly;
	bool has_root;
	struct oci_mount *mounts;
	size_t n_mounts;
	struct oci_process process;
	char *hostname;
	char *domainname;
	struct oci_hook *hooks[HOOK_COUNT];
	size_t n_hooks[HOOK_COUNT];
	struct oci_kv *annotations;
	size_t n_annotations;
	bool has_linux;
	struct oci_linux linux_;
	yajl_val tree; /* the parsed document; owns linux_.resources */
};

/* The largest config.json read. */
#define CONFIG_MAX_BYTES (4u << 20)

/* "true": root.path is a mount of corral's own making (an image's overlay,
 * a copy bound on itself), nosuid,nodev on the host so that nobody there
 * runs the container's setuid files (images/img_rootfs.h); the container's own
 * view of it gets suid back where the kernel lets it (runtime/rootfs.h). */
#define ANNOT_ROOTFS_SUID "io.corral.rootfs.suid"
