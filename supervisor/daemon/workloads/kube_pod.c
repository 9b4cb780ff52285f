/* A pod spec: its volumes (hostPath only), its restartPolicy, its
 * imagePullSecrets and its containers (at least one, names unique). */
#include "supervisor/daemon/workloads/kube_pod.h"
#include "supervisor/daemon/workloads/kube_container.h"
#include "supervisor/daemon/spec/spec_secrets.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/safepath.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* a hostPath's type as ContainerSpec's sourceType: the source is checked
 * at each Create and re-pin; DirectoryOrCreate's is made (0755, as the
 * kubelet makes it) when missing. FileOrCreate is not: corral makes
 * directories only. */
static const struct { const char *kube, *spec; } host_path_types[] = {
	{ "", NULL }, { "Directory", "directory" }, { "DirectoryOrCreate", "directory" }, { "File", "file" },
	{ "Socket", "socket" }, { "CharDevice", "charDevice" }, { "BlockDevice", "blockDevice" },
};

static int read_volume(kube_ctx *c, const kube_node *v, const char *p, kube_volume *out)
{
	const kube_node *hp;
	const char *type = "";
	char hpp[KUBE_PATH_MAX], field[KUBE_PATH_MAX];
	int r;
	kube_path(hpp, p, "hostPath");
	if ((r = kube_check_keys(c, v, p, (const char *const[]){ "name", "hostPath", NULL })) < 0 ||
	    (r = kube_get_str(c, v, p, "name", true, &out->name)) < 0 || (r = kube_get_map(c, v, p, "hostPath", &hp)) < 0)
		return r;
	if (!kube_name_valid(out->name, strlen(out->name)))
		return kube_fail(c, kube_key(v, "name", NULL)->line, kube_path(field, p, "name"),
				 "%s: must be 1-63 lowercase letters, digits and '-' (RFC 1123)", out->name);
	if (!hp)
		return kube_fail(c, v->line, hpp, "required (the only kind of volume corral mounts)");
	if ((r = kube_check_keys(c, hp, hpp, (const char *const[]){ "path", "type", NULL })) < 0 ||
	    (r = kube_get_str(c, hp, hpp, "path", true, &out->host_path)) < 0 ||
	    (r = kube_get_str(c, hp, hpp, "type", false, &type)) < 0)
		return r;
	if (!path_is_clean_absolute(out->host_path))
		return kube_fail(c, kube_key(hp, "path", NULL)->line, kube_path(field, hpp, "path"),
				 "%s: must be an absolute path without \".\" or \"..\"", out->host_path);
	for (size_t i = 0; i < ARRAY_SIZE(host_path_types); i++)
		if (strcmp(host_path_types[i].kube, type) == 0) {
			out->source_type = host_path_types[i].spec;
			out->create = streq(type, "DirectoryOrCreate");
			return 0;
		}
	return kube_fail(c, kube_key(hp, "type", NULL)->line, kube_path(field, hpp, "type"),
			 "%s: not supported (Directory, DirectoryOrCreate, File, Socket, CharDevice or BlockDevice: "
			 "corral makes no file)",
			 type);
}

static int read_volumes(kube_ctx *c, const kube_node *spec, const char *path, kube_pod *pod)
{
	const kube_node *vs;
	int r = kube_get_seq(c, spec, path, "volumes", &vs);
	if (r < 0 || !vs)
		return r;
	if (!(pod->volumes = calloc(vs->n, sizeof(*pod->volumes))))
		return kube_gen_failed(c);
	for (size_t i = 0; i < vs->n; i++) {
		char p[KUBE_PATH_MAX], field[KUBE_PATH_MAX];
		if ((r = read_volume(c, vs->items[i], kube_path_at(p, path, "volumes", i), &pod->volumes[i])) < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			if (strcmp(pod->volumes[j].name, pod->volumes[i].name) == 0)
				return kube_fail(c, kube_key(vs->items[i], "name", NULL)->line, kube_path(field, p, "name"),
						 "%s: a volume of that name is listed before", pod->volumes[i].name);
		pod->n_volumes = i + 1;
	}
	return 0;
}

static int read_restart(kube_ctx *c, const kube_node *spec, const char *path, bool deployment, kube_pod *pod)
{
	static const char *const k8s[] = { "Always", "OnFailure", "Never" }, *const corral[] = { "always", "on-failure", "no" };
	const char *policy = "Always";
	char field[KUBE_PATH_MAX];
	int r = kube_get_str(c, spec, path, "restartPolicy", false, &policy);
	if (r < 0)
		return r;
	for (size_t i = 0; i < 3; i++)
		if (strcmp(policy, k8s[i]) == 0 && (i == 0 || !deployment)) {
			pod->restart = corral[i];
			return 0;
		}
	return kube_fail(c, kube_key(spec, "restartPolicy", NULL)->line, kube_path(field, path, "restartPolicy"),
			 deployment ? "%s: a Deployment's pods take only Always" : "%s: must be Always, OnFailure or Never",
			 policy);
}

/* kubelet with no cluster DNS gives a ClusterFirst pod the node's
 * resolver, as Default does, and so does corral: there is no cluster DNS. */
static int check_dns_policy(kube_ctx *c, const kube_node *spec, const char *path)
{
	const char *policy = "ClusterFirst";
	char field[KUBE_PATH_MAX];
	int r = kube_get_str(c, spec, path, "dnsPolicy", false, &policy);
	if (r < 0 || strcmp(policy, "ClusterFirst") == 0 || strcmp(policy, "Default") == 0)
		return r;
	return kube_fail(c, kube_key(spec, "dnsPolicy", NULL)->line, kube_path(field, path, "dnsPolicy"),
			 "%s: not supported (ClusterFirst or Default: corral has no cluster DNS)", policy);
}

/* imagePullSecrets: [{name: N}, ...], as "pullSecrets": [N, ...]; each
 * the name of a secret of the workload's owner (whether it is there is
 * the pull's to find, as the kubelet's). */
static int gen_pull_secrets(kube_ctx *c, const kube_node *spec, const char *path, yajl_gen g)
{
	const kube_node *seq;
	int r = kube_get_seq(c, spec, path, "imagePullSecrets", &seq);
	if (r < 0 || !seq || !seq->n)
		return r;
	if (jg_key(g, "pullSecrets") || yajl_gen_array_open(g))
		return kube_gen_failed(c);
	for (size_t i = 0; i < seq->n; i++) {
		char p[KUBE_PATH_MAX], field[KUBE_PATH_MAX];
		const char *name = NULL;
		kube_path_at(p, path, "imagePullSecrets", i);
		if ((r = kube_check_keys(c, seq->items[i], p, (const char *const[]){ "name", NULL })) < 0 ||
		    (r = kube_get_str(c, seq->items[i], p, "name", true, &name)) < 0)
			return r;
		unsigned line = kube_key(seq->items[i], "name", NULL)->line;
		if (!secret_name_valid(name))
			return kube_fail(c, line, kube_path(field, p, "name"),
					 "%s: must be a secret's name: 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit",
					 name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(kube_key(seq->items[j], "name", NULL)->value, name) == 0)
				return kube_fail(c, line, kube_path(field, p, "name"), "%s: listed before", name);
		if (jg_str(g, name))
			return kube_gen_failed(c);
	}
	return yajl_gen_array_close(g) ? kube_gen_failed(c) : 0;
}

static int gen_containers(kube_ctx *c, const kube_node *spec, const char *path, const kube_pod *pod, yajl_gen g)
{
	const kube_node *cs;
	char field[KUBE_PATH_MAX];
	int r = kube_get_seq(c, spec, path, "containers", &cs);
	if (r < 0)
		return r;
	if (!cs || cs->n == 0)
		return kube_fail(c, cs ? cs->line : spec->line, kube_path(field, path, "containers"),
				 "must list at least one container");
	if (jg_key(g, "containers") || yajl_gen_array_open(g))
		return kube_gen_failed(c);
	for (size_t i = 0; i < cs->n; i++) {
		char p[KUBE_PATH_MAX];
		const kube_node *ci = cs->items[i];
		if ((r = kube_container_gen(c, ci, kube_path_at(p, path, "containers", i), pod, g)) < 0)
			return r;
		const kube_node *name = kube_key(ci, "name", NULL);
		if (!kube_name_valid(name->value, name->len))
			return kube_fail(c, name->line, kube_path(field, p, "name"),
					 "%s: must be 1-63 lowercase letters, digits and '-' (RFC 1123)", name->value);
		for (size_t j = 0; j < i; j++)
			if (strcmp(kube_key(cs->items[j], "name", NULL)->value, name->value) == 0)
				return kube_fail(c, name->line, kube_path(field, p, "name"),
						 "%s: a container of that name is listed before", name->value);
	}
	return yajl_gen_array_close(g) ? kube_gen_failed(c) : 0;
}

int kube_pod_gen(kube_ctx *c, const kube_node *spec, const char *path, bool deployment, long long replicas,
		 yajl_gen g)
{
	static const char *const known[] = { "containers", "volumes", "restartPolicy", "dnsPolicy", "imagePullSecrets", NULL };
	kube_pod pod = { .replicas = replicas };
	int r;
	if ((r = kube_check_keys(c, spec, path, known)) < 0 || (r = read_volumes(c, spec, path, &pod)) < 0 ||
	    (r = read_restart(c, spec, path, deployment, &pod)) < 0 || (r = check_dns_policy(c, spec, path)) < 0)
		goto out;
	if (jg_key_str(g, "restart", pod.restart)) {
		r = kube_gen_failed(c);
		goto out;
	}
	if ((r = gen_pull_secrets(c, spec, path, g)) < 0)
		goto out;
	r = gen_containers(c, spec, path, &pod, g);
out:
	free(pod.volumes);
	return r;
}
