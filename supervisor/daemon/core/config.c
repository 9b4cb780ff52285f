#include "supervisor/daemon/core/config.h"
#include "common/units.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "supervisor/daemon/spec/restart_policy.h"
#include "supervisor/varlink/wire.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_STR, K_PATH, K_MODE, K_SIZE, K_COUNT, K_LEVEL, K_FORMAT, K_DELEGATE, K_MANAGER, K_RESTART, K_LISTEN, K_REGISTRY, K_SOCKET };

struct key {
	const char *name;
	enum kind kind;
	size_t off;
	unsigned long long min, max; /* for sizes and counts */
};

#define F(m) offsetof(corrald_config, m)
static const struct key keys[] = {
	{ "socket", K_PATH, F(socket), 0, 0 },
	{ "socket-mode", K_MODE, F(socket_mode), 0, 0 },
	{ "group", K_STR, F(group), 0, 0 },
	{ "state-dir", K_PATH, F(state_dir), 0, 0 },
	{ "audit-log", K_STR, F(audit_log), 0, 0 },
	{ "audit-log-max-size", K_SIZE, F(audit_log_max_size), 4096, 1ull << 40 },
	{ "audit-log-max-files", K_COUNT, F(audit_log_max_files), 1, 100 },
	{ "log-max-size", K_SIZE, F(log_max_size), 4096, 1ull << 40 },
	{ "events-log-max-size", K_SIZE, F(events_log_max_size), 4096, 1ull << 40 },
	{ "log-max-files", K_COUNT, F(log_max_files), 1, 100 },
	{ "log-level", K_LEVEL, F(log_level), 0, 0 },
	{ "log-format", K_FORMAT, F(log_format), 0, 0 },
	{ "max-connections", K_COUNT, F(max_connections), 1, 65536 },
	{ "max-connections-per-uid", K_COUNT, F(max_connections_per_uid), 1, 65536 },
	{ "rate-limit-per-uid", K_COUNT, F(rate_limit_per_uid), 0, 1000000 },
	{ "rate-limit-burst", K_COUNT, F(rate_limit_burst), 0, 1000000 },
	{ "connect-rate-per-uid", K_COUNT, F(connect_rate_per_uid), 0, 1000000 },
	{ "connect-rate-burst", K_COUNT, F(connect_rate_burst), 0, 1000000 },
	{ "docker-connect-rate-per-uid", K_COUNT, F(docker_connect_rate_per_uid), 0, 1000000 },
	{ "docker-connect-rate-burst", K_COUNT, F(docker_connect_rate_burst), 0, 1000000 },
	{ "max-message-size", K_SIZE, F(max_message_size), 4096, VL_MAX_MESSAGE },
	{ "metrics-listen", K_LISTEN, F(metrics_listen), 0, 0 },
	{ "docker-socket", K_SOCKET, F(docker_socket), 0, 0 },
	{ "docker-user", K_STR, F(docker_user), 0, 0 },
	{ "docker-idle-timeout", K_COUNT, F(docker_idle_timeout), 1, 86400 },
	{ "cri-socket", K_SOCKET, F(cri_socket), 0, 0 },
	{ "cri-user", K_STR, F(cri_user), 0, 0 },
	{ "stream-address", K_LISTEN, F(stream_address), 0, 0 },
	{ "stream-user", K_STR, F(stream_user), 0, 0 },
	{ "stream-idle-timeout", K_COUNT, F(stream_idle_timeout), 1, 7 * 86400 },
	{ "cgroup-parent", K_STR, F(cgroup_parent), 0, 0 },
	{ "cgroup-delegate", K_DELEGATE, F(cgroup_delegate), 0, 0 },
	{ "cgroup-manager", K_MANAGER, F(cgroup_manager), 0, 0 },
	{ "default-restart", K_RESTART, F(default_restart), 0, 0 },
	{ "default-stop-timeout", K_COUNT, F(default_stop_timeout), 0, 86400 },
	{ "monitor", K_STR, F(monitor), 0, 0 },
	{ "max-jobs", K_COUNT, F(max_jobs), 1, 1024 },
	{ "policy", K_STR, F(policy), 0, 0 },
	{ "cni-path", K_PATH, F(cni_path), 0, 0 },
	{ "cni-config-dir", K_PATH, F(cni_config_dir), 0, 0 },
	{ "default-network", K_STR, F(default_network), 0, 0 },
	{ "registry-search", K_REGISTRY, F(registries), 0, 0 },
	{ "registry-mirror", K_REGISTRY, F(registries), 0, 0 },
	{ "registry-insecure", K_REGISTRY, F(registries), 0, 0 },
	{ "registry-blocked", K_REGISTRY, F(registries), 0, 0 },
	{ "registry-certs-dir", K_PATH, F(registry_certs_dir), 0, 0 },
	{ "registry-stall-timeout", K_COUNT, F(registry_stall_timeout), 1, 3600 },
	{ "pull-timeout", K_COUNT, F(pull_timeout), 1, 604800 },
	{ "pull-parallel", K_COUNT, F(pull_parallel), 1, 16 },
};

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (streq(keys[i].name, name))
			return &keys[i];
	return NULL;
}

bool config_has_key(const char *key) { return find_key(key) != NULL; }

int config_init(corrald_config *c, cerr *err)
{
	memset(c, 0, sizeof(*c));
	static const char *defaults[][2] = {
		{ "socket", CORRALD_SOCKET_DEFAULT }, { "socket-mode", "0660" },
		{ "group", "corral" }, { "state-dir", "/var/lib/corral" }, { "audit-log", "" },
		{ "audit-log-max-size", "10M" }, { "audit-log-max-files", "5" },
		{ "log-max-size", "10M" }, { "log-max-files", "5" }, { "log-level", "info" },
		{ "events-log-max-size", "1M" },
		{ "log-format", "text" }, { "max-connections", "1024" },
		{ "max-connections-per-uid", "128" }, { "max-message-size", "16M" },
		{ "rate-limit-per-uid", "0" }, { "rate-limit-burst", "0" },
		{ "connect-rate-per-uid", "1000" }, { "connect-rate-burst", "2000" },
		{ "docker-connect-rate-per-uid", "50" }, { "docker-connect-rate-burst", "100" },
		{ "metrics-listen", "" }, { "docker-socket", "auto" },
		{ "docker-user", "corral-docker" }, { "docker-idle-timeout", "300" },
		{ "cri-socket", "auto" }, { "cri-user", "corral-cri" },
		{ "stream-address", "auto" }, { "stream-user", "corral-stream" }, { "stream-idle-timeout", "14400" }, { "cgroup-parent", "" }, { "cgroup-delegate", "auto" },
		{ "cgroup-manager", "auto" },
		{ "default-restart", "no" }, { "default-stop-timeout", "10" }, { "monitor", "" }, { "policy", "" },
		{ "max-jobs", "4" }, { "cni-path", "/usr/lib/cni" }, { "cni-config-dir", "/etc/corral/net.d" },
		{ "default-network", "corral" }, { "registry-certs-dir", "/etc/corral/certs.d" },
		{ "registry-stall-timeout", "30" }, { "pull-timeout", "3600" }, { "pull-parallel", "3" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
		int r = config_set(c, defaults[i][0], defaults[i][1], "default", err);
		if (r < 0) {
			config_release(c);
			return r;
		}
	}
	return 0;
}

void config_release(corrald_config *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		enum kind k = keys[i].kind;
		if (k == K_STR || k == K_PATH || k == K_SOCKET || k == K_LEVEL || k == K_FORMAT || k == K_RESTART || k == K_LISTEN ||
		    k == K_MANAGER) {
			char **p = (char **)((char *)c + keys[i].off);
			free(*p);
			*p = NULL;
		}
	}
	reg_conf_free(&c->registries);
}

/* "registry-mirror = docker.io=mirror:5000, quay.io=..." adds to the list;
 * an empty value empties it. */
static int set_registry(corrald_config *c, const char *name, const char *v, const char *where, cerr *err)
{
	const char *sub = name + strlen("registry-");
	char ***lists[] = { &c->registries.search, &c->registries.insecure, &c->registries.blocked };
	const char *names[] = { "search", "insecure", "blocked" };
	if (!*v) {
		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			if (streq(sub, names[i])) {
				strv_free(*lists[i]);
				*lists[i] = NULL;
			}
		for (size_t i = 0; streq(sub, "mirror") && i < c->registries.n_mirrors; i++) {
			free(c->registries.mirrors[i].prefix);
			free(c->registries.mirrors[i].location);
		}
		if (streq(sub, "mirror"))
			c->registries.n_mirrors = 0;
		return 0;
	}
	_cleanup_free_ char *copy = strdup(v);
	if (!copy)
		return cerr_set(err, ENOMEM, "out of memory");
	char *save = NULL;
	for (char *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save))
		if (reg_conf_add(&c->registries, sub, t, err) < 0)
			return cerr_wrap(err, "%s: %s", where, name);
	return 0;
}

static int set_str(char **slot, const char *v)
{
	char *d = strdup(v);
	if (!d)
		return -ENOMEM;
	free(*slot);
	*slot = d;
	return 0;
}

int config_set(corrald_config *c, const char *name, const char *v, const char *where, cerr *err)
{
	const struct key *k = find_key(name);
	if (!k)
		return cerr_set(err, EINVAL, "%s: unknown setting %s", where, name);
	void *slot = (char *)c + k->off;
	switch (k->kind) {
	case K_REGISTRY:
		return set_registry(c, name, v, where, err);
	case K_SOCKET: /* a path, auto, or empty: off */
		if (v[0] && v[0] != '/' && !streq(v, "auto"))
			return cerr_set(err, EINVAL, "%s: %s: must be an absolute path, auto or empty, not \"%s\"", where,
					name, v);
		break;
	case K_PATH:
		if (v[0] != '/')
			return cerr_set(err, EINVAL, "%s: %s: must be an absolute path, not \"%s\"", where, name, v);
		/* fall through */
	case K_STR:
		break;
	case K_MODE: {
		char *end;
		errno = 0;
		unsigned long m = strtoul(v, &end, 8);
		if (!*v || *end || errno || m > 0777)
			return cerr_set(err, EINVAL, "%s: %s: must be an octal mode like 0660, not \"%s\"", where, name, v);
		*(mode_t *)slot = (mode_t)m;
		return 0;
	}
	case K_SIZE: {
		size_t n;
		if (parse_size(v, &n) < 0 || n < k->min || n > k->max)
			return cerr_set(err, EINVAL, "%s: %s: must be a size from %llu to %llu bytes (K, M, G allowed), not \"%s\"",
					where, name, k->min, k->max, v);
		*(size_t *)slot = n;
		return 0;
	}
	case K_COUNT: {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(v, &end, 10);
		if (!isdigit((unsigned char)*v) || *end || errno || n < k->min || n > k->max)
			return cerr_set(err, EINVAL, "%s: %s: must be an integer from %llu to %llu, not \"%s\"",
					where, name, k->min, k->max, v);
		if (k->off == F(audit_log_max_files) || k->off == F(log_max_files) || k->off == F(default_stop_timeout))
			*(unsigned *)slot = (unsigned)n;
		else
			*(size_t *)slot = (size_t)n;
		return 0;
	}
	case K_LEVEL:
		if (!streq(v, "error") && !streq(v, "warning") && !streq(v, "info") && !streq(v, "debug"))
			return cerr_set(err, EINVAL, "%s: %s: must be error, warning, info or debug, not \"%s\"", where, name, v);
		break;
	case K_FORMAT:
		if (!streq(v, "text") && !streq(v, "json"))
			return cerr_set(err, EINVAL, "%s: %s: must be text or json, not \"%s\"", where, name, v);
		break;
	case K_DELEGATE:
		if (streq(v, "auto"))
			*(enum cg_delegate *)slot = CG_DELEGATE_AUTO;
		else if (streq(v, "yes"))
			*(enum cg_delegate *)slot = CG_DELEGATE_YES;
		else if (streq(v, "no"))
			*(enum cg_delegate *)slot = CG_DELEGATE_NO;
		else
			return cerr_set(err, EINVAL, "%s: %s: must be auto, yes or no, not \"%s\"", where, name, v);
		return 0;
	case K_MANAGER:
		if (!streq(v, "auto") && !streq(v, "systemd") && !streq(v, "cgroupfs"))
			return cerr_set(err, EINVAL, "%s: %s: must be systemd, cgroupfs or auto, not \"%s\"", where, name, v);
		break;
	case K_RESTART: {
		restart_policy p;
		if (restart_policy_parse(v, &p, err) < 0)
			return cerr_wrap(err, "%s: %s", where, name);
		break;
	}
	case K_LISTEN: {
		const char *colon = strrchr(v, ':');
		if (v[0] && !(k->off == F(stream_address) && streq(v, "auto")) && (!colon || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
			     atoi(colon + 1) > 65535))
			return cerr_set(err, EINVAL, "%s: %s: must be HOST:PORT like 127.0.0.1:9323, or empty, not \"%s\"",
					where, name, v);
		break;
	}
	}
	if (set_str(slot, v) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

const char *config_docker_socket(const corrald_config *c)
{
	if (!streq(c->docker_socket, "auto"))
		return c->docker_socket;
	return streq(c->socket, CORRALD_SOCKET_DEFAULT) ? DOCKER_SOCKET_DEFAULT : "";
}

const char *config_cri_socket(const corrald_config *c)
{
	if (!streq(c->cri_socket, "auto"))
		return c->cri_socket;
	return streq(c->socket, CORRALD_SOCKET_DEFAULT) ? CRI_SOCKET_DEFAULT : "";
}

const char *config_stream_address(const corrald_config *c)
{
	if (!streq(c->stream_address, "auto"))
		return c->stream_address;
	return config_cri_socket(c)[0] ? "127.0.0.1:0" : "";
}

int config_load(corrald_config *c, const char *path, bool missing_ok, cerr *err)
{
	_cleanup_free_ char *text = NULL;
	int r = missing_ok ? read_file_if_there(AT_FDCWD, path, 1 << 20, &text, NULL, err)
			   : read_file(path, 1 << 20, &text, NULL, err);
	if (r < 0 || !text)
		return r;
	int lineno = 0;
	char *save = NULL;
	/* strtok_r would skip empty lines and miscount; walk by hand */
	for (char *line = text; line; line = save) {
		char *nl = strchr(line, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		char *s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		char where[4200];
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		char *eq = strchr(s, '=');
		if (!eq)
			return cerr_set(err, EINVAL, "%s: expected key = value, not \"%s\"", where, s);
		*eq = '\0';
		char *key = trim(s), *val = trim(eq + 1);
		size_t vl = strlen(val);
		if (vl >= 2 && ((val[0] == '"' && val[vl - 1] == '"') || (val[0] == '\'' && val[vl - 1] == '\''))) {
			val[vl - 1] = '\0';
			val++;
		}
		if ((r = config_set(c, key, val, where, err)) < 0)
			return r;
	}
	return 0;
}

static void dump_registry(strbuf *sb, const corrald_config *c, const char *name)
{
	const reg_conf *r = &c->registries;
	const char *sub = name + strlen("registry-");
	sb_addf(sb, "%s =", name);
	char **v = streq(sub, "search") ? r->search : streq(sub, "insecure") ? r->insecure
		 : streq(sub, "blocked") ? r->blocked : NULL;
	for (size_t i = 0; v && v[i]; i++)
		sb_addf(sb, "%s %s", i ? "," : "", v[i]);
	for (size_t i = 0; streq(sub, "mirror") && i < r->n_mirrors; i++)
		sb_addf(sb, "%s %s=%s", i ? "," : "", r->mirrors[i].prefix, r->mirrors[i].location);
	sb_addf(sb, "\n");
}

char *config_dump(const corrald_config *c)
{
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const void *slot = (const char *)c + keys[i].off;
		const char *n = keys[i].name;
		switch (keys[i].kind) {
		case K_MODE: sb_addf(&sb, "%s = %04o\n", n, (unsigned)*(const mode_t *)slot); break;
		case K_SIZE: sb_addf(&sb, "%s = %zu\n", n, *(const size_t *)slot); break;
		case K_COUNT:
			if (keys[i].off == F(audit_log_max_files) || keys[i].off == F(log_max_files) ||
			    keys[i].off == F(default_stop_timeout))
				sb_addf(&sb, "%s = %u\n", n, *(const unsigned *)slot);
			else
				sb_addf(&sb, "%s = %zu\n", n, *(const size_t *)slot);
			break;
		case K_DELEGATE: {
			static const char *names[] = { "auto", "yes", "no" };
			sb_addf(&sb, "%s = %s\n", n, names[*(const enum cg_delegate *)slot]);
			break;
		}
		case K_REGISTRY: dump_registry(&sb, c, n); break;
		default: sb_addf(&sb, "%s = %s\n", n, *(char *const *)slot); break;
		}
	}
	return sb_detach(&sb);
}
