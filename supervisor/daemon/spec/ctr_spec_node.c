/* What a node agent (kubelet, through corral-cri) sets for a container
 * beside the rest of its spec: where its CRI log goes, its cgroup's
 * parent (kubelet's pod cgroup) and its sysctls. The first two are root's
 * alone (ctr_create.c refuses them to a member): corrald's monitor writes
 * the log, and the cgroup is placed where the path says. */
#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/daemon/spec/ctr_spec_node.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/safepath.h"
#include "common/strv.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define SYSCTLS_MAX 64
#define SYSCTL_VALUE_MAX 4096

/* Kubernetes' safe set: namespaced, and harmless to the node and to the
 * other pods, so a member of the group may set them too */
static const char *const safe_sysctls[] = {
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
	"net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes", NULL,
};

bool ctr_sysctl_is_safe(const char *key) { return strv_contains((char *const *)safe_sysctls, key); }

static bool sysctl_key_ok(const char *k)
{
	size_t n = strlen(k);
	return n && n < 256 && strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_.-/") == n && k[0] != '.' && k[n - 1] != '.' &&
	       !strstr(k, "..") && strchr(k, '.');
}

/* cgroupfs: an absolute path; systemd: a slice's name (a.slice, a-b.slice) */
static bool cgroup_parent_ok(const char *p)
{
	size_t n = strlen(p);
	if (p[0] == '/')
		return path_is_clean_absolute(p) && n < 1024;
	return n > 6 && n < 256 && !strcmp(p + n - 6, ".slice") && !strchr(p, '/') &&
	       strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-:") == n;
}

int ctr_spec_parse_node(yajl_val v, ctr_spec *s, json_fault *f)
{
	int r;
	if ((r = json_dup_str(v, "spec", "logPath", 0, &s->log_path, f)) < 0 ||
	    (r = json_dup_str(v, "spec", "cgroupParent", 0, &s->cgroup_parent, f)) < 0)
		return r;
	if (s->log_path && (!path_is_clean_absolute(s->log_path) || strlen(s->log_path) >= PATH_MAX - 1 ||
			    streq(s->log_path, "/")))
		return json_fault_set(f, EINVAL, "spec.logPath", "must be an absolute file path without \".\" or \"..\"");
	if (s->cgroup_parent && !cgroup_parent_ok(s->cgroup_parent))
		return json_fault_set(f, EINVAL, "spec.cgroupParent",
				      "must be an absolute path (cgroupfs) or a slice's name (systemd: a-b.slice)");
	yajl_val sys = json_key(v, "sysctls");
	if ((r = ctr_spec_list(sys, yajl_t_object, "spec.sysctls", "an object of strings", SYSCTLS_MAX, f)) <= 0)
		return r;
	if (!(s->sysctls = calloc(2 * sys->u.object.len + 1, sizeof(char *))))
		return json_fault_oom(f);
	for (size_t i = 0; i < sys->u.object.len; i++) {
		const char *k = sys->u.object.keys[i];
		yajl_val e = sys->u.object.values[i];
		char p[JSON_PATH_MAX];
		if (!sysctl_key_ok(k))
			return json_fault_set(f, EINVAL, json_path(p, "spec.sysctls", k), "not a sysctl's name");
		if (!YAJL_IS_STRING(e) || strlen(e->u.string) > SYSCTL_VALUE_MAX || strchr(e->u.string, '\n'))
			return json_fault_set(f, EINVAL, json_path(p, "spec.sysctls", k),
					      "a string of at most %d bytes, one line", SYSCTL_VALUE_MAX);
		if (!(s->sysctls[2 * i] = strdup(k)) || !(s->sysctls[2 * i + 1] = strdup(e->u.string)))
			return json_fault_oom(f);
	}
	return 0;
}

void ctr_spec_release_node(ctr_spec *s)
{
	free(s->log_path);
	free(s->cgroup_parent);
	strv_free(s->sysctls);
}
