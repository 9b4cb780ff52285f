/* linux: namespaces, id mappings, devices, sysctl, paths and the rest. */
#include "spec_internal.h"
#include "bundle/parse_seccomp.h"
#include "bundle/parse_linux.h"
#include "mount_options.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

bool spec_has_namespace(const struct oci_spec *s, enum oci_ns_type t) { return spec_namespace(s, t) != NULL; }

const struct oci_namespace *spec_namespace(const struct oci_spec *s, enum oci_ns_type t)
{
	for (size_t i = 0; i < s->linux_.n_namespaces; i++)
		if (s->linux_.namespaces[i].type == t)
			return &s->linux_.namespaces[i];
	return NULL;
}

const char *const oci_ns_names[NS_COUNT] = {
	"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time",
};

int oci_ns_clone_flag(enum oci_ns_type t)
{
	static const int flags[NS_COUNT] = {
		CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWIPC,
		CLONE_NEWUTS, CLONE_NEWUSER, CLONE_NEWCGROUP, 0x00000080 /* CLONE_NEWTIME */,
	};
	return flags[t];
}

static int parse_namespaces(yajl_val lnx, struct oci_linux *l, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val arr;
	int r = json_get_array(lnx, "linux", "namespaces", 0, SIZE_MAX, &arr, &jf);
	if (r < 0 || !arr)
		return r;
	l->namespaces = calloc(arr->u.array.len + 1, sizeof(*l->namespaces));
	if (!l->namespaces)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < arr->u.array.len; i++) {
		char p[JSON_PATH_MAX];
		json_path_idx(p, "linux.namespaces", i);
		yajl_val e = arr->u.array.values[i];
		if ((r = json_want(e, yajl_t_object, p, &jf)) < 0)
			return r;
		_cleanup_free_ char *type = NULL;
		struct oci_namespace *ns = &l->namespaces[l->n_namespaces];
		if ((r = json_dup_str(e, p, "type", JSON_REQUIRED, &type, &jf)) < 0 ||
		    (r = json_dup_str(e, p, "path", 0, &ns->path, &jf)) < 0)
			return r;
		l->n_namespaces++;
		int t = -1;
		for (int k = 0; k < NS_COUNT; k++)
			if (streq(type, oci_ns_names[k]))
				t = k;
		if (t < 0)
			return cerr_set(err, EINVAL, "%s.type: unknown namespace \"%s\"", p, type);
		ns->type = (enum oci_ns_type)t;
		for (size_t k = 0; k + 1 < l->n_namespaces; k++)
			if (l->namespaces[k].type == ns->type)
				return cerr_set(err, EINVAL, "%s.type: duplicate namespace \"%s\"", p, type);
		if (ns->path && ns->path[0] != '/')
			return cerr_set(err, EINVAL, "%s.path: \"%s\" must be an absolute path", p, ns->path);
	}
	return 0;
}

int parse_idmaps(yajl_val obj, const char *parent, const char *key, struct oci_idmap **out, size_t *n, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val arr;
	char p[JSON_PATH_MAX];
	json_path(p, parent, key);
	int r = json_get_array(obj, parent, key, 0, SIZE_MAX, &arr, &jf);
	if (r < 0 || !arr)
		return r;
	if (arr->u.array.len > 340) /* the kernel's limit on map lines */
		return cerr_set(err, E2BIG, "%s: more than 340 entries", p);
	*out = calloc(arr->u.array.len + 1, sizeof(**out));
	if (!*out)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < arr->u.array.len; i++) {
		char q[JSON_PATH_MAX];
		json_path_idx(q, p, i);
		yajl_val e = arr->u.array.values[i];
		struct oci_idmap *m = &(*out)[(*n)++];
		if ((r = json_want(e, yajl_t_object, q, &jf)) < 0 ||
		    (r = json_get_u32(e, q, "containerID", JSON_REQUIRED, &m->container_id, NULL, &jf)) < 0 ||
		    (r = json_get_u32(e, q, "hostID", JSON_REQUIRED, &m->host_id, NULL, &jf)) < 0 ||
		    (r = json_get_u32(e, q, "size", JSON_REQUIRED, &m->size, NULL, &jf)) < 0)
			return r;
		if (m->size == 0)
			return cerr_set(err, EINVAL, "%s.size: must be at least 1", q);
		if ((uint64_t)m->container_id + m->size > (uint64_t)UINT32_MAX + 1 ||
		    (uint64_t)m->host_id + m->size > (uint64_t)UINT32_MAX + 1)
			return cerr_set(err, ERANGE, "%s: range overflows 32 bits", q);
	}
	return 0;
}

static int parse_devices(yajl_val lnx, struct oci_linux *l, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val arr;
	int r = json_get_array(lnx, "linux", "devices", 0, SIZE_MAX, &arr, &jf);
	if (r < 0 || !arr)
		return r;
	l->devices = calloc(arr->u.array.len + 1, sizeof(*l->devices));
	if (!l->devices)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < arr->u.array.len; i++) {
		char p[JSON_PATH_MAX];
		json_path_idx(p, "linux.devices", i);
		yajl_val e = arr->u.array.values[i];
		struct oci_device *d = &l->devices[l->n_devices++];
		_cleanup_free_ char *type = NULL;
		bool has_major, has_minor;
		if ((r = json_want(e, yajl_t_object, p, &jf)) < 0 ||
		    (r = json_dup_str(e, p, "path", JSON_REQUIRED, &d->path, &jf)) < 0 ||
		    (r = json_dup_str(e, p, "type", JSON_REQUIRED, &type, &jf)) < 0 ||
		    (r = json_get_i64(e, p, "major", 0, &d->major, &has_major, &jf)) < 0 ||
		    (r = json_get_i64(e, p, "minor", 0, &d->minor, &has_minor, &jf)) < 0 ||
		    (r = json_get_u32(e, p, "fileMode", 0, &d->file_mode, &d->has_mode, &jf)) < 0 ||
		    (r = json_get_u32(e, p, "uid", 0, &d->uid, &d->has_uid, &jf)) < 0 ||
		    (r = json_get_u32(e, p, "gid", 0, &d->gid, &d->has_gid, &jf)) < 0)
			return r;
		if (d->path[0] != '/')
			return cerr_set(err, EINVAL, "%s.path: \"%s\" must be an absolute path", p, d->path);
		if (strlen(type) != 1 || !strchr("cbup", type[0]))
			return cerr_set(err, EINVAL, "%s.type: \"%s\" must be one of c, b, u, p", p, type);
		d->type = type[0];
		if (d->type != 'p' && (!has_major || !has_minor))
			return cerr_set(err, EINVAL, "%s: major and minor are required for type \"%c\"", p, d->type);
		if (d->major < 0 || d->major > 4095 || d->minor < 0 || d->minor > 1048575)
			return cerr_set(err, ERANGE, "%s: device number %lld:%lld is out of range", p,
					(long long)d->major, (long long)d->minor);
		/* podman gives the host's st_mode, its type bits too (runc ORs the
		 * type in): those of the device's own type are taken as said */
		mode_t type_bits = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
		if (d->has_mode && (d->file_mode & S_IFMT) == type_bits)
			d->file_mode &= ~(uint32_t)S_IFMT;
		if (d->has_mode && d->file_mode > 07777)
			return cerr_set(err, ERANGE, "%s.fileMode: %o has bits beyond 07777 other than those of type \"%c\"",
					p, d->file_mode, d->type);
	}
	return 0;
}

static int parse_kv_object(yajl_val obj, const char *parent, const char *key, struct oci_kv **out, size_t *n, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val o;
	char p[JSON_PATH_MAX];
	int r = json_get_object(obj, parent, key, 0, &o, &jf);
	if (r < 0 || !o)
		return r;
	json_path(p, parent, key);
	*out = calloc(o->u.object.len + 1, sizeof(**out));
	if (!*out)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < o->u.object.len; i++) {
		yajl_val v = o->u.object.values[i];
		char q[JSON_PATH_MAX];
		if (!YAJL_IS_STRING(v))
			return json_want(v, yajl_t_string, json_path(q, p, o->u.object.keys[i]), &jf);
		struct oci_kv *kv = &(*out)[(*n)++];
		kv->key = strdup(o->u.object.keys[i]);
		kv->value = strdup(v->u.string);
		if (!kv->key || !kv->value)
			return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

/* Only sysctls that a namespace the container owns isolates are allowed. */
static int check_sysctl(const struct oci_spec *s, const char *key)
{
	static const char *ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
				     "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced" };
	for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
		if (streq(key, ipc[i]))
			return spec_has_namespace(s, NS_IPC) ? 0 : NS_IPC + 1;
	if (strncmp(key, "fs.mqueue.", 10) == 0)
		return spec_has_namespace(s, NS_IPC) ? 0 : NS_IPC + 1;
	if (strncmp(key, "net.", 4) == 0)
		return spec_has_namespace(s, NS_NETWORK) ? 0 : NS_NETWORK + 1;
	if (streq(key, "kernel.hostname") || streq(key, "kernel.domainname"))
		return spec_has_namespace(s, NS_UTS) ? 0 : NS_UTS + 1;
	return -1;
}

static int parse_sysctl(yajl_val lnx, struct oci_spec *s, cerr *err)
{
	struct oci_linux *l = &s->linux_;
	int r = parse_kv_object(lnx, "linux", "sysctl", &l->sysctl, &l->n_sysctl, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < l->n_sysctl; i++) {
		const char *k = l->sysctl[i].key;
		if (!k[0] || strstr(k, "..") || k[0] == '.' || k[0] == '/' || strchr(k, '/'))
			return cerr_set(err, EINVAL, "linux.sysctl.%s: invalid sysctl name", k);
		int c = check_sysctl(s, k);
		if (c < 0)
			return cerr_set(err, EPERM, "linux.sysctl.%s: not a namespaced sysctl", k);
		if (c > 0)
			return cerr_set(err, EPERM, "linux.sysctl.%s: needs a new %s namespace", k, oci_ns_names[c - 1]);
	}
	return 0;
}

static int parse_paths(yajl_val lnx, const char *key, char ***out, bool *has, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	int r = json_get_strv(lnx, "linux", key, 0, out, has, &jf);
	if (r < 0)
		return r;
	for (size_t i = 0; *out && (*out)[i]; i++)
		if ((*out)[i][0] != '/')
			return cerr_set(err, EINVAL, "linux.%s[%zu]: \"%s\" must be an absolute path", key, i, (*out)[i]);
	return 0;
}

static int parse_personality(yajl_val lnx, struct oci_linux *l, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val o;
	int r = json_get_object(lnx, "linux", "personality", 0, &o, &jf);
	if (r < 0 || !o)
		return r;
	l->has_personality = true;
	if ((r = json_dup_str(o, "linux.personality", "domain", JSON_REQUIRED, &l->personality_domain, &jf)) < 0 ||
	    (r = json_get_strv(o, "linux.personality", "flags", 0, &l->personality_flags, NULL, &jf)) < 0)
		return r;
	if (!streq(l->personality_domain, "LINUX") && !streq(l->personality_domain, "LINUX32"))
		return cerr_set(err, EINVAL, "linux.personality.domain: \"%s\" must be LINUX or LINUX32",
				l->personality_domain);
	if (l->personality_flags && l->personality_flags[0])
		return cerr_set(err, ENOTSUP, "linux.personality.flags: \"%s\" is not supported",
				l->personality_flags[0]);
	return 0;
}

static int parse_net_devices(yajl_val lnx, struct oci_linux *l, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val o;
	int r = json_get_object(lnx, "linux", "netDevices", 0, &o, &jf);
	if (r < 0 || !o)
		return r;
	l->net_devices = calloc(o->u.object.len + 1, sizeof(*l->net_devices));
	if (!l->net_devices)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < o->u.object.len; i++) {
		char p[JSON_PATH_MAX];
		json_path(p, "linux.netDevices", o->u.object.keys[i]);
		yajl_val d = o->u.object.values[i];
		struct oci_kv *kv = &l->net_devices[l->n_net_devices++];
		kv->key = strdup(o->u.object.keys[i]);
		if (!kv->key)
			return cerr_set(err, ENOMEM, "out of memory");
		if ((r = json_want(d, yajl_t_object, p, &jf)) < 0 ||
		    (r = json_dup_str(d, p, "name", 0, &kv->value, &jf)) < 0)
			return r;
		const char *names[] = { kv->key, kv->value };
		for (int k = 0; k < 2; k++)
			if (names[k] && (strlen(names[k]) == 0 || strlen(names[k]) > 15 || strchr(names[k], '/') ||
					 streq(names[k], ".") || streq(names[k], "..")))
				return cerr_set(err, EINVAL, "%s: \"%s\" is not a valid interface name", p, names[k]);
	}
	return 0;
}

static int parse_time_offsets(yajl_val lnx, struct oci_linux *l, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val o;
	int r = json_get_object(lnx, "linux", "timeOffsets", 0, &o, &jf);
	if (r < 0 || !o)
		return r;
	static const char *clocks[] = { "monotonic", "boottime" };
	for (int c = 0; c < 2; c++) {
		yajl_val ck;
		char p[JSON_PATH_MAX];
		json_path(p, "linux.timeOffsets", clocks[c]);
		if ((r = json_get_object(o, "linux.timeOffsets", clocks[c], 0, &ck, &jf)) < 0)
			return r;
		if (!ck)
			continue;
		uint32_t ns = 0;
		if ((r = json_get_i64(ck, p, "secs", 0, &l->time_offsets[c][0], NULL, &jf)) < 0 ||
		    (r = json_get_u32(ck, p, "nanosecs", 0, &ns, NULL, &jf)) < 0)
			return r;
		if (ns >= 1000000000u)
			return cerr_set(err, ERANGE, "%s.nanosecs: %u is not below 1e9", p, ns);
		l->time_offsets[c][1] = ns;
	}
	l->has_time_offsets = true;
	return 0;
}

int parse_linux(yajl_val root, struct oci_spec *s, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val lnx;
	int r = json_get_object(root, "", "linux", 0, &lnx, &jf);
	if (r < 0 || !lnx)
		return r;
	struct oci_linux *l = &s->linux_;
	s->has_linux = true;
	if ((r = parse_namespaces(lnx, l, err)) < 0 ||
	    (r = parse_idmaps(lnx, "linux", "uidMappings", &l->uid_mappings, &l->n_uid_mappings, err)) < 0 ||
	    (r = parse_idmaps(lnx, "linux", "gidMappings", &l->gid_mappings, &l->n_gid_mappings, err)) < 0 ||
	    (r = parse_devices(lnx, l, err)) < 0 ||
	    (r = json_dup_str(lnx, "linux", "cgroupsPath", 0, &l->cgroups_path, &jf)) < 0 ||
	    (r = json_get_object(lnx, "linux", "resources", 0, &l->resources, &jf)) < 0 ||
	    (r = parse_sysctl(lnx, s, err)) < 0 ||
	    (r = parse_seccomp(lnx, &l->seccomp, err)) < 0 ||
	    (r = json_dup_str(lnx, "linux", "rootfsPropagation", 0, &l->rootfs_propagation, &jf)) < 0 ||
	    (r = parse_paths(lnx, "maskedPaths", &l->masked_paths, &l->has_masked_paths, err)) < 0 ||
	    (r = parse_paths(lnx, "readonlyPaths", &l->readonly_paths, &l->has_readonly_paths, err)) < 0 ||
	    (r = json_dup_str(lnx, "linux", "mountLabel", 0, &l->mount_label, &jf)) < 0 ||
	    (r = parse_personality(lnx, l, err)) < 0 ||
	    (r = parse_net_devices(lnx, l, err)) < 0 ||
	    (r = parse_time_offsets(lnx, l, err)) < 0)
		return r;
	if (l->rootfs_propagation && propagation_parse(l->rootfs_propagation, &l->rootfs_propagation_flags) < 0)
		return cerr_set(err, EINVAL, "linux.rootfsPropagation: unknown propagation \"%s\"", l->rootfs_propagation);
	bool userns = spec_has_namespace(s, NS_USER);
	const struct oci_namespace *uns = spec_namespace(s, NS_USER);
	if ((l->n_uid_mappings || l->n_gid_mappings) && !userns)
		return cerr_set(err, EINVAL, "linux.uidMappings: mappings need a user namespace in linux.namespaces");
	if (userns && !uns->path && (!l->n_uid_mappings || !l->n_gid_mappings))
		return cerr_set(err, EINVAL, "linux.uidMappings: a new user namespace needs uidMappings and gidMappings");
	yajl_val rdt;
	if ((r = json_get_object(lnx, "linux", "intelRdt", 0, &rdt, &jf)) < 0)
		return r;
	if (rdt)
		return cerr_set(err, ENOTSUP, "linux.intelRdt: Intel RDT is not supported");
	if (l->has_time_offsets && !spec_has_namespace(s, NS_TIME))
		return cerr_set(err, EINVAL, "linux.timeOffsets: needs a time namespace in linux.namespaces");
	if (l->n_net_devices && !spec_has_namespace(s, NS_NETWORK))
		return cerr_set(err, EINVAL, "linux.netDevices: needs a network namespace in linux.namespaces");
	return 0;
}

void free_linux(struct oci_linux *l)
{
	for (size_t i = 0; i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	free(l->cgroups_path);
	for (size_t i = 0; i < l->n_sysctl; i++) {
		free(l->sysctl[i].key);
		free(l->sysctl[i].value);
	}
	free(l->sysctl);
	free_seccomp(l->seccomp);
	free(l->rootfs_propagation);
	strv_free(l->masked_paths);
	strv_free(l->readonly_paths);
	free(l->mount_label);
	free(l->personality_domain);
	strv_free(l->personality_flags);
	for (size_t i = 0; i < l->n_net_devices; i++) {
		free(l->net_devices[i].key);
		free(l->net_devices[i].value);
	}
	free(l->net_devices);
}
