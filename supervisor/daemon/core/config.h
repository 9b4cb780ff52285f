/* corrald's settings: defaults, then /etc/corral/corrald.conf (`key = value`
 * lines, documented in corrald.conf(5)), then command-line flags, which use
 * the same names (`--max-connections 64`). */
#pragma once
#include "images/registry/conf.h"
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "common/error.h"

#define CORRALD_DEFAULT_CONFIG "/etc/corral/corrald.conf"
#define CORRALD_SOCKET_DEFAULT "/run/corral/corrald.sock"
#define DOCKER_SOCKET_DEFAULT "/run/corral/docker.sock"
#define CRI_SOCKET_DEFAULT "/run/corral/cri.sock"

enum cg_delegate { CG_DELEGATE_AUTO, CG_DELEGATE_YES, CG_DELEGATE_NO };

typedef struct corrald_config {
	char *socket;
	mode_t socket_mode;
	char *group;
	char *state_dir;
	char *audit_log; /* empty: <state-dir>/audit.log */
	size_t audit_log_max_size;
	unsigned audit_log_max_files;
	size_t events_log_max_size; /* <state-dir>/events.log rotates past it, one older file kept */
	size_t log_max_size;    /* container logs */
	unsigned log_max_files;
	char *log_level;
	char *log_format;
	size_t max_connections;
	size_t max_connections_per_uid;
	size_t rate_limit_per_uid;   /* control socket calls a second per peer uid; 0: none */
	size_t rate_limit_burst;     /* calls saved up; 0: one second's worth */
	size_t connect_rate_per_uid; /* new control socket connections a second per non-root uid; 0: none */
	size_t connect_rate_burst;   /* connections saved up; 0: one second's worth */
	/* the same on the Docker socket, where each costs a corral-docker */
	size_t docker_connect_rate_per_uid, docker_connect_rate_burst;
	size_t max_message_size;
	char *metrics_listen; /* empty: off */
	/* the Docker API's; empty: off; auto: DOCKER_SOCKET_DEFAULT beside the
	 * default socket, off beside any other (a test's corrald, say) */
	char *docker_socket;
	char *docker_user;    /* corral-docker's: NAME or UID:GID */
	size_t docker_idle_timeout; /* seconds a Docker API client may send nothing while a request is read or between requests */
	/* the CRI's, as docker_socket (CRI_SOCKET_DEFAULT); corral-cri runs as cri_user */
	char *cri_socket;
	char *cri_user;
	/* the CRI's streaming server: HOST:PORT, "" off, "auto" 127.0.0.1:0
	 * where the CRI is served (config_stream_address); corral-stream runs
	 * as stream_user; a stream with no traffic ends after the timeout */
	char *stream_address;
	char *stream_user;
	size_t stream_idle_timeout;
	char *cgroup_parent;  /* empty: beside corrald's own leaf */
	enum cg_delegate cgroup_delegate;
	char *cgroup_manager; /* systemd, cgroupfs, or auto: systemd where PID 1 is */
	char *default_restart;
	char *monitor; /* empty: corral-monitor beside corrald */
	unsigned default_stop_timeout;
	size_t max_jobs; /* jobs running at once */
	char *policy; /* the policy file (corrald.conf(5) POLICY); empty: the built-in policy */
	char *cni_path;       /* CNI plugins: directories, ':'-separated */
	char *cni_config_dir; /* networks: one conflist each (network/netconf.h) */
	char *default_network; /* a ContainerSpec's network when it names none */
	/* pulls: registry-search, -mirror, -insecure, -blocked (lists that
	 * add up over lines), registry-certs-dir, registry-stall-timeout */
	reg_conf registries;
	char *registry_certs_dir;
	size_t registry_stall_timeout;
	size_t pull_timeout; /* seconds a whole pull may take */
	size_t pull_parallel;
} corrald_config;

int config_init(corrald_config *c, cerr *err);
void config_release(corrald_config *c);
/* Set one key from text; `where` prefixes errors ("corrald.conf:3"). */
int config_set(corrald_config *c, const char *key, const char *value, const char *where, cerr *err);
/* The Docker API's socket path, auto resolved; "" when off. */
const char *config_docker_socket(const corrald_config *c);
const char *config_cri_socket(const corrald_config *c);
const char *config_stream_address(const corrald_config *c);
/* Whether key names a setting. */
bool config_has_key(const char *key);
/* Load a file; a missing file is fine when missing_ok. */
int config_load(corrald_config *c, const char *path, bool missing_ok, cerr *err);
/* The settings as `key = value` lines, for --print-config. */
char *config_dump(const corrald_config *c);
