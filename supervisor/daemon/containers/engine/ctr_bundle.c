#include "supervisor/daemon/containers/engine/ctr_bundle.h"
#include "supervisor/daemon/containers/engine/ctr_bundle_mounts.h"
#include "supervisor/daemon/containers/engine/ctr_apparmor.h"
#include "supervisor/daemon/containers/engine/ctr_bundle_confine.h"
#include "supervisor/daemon/containers/engine/ctr_limits.h"
#include "supervisor/daemon/containers/engine/ctr_selinux.h"
#include "supervisor/daemon/containers/record/ctr_ids.h"
#include "supervisor/daemon/containers/record/pins.h"
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "supervisor/daemon/core/corrald.h"
#include "runtime/idmap.h"
#include "images/gc.h"
#include "bundle/image_user.h"
#include "bundle/spec.h"
#include "bundle/spec_default.h"
#include "cgroups/resources.h"
#include "common/cleanup.h"
#include "common/safepath.h"
#include "bundle/caps.h"
#include "bundle/command.h"
#include "supervisor/daemon/containers/engine/ctr_init.h"
#include "supervisor/daemon/containers/engine/ctr_privileged.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/strv.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* image env, then the spec's; a later KEY= replaces an earlier one, and
 * KEY alone unsets it (Docker's ReplaceOrAppendEnvValues: docker run -e
 * KEY, or compose's KEY, with KEY not set in the client's environment) */
static char **merged_env(char *const *base, char *const *img, char *const *add)
{
	_cleanup_strv_ char **out = calloc(1, sizeof(char *));
	char *const *lists[] = { base, img, add };
	for (size_t l = 0; out && l < 3; l++)
		for (char *const *e = lists[l]; e && *e; e++) {
			size_t k = strcspn(*e, "="), i = 0;
			char *copy = (*e)[k] ? strdup(*e) : NULL;
			if ((*e)[k] && !copy)
				return NULL;
			while (out[i] && (strncmp(out[i], *e, k) || (out[i][k] != '=' && out[i][k])))
				i++;
			if (out[i]) {
				free(out[i]);
				if (copy)
					out[i] = copy;
				else
					memmove(out + i, out + i + 1, (strv_length(out + i + 1) + 1) * sizeof(*out));
			} else if (copy && strv_push(&out, copy) < 0) {
				free(copy);
				return NULL;
			}
		}
	return TAKE_PTR(out);
}

/* The process args: Docker's composition (bundle/command.h), after the
 * init and "--" with spec.init. */
static char **command_of(const ctr_spec *s, const image_ref *img, const char *init)
{
	_cleanup_strv_ char **args = NULL;
	if (command_compose(img->entrypoint, img->cmd, s->entrypoint, s->command, &args) < 0)
		return NULL;
	if (!init || !args[0])
		return TAKE_PTR(args);
	char **out = calloc(strv_length(args) + 3, sizeof(char *));
	if (!out || !(out[0] = strdup(CTR_INIT_PATH)) || !(out[1] = strdup("--"))) {
		strv_free(out);
		return NULL;
	}
	memcpy(out + 2, args, strv_length(args) * sizeof(char *));
	free(TAKE_PTR(args)); /* its strings are out's now */
	return out;
}

/* podman's default set as changed by capAdd and capDrop (ctr_spec_parse):
 * bounding, effective and permitted; spec.capAmbient's inheritable and
 * ambient (the kernel raises an ambient one only when it is inheritable). */
static void gen_caps(yajl_gen g, uint64_t mask, uint64_t ambient)
{
	static const char *const sets[] = { "bounding", "effective", "permitted", "inheritable", "ambient" };
	jg_key(g, "capabilities");
	yajl_gen_map_open(g);
	for (size_t k = 0; k < ARRAY_SIZE(sets); k++) {
		uint64_t these = k < 3 ? mask : ambient;
		if (k >= 3 && !these)
			continue;
		jg_key(g, sets[k]);
		yajl_gen_array_open(g);
		for (int cap = 0; cap < 64; cap++) {
			char name[32];
			if ((these & (1ull << cap)) && !strncmp(caps_name(cap, name), "CAP_", 4))
				jg_str(g, name);
		}
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

static void gen_limit(yajl_gen g, const char *type, uint64_t soft, uint64_t hard)
{
	char n[24];
	yajl_gen_map_open(g);
	jg_key_str(g, "type", type);
	jg_key(g, "soft");
	yajl_gen_number(g, n, (size_t)snprintf(n, sizeof(n), "%" PRIu64, soft));
	jg_key(g, "hard");
	yajl_gen_number(g, n, (size_t)snprintf(n, sizeof(n), "%" PRIu64, hard));
	yajl_gen_map_close(g);
}

/* The defaults' rlimits, each of spec.ulimits over the one of its type.
 * RLIMIT_NOFILE's default is corrald's own (corrald.service's 1048576), as
 * dockerd's and containerd's containers have theirs, not the OCI
 * default's 1024 that a database or a search engine outgrows. */
static void gen_rlimits(yajl_gen g, yajl_val dflt, const ctr_spec *s)
{
	jg_key(g, "rlimits");
	yajl_gen_array_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(dflt) && i < dflt->u.array.len; i++) {
		const char *type = YAJL_GET_STRING(json_get(dflt->u.array.values[i], "type"));
		bool mine = false;
		for (size_t k = 0; type && k < s->n_ulimits; k++)
			mine = mine || streq(s->ulimits[k].type, type);
		struct rlimit own;
		if (mine)
			continue;
		if (type && streq(type, "RLIMIT_NOFILE") && getrlimit(RLIMIT_NOFILE, &own) == 0)
			gen_limit(g, type, own.rlim_cur, own.rlim_max);
		else
			jg_value(g, dflt->u.array.values[i]);
	}
	for (size_t k = 0; k < s->n_ulimits; k++)
		gen_limit(g, s->ulimits[k].type, s->ulimits[k].soft, s->ulimits[k].hard);
	yajl_gen_array_close(g);
}

static void gen_process(yajl_gen g, yajl_val dflt, const bundle_in *in, char **args, char **env,
			const struct oci_user *user)
{
	const ctr_spec *s = in->spec;
	const char *cwd = s->workdir ? s->workdir : in->image->workdir && *in->image->workdir ? in->image->workdir : "/";
	yajl_gen_map_open(g);
	for (size_t i = 0; i < dflt->u.object.len; i++) {
		const char *k = dflt->u.object.keys[i];
		if (streq(k, "terminal") || streq(k, "consoleSize") || streq(k, "args") || streq(k, "env") || streq(k, "cwd") || streq(k, "user") ||
		    streq(k, "oomScoreAdj") || streq(k, "capabilities") || streq(k, "apparmorProfile") ||
		    streq(k, "noNewPrivileges") || streq(k, "rlimits"))
			continue;
		jg_key(g, k);
		jg_value(g, dflt->u.object.values[i]);
	}
	jg_key_bool(g, "terminal", s->tty);
	if (s->tty && s->console_rows) {
		jg_key(g, "consoleSize");
		jg_object(g, JG_INT("height", s->console_rows), JG_INT("width", s->console_cols), JG_END);
	}
	jg_key_strv(g, "args", args);
	jg_key_strv(g, "env", env);
	jg_key_str(g, "cwd", cwd);
	/* as Docker: not corrald's own (OOMScoreAdjust=-500), so that the OOM
	 * killer picks a runaway container before the host's services */
	jg_key_int(g, "oomScoreAdj", s->oom_score_adj);
	gen_rlimits(g, json_get(dflt, "rlimits"), s);
	gen_caps(g, s->privileged ? caps_bounding() : s->caps, s->caps_ambient);
	jg_key_bool(g, "noNewPrivileges", !s->privileged && !s->new_privs_allowed);
	const char *aa = ctr_apparmor_of(in->d, s);
	if (aa)
		jg_key_str(g, "apparmorProfile", aa);
	char label[CTR_SELINUX_LABEL_MAX], mount_label[CTR_SELINUX_LABEL_MAX];
	if (ctr_selinux_labels(s, label, mount_label))
		jg_key_str(g, "selinuxLabel", label);
	jg_key(g, "user");
	yajl_gen_map_open(g);
	jg_key_int(g, "uid", user->uid);
	jg_key_int(g, "gid", user->gid);
	if (user->n_additional_gids || s->n_groups) {
		jg_key(g, "additionalGids");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < user->n_additional_gids; i++)
			yajl_gen_integer(g, user->additional_gids[i]);
		for (size_t i = 0; i < s->n_groups; i++) /* the spec's more groups */
			yajl_gen_integer(g, s->groups[i]);
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void gen_resources(yajl_gen g, const ctr_spec *s)
{
	jg_key(g, "resources");
	yajl_gen_map_open(g);
	ctr_limits_gen(g, s);
	if (s->privileged)
		ctr_privileged_gen_device_rule(g);
	else
		bundle_gen_device_rules(g, s);
	yajl_gen_map_close(g);
}

/* Whether a namespace of the defaults' is the host's (spec.network,
 * pidNamespace, ipcNamespace): then the container has none of its own */
static bool hosts_ns(const ctr_spec *s, const char *type)
{
	return (streq(type, "network") && s->network == CTR_NET_HOST) || (streq(type, "pid") && s->pid_ns == CTR_NS_HOST) ||
	       (streq(type, "ipc") && s->ipc_ns == CTR_NS_HOST) || (streq(type, "uts") && s->uts_ns == CTR_NS_HOST) ||
	       (streq(type, "cgroup") && s->cgroup_ns == CTR_NS_HOST);
}

/* The defaults' namespaces, less the host's ones, each a path where the
 * container joins one of a feature's (its session's); and a user
 * namespace of its own, with ids. */
static void gen_namespaces(yajl_gen g, yajl_val ns, const bundle_in *in)
{
	yajl_gen_array_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(ns) && i < ns->u.array.len; i++) {
		const char *t = YAJL_GET_STRING(json_get(ns->u.array.values[i], "type"));
		if (t && hosts_ns(in->spec, t))
			continue;
		char path[PATH_MAX];
		if (t && streq(t, "pid") && in->spec->pid_ns == CTR_NS_CONTAINER) { /* another's, pinned */
			snprintf(path, sizeof(path), "%s/" CTR_PID_NS_PIN, in->dir);
		} else if (!t || !CTR_FEATURES_FIRST(in->d, bundle.ns_path, in, t, path, sizeof(path))) {
			jg_value(g, ns->u.array.values[i]);
			continue;
		}
		jg_object(g, JG_STR("type", t), JG_STR("path", path), JG_END);
	}
	if (in->ids)
		jg_object(g, JG_STR("type", "user"), JG_END);
	yajl_gen_array_close(g);
}

/* "0 N": every group the container has, 0 up (the kernel refuses a
 * group its user namespace does not map) */
static const char *ping_groups(const ctr_ids *ids, char *buf, size_t len)
{
	uint64_t mapped = 2147483648u; /* the kernel takes groups below 2^31 */
	if (ids) {
		mapped = 0; /* groups 0 to mapped - 1 */
		for (size_t i = 0; i < 2; i++)
			if (ids->gid[i].size && ids->gid[i].container_id == mapped)
				mapped += ids->gid[i].size;
	}
	snprintf(buf, len, "0 %llu", (unsigned long long)(mapped ? mapped - 1 : 0));
	return buf;
}

static int gen_linux(yajl_gen g, yajl_val dflt, const bundle_in *in, const char **field, cerr *err)
{
	yajl_gen_map_open(g);
	for (size_t i = 0; YAJL_IS_OBJECT(dflt) && i < dflt->u.object.len; i++) {
		const char *k = dflt->u.object.keys[i];
		if (streq(k, "resources") || streq(k, "cgroupsPath") || (in->spec->privileged && ctr_privileged_drops(k)) ||
		    (streq(k, "sysctl") && in->spec->sysctls) || /* the spec's replace the defaults' */
		    (!in->spec->privileged && bundle_confine_replaces(in->spec, k)))
			continue;
		jg_key(g, k);
		if (streq(k, "namespaces")) /* the host's, or a session's */
			gen_namespaces(g, dflt->u.object.values[i], in);
		else
			jg_value(g, dflt->u.object.values[i]);
	}
	if (in->ids)
		ctr_ids_gen(g, in->ids);
	char label[CTR_SELINUX_LABEL_MAX], mount_label[CTR_SELINUX_LABEL_MAX];
	if (ctr_selinux_labels(in->spec, label, mount_label))
		jg_key_str(g, "mountLabel", mount_label);
	if (in->spec->privileged)
		ctr_privileged_gen_devices(g);
	/* In a network namespace of its own (a session's is not), as Docker's
	 * and containerd's: every group of the container pings through ICMP
	 * sockets, with no NET_RAW, and any user binds a port below 1024 */
	bool own_net = in->spec->network != CTR_NET_HOST && !bundle_joins(in, "network") &&
		       !(YAJL_IS_OBJECT(dflt) && json_get(dflt, "sysctl"));
	if (own_net || in->spec->sysctls) {
		jg_key(g, "sysctl");
		yajl_gen_map_open(g);
		char groups[32];
		if (own_net && !strv_contains(in->spec->sysctls, "net.ipv4.ping_group_range"))
			jg_key_str(g, "net.ipv4.ping_group_range", ping_groups(in->ids, groups, sizeof(groups)));
		if (own_net && !strv_contains(in->spec->sysctls, "net.ipv4.ip_unprivileged_port_start"))
			jg_key_str(g, "net.ipv4.ip_unprivileged_port_start", "0");
		for (char **k = in->spec->sysctls; k && k[0] && k[1]; k += 2)
			jg_key_str(g, k[0], k[1]);
		yajl_gen_map_close(g);
	}
	if (!in->spec->privileged && bundle_gen_linux_confine(g, in->spec, field, err) < 0)
		return -1;
	/* a shared mount's events reach the host only through a root that is
	 * shared too (as containerd sets it for Kubernetes' Bidirectional) */
	const char *root_prop = NULL;
	for (size_t i = 0; i < in->spec->n_mounts; i++) {
		const char *p = in->spec->mounts[i].propagation;
		if (p && strstr(p, "shared"))
			root_prop = "rshared";
		else if (p && strstr(p, "slave") && !root_prop)
			root_prop = "rslave";
	}
	if (root_prop && !(YAJL_IS_OBJECT(dflt) && json_get(dflt, "rootfsPropagation")))
		jg_key_str(g, "rootfsPropagation", root_prop);
	gen_resources(g, in->spec);
	jg_key_str(g, "cgroupsPath", in->cgroups_path);
	yajl_gen_map_close(g);
	return 0;
}

/* corral spec's config, parsed once: every bundle starts from it. */
static yajl_val default_spec(cerr *err)
{
	static yajl_val tree;
	if (tree)
		return tree;
	_cleanup_free_ char *text = spec_default_json(false);
	if (!text) {
		cerr_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	if (json_parse(text, "default config", &tree, err) < 0)
		tree = NULL;
	return tree;
}

int bundle_write(const char *dir, const bundle_in *in, const char **field, wfa_pending *out, cerr *err)
{
	*field = NULL;
	yajl_val d = default_spec(err);
	if (!d)
		return -err->code;
	_cleanup_(image_user_release) struct oci_user user = { 0 };
	const char *who = in->spec->user ? in->spec->user : in->image->user;
	if (image_user_resolve_path(in->image->rootfs, who, &user, err) < 0) {
		*field = "spec.user";
		return -EINVAL;
	}
	if (in->spec->group_names &&
	    image_group_add(in->image->rootfs, (const char *const *)in->spec->group_names, &user, err) < 0) {
		*field = "spec.groupNames";
		return -EINVAL;
	}
	bundle_in with_init = *in;
	with_init.dir = dir;
	if (in->spec->init && !(with_init.init_binary = ctr_init_binary())) {
		*field = "spec.init";
		return cerr_set(err, ENOENT, "no catatonit or tini-static on the host: install catatonit");
	}
	in = &with_init;
	_cleanup_strv_ char **args = command_of(in->spec, in->image, in->init_binary);
	if (!args)
		return cerr_set(err, ENOMEM, "out of memory");
	if (!args[0]) {
		*field = in->spec->entrypoint ? "spec.entrypoint" : "spec.command";
		return cerr_set(err, EINVAL, "the image has no command: give one");
	}
	/* what the request gave was checked as it was parsed; what the image
	 * gives is checked here, by the rules the runtime applies */
	if (!args[0][0]) {
		*field = in->spec->entrypoint ? "spec.entrypoint" : in->spec->command ? "spec.command" : "image";
		return cerr_set(err, EINVAL, "the command's first word is empty");
	}
	const char *iwd = in->image->workdir;
	if (!in->spec->workdir && iwd && *iwd && !path_is_clean_absolute(iwd)) {
		*field = "image";
		return cerr_set(err, EINVAL, "its WorkingDir \"%s\" is not a clean absolute path: give spec.workdir", iwd);
	}
	for (char *const *e = in->image->env; e && *e; e++)
		if (!strchr(*e, '=') || **e == '=') {
			*field = "image";
			return cerr_set(err, EINVAL, "its Env entry \"%s\" is not KEY=VALUE", *e);
		}
	yajl_val denv = json_get(json_get(d, "process"), "env");
	_cleanup_strv_ char **base = NULL;
	for (size_t i = 0; YAJL_IS_ARRAY(denv) && i < denv->u.array.len; i++)
		if (YAJL_IS_STRING(denv->u.array.values[i]) && strncmp(denv->u.array.values[i]->u.string, "TERM=", 5))
			strv_push(&base, strdup(denv->u.array.values[i]->u.string));
	if (in->spec->tty)
		strv_push(&base, strdup("TERM=xterm"));
	_cleanup_strv_ char **env = merged_env(base, in->image->env, in->spec->env);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(true);
	if (!env || !g)
		return cerr_set(err, ENOMEM, "out of memory");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < d->u.object.len; i++) {
		const char *k = d->u.object.keys[i];
		yajl_val v = d->u.object.values[i];
		/* a user namespace of its own may not name a UTS namespace it
		 * joins (its session's, named when it was made), nor a
		 * container in the host's its names */
		if (streq(k, "annotations") || streq(k, "domainname") ||
		    (streq(k, "hostname") && ((in->ids && bundle_joins(in, "uts")) || in->spec->uts_ns == CTR_NS_HOST)))
			continue;
		jg_key(g, k);
		if (streq(k, "process")) {
			gen_process(g, v, in, args, env, &user);
		} else if (streq(k, "root")) {
			jg_object(g, JG_STR("path", in->image->rootfs),
				     JG_BOOL("readonly", in->image->shared || in->spec->read_only), JG_END);
		} else if (streq(k, "mounts")) {
			bundle_gen_mounts(g, v, in);
		} else if (streq(k, "hostname")) {
			jg_str(g, in->spec->hostname ? in->spec->hostname : in->hostname);
		} else if (streq(k, "linux")) {
			if (gen_linux(g, v, in, field, err) < 0)
				return -err->code;
		} else {
			jg_value(g, v);
		}
	}
	if (in->spec->domainname && !(in->ids && bundle_joins(in, "uts")) && in->spec->uts_ns != CTR_NS_HOST)
		jg_key_str(g, "domainname", in->spec->domainname);
	jg_key(g, "annotations");
	yajl_gen_map_open(g);
	for (char **l = in->spec->labels; l && l[0] && l[1]; l += 2)
		/* ours: a label must not turn lo on or off, nor pin an image */
		if (!streq(l[0], ANNOT_NETWORK) && !streq(l[0], GC_BUNDLE_ANNOTATION) &&
		    !streq(l[0], CG_OPTIONAL_LIMITS_ANNOTATION) && !streq(l[0], ANNOT_ROOTFS_SUID))
			jg_key_str(g, l[0], l[1]);
	if (in->ids && in->image->shared) /* a directory image, seen with its owners */
		jg_key_str(g, IDMAP_ROOTFS_ANNOTATION, "true");
	if (in->image->manifest) { /* the container's hold on its image against gc */
		jg_key_str(g, GC_BUNDLE_ANNOTATION, in->image->manifest);
		jg_key_str(g, ANNOT_ROOTFS_SUID, "true"); /* its overlay, nosuid on the host */
	}
	/* the policy's defaults hold where the host has their controllers */
	if (in->spec->memory_defaulted || in->spec->pids_defaulted)
		jg_key_str(g, CG_OPTIONAL_LIMITS_ANNOTATION,
			   in->spec->memory_defaulted && in->spec->pids_defaulted ? "memory pids"
			   : in->spec->memory_defaulted			     ? "memory"
										     : "pids");
	/* the runtime reads it (none would keep lo down): every new network
	 * namespace has lo up, none's as podman's, a CNI network's beside the
	 * interface CNI gives it; a label cannot say otherwise */
	if (in->spec->network != CTR_NET_HOST)
		jg_key_str(g, ANNOT_NETWORK, "loopback");
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	size_t n;
	_cleanup_free_ char *text = jg_finish(g, &n);
	if (!text)
		return cerr_set(err, ENOMEM, "out of memory");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" BUNDLE_CONFIG, dir);
	/* a spare directory holds its temporary file (fastpath.c) */
	return wfa_begin_ex(out, path, text, n, BUNDLE_CONFIG_MODE, WFA_PREMADE, err);
}
