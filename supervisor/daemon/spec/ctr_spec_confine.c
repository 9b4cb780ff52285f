/* What a node agent (kubelet's security context, through corral-cri) asks
 * of a container's confinement beside corral's defaults: more groups for
 * its process, no_new_privileges off, its own masked and read-only paths,
 * a seccomp profile of the host's, host devices, the host's PID or IPC
 * namespace, an SELinux label. All but the groups, no_new_privileges and a namespace of its
 * own are root's alone (ctr_create.c): each can take away what keeps a
 * container in. */
#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/daemon/spec/ctr_spec_confine.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/safepath.h"
#include "common/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GROUPS_MAX 64
#define PATHS_MAX 128
#define DEVICES_MAX 64

static int read_path(yajl_val e, const char *p, void *slot, void *ud, json_fault *f)
{
	if (!YAJL_IS_STRING(e) || !path_is_clean_absolute(e->u.string) || strlen(e->u.string) > 4096)
		return json_fault_set(f, EINVAL, p, "an absolute path without \".\" or \"..\"");
	return (*(char **)slot = strdup(e->u.string)) ? 0 : json_fault_oom(f);
}

static int get_paths(yajl_val cspec_json, const char *key, char ***out, bool *given, json_fault *f)
{
	yajl_val v = json_key(cspec_json, key);
	char field[64];
	snprintf(field, sizeof(field), "spec.%s", key);
	*given = v && !YAJL_IS_NULL(v);
	const ctr_spec_array a = { field, "an array of absolute paths", PATHS_MAX, sizeof(char *), read_path };
	return CTR_SPEC_EACH(v, &a, *out, NULL, f);
}

static int read_group(yajl_val e, const char *p, void *slot, void *ud, json_fault *f)
{
	if (!json_int_in(e, 0, 4294967294LL, slot))
		return json_fault_set(f, EINVAL, p, "a group id from 0 to 4294967294");
	((ctr_spec *)ud)->n_groups++;
	return 0;
}

static const ctr_spec_array spec_groups = { "spec.groups", "an array of group ids", GROUPS_MAX,
					     sizeof(long long), read_group };

/* spec.groupNames: more groups by name, the image's /etc/group's */
static int read_group_name(yajl_val e, const char *p, void *slot, void *ud, json_fault *f)
{
	const char *name = YAJL_GET_STRING(e);
	if (!name || !*name || strchr(name, ':'))
		return json_fault_set(f, EINVAL, p, "a group's name");
	int r = json_name_check(name, JSON_NAME_MAX, JSON_NAME, p, f);
	if (r < 0)
		return r;
	return (*(char **)slot = strdup(name)) ? 0 : json_fault_oom(f);
}

static const ctr_spec_array spec_group_names = { "spec.groupNames", "an array of group names", GROUPS_MAX,
						  sizeof(char *), read_group_name };

static int read_device(yajl_val e, const char *p, void *slot, void *ud, json_fault *f)
{
	ctr_device *dv = slot;
	((ctr_spec *)ud)->n_devices++;
	int r;
	if ((r = json_want(e, yajl_t_object, p, f)) < 0 || (r = json_dup_str(e, p, "hostPath", 0, &dv->host_path, f)) < 0 ||
	    (r = json_dup_str(e, p, "containerPath", 0, &dv->container_path, f)) < 0 ||
	    (r = json_dup_str(e, p, "permissions", 0, &dv->permissions, f)) < 0)
		return r;
	if (!dv->host_path || !path_is_clean_absolute(dv->host_path) ||
	    (dv->container_path && !path_is_clean_absolute(dv->container_path)))
		return json_fault_set(f, EINVAL, p, "hostPath (and containerPath) must be absolute paths");
	if (dv->permissions && (!*dv->permissions || strspn(dv->permissions, "rwm") != strlen(dv->permissions)))
		return json_fault_set(f, EINVAL, p, "permissions: some of r, w and m");
	return 0;
}

static const ctr_spec_array spec_devices = { "spec.devices", "an array of Device", DEVICES_MAX,
					      sizeof(ctr_device), read_device };

/* target: where "container:REF" may be given (pidNamespace), else NULL */
static int get_ns_mode(yajl_val cspec_json, const char *key, enum ctr_ns_mode *out, char **target, json_fault *f)
{
	_cleanup_free_ char *mode = NULL;
	int r = json_dup_str(cspec_json, "spec", key, 0, &mode, f);
	if (r < 0 || !mode)
		return r;
	*out = streq(mode, "host") ? CTR_NS_HOST : streq(mode, "private") ? CTR_NS_PRIVATE : CTR_NS_DEFAULT;
	char field[32];
	snprintf(field, sizeof(field), "spec.%s", key);
	const char *ref = target && !strncmp(mode, "container:", 10) ? mode + 10 : NULL;
	if (ref && *ref && strlen(ref) <= 128 && json_name_check(ref, 128, 0, field, f) == 0) {
		*out = CTR_NS_CONTAINER;
		return (*target = strdup(ref)) ? 0 : json_fault_oom(f);
	}
	return *out == CTR_NS_DEFAULT ? json_fault_set(f, EINVAL, field, "\"private\", \"host\"%s, not \"%.64s\"",
						       target ? " or \"container:ID\"" : "", mode)
				      : 0;
}

/* user, role, type and level as SELinux writes them (a level: s0:c1,c2) */
static int get_selinux(yajl_val cspec_json, ctr_spec *s, json_fault *f)
{
	yajl_val o;
	int r = json_get_object(cspec_json, "spec", "selinuxOptions", 0, &o, f);
	if (r < 0 || !o)
		return r;
	static const char *const keys[] = { "user", "role", "type", "level", NULL };
	if ((r = json_check_keys(o, "spec.selinuxOptions", keys, "unknown field", f)) < 0)
		return r;
	char **parts[] = { &s->selinux.user, &s->selinux.role, &s->selinux.type, &s->selinux.level };
	for (size_t i = 0; i < 4; i++) {
		char p[JSON_PATH_MAX];
		if ((r = json_dup_str(o, "spec.selinuxOptions", keys[i], 0, parts[i], f)) < 0)
			return r;
		const char *v = *parts[i];
		size_t n = v ? strlen(v) : 0, ok = v ? strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-:,") : 0;
		if (n && (n > 255 || ok != n || (i < 3 && strchr(v, ':'))))
			return json_fault_set(f, EINVAL, json_path(p, "spec.selinuxOptions", keys[i]),
					      "not a part of an SELinux label");
		if (!n) { /* "" is the default's, as the CRI gives it */
			free(*parts[i]);
			*parts[i] = NULL;
		}
	}
	s->selinux_given = true;
	return 0;
}

int ctr_spec_parse_confine(yajl_val v, ctr_spec *s, json_fault *f)
{
	int r;
	bool nnp = true;
	if ((r = CTR_SPEC_EACH(json_key(v, "groups"), &spec_groups, s->groups, s, f)) < 0 ||
	    (r = CTR_SPEC_EACH(json_key(v, "groupNames"), &spec_group_names, s->group_names, NULL, f)) < 0 ||
	    (r = CTR_SPEC_EACH(json_key(v, "devices"), &spec_devices, s->devices, s, f)) < 0 ||
	    (r = get_paths(v, "maskedPaths", &s->masked_paths, &s->masked_given, f)) < 0 ||
	    (r = get_paths(v, "readonlyPaths", &s->readonly_paths, &s->readonly_given, f)) < 0 ||
	    (r = json_get_bool(v, "spec", "noNewPrivileges", 0, &nnp, NULL, f)) < 0 ||
	    (r = json_dup_str(v, "spec", "seccompProfile", 0, &s->seccomp_profile, f)) < 0 ||
	    (r = get_ns_mode(v, "pidNamespace", &s->pid_ns, &s->pid_target, f)) < 0 ||
	    (r = get_ns_mode(v, "ipcNamespace", &s->ipc_ns, NULL, f)) < 0 ||
	    (r = get_ns_mode(v, "utsNamespace", &s->uts_ns, NULL, f)) < 0 ||
	    (r = get_ns_mode(v, "cgroupNamespace", &s->cgroup_ns, NULL, f)) < 0 ||
	    (r = get_selinux(v, s, f)) < 0)
		return r;
	s->new_privs_allowed = !nnp;
	/* the host's hostname is the host's: none of its own */
	if (s->uts_ns == CTR_NS_HOST && (s->hostname || s->domainname))
		return json_fault_set(f, EINVAL, s->hostname ? "spec.hostname" : "spec.domainname",
				      "a container in the host's UTS namespace has the host's names");
	if (s->seccomp_profile && !streq(s->seccomp_profile, "unconfined") && !path_is_clean_absolute(s->seccomp_profile))
		return json_fault_set(f, EINVAL, "spec.seccompProfile", "\"unconfined\" or the absolute path of a profile");
	return 0;
}

bool ctr_spec_confine_is_roots(const ctr_spec *s, const char **field)
{
	*field = s->masked_given ? "spec.maskedPaths" : s->readonly_given ? "spec.readonlyPaths"
		 : s->seccomp_profile			  ? "spec.seccompProfile"
		 : s->n_devices				  ? "spec.devices"
		 : s->pid_ns == CTR_NS_HOST		  ? "spec.pidNamespace"
		 : s->ipc_ns == CTR_NS_HOST		  ? "spec.ipcNamespace"
		 : s->uts_ns == CTR_NS_HOST		  ? "spec.utsNamespace"
		 : s->cgroup_ns == CTR_NS_HOST		  ? "spec.cgroupNamespace"
		 : s->unified				  ? "spec.resources.unified"
		 : s->selinux_given			  ? "spec.selinuxOptions"
							  : NULL;
	return *field != NULL;
}

void ctr_spec_release_confine(ctr_spec *s)
{
	free(s->groups);
	strv_free(s->group_names);
	strv_free(s->masked_paths);
	strv_free(s->readonly_paths);
	free(s->seccomp_profile);
	free(s->pid_target);
	free(s->selinux.user), free(s->selinux.role), free(s->selinux.type), free(s->selinux.level);
	for (size_t i = 0; i < s->n_devices; i++)
		free(s->devices[i].host_path), free(s->devices[i].container_path), free(s->devices[i].permissions);
	free(s->devices);
}
