/* A pod's container into {"name": C, "pull": P, "spec": ContainerSpec}:
 * image and imagePullPolicy, command and args, env, ports, resource limits
 * and volume mounts. */
#include "supervisor/daemon/workloads/kube_pod.h"
#include "supervisor/daemon/workloads/kube_probe.h"
#include "supervisor/daemon/workloads/kube_container.h"
#include "supervisor/daemon/workloads/kube_quantity.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/safepath.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MEMORY_MIN (4LL << 20) /* corral's own floor (ctr_spec.c) */
#define MEMORY_MAX (1LL << 50)

static int gen_env(kube_ctx *c, const kube_node *ctr, const char *path, yajl_gen g)
{
	const kube_node *env;
	char p[KUBE_PATH_MAX], field[KUBE_PATH_MAX];
	int r = kube_get_seq(c, ctr, path, "env", &env);
	if (r < 0 || !env)
		return r;
	if (jg_key(g, "env") || yajl_gen_array_open(g))
		return kube_gen_failed(c);
	for (size_t i = 0; i < env->n; i++) {
		const kube_node *e = env->items[i];
		const char *name = NULL, *value = "";
		kube_path_at(p, path, "env", i);
		if ((r = kube_check_keys(c, e, p, (const char *const[]){ "name", "value", NULL })) < 0 ||
		    (r = kube_get_str(c, e, p, "name", true, &name)) < 0 || (r = kube_get_str(c, e, p, "value", false, &value)) < 0)
			return r;
		if (!*name || strchr(name, '='))
			return kube_fail(c, e->line, kube_path(field, p, "name"), "must be a name without '='");
		_cleanup_free_ char *kv = NULL;
		if (asprintf(&kv, "%s=%s", name, value) < 0)
			return kube_gen_failed(c);
		if (jg_str(g, kv))
			return kube_gen_failed(c);
	}
	return yajl_gen_array_close(g) ? kube_gen_failed(c) : 0;
}

static int gen_port(kube_ctx *c, const kube_node *port, const char *p, const kube_pod *pod, yajl_gen g)
{
	static const char *const known[] = { "containerPort", "hostPort", "protocol", "name", NULL };
	long long cport = 0, hport = 0;
	const char *proto = "TCP", *name = NULL;
	char field[KUBE_PATH_MAX];
	int r;
	if ((r = kube_check_keys(c, port, p, known)) < 0 || (r = kube_get_str(c, port, p, "name", false, &name)) < 0 ||
	    (r = kube_get_str(c, port, p, "protocol", false, &proto)) < 0 ||
	    (r = kube_get_int(c, port, p, "hostPort", 1, 65535, &hport)) < 0 ||
	    (r = kube_get_int(c, port, p, "containerPort", 1, 65535, &cport)) < 0)
		return r;
	if (!cport)
		return kube_fail(c, port->line, kube_path(field, p, "containerPort"), "required");
	/* one host: replicas cannot each take the same host port */
	if (hport && pod->replicas > 1)
		return kube_fail(c, kube_key(port, "hostPort", NULL)->line, kube_path(field, p, "hostPort"),
				 "%lld replicas on one host cannot each publish it (use replicas: 1)", pod->replicas);
	if (name && (strlen(name) > 15 || !kube_name_valid(name, strlen(name))))
		return kube_fail(c, kube_key(port, "name", NULL)->line, kube_path(field, p, "name"),
				 "%s: must be 1-15 lowercase letters, digits and '-'", name);
	if (strcmp(proto, "TCP") != 0 && strcmp(proto, "UDP") != 0)
		return kube_fail(c, kube_key(port, "protocol", NULL)->line, kube_path(field, p, "protocol"),
				 "%s: not supported (TCP or UDP)", proto);
	if (yajl_gen_map_open(g) || jg_key_int(g, "containerPort", cport) || (hport && jg_key_int(g, "hostPort", hport)) ||
	    jg_key_str(g, "protocol", proto[0] == 'T' ? "tcp" : "udp") || yajl_gen_map_close(g))
		return kube_gen_failed(c);
	return 0;
}

typedef int (*gen_item_fn)(kube_ctx *c, const kube_node *item, const char *p, const kube_pod *pod, yajl_gen g);

/* The sequence key of ctr, each item through fn, as the array as_key. */
static int gen_items(kube_ctx *c, const kube_node *ctr, const char *path, const char *key, const char *as_key,
		     gen_item_fn fn, const kube_pod *pod, yajl_gen g)
{
	const kube_node *seq;
	int r = kube_get_seq(c, ctr, path, key, &seq);
	if (r < 0 || !seq)
		return r;
	if (jg_key(g, as_key) || yajl_gen_array_open(g))
		return kube_gen_failed(c);
	for (size_t i = 0; i < seq->n; i++) {
		char p[KUBE_PATH_MAX];
		if ((r = fn(c, seq->items[i], kube_path_at(p, path, key, i), pod, g)) < 0)
			return r;
	}
	return yajl_gen_array_close(g) ? kube_gen_failed(c) : 0;
}

static int gen_cpus(yajl_gen g, long long millis)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%lld.%03lld", millis / 1000, millis % 1000);
	while (buf[n - 1] == '0')
		n--;
	if (buf[n - 1] == '.')
		n--;
	return jg_key(g, "cpus") || yajl_gen_number(g, buf, (size_t)n);
}

static int gen_resources(kube_ctx *c, const kube_node *ctr, const char *path, yajl_gen g)
{
	const kube_node *res, *lim;
	char p[KUBE_PATH_MAX], lp[KUBE_PATH_MAX], field[KUBE_PATH_MAX];
	const char *mem = NULL, *cpu = NULL;
	long long bytes = 0, millis = 0;
	int r = kube_get_map(c, ctr, path, "resources", &res);
	if (r < 0 || !res)
		return r;
	kube_path(p, path, "resources");
	kube_path(lp, p, "limits");
	if ((r = kube_check_keys(c, res, p, (const char *const[]){ "limits", NULL })) < 0 ||
	    (r = kube_get_map(c, res, p, "limits", &lim)) < 0 || !lim ||
	    (r = kube_check_keys(c, lim, lp, (const char *const[]){ "memory", "cpu", NULL })) < 0 ||
	    (r = kube_get_str(c, lim, lp, "memory", false, &mem)) < 0 || (r = kube_get_str(c, lim, lp, "cpu", false, &cpu)) < 0)
		return r;
	if (mem && (kube_memory_bytes(mem, &bytes) < 0 || bytes < MEMORY_MIN || bytes > MEMORY_MAX))
		return kube_fail(c, kube_key(lim, "memory", NULL)->line, kube_path(field, lp, "memory"),
				 "%s: must be a quantity of bytes like 128Mi or 1G, from 4Mi to 1Pi", mem);
	if (cpu && (kube_cpu_millis(cpu, &millis) < 0 || millis < 10 || millis > 1024000))
		return kube_fail(c, kube_key(lim, "cpu", NULL)->line, kube_path(field, lp, "cpu"),
				 "%s: must be a quantity of CPUs like 500m or 2, from 10m to 1024", cpu);
	if (!mem && !cpu)
		return 0;
	if (jg_key(g, "resources") || yajl_gen_map_open(g) || (mem && jg_key_int(g, "memory", bytes)) ||
	    (cpu && gen_cpus(g, millis)) || yajl_gen_map_close(g))
		return kube_gen_failed(c);
	return 0;
}

static int gen_mount(kube_ctx *c, const kube_node *m, const char *p, const kube_pod *pod, yajl_gen g)
{
	const char *name = NULL, *dest = NULL;
	bool ro = false;
	char field[KUBE_PATH_MAX];
	int r;
	if ((r = kube_check_keys(c, m, p, (const char *const[]){ "name", "mountPath", "readOnly", NULL })) < 0 ||
	    (r = kube_get_str(c, m, p, "name", true, &name)) < 0 || (r = kube_get_str(c, m, p, "mountPath", true, &dest)) < 0 ||
	    (r = kube_get_bool(c, m, p, "readOnly", &ro)) < 0)
		return r;
	if (!path_is_clean_absolute(dest))
		return kube_fail(c, kube_key(m, "mountPath", NULL)->line, kube_path(field, p, "mountPath"),
				 "%s: must be an absolute path without \".\" or \"..\"", dest);
	const kube_volume *v = NULL;
	for (size_t i = 0; i < pod->n_volumes && !v; i++)
		if (strcmp(pod->volumes[i].name, name) == 0)
			v = &pod->volumes[i];
	if (!v)
		return kube_fail(c, kube_key(m, "name", NULL)->line, kube_path(field, p, "name"),
				 "%s: no such volume in the pod's volumes", name);
	if (yajl_gen_map_open(g) || jg_key_str(g, "source", v->host_path) || jg_key_str(g, "destination", dest) ||
	    jg_key_bool(g, "readonly", ro) || (v->source_type && jg_key_str(g, "sourceType", v->source_type)) ||
	    (v->create && jg_key_bool(g, "createSource", true)) || yajl_gen_map_close(g))
		return kube_gen_failed(c);
	return 0;
}

static int gen_strv(kube_ctx *c, const kube_node *ctr, const char *path, const char *key, const char *as, yajl_gen g)
{
	_cleanup_strv_ char **v = NULL;
	int r = kube_get_strv(c, ctr, path, key, &v);
	if (r < 0 || !v)
		return r;
	return jg_key_strv(g, as, v) ? kube_gen_failed(c) : 0;
}

int kube_container_gen(kube_ctx *c, const kube_node *ctr, const char *path, const kube_pod *pod, yajl_gen g)
{
	static const char *const known[] = { "name",	     "image",	      "imagePullPolicy", "command",
					     "args",	     "workingDir",    "env",		 "ports",
					     "resources",    "volumeMounts", "livenessProbe",	 "securityContext",
					     NULL };
	static const char *const pull_policies[] = { "Always", "IfNotPresent", "Never", NULL };
	const char *name = NULL, *image = NULL, *pull = NULL, *wd = NULL;
	char field[KUBE_PATH_MAX];
	int r;
	if ((r = kube_check_keys(c, ctr, path, known)) < 0 || (r = kube_get_str(c, ctr, path, "name", true, &name)) < 0 ||
	    (r = kube_get_str(c, ctr, path, "image", true, &image)) < 0 ||
	    (r = kube_get_str(c, ctr, path, "imagePullPolicy", false, &pull)) < 0 ||
	    (r = kube_get_str(c, ctr, path, "workingDir", false, &wd)) < 0)
		return r;
	if (!*image)
		return kube_fail(c, ctr->line, kube_path(field, path, "image"), "must not be empty");
	if (wd && *wd != '/')
		return kube_fail(c, kube_key(ctr, "workingDir", NULL)->line, kube_path(field, path, "workingDir"),
				 "%s: must be an absolute path", wd);
	size_t i = 0;
	while (pull && pull_policies[i] && strcmp(pull_policies[i], pull) != 0)
		i++;
	if (pull && !pull_policies[i])
		return kube_fail(c, kube_key(ctr, "imagePullPolicy", NULL)->line, kube_path(field, path, "imagePullPolicy"),
				 "%s: must be Always, IfNotPresent or Never", pull);
	/* the policy as given: absent, Kubernetes' default is the loop's to
	 * apply (wl_plan.h), so that the text of a manifest without one is
	 * what it was before corral read the field */
	if (yajl_gen_map_open(g) || jg_key_str(g, "name", name) || (pull && jg_key_str(g, "pull", pull)) ||
	    jg_key(g, "spec") || yajl_gen_map_open(g) || jg_key_str(g, "image", image) ||
	    (wd && *wd && jg_key_str(g, "workdir", wd)))
		return kube_gen_failed(c);
	if ((r = gen_strv(c, ctr, path, "command", "entrypoint", g)) < 0 || (r = gen_strv(c, ctr, path, "args", "command", g)) < 0 ||
	    (r = gen_env(c, ctr, path, g)) < 0 || (r = gen_items(c, ctr, path, "ports", "ports", gen_port, pod, g)) < 0 ||
	    (r = gen_resources(c, ctr, path, g)) < 0 || (r = gen_items(c, ctr, path, "volumeMounts", "mounts", gen_mount, pod, g)) < 0 ||
	    (r = kube_probe_gen(c, ctr, path, g)) < 0 || (r = kube_security_gen(c, ctr, path, g)) < 0)
		return r;
	if (jg_key_str(g, "restart", pod->restart) || yajl_gen_map_close(g) || yajl_gen_map_close(g))
		return kube_gen_failed(c);
	return 0;
}
