/* corrald: the corral supervisor daemon. */
#include "cgroups/cgroups.h"
#include "supervisor/varlink/peer_group.h"
#include "runtime/cgroup_path.h"
#include "images/overlay_probe.h"
#include "runtime/idmap.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "supervisor/daemon/core/admission.h"
#include "supervisor/daemon/host/cgroup_self.h"
#include "supervisor/daemon/build/commit_methods.h"
#include "supervisor/daemon/build/build_method.h"
#include "supervisor/daemon/core/config.h"
#include "supervisor/daemon/host/listenfds.h"
#include "supervisor/daemon/host/metrics_http.h"
#include "supervisor/daemon/compat/handoff.h"
#include "supervisor/daemon/stream/stream.h"
#include "supervisor/daemon/readiness/readiness.h"
#include "supervisor/daemon/host/sdnotify.h"
#include "supervisor/daemon/core/state_format.h"
#include "supervisor/daemon/core/boot.h"
#include "supervisor/daemon/service.h"
#include "supervisor/daemon/broker/broker.h"
#include "supervisor/daemon/sessions/session_ctr.h"
#include "supervisor/daemon/sessions/session_methods.h"
#include "supervisor/daemon/containers/engine/ctr_adopt.h"
#include "supervisor/daemon/containers/engine/engine_hooks.h"
#include "supervisor/daemon/containers/engine/ctr_apparmor.h"
#include "supervisor/daemon/network/net_reconcile.h"
#include "supervisor/daemon/containers/engine/fastpath.h"
#include "supervisor/daemon/containers/record/trash.h"
#include "supervisor/daemon/copy/ckpt_methods.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/jobs/job_run.h"
#include "supervisor/daemon/workloads/workload.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/pulls/pull.h"
#include "supervisor/daemon/health/health.h"
#include "supervisor/daemon/network/network.h"
#include "supervisor/daemon/secrets/secrets.h"
#include "supervisor/daemon/volumes/volumes.h"
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/daemon/images/img_size.h"
#include "supervisor/daemon/images/images.h"
#include "common/monotonic.h"
#include "common/version.h"
#include <limits.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: corrald [--config FILE] [--SETTING VALUE]...\n"
		"The corral supervisor daemon: serves the control socket (varlink).\n\n"
		"  --config FILE        settings file (default " CORRALD_DEFAULT_CONFIG ")\n"
		"  --print-config       print the effective settings and exit\n"
		"  --version            print the version and exit\n"
		"  -h, --help           this help\n\n"
		"Every setting of corrald.conf(5) is also a flag, and a flag wins over the file:\n"
		"  --socket PATH  --socket-mode MODE  --group NAME  --state-dir DIR\n"
		"  --audit-log PATH  --audit-log-max-size SIZE  --audit-log-max-files N\n"
		"  --log-max-size SIZE  --log-max-files N  --log-level LEVEL  --log-format text|json\n"
		"  --max-connections N  --max-connections-per-uid N  --max-message-size SIZE\n"
		"  --rate-limit-per-uid N  --rate-limit-burst N  --connect-rate-per-uid N  --connect-rate-burst N\n"
		"  --docker-connect-rate-per-uid N  --docker-connect-rate-burst N\n"
		"  --metrics-listen HOST:PORT  --cgroup-parent PATH|SLICE  --cgroup-delegate auto|yes|no\n"
		"  --cgroup-manager systemd|cgroupfs|auto  --docker-socket PATH|auto  --docker-user NAME|UID:GID\n"
		"  --docker-idle-timeout SECONDS  --cri-socket PATH|auto  --cri-user NAME|UID:GID\n"
		"  --stream-address HOST:PORT|auto  --stream-user NAME|UID:GID  --stream-idle-timeout SECONDS\n"
		"  --default-restart POLICY  --default-stop-timeout SECONDS  --max-jobs N\n"
		"  --policy FILE        ceilings and allow-lists (corrald.conf(5) POLICY)\n");
}

static void on_signal(el_source *s, const struct signalfd_siginfo *si, void *data)
{
	if (si->ssi_signo == SIGHUP) {
		log_info("SIGHUP: nothing to reload; restart corrald to apply new settings");
		return;
	}
	corrald *d = data;
	log_info("%s: shutting down", strsignal((int)si->ssi_signo));
	events_publish(d->events, EV_SHARED(0), "daemon", "stop", "", "corrald", NULL, 0);
	sdn_notify("STOPPING=1");
	el_exit(el_source_loop(s), 0);
}

static void on_watchdog(el_source *s, void *data) { sdn_notify("WATCHDOG=1"); }

/* What one member may have of corrald's helpers at work at once (loop/
 * child.h): its Tops, size walks, fills, freezes, copies, diffs, archives
 * and imports, each a process; a call past it is refused. Builds, commits
 * and pulls have bounds of their own. */
#define HELPERS_PER_MEMBER 16

static enum log_level level_of(const char *s)
{
	if (streq(s, "error")) return LOG_LVL_ERROR;
	if (streq(s, "warning")) return LOG_LVL_WARN;
	if (streq(s, "debug")) return LOG_LVL_DEBUG;
	return LOG_LVL_INFO;
}

/* --config first, then the file, then every other flag over it. */
static int parse_args(int argc, char **argv, corrald_config *cfg, bool *print, cerr *err)
{
	const char *config = NULL;
	bool config_given = false;
	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--config") && i + 1 < argc) {
			config = argv[++i];
			config_given = true;
		} else if (!strncmp(argv[i], "--config=", 9)) {
			config = argv[i] + 9;
			config_given = true;
		}
	}
	int r = config_load(cfg, config ? config : CORRALD_DEFAULT_CONFIG, !config_given, err);
	if (r < 0)
		return r;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (streq(a, "-h") || streq(a, "--help")) {
			usage(stdout);
			exit(0);
		}
		if (streq(a, "--version")) {
			printf("corrald %s (%s)\n", CORRAL_VERSION, corral_commit);
			exit(0);
		}
		if (streq(a, "--print-config")) {
			*print = true;
			continue;
		}
		if (streq(a, "--config")) {
			i++;
			continue;
		}
		if (!strncmp(a, "--config=", 9))
			continue;
		if (strncmp(a, "--", 2))
			return cerr_set(err, EINVAL, "unexpected argument %s (see --help)", a);
		_cleanup_free_ char *key = strdup(a + 2);
		if (!key)
			return cerr_set(err, ENOMEM, "out of memory");
		char *eq = strchr(key, '=');
		const char *val;
		if (eq) {
			*eq = '\0';
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			return cerr_set(err, EINVAL, "%s: needs a value", a);
		}
		if (!config_has_key(key))
			return cerr_set(err, EINVAL, "unknown option --%s (see --help)", key);
		if ((r = config_set(cfg, key, val, a, err)) < 0)
			return r;
	}
	return 0;
}

/* The directory a socket goes in (/run/corral), made where missing. */
static int socket_dir(const char *path, cerr *err)
{
	_cleanup_free_ char *dir = strdup(path);
	if (!dir)
		return cerr_set(err, ENOMEM, "out of memory");
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	int r = mkdir_p(dir, 0755);
	return r < 0 ? cerr_sys(err, -r, "socket directory for %s", path) : 0;
}

/* The Docker API's socket and the CRI's, each when set or socket-activated
 * (fd >= 0); a connection's helper is started for it (compat/handoff.h).
 * Both take the Docker socket's connection rates: each connection costs a
 * process. corral-cri serves a client's HTTP/2 streams at once, each call
 * on a varlink connection of its own, which it asks for. */
static int start_handoffs(corrald *d, gid_t group, int docker_fd, int cri_fd, cerr *err)
{
	const corrald_config *cfg = d->cfg;
	handoff_opts o[] = {
		{ .name = "docker", .title = "the Docker API", .noun = "Docker API", .path = config_docker_socket(cfg), .bin = d->docker_bin,
		  .user = cfg->docker_user, .idle_timeout = cfg->docker_idle_timeout, .refuse = handoff_refuse_http1 },
		{ .name = "cri", .title = "the CRI", .noun = "CRI", .path = config_cri_socket(cfg), .bin = d->cri_bin,
		  .user = cfg->cri_user, .grants_conns = true, .own_view = true,
		  .refuse = handoff_refuse_http2 },
	};
	int fds[] = { docker_fd, cri_fd };
	struct handoff **out[] = { &d->docker, &d->cri };
	for (size_t i = 0; i < 2; i++) {
		o[i].rate = (double)cfg->docker_connect_rate_per_uid;
		o[i].burst = (double)cfg->docker_connect_rate_burst;
		if (fds[i] < 0 && !o[i].path[0])
			continue;
		if ((fds[i] < 0 && socket_dir(o[i].path, err) < 0) ||
		    handoff_start(d, &o[i], group, fds[i], out[i], err) < 0)
			return -1;
	}
	return 0;
}

/* With cgroup-delegate yes, step into a leaf and put containers beside it;
 * else containers go to scopes in a slice (the systemd manager), or under
 * cgroup-parent or /corral, and corrald's own cgroup holds corrald alone
 * (a unit whose cgroup holds containers cannot be restarted by systemd). */
static int setup_cgroup(corrald *d, const corrald_config *cfg, cerr *err)
{
	_cleanup_free_ char *text = NULL, *own = NULL;
	const char *mount = NULL;
	bool delegated = false;
	if (read_file("/proc/self/cgroup", 1 << 16, &text, NULL, err) == 0 &&
	    cgself_parse(text, &own, err) == 0 && cg_find_mount(&mount) == 0 &&
	    cgself_should_delegate((int)cfg->cgroup_delegate, own)) {
		size_t n = strlen(own), l = strlen("/" CGSELF_LEAF);
		if (n > l && streq(own + n - l, "/" CGSELF_LEAF))
			own[n - l] = '\0'; /* already in our leaf (re-exec) */
		int r = cgself_enter_leaf(mount, own, CGSELF_LEAF, err);
		if (r < 0)
			return cerr_wrap(err, "cgroup delegation");
		delegated = true;
		log_info("moved into cgroup %s/%s; containers go beside it", own, CGSELF_LEAF);
	}
	cerr_clear(err);
	/* as podman's cgroup_manager: scopes in machine.slice where systemd runs
	 * (auto: unless cgroup-parent is a path, which only cgroupfs takes) */
	const char *m = cfg->cgroup_manager;
	d->systemd_cgroup = streq(m, "systemd") || (streq(m, "auto") && cfg->cgroup_parent[0] != '/' &&
						    access("/run/systemd/system", F_OK) == 0);
	if (d->systemd_cgroup) {
		const char *slice = cfg->cgroup_parent[0] ? cfg->cgroup_parent : "machine.slice";
		_cleanup_free_ char *path = NULL;
		char probe[PATH_MAX];
		snprintf(probe, sizeof(probe), "%s:corral:x", slice);
		if (strchr(slice, ':') || cgroup_path_for(probe, "x", true, &path, err) < 0)
			return cerr_set(err, EINVAL, "cgroup-parent: \"%s\" must be a slice such as machine.slice "
					"(cgroup-manager systemd)", slice);
		log_info("cgroup manager: systemd (containers are scopes in %s)", slice);
		d->cgroup_parent = strdup(slice);
		return d->cgroup_parent ? 0 : cerr_set(err, ENOMEM, "out of memory");
	}
	d->cgroup_parent = cgself_containers_parent(cfg->cgroup_parent, own, delegated);
	return d->cgroup_parent ? 0 : cerr_set(err, ENOMEM, "out of memory");
}

/* containers/ and runtime/ under the state directory; corral-monitor beside
 * our own binary. */
/* Events outlive corrald in the state directory; without the file they
 * are kept in memory only, which is no reason not to serve. */
static void open_events_log(corrald *d, const corrald_config *cfg)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (asprintf(&path, "%s/" EVENTS_LOG_FILE, cfg->state_dir) < 0)
		path = NULL;
	if (!path)
		log_warn("events log: out of memory: events are kept in memory only");
	else if (events_open_log(d->events, path, cfg->events_log_max_size, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "events are kept in memory only");
}

/* A member's container sees its image's layers through idmapped mounts:
 * where the state's filesystem cannot give them (tmpfs before Linux 6.3),
 * say so at the start, not at a member's first container. Root's
 * containers need none. */
static void idmap_check_members(corrald *d, const corrald_config *cfg)
{
	if (!cfg->group[0])
		return;
	const struct oci_idmap one = { .container_id = 0, .host_id = 65534, .size = 1 };
	_cleanup_cerr_ cerr e = { 0 };
	_cleanup_close_ int userns = idmap_userns_open(&one, 1, &one, 1, &e);
	_cleanup_close_ int tree = userns < 0 ? -1 : idmap_tree(d->containers_dir, false, false, userns, &e);
	char fs[64];
	if (tree < 0)
		log_cerr(LOG_LVL_WARN, &e, "state directory %s (%s): members' containers cannot be made here (their "
			 "layers are seen through idmapped mounts)", cfg->state_dir,
			 fs_name_of(cfg->state_dir, fs, sizeof(fs)));
}

static int setup_dirs(corrald *d, const corrald_config *cfg, cerr *err)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return cerr_sys(err, errno, "/proc/self/exe");
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	if (asprintf(&d->containers_dir, "%s/containers", cfg->state_dir) < 0 ||
	    asprintf(&d->runtime_root, "%s/runtime", cfg->state_dir) < 0 ||
	    (cfg->monitor[0] ? !(d->monitor_bin = strdup(cfg->monitor))
			     : asprintf(&d->monitor_bin, "%s/corral-monitor", self) < 0) ||
	    asprintf(&d->images_bin, "%s/corral-images", self) < 0 || asprintf(&d->copy_bin, "%s/corral-copy", self) < 0 ||
	    asprintf(&d->docker_bin, "%s/corral-docker", self) < 0 || asprintf(&d->build_bin, "%s/corral-build", self) < 0 ||
	    asprintf(&d->cri_bin, "%s/corral-cri", self) < 0 || asprintf(&d->stream_bin, "%s/corral-stream", self) < 0 ||
	    asprintf(&d->runtime_bin, "%s/corral", self) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	if (d->monitor_bin[0] != '/')
		return cerr_set(err, EINVAL, "monitor: must be an absolute path, not \"%s\"", d->monitor_bin);
	int r;
	/* 0711: a member's container's init passes through to its own (ctr_ids.h) */
	if ((r = mkdir_p(d->containers_dir, 0711)) < 0 || (r = chmod(d->containers_dir, 0711) < 0 ? -errno : 0) < 0 ||
	    (r = mkdir_p(d->runtime_root, 0700)) < 0)
		return cerr_sys(err, -r, "state directory %s", cfg->state_dir);
	/* a store overlayfs cannot use fails here, by name, not at the first
	 * container with a bare EINVAL */
	_cleanup_cerr_ cerr probe = { 0 };
	r = overlay_probe(d->containers_dir, &probe);
	if (r == -ENOSPC || r == -EDQUOT) /* a full disk: corrald serves, so that space can be freed through it */
		log_warn("state directory %s is full (%s): overlayfs not probed", cfg->state_dir, cerr_msg(&probe));
	else if (r < 0)
		return cerr_set(err, -r, "state directory %s: %s: set state-dir to a directory on ext4, xfs or btrfs",
				cfg->state_dir, cerr_msg(&probe));
	idmap_check_members(d, cfg);
	if ((r = fastpath_init(d, err)) < 0 || (r = trash_init(d, err)) < 0)
		return r;
	ctr_import_stages_clear(d);
	ctr_apparmor_init(d, d->policy ? d->policy->apparmor_profile : NULL);
	if (access(d->monitor_bin, X_OK) < 0)
		return cerr_sys(err, errno, "%s", d->monitor_bin);
	return 0;
}

/* Once everything is adopted: what the last boot left is accounted for
 * (the next start need not), and an older format has been brought to this
 * one. (A function of its own: run's gotos must not jump past a cleanup
 * variable, whose cleanup would then free garbage.) */
static void state_adopted(const corrald_config *cfg, int format)
{
	_cleanup_cerr_ cerr be = { 0 };
	if (boot_note(cfg->state_dir, &be) < 0)
		log_cerr(LOG_LVL_WARN, &be, "state directory %s: boot id", cfg->state_dir);
	if (format == STATE_FORMAT)
		return;
	if (format)
		log_info("state directory %s: format %d brought to %d", cfg->state_dir, format, STATE_FORMAT);
	_cleanup_cerr_ cerr fe = { 0 };
	if (state_format_write(cfg->state_dir, &fe) < 0) /* said again at the next start */
		log_cerr(LOG_LVL_WARN, &fe, "state directory %s: format", cfg->state_dir);
}

static int run(corrald_config *cfg, policy *pol, cerr *err)
{
	ctr_service containers = CTR_SERVICE_INIT;
	/* in this order at each step: the engine's own (a spawn goes before
	 * what the features hang on it), the gate, then what the container
	 * holds from the outside in */
	const ctr_feature *features[] = { &engine_container_hooks,   &policy_container_hooks,  &health_container_hooks,
					  &secrets_container_hooks,  &network_container_hooks, &sessions_container_hooks,
					  &volumes_container_hooks,  &builds_container_hooks };
	sessions_listen(&broker_session_listener);
	network_holder_set(&sessions_net_holder);
	for (size_t i = 0; i < ARRAY_SIZE(features); i++)
		if (ctr_feature_register(&containers, features[i]) < 0)
			return cerr_set(err, ENOSPC, "too many container features");
	corrald d = { .cfg = cfg, .started_usec = mono_usec(), .containers = &containers, .policy = pol };
	_cleanup_el_ el_loop *loop = NULL;
	metrics_http *http = NULL;
	el_source *sigs = NULL, *wd = NULL, *sweep = NULL;
	_cleanup_free_ char *audit_path = NULL;
	int r;

	signal(SIGPIPE, SIG_IGN);
	if ((r = el_new(&loop, err)) < 0)
		return r;
	el_set_member_max(loop, HELPERS_PER_MEMBER);
	d.loop = loop;
	if (!(d.metrics = metrics_new()) || !(d.events = events_new(EVENTS_KEEP)) || !(d.imgsizes = imgsize_new()))
		return cerr_set(err, ENOMEM, "out of memory");
	/* a newer corrald's state is refused before anything is written */
	int format = 0;
	if ((r = state_format_check(cfg->state_dir, &format, err)) < 0)
		goto out;
	if ((r = mkdir_p(cfg->state_dir, 0711)) < 0) {
		r = cerr_sys(err, -r, "state directory %s", cfg->state_dir);
		goto out;
	}
	if ((r = boot_check(cfg->state_dir, &d.rebooted, &d.boot_ns, err)) < 0)
		goto out;
	if (cfg->audit_log[0])
		audit_path = strdup(cfg->audit_log);
	else if (asprintf(&audit_path, "%s/audit.log", cfg->state_dir) < 0)
		audit_path = NULL;
	if (!audit_path) {
		r = cerr_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if ((r = audit_open(&d.audit, audit_path, cfg->audit_log_max_size, cfg->audit_log_max_files, err)) < 0)
		goto out;
	open_events_log(&d, cfg);
	if ((r = setup_cgroup(&d, cfg, err)) < 0)
		goto out;
	if ((r = setup_dirs(&d, cfg, err)) < 0)
		goto out;

	gid_t group = PEER_NO_GROUP;
	if (cfg->group[0]) {
		int g = peer_group_lookup(cfg->group, &group);
		if (g == -ENOENT)
			log_info("group %s does not exist: only root may use the socket", cfg->group);
		else if (g < 0)
			log_warn("group %s: %s: only root may use the socket", cfg->group, strerror(-g));
	}
	d.group = group;
	vl_server_config vc = {
		.vendor = "corral", .product = "corrald", .version = CORRAL_VERSION,
		.url = "https://github.com/corral/corral",
		.max_message = cfg->max_message_size, .max_connections = cfg->max_connections,
		.max_per_uid = cfg->max_connections_per_uid, .group = group,
		.denied_error = "io.corral.Supervisor.PermissionDenied",
		.invalid_error = "io.corral.Supervisor.InvalidParameter",
		.on_call_done = corrald_on_call_done, .on_refused = corrald_on_refused, .userdata = &d,
		.admit = corrald_admit, .admit_peer = corrald_admit_peer,
	};
	uid_rates_init(&d.uid_rates, (double)cfg->rate_limit_per_uid, (double)cfg->rate_limit_burst);
	uid_rates_init(&d.connect_rates, (double)cfg->connect_rate_per_uid, (double)cfg->connect_rate_burst);
	if ((r = vl_server_new(loop, &vc, &d.srv, err)) < 0 ||
	    (r = vl_server_add_interface(d.srv, &corral_supervisor_iface, err)) < 0)
		goto out;

	int n = listen_fds(true, err);
	if (n < 0) {
		r = n;
		goto out;
	}
	int used = 0;
	int docker_fd = -1, cri_fd = -1;
	for (int fd = LISTEN_FDS_START; fd < LISTEN_FDS_START + n; fd++) {
		if (listen_fd_is_named(fd, "docker")) { /* corral-docker.socket's */
			docker_fd = fd;
			continue;
		}
		if (listen_fd_is_named(fd, "cri")) { /* corral-cri.socket's */
			cri_fd = fd;
			continue;
		}
		if (!listen_fd_is_unix_stream(fd)) {
			log_warn("socket activation: fd %d is not a listening unix stream socket; ignored", fd);
			close(fd);
			continue;
		}
		if ((r = vl_server_listen_fd(d.srv, fd, err)) < 0)
			goto out;
		used++;
	}
	if (used == 0) {
		if ((r = socket_dir(cfg->socket, err)) < 0 ||
		    (r = vl_server_listen(d.srv, cfg->socket, cfg->socket_mode, group, err)) < 0)
			goto out;
	}
	if ((r = start_handoffs(&d, group, docker_fd, cri_fd, err)) < 0 || (r = stream_start(&d, err)) < 0)
		goto out;

	if (cfg->metrics_listen[0] &&
	    (r = metrics_http_listen(loop, cfg->metrics_listen, corrald_render_metrics, &d, &http, err)) < 0)
		goto out;
	if (http)
		metrics_http_set_ready(http, readiness_ready);
	if ((r = readiness_init(&d, err)) < 0)
		goto out;

	int sigv[] = { SIGTERM, SIGINT, SIGHUP };
	if ((r = el_add_signals(loop, sigv, ARRAY_SIZE(sigv), on_signal, &d, &sigs, err)) < 0)
		goto out;
	uint64_t wd_usec = sdn_watchdog_usec();
	if (wd_usec && (r = el_add_timer(loop, wd_usec / 2, true, on_watchdog, &d, &wd, err)) < 0)
		goto out;
	if ((r = pull_sweep_start(&d, &sweep, err)) < 0)
		goto out;

	if ((r = network_start(&d, err)) < 0)
		goto out;
	volumes_start(&d); /* before a container's volumes are looked at */
	secrets_start(&d); /* and its secrets */
	sessions_load(&d); /* before its members are adopted */
	if ((r = ctr_adopt_all(&d, err)) < 0 || (r = jobs_init(&d, err)) < 0)
		goto out;
	builds_sweep(&d); /* a crash's: no build outlives its corral-build, nor that corrald */
	net_reconcile(&d);
	sessions_adopt_ctrs(&d);
	if ((r = workloads_init(&d, err)) < 0) /* once what runs is known */
		goto out;
	state_adopted(cfg, format);
	char pidbuf[16];
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)getpid());
	events_publish(d.events, EV_SHARED(0), "daemon", "start", "", "corrald",
		       (const char *const[]){ "version", CORRAL_VERSION, "pid", pidbuf, NULL }, 0);
	log_info("corrald %s serving %s%s%s%s (pid %d)", CORRAL_VERSION, used ? "socket-activated fds" : cfg->socket,
		 http ? ", metrics on http://" : "", http ? metrics_http_addr(http) : "", http ? "/metrics" : "",
		 (int)getpid());
	sdn_notifyf("READY=1\nSTATUS=serving %s\nMAINPID=%d", used ? "activated socket" : cfg->socket, (int)getpid());
	r = el_run(loop);
	if (r < 0)
		r = cerr_sys(err, -r, "event loop");
out:
	el_remove(sigs);
	el_remove(wd);
	el_remove(sweep);
	metrics_http_free(http);
	handoff_stop(&d.docker);
	handoff_stop(&d.cri);
	stream_stop(&d);
	workloads_shutdown(&d); /* its calls too */
	jobs_shutdown(&d); /* its calls wait on containers */
	pulls_shutdown(&d);
	commits_shutdown(&d);
	imghelper_shutdown(&d);
	network_drain(&d, 5000); /* DELs of containers that ended */
	ctr_shutdown_all(&d);
	sessions_shutdown(&d);
	broker_shutdown(&d);
	network_free(&d);
	events_free(d.events); /* before the server: it ends their calls */
	vl_server_free(d.srv);
	audit_close(&d.audit);
	metrics_free(d.metrics);
	imgsize_free(d.imgsizes);
	free(d.cgroup_parent);
	trash_shutdown(&d);
	fastpath_clear(&d);
	if (containers.spare_fd >= 0)
		close(containers.spare_fd);
	free(d.containers_dir);
	free(d.runtime_root);
	free(d.monitor_bin);
	free(d.images_bin);
	free(d.copy_bin);
	free(d.build_bin);
	free(d.docker_bin);
	free(d.cri_bin);
	free(d.stream_bin);
	free(d.runtime_bin);
	return r;
}

int main(int argc, char **argv)
{
	log_set_prog("corrald");
	/* fds our parent left open (not LISTEN_FDS, which are ours) are not
	 * for the monitors and execs we start: none of them inherits one */
	int q = fds_cloexec_from(3);
	if (q < 0)
		log_warn("close_range: %s: children may inherit fds corrald was given", strerror(-q));
	corrald_config cfg;
	_cleanup_cerr_ cerr err = { 0 };
	bool print = false;
	int r = config_init(&cfg, &err);
	if (r == 0)
		r = parse_args(argc, argv, &cfg, &print, &err);
	if (r < 0) {
		fprintf(stderr, "corrald: %s\n", cerr_msg(&err));
		config_release(&cfg);
		return 2;
	}
	if (print) {
		_cleanup_free_ char *s = config_dump(&cfg);
		fputs(s, stdout);
		config_release(&cfg);
		return 0;
	}
	log_set_level(level_of(cfg.log_level));
	log_set_json(streq(cfg.log_format, "json"));
	/* a policy that does not load stops corrald: it never runs without it */
	policy pol;
	if ((r = policy_init_default(&pol, &err)) == 0 && cfg.policy[0] && (r = policy_load(&pol, cfg.policy, &err)) < 0)
		policy_release(&pol);
	if (r < 0) {
		fprintf(stderr, "corrald: %s\n", cerr_msg(&err));
		config_release(&cfg);
		return 2;
	}
	r = run(&cfg, &pol, &err);
	policy_release(&pol);
	if (r < 0) {
		log_error("%s", cerr_msg(&err));
		sdn_notifyf("STATUS=failed: %s\nERRNO=%d", cerr_msg(&err), -r);
	}
	config_release(&cfg);
	return r < 0 ? 1 : 0;
}
