/* A CRI ContainerConfig as corrald's ContainerSpec (cri_rpcs.h): the
 * pod's session, kubelet's command as the entrypoint and its args as the
 * command (Kubernetes' composition is Docker's), the security context, the
 * pod's log directory, cgroup parent and sysctls, and the config itself,
 * whole, in a label (cri_meta.h). What corral cannot
 * give yet is refused with the field's name, never dropped. */
#include "supervisor/cri/cri_rpcs.h"
#include "supervisor/cri/ctr_spec_gen.h"
#include "supervisor/cri/cri_meta.h"
#include "supervisor/cri/runtime_v1.pb-c.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_scan.h"

#include <stdio.h>
#include <string.h>

typedef Runtime__V1__ContainerConfig ctr_config;
typedef Runtime__V1__PodSandboxConfig pod_config;

static int unsupported(cri_refusal *r, const char *field)
{
	*r = (cri_refusal){ field, false };
	return -1;
}

static int invalid(cri_refusal *r, const char *field)
{
	*r = (cri_refusal){ field, true };
	return -1;
}

static int gen_strs(yajl_gen g, const char *key, char **v, size_t n)
{
	if (jg_key(g, key) || yajl_gen_array_open(g))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (jg_str(g, v[i]))
			return -1;
	return yajl_gen_array_close(g) ? -1 : 0;
}

static const char *propagation_of(Runtime__V1__MountPropagation p)
{
	switch (p) {
	case RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER: return "rslave";
	case RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_BIDIRECTIONAL: return "rshared";
	default: return "rprivate";
	}
}

/* The user namespace kubelet gives (hostUsers: false): one mapping each,
 * from container id 0, of one size; NULL when there is none */
static const Runtime__V1__UserNamespace *userns_of(const ctr_config *cfg)
{
	const Runtime__V1__LinuxContainerSecurityContext *sc = cfg->linux ? cfg->linux->security_context : NULL;
	const Runtime__V1__UserNamespace *u = sc && sc->namespace_options ? sc->namespace_options->userns_options : NULL;
	return u && u->mode == RUNTIME__V1__NAMESPACE_MODE__POD ? u : NULL;
}

static bool one_mapping(Runtime__V1__IDMapping *const *m, size_t n, uint32_t size)
{
	return n == 1 && m[0]->container_id == 0 && m[0]->length == size;
}

static bool same_mapping(Runtime__V1__IDMapping *const *a, size_t na, Runtime__V1__IDMapping *const *b, size_t nb)
{
	return na == 1 && nb == 1 && a[0]->host_id == b[0]->host_id && a[0]->container_id == b[0]->container_id &&
	       a[0]->length == b[0]->length;
}

static int gen_mounts(yajl_gen g, const ctr_config *cfg, cri_refusal *refused)
{
	if (!cfg->n_mounts)
		return 0;
	const Runtime__V1__UserNamespace *u = userns_of(cfg);
	if (jg_key(g, "mounts") || yajl_gen_array_open(g))
		return -1;
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const Runtime__V1__Mount *m = cfg->mounts[i];
		/* an idmapped mount: through the container's own mappings, as kubelet gives them */
		bool idmap = m->n_uidmappings || m->n_gidmappings;
		if (idmap && !(u && same_mapping(m->uidmappings, m->n_uidmappings, u->uids, u->n_uids) &&
			       same_mapping(m->gidmappings, m->n_gidmappings, u->gids, u->n_gids)))
			return unsupported(refused, "mounts[].uidMappings (other than the container's user namespace's)");
		/* as the CRI says, and containerd checks */
		if (m->recursive_read_only &&
		    (!m->readonly || m->propagation != RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_PRIVATE))
			return invalid(refused, "mounts[].recursive_read_only (needs readonly and private propagation)");
		if (yajl_gen_map_open(g) || jg_key_str(g, "type", "bind") || jg_key_str(g, "source", m->host_path) ||
		    jg_key_str(g, "destination", m->container_path) || jg_key_bool(g, "readonly", m->readonly) ||
		    jg_key_bool(g, "createSource", true) || /* a missing host path is made, as containerd makes it */
		    (m->recursive_read_only && jg_key_bool(g, "recursiveReadonly", true)) ||
		    jg_key_str(g, "propagation", propagation_of(m->propagation)) || (idmap && jg_key_bool(g, "idmap", true)) ||
		    yajl_gen_map_close(g))
			return -1;
	}
	return yajl_gen_array_close(g) ? -1 : 0;
}

static int gen_userns(yajl_gen g, const ctr_config *cfg, cri_refusal *refused)
{
	const Runtime__V1__UserNamespace *u = userns_of(cfg);
	if (!u)
		return 0;
	uint32_t size = u->n_uids ? u->uids[0]->length : 0;
	if (size < 2 || !one_mapping(u->uids, u->n_uids, size) || !one_mapping(u->gids, u->n_gids, size))
		return unsupported(refused, "linux.security_context.namespace_options.userns_options (other than one "
					    "mapping from container id 0, the same size for uids and gids)");
	return jg_key(g, "usernsIds") || yajl_gen_map_open(g) || jg_key_int(g, "uid", u->uids[0]->host_id) ||
			       jg_key_int(g, "gid", u->gids[0]->host_id) || jg_key_int(g, "size", size) || yajl_gen_map_close(g)
		       ? -1
		       : 0;
}

static int gen_env(yajl_gen g, const ctr_config *cfg)
{
	if (!cfg->n_envs)
		return 0;
	if (jg_key(g, "env") || yajl_gen_array_open(g))
		return -1;
	for (size_t i = 0; i < cfg->n_envs; i++) {
		_cleanup_free_ char *kv = NULL;
		if (asprintf(&kv, "%s=%s", cfg->envs[i]->key, cfg->envs[i]->value) < 0 || jg_str(g, kv))
			return -1;
	}
	return yajl_gen_array_close(g) ? -1 : 0;
}

/* run_as_user[:run_as_group], or the user's name */
static int gen_user(yajl_gen g, const Runtime__V1__LinuxContainerSecurityContext *sc, cri_refusal *refused)
{
	char user[160];
	if (sc->run_as_user && sc->run_as_group)
		snprintf(user, sizeof(user), "%lld:%lld", (long long)sc->run_as_user->value, (long long)sc->run_as_group->value);
	else if (sc->run_as_user)
		snprintf(user, sizeof(user), "%lld", (long long)sc->run_as_user->value);
	else if (*sc->run_as_username && sc->run_as_group)
		snprintf(user, sizeof(user), "%s:%lld", sc->run_as_username, (long long)sc->run_as_group->value);
	else if (*sc->run_as_username)
		snprintf(user, sizeof(user), "%s", sc->run_as_username);
	else if (sc->run_as_group) /* whose group? the image's user is not named here */
		return invalid(refused, "linux.security_context.run_as_group (without run_as_user or run_as_username)");
	else
		return 0;
	return jg_key_str(g, "user", user) ? -1 : 0;
}

/* A profile in the CRI's deprecated string fields, as containerd reads
 * them: corral's own (NULL), "unconfined", or "localhost/" and a name;
 * anything else is refused (a bare path is not a profile kubelet names) */
static const char *legacy_profile(const char *v, const char *why, cri_refusal *refused)
{
	if (!*v || streq(v, "runtime/default") || streq(v, "docker/default"))
		return NULL;
	if (streq(v, "unconfined"))
		return "unconfined";
	if (!strncmp(v, "localhost/", 10) && v[10])
		return v + 10;
	invalid(refused, why);
	return NULL;
}

/* The profile named: "runtime/default" and RuntimeDefault are corral's
 * own (NULL here), Unconfined "unconfined", Localhost its name. */
static const char *apparmor_of(const Runtime__V1__LinuxContainerSecurityContext *sc, cri_refusal *refused)
{
	if (sc->apparmor) {
		if (sc->apparmor->profile_type == RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Unconfined)
			return "unconfined";
		if (sc->apparmor->profile_type == RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Localhost)
			return sc->apparmor->localhost_ref;
		return NULL;
	}
	return legacy_profile(sc->apparmor_profile,
			      "linux.security_context.apparmor_profile (not runtime/default, unconfined or localhost/NAME)",
			      refused);
}

static int gen_int64s(yajl_gen g, const char *key, const int64_t *v, size_t n)
{
	if (jg_key(g, key) || yajl_gen_array_open(g))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (yajl_gen_integer(g, v[i]))
			return -1;
	return yajl_gen_array_close(g) ? -1 : 0;
}

/* The seccomp profile: corral's (NULL), "unconfined", or a host file. None
 * named is unconfined in the CRI (kubelet sends RuntimeDefault where it
 * wants one, with --seccomp-default), as containerd and CRI-O take it: for
 * root; a member's gets corral's filter, as every member's container. */
static const char *seccomp_of(const Runtime__V1__LinuxContainerSecurityContext *sc, bool root, cri_refusal *refused)
{
	if (!sc->seccomp && !*sc->seccomp_profile_path)
		return root ? "unconfined" : NULL;
	if (sc->seccomp) {
		if (sc->seccomp->profile_type == RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Unconfined)
			return "unconfined";
		if (sc->seccomp->profile_type == RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Localhost)
			return sc->seccomp->localhost_ref;
		return NULL;
	}
	return legacy_profile(sc->seccomp_profile_path,
			      "linux.security_context.seccomp_profile_path (not runtime/default, unconfined or localhost/PATH)",
			      refused);
}

/* Its PID and IPC namespaces as kubelet asks: its own (CONTAINER), the
 * pod's (POD: its session's, which shares pid only where the pod asked),
 * or the host's (NODE). pns: the pod's. */
static int gen_ns_modes(yajl_gen g, const Runtime__V1__NamespaceOption *ns, const Runtime__V1__NamespaceOption *pns,
			cri_refusal *refused)
{
	if (!ns)
		return 0;
	bool pod_shares_pid = pns && pns->pid == RUNTIME__V1__NAMESPACE_MODE__POD;
	/* TARGET (kubectl debug --target): that container's, pinned by corrald */
	if (ns->pid == RUNTIME__V1__NAMESPACE_MODE__TARGET) {
		if (!*ns->target_id || strlen(ns->target_id) > 64 || strspn(ns->target_id, "0123456789abcdef") != strlen(ns->target_id))
			return invalid(refused, "linux.security_context.namespace_options.target_id (not a container's id)");
		char mode[80];
		snprintf(mode, sizeof(mode), "container:%s", ns->target_id);
		return jg_key_str(g, "pidNamespace", mode) ||
				       (ns->ipc == RUNTIME__V1__NAMESPACE_MODE__NODE && jg_key_str(g, "ipcNamespace", "host"))
			       ? -1
			       : 0;
	}
	if (ns->pid == RUNTIME__V1__NAMESPACE_MODE__POD && !pod_shares_pid)
		return invalid(refused, "linux.security_context.namespace_options.pid POD, in a pod whose PID namespace is not shared");
	const char *pid = ns->pid == RUNTIME__V1__NAMESPACE_MODE__NODE				 ? "host"
			  : ns->pid == RUNTIME__V1__NAMESPACE_MODE__CONTAINER && pod_shares_pid ? "private"
												 : NULL;
	const char *ipc = ns->ipc == RUNTIME__V1__NAMESPACE_MODE__NODE	     ? "host"
			  : ns->ipc == RUNTIME__V1__NAMESPACE_MODE__CONTAINER ? "private"
									      : NULL;
	return (pid && jg_key_str(g, "pidNamespace", pid)) || (ipc && jg_key_str(g, "ipcNamespace", ipc)) ? -1 : 0;
}

static int gen_security(yajl_gen g, const Runtime__V1__LinuxContainerSecurityContext *sc, bool root, cri_refusal *refused)
{
	const Runtime__V1__SELinuxOption *se = sc->selinux_options;
	if (se && (*se->user || *se->role || *se->type || *se->level) &&
	    (jg_key(g, "selinuxOptions") || yajl_gen_map_open(g) || jg_key_str(g, "user", se->user) ||
	     jg_key_str(g, "role", se->role) || jg_key_str(g, "type", se->type) || jg_key_str(g, "level", se->level) ||
	     yajl_gen_map_close(g)))
		return -1;
	if (sc->privileged && jg_key_bool(g, "privileged", true))
		return -1;
	if (sc->capabilities && ((sc->capabilities->n_add_capabilities &&
				  gen_strs(g, "capAdd", sc->capabilities->add_capabilities, sc->capabilities->n_add_capabilities)) ||
				 (sc->capabilities->n_drop_capabilities &&
				  gen_strs(g, "capDrop", sc->capabilities->drop_capabilities,
					   sc->capabilities->n_drop_capabilities)) ||
				 (sc->capabilities->n_add_ambient_capabilities &&
				  gen_strs(g, "capAmbient", sc->capabilities->add_ambient_capabilities,
					   sc->capabilities->n_add_ambient_capabilities))))
		return -1;
	const char *aa = apparmor_of(sc, refused), *sec = seccomp_of(sc, root, refused);
	if (refused->field || (aa && jg_key_str(g, "apparmorProfile", aa)) || (sec && jg_key_str(g, "seccompProfile", sec)) ||
	    gen_user(g, sc, refused) < 0)
		return -1;
	/* the CRI's: no_new_privs false asks the runtime not to set it, as
	 * containerd and CRI-O do (kubelet's allowPrivilegeEscalation) */
	if (jg_key_bool(g, "noNewPrivileges", sc->no_new_privs) ||
	    (sc->n_supplemental_groups && gen_int64s(g, "groups", sc->supplemental_groups, sc->n_supplemental_groups)))
		return -1;
	/* an empty list is proto3's "not given": corral's defaults stay */
	if ((sc->n_masked_paths && gen_strs(g, "maskedPaths", sc->masked_paths, sc->n_masked_paths)) ||
	    (sc->n_readonly_paths && gen_strs(g, "readonlyPaths", sc->readonly_paths, sc->n_readonly_paths)))
		return -1;
	/* kubelet mounts what a read-only pod writes to (emptyDirs) */
	if (sc->readonly_rootfs && jg_key_bool(g, "readOnly", true))
		return -1;
	return 0;
}

static int gen_devices(yajl_gen g, const ctr_config *cfg)
{
	if (!cfg->n_devices)
		return 0;
	if (jg_key(g, "devices") || yajl_gen_array_open(g))
		return -1;
	for (size_t i = 0; i < cfg->n_devices; i++) {
		const Runtime__V1__Device *dv = cfg->devices[i];
		if (yajl_gen_map_open(g) || jg_key_str(g, "hostPath", dv->host_path) ||
		    (*dv->container_path && jg_key_str(g, "containerPath", dv->container_path)) ||
		    (*dv->permissions && jg_key_str(g, "permissions", dv->permissions)) || yajl_gen_map_close(g))
			return -1;
	}
	return yajl_gen_array_close(g) ? -1 : 0;
}

int cri_gen_resources(yajl_gen g, const Runtime__V1__LinuxContainerResources *r, bool oom)
{
	if (jg_key(g, "resources") || yajl_gen_map_open(g) ||
	    (r->memory_limit_in_bytes > 0 && jg_key_int(g, "memory", r->memory_limit_in_bytes)))
		return -1;
	if (r->cpu_quota > 0 && r->cpu_period > 0 &&
	    (jg_key(g, "cpus") || yajl_gen_double(g, (double)r->cpu_quota / (double)r->cpu_period)))
		return -1;
	if ((r->cpu_shares >= 2 && jg_key_int(g, "cpuShares", r->cpu_shares > 262144 ? 262144 : r->cpu_shares)) ||
	    (*r->cpuset_cpus && jg_key_str(g, "cpusetCpus", r->cpuset_cpus)) ||
	    (*r->cpuset_mems && jg_key_str(g, "cpusetMems", r->cpuset_mems)) ||
	    (oom && r->oom_score_adj && jg_key_int(g, "oomScoreAdj", r->oom_score_adj)))
		return -1;
	if (r->n_hugepage_limits && (jg_key(g, "hugepageLimits") || yajl_gen_array_open(g)))
		return -1;
	for (size_t i = 0; i < r->n_hugepage_limits; i++)
		if (yajl_gen_map_open(g) || jg_key_str(g, "pageSize", r->hugepage_limits[i]->page_size) ||
		    jg_key_int(g, "limit", (long long)r->hugepage_limits[i]->limit) || yajl_gen_map_close(g))
			return -1;
	if (r->n_hugepage_limits && yajl_gen_array_close(g))
		return -1;
	if (r->n_unified && (jg_key(g, "unified") || yajl_gen_map_open(g)))
		return -1;
	for (size_t i = 0; i < r->n_unified; i++)
		if (jg_key_str(g, r->unified[i]->key, r->unified[i]->value))
			return -1;
	if (r->n_unified && yajl_gen_map_close(g))
		return -1;
	return yajl_gen_map_close(g) ? -1 : 0;
}

/* ContainerSpec's JSON of cfg, a container of pod_id (whose config is pod,
 * NULL when the request gave none); refused names a field corral cannot
 * give, or one it was given wrong. The name is Kubernetes' (k8s_NAME_POD_NAMESPACE_UID_ATTEMPT, as
 * dockershim's), so that corralctl ps shows whose it is. */
char *cri_ctr_spec(const char *pod_id, const ctr_config *cfg, const pod_config *pod, bool root, cri_refusal *refused)
{
	*refused = (cri_refusal){ 0 };
	const Runtime__V1__LinuxContainerConfig *lx = cfg->linux;
	if (cfg->n_cdi_devices)
		return unsupported(refused, "CDI_devices"), NULL;
	/* corral's names are at most 128 bytes, a pod's name up to 253: past
	 * that, the container's name (a DNS label) and the pod's id, unique
	 * all the same */
	char name[512];
	const char *uid = pod && pod->metadata ? pod->metadata->uid : pod_id;
	/* cut where a character ends: a name cut inside one is not UTF-8 */
	int n = snprintf(name, sizeof(name), "k8s_%s_%s_%s_%.*s_%u", cfg->metadata->name,
			 pod && pod->metadata ? pod->metadata->name : "pod",
			 pod && pod->metadata ? pod->metadata->namespace_ : "ns", (int)utf8_prefix(uid, 8), uid,
			 cfg->metadata->attempt);
	if (n < 0 || n > 128)
		snprintf(name, sizeof(name), "k8s_%.*s_%.32s_%u", (int)utf8_prefix(cfg->metadata->name, 63),
			 cfg->metadata->name, pod_id, cfg->metadata->attempt);
	char log_path[4096];
	snprintf(log_path, sizeof(log_path), "%s/%s", pod ? pod->log_directory : "", cfg->log_path);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "spec") || yajl_gen_map_open(g) ||
	    jg_key_str(g, "image", cfg->image->image) || jg_key_str(g, "name", name) || jg_key_str(g, "session", pod_id) ||
	    (cfg->n_command && gen_strs(g, "entrypoint", cfg->command, cfg->n_command)) ||
	    (cfg->n_args && gen_strs(g, "command", cfg->args, cfg->n_args)) ||
	    (*cfg->working_dir && jg_key_str(g, "workdir", cfg->working_dir)) || gen_env(g, cfg) < 0 ||
	    gen_mounts(g, cfg, refused) < 0 || gen_userns(g, cfg, refused) < 0 || gen_devices(g, cfg) < 0 || jg_key_bool(g, "tty", cfg->tty) || jg_key_bool(g, "interactive", cfg->stdin) ||
	    jg_key_bool(g, "stdinOnce", cfg->stdin_once) || jg_key_str(g, "restart", "no"))
		return NULL;
	if (pod && *pod->hostname && jg_key_str(g, "hostname", pod->hostname))
		return NULL;
	const Runtime__V1__DNSConfig *dns = pod ? pod->dns_config : NULL;
	if (dns && ((dns->n_servers && gen_strs(g, "dns", dns->servers, dns->n_servers)) ||
		    (dns->n_searches && gen_strs(g, "dnsSearch", dns->searches, dns->n_searches)) ||
		    (dns->n_options && gen_strs(g, "dnsOptions", dns->options, dns->n_options))))
		return NULL;
	if (*cfg->log_path && pod && *pod->log_directory && jg_key_str(g, "logPath", log_path))
		return NULL;
	const Runtime__V1__LinuxPodSandboxConfig *plx = pod ? pod->linux : NULL;
	if (plx && *plx->cgroup_parent && jg_key_str(g, "cgroupParent", plx->cgroup_parent))
		return NULL;
	if (plx && plx->n_sysctls) {
		if (jg_key(g, "sysctls") || yajl_gen_map_open(g))
			return NULL;
		for (size_t i = 0; i < plx->n_sysctls; i++)
			if (jg_key_str(g, plx->sysctls[i]->key, plx->sysctls[i]->value))
				return NULL;
		if (yajl_gen_map_close(g))
			return NULL;
	}
	const Runtime__V1__NamespaceOption *pns =
		pod && pod->linux && pod->linux->security_context ? pod->linux->security_context->namespace_options : NULL;
	if (pns && pns->network == RUNTIME__V1__NAMESPACE_MODE__NODE && jg_key_str(g, "network", "host"))
		return NULL;
	if (lx && lx->security_context &&
	    (gen_security(g, lx->security_context, root, refused) < 0 ||
	     gen_ns_modes(g, lx->security_context->namespace_options, pns, refused) < 0))
		return NULL;
	if ((!lx || !lx->security_context) && root && jg_key_str(g, "seccompProfile", "unconfined"))
		return NULL;
	if (lx && lx->resources && cri_gen_resources(g, lx->resources, true) < 0)
		return NULL;
	if (jg_key(g, "labels") || yajl_gen_map_open(g) || meta_put(g, META_CTR_CONFIG, &cfg->base) < 0 ||
	    jg_key_str(g, META_CTR_POD, pod_id) || jg_key_str(g, META_CTR_IMAGE, cfg->image->image) ||
	    (*cfg->log_path && pod && *pod->log_directory && jg_key_str(g, META_CTR_LOG, log_path)) ||
	    yajl_gen_map_close(g) || yajl_gen_map_close(g) || yajl_gen_map_close(g))
		return NULL;
	return jg_finish(g, NULL);
}
