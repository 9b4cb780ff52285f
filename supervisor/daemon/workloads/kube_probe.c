/* A container's livenessProbe (exec only) as corral's healthcheck, and its
 * securityContext as user, readOnly, capAdd and capDrop. */
#include "supervisor/daemon/workloads/kube_pod.h"
#include "supervisor/daemon/workloads/kube_probe.h"
#include "bundle/caps.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int gen_seconds(yajl_gen g, const char *key, long long s)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%llds", s);
	return jg_key_str(g, key, buf);
}

int kube_probe_gen(kube_ctx *c, const kube_node *ctr, const char *path, yajl_gen g)
{
	static const char *const known[] = { "exec", "periodSeconds", "timeoutSeconds", "failureThreshold",
					     "initialDelaySeconds", NULL };
	const kube_node *probe, *exec;
	char p[KUBE_PATH_MAX], ep[KUBE_PATH_MAX], field[KUBE_PATH_MAX];
	long long period = 10, timeout = 1, failures = 3, delay = 0;
	_cleanup_strv_ char **cmd = NULL;
	int r = kube_get_map(c, ctr, path, "livenessProbe", &probe);
	if (r < 0 || !probe)
		return r;
	kube_path(p, path, "livenessProbe");
	kube_path(ep, p, "exec");
	if ((r = kube_check_keys(c, probe, p, known)) < 0 || (r = kube_get_map(c, probe, p, "exec", &exec)) < 0)
		return r;
	if (!exec)
		return kube_fail(c, probe->line, ep, "required (the only kind of probe corral runs)");
	if ((r = kube_check_keys(c, exec, ep, (const char *const[]){ "command", NULL })) < 0 ||
	    (r = kube_get_strv(c, exec, ep, "command", &cmd)) < 0 ||
	    (r = kube_get_int(c, probe, p, "periodSeconds", 1, 86400, &period)) < 0 ||
	    (r = kube_get_int(c, probe, p, "timeoutSeconds", 1, 86400, &timeout)) < 0 ||
	    (r = kube_get_int(c, probe, p, "failureThreshold", 1, 1000, &failures)) < 0 ||
	    (r = kube_get_int(c, probe, p, "initialDelaySeconds", 0, 86400, &delay)) < 0)
		return r;
	if (!cmd || !cmd[0])
		return kube_fail(c, exec->line, kube_path(field, ep, "command"), "must be a non-empty list of strings");
	if (jg_key(g, "healthcheck") || yajl_gen_map_open(g) || jg_key_strv(g, "command", cmd) ||
	    gen_seconds(g, "interval", period) || gen_seconds(g, "timeout", timeout) ||
	    jg_key_int(g, "retries", failures) || gen_seconds(g, "startPeriod", delay) ||
	    jg_key_str(g, "onFailure", "restart") || yajl_gen_map_close(g))
		return kube_gen_failed(c);
	return 0;
}

/* Names bundle/caps.c knows ("NET_ADMIN", "CAP_NET_ADMIN"), or ALL. */
static int caps_list(kube_ctx *c, const kube_node *caps, const char *path, const char *key, char ***out)
{
	int r = kube_get_strv(c, caps, path, key, out);
	for (size_t i = 0; r == 0 && *out && (*out)[i]; i++)
		if (strcasecmp((*out)[i], "ALL") != 0 && caps_parse_name((*out)[i]) < 0) {
			char p[KUBE_PATH_MAX];
			const kube_node *seq = kube_key(caps, key, NULL);
			return kube_fail(c, seq->items[i]->line, kube_path_at(p, path, key, i),
					 "%s: not a capability (like NET_ADMIN, or ALL)", (*out)[i]);
		}
	return r;
}

static int gen_caps(kube_ctx *c, const kube_node *sc, const char *path, yajl_gen g)
{
	const kube_node *caps;
	char p[KUBE_PATH_MAX];
	_cleanup_strv_ char **add = NULL, **drop = NULL;
	int r = kube_get_map(c, sc, path, "capabilities", &caps);
	if (r < 0 || !caps)
		return r;
	kube_path(p, path, "capabilities");
	if ((r = kube_check_keys(c, caps, p, (const char *const[]){ "add", "drop", NULL })) < 0 ||
	    (r = caps_list(c, caps, p, "add", &add)) < 0 || (r = caps_list(c, caps, p, "drop", &drop)) < 0)
		return r;
	if ((add && jg_key_strv(g, "capAdd", add)) || (drop && jg_key_strv(g, "capDrop", drop)))
		return kube_gen_failed(c);
	return 0;
}

int kube_security_gen(kube_ctx *c, const kube_node *ctr, const char *path, yajl_gen g)
{
	static const char *const known[] = { "runAsUser", "runAsGroup", "readOnlyRootFilesystem", "capabilities", NULL };
	const kube_node *sc;
	char p[KUBE_PATH_MAX], field[KUBE_PATH_MAX];
	long long uid = -1, gid = -1;
	bool ro = false;
	int r = kube_get_map(c, ctr, path, "securityContext", &sc);
	if (r < 0 || !sc)
		return r;
	kube_path(p, path, "securityContext");
	if ((r = kube_check_keys(c, sc, p, known)) < 0 || (r = kube_get_int(c, sc, p, "runAsUser", 0, 4294967294LL, &uid)) < 0 ||
	    (r = kube_get_int(c, sc, p, "runAsGroup", 0, 4294967294LL, &gid)) < 0 ||
	    (r = kube_get_bool(c, sc, p, "readOnlyRootFilesystem", &ro)) < 0)
		return r;
	if (gid >= 0 && uid < 0)
		return kube_fail(c, kube_key(sc, "runAsGroup", NULL)->line, kube_path(field, p, "runAsGroup"),
				 "needs runAsUser too (corral's user is UID[:GID])");
	char user[32];
	if (gid >= 0)
		snprintf(user, sizeof(user), "%lld:%lld", uid, gid);
	else
		snprintf(user, sizeof(user), "%lld", uid);
	if ((uid >= 0 && jg_key_str(g, "user", user)) || (ro && jg_key_bool(g, "readOnly", true)))
		return kube_gen_failed(c);
	return gen_caps(c, sc, p, g);
}
