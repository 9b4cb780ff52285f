/* Serialise the model back to config.json. */
#include "spec.h"
#include "bundle/spec_json.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <string.h>
#include <sys/capability.h>

static int gen_strv(yajl_gen g, const char *key, char *const *v)
{
	int r = jg_key(g, key) || yajl_gen_array_open(g);
	for (size_t i = 0; !r && v && v[i]; i++)
		r = jg_str(g, v[i]);
	return r || yajl_gen_array_close(g);
}

static int gen_idmaps(yajl_gen g, const char *key, const struct oci_idmap *m, size_t n)
{
	int r = jg_key(g, key) || yajl_gen_array_open(g);
	for (size_t i = 0; !r && i < n; i++)
		r = yajl_gen_map_open(g) || jg_key_int(g, "containerID", m[i].container_id) ||
		    jg_key_int(g, "hostID", m[i].host_id) || jg_key_int(g, "size", m[i].size) ||
		    yajl_gen_map_close(g);
	return r || yajl_gen_array_close(g);
}

static int gen_u64(yajl_gen g, const char *key, uint64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return jg_key(g, key) || yajl_gen_number(g, buf, (size_t)n);
}

static int gen_kv_object(yajl_gen g, const char *key, const struct oci_kv *kv, size_t n)
{
	int r = jg_key(g, key) || yajl_gen_map_open(g);
	for (size_t i = 0; !r && i < n; i++)
		r = jg_key_str(g, kv[i].key, kv[i].value);
	return r || yajl_gen_map_close(g);
}

static int gen_process(yajl_gen g, const struct oci_process *p)
{
	int r = jg_key(g, "process") || yajl_gen_map_open(g) || jg_key_bool(g, "terminal", p->terminal);
	if (!r && p->has_console_size)
		r = jg_key(g, "consoleSize") || yajl_gen_map_open(g) || jg_key_int(g, "height", p->console_height) ||
		    jg_key_int(g, "width", p->console_width) || yajl_gen_map_close(g);
	r = r || jg_key(g, "user") || yajl_gen_map_open(g) || jg_key_int(g, "uid", p->user.uid) ||
	    jg_key_int(g, "gid", p->user.gid);
	if (!r && p->user.has_umask)
		r = jg_key_int(g, "umask", p->user.umask);
	if (!r && p->user.n_additional_gids) {
		r = jg_key(g, "additionalGids") || yajl_gen_array_open(g);
		for (size_t i = 0; !r && i < p->user.n_additional_gids; i++)
			r = yajl_gen_integer(g, p->user.additional_gids[i]);
		r = r || yajl_gen_array_close(g);
	}
	if (!r && p->user.username)
		r = jg_key_str(g, "username", p->user.username);
	r = r || yajl_gen_map_close(g) || gen_strv(g, "args", p->args);
	if (!r && p->env)
		r = gen_strv(g, "env", p->env);
	r = r || jg_key_str(g, "cwd", p->cwd);
	if (!r && p->caps.present) {
		r = jg_key(g, "capabilities") || yajl_gen_map_open(g);
		for (int s = 0; !r && s < CAPSET_COUNT; s++) {
			if (!p->caps.has[s])
				continue;
			r = jg_key(g, oci_capset_names[s]) || yajl_gen_array_open(g);
			for (size_t i = 0; !r && i < p->caps.n[s]; i++) {
				char *name = cap_to_name(p->caps.caps[s][i]);
				_cleanup_free_ char *up = name ? strdup(name) : NULL;
				cap_free(name);
				for (char *c = up; c && *c; c++)
					*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
				r = !up || jg_str(g, up);
			}
			r = r || yajl_gen_array_close(g);
		}
		r = r || yajl_gen_map_close(g);
	}
	if (!r && p->n_rlimits) {
		r = jg_key(g, "rlimits") || yajl_gen_array_open(g);
		for (size_t i = 0; !r && i < p->n_rlimits; i++)
			r = yajl_gen_map_open(g) || jg_key_str(g, "type", p->rlimits[i].type) ||
			    gen_u64(g, "hard", p->rlimits[i].hard) || gen_u64(g, "soft", p->rlimits[i].soft) ||
			    yajl_gen_map_close(g);
		r = r || yajl_gen_array_close(g);
	}
	r = r || jg_key_bool(g, "noNewPrivileges", p->no_new_privileges);
	if (!r && p->has_oom_score_adj)
		r = jg_key_int(g, "oomScoreAdj", p->oom_score_adj);
	return r || yajl_gen_map_close(g);
}

static int gen_mounts(yajl_gen g, const struct oci_spec *s)
{
	int r = jg_key(g, "mounts") || yajl_gen_array_open(g);
	for (size_t i = 0; !r && i < s->n_mounts; i++) {
		const struct oci_mount *m = &s->mounts[i];
		r = yajl_gen_map_open(g) || jg_key_str(g, "destination", m->destination);
		if (!r && m->type)
			r = jg_key_str(g, "type", m->type);
		if (!r && m->source)
			r = jg_key_str(g, "source", m->source);
		if (!r && m->options)
			r = gen_strv(g, "options", m->options);
		r = r || yajl_gen_map_close(g);
	}
	return r || yajl_gen_array_close(g);
}

static int gen_hooks(yajl_gen g, const struct oci_spec *s)
{
	bool any = false;
	for (int k = 0; k < HOOK_COUNT; k++)
		any |= s->n_hooks[k] > 0;
	if (!any)
		return 0;
	int r = jg_key(g, "hooks") || yajl_gen_map_open(g);
	for (int k = 0; !r && k < HOOK_COUNT; k++) {
		if (!s->n_hooks[k])
			continue;
		r = jg_key(g, oci_hook_names[k]) || yajl_gen_array_open(g);
		for (size_t i = 0; !r && i < s->n_hooks[k]; i++) {
			const struct oci_hook *h = &s->hooks[k][i];
			r = yajl_gen_map_open(g) || jg_key_str(g, "path", h->path);
			if (!r && h->args)
				r = gen_strv(g, "args", h->args);
			if (!r && h->env)
				r = gen_strv(g, "env", h->env);
			if (!r && h->timeout)
				r = jg_key_int(g, "timeout", h->timeout);
			r = r || yajl_gen_map_close(g);
		}
		r = r || yajl_gen_array_close(g);
	}
	return r || yajl_gen_map_close(g);
}

static int gen_seccomp(yajl_gen g, const struct oci_seccomp *sc)
{
	int r = jg_key(g, "seccomp") || yajl_gen_map_open(g) || jg_key_str(g, "defaultAction", sc->default_action);
	if (!r && sc->has_default_errno_ret)
		r = jg_key_int(g, "defaultErrnoRet", sc->default_errno_ret);
	if (!r && sc->architectures)
		r = gen_strv(g, "architectures", sc->architectures);
	if (!r && sc->flags)
		r = gen_strv(g, "flags", sc->flags);
	if (!r && sc->listener_path)
		r = jg_key_str(g, "listenerPath", sc->listener_path);
	if (!r && sc->listener_metadata)
		r = jg_key_str(g, "listenerMetadata", sc->listener_metadata);
	r = r || jg_key(g, "syscalls") || yajl_gen_array_open(g);
	for (size_t i = 0; !r && i < sc->n_syscalls; i++) {
		const struct oci_seccomp_syscall *s = &sc->syscalls[i];
		r = yajl_gen_map_open(g) || gen_strv(g, "names", s->names) || jg_key_str(g, "action", s->action);
		if (!r && s->has_errno_ret)
			r = jg_key_int(g, "errnoRet", s->errno_ret);
		if (!r && s->n_args) {
			r = jg_key(g, "args") || yajl_gen_array_open(g);
			for (size_t a = 0; !r && a < s->n_args; a++)
				r = yajl_gen_map_open(g) || jg_key_int(g, "index", s->args[a].index) ||
				    gen_u64(g, "value", s->args[a].value) || gen_u64(g, "valueTwo", s->args[a].value_two) ||
				    jg_key_str(g, "op", oci_seccomp_ops[s->args[a].op - 1]) || yajl_gen_map_close(g);
			r = r || yajl_gen_array_close(g);
		}
		r = r || yajl_gen_map_close(g);
	}
	return r || yajl_gen_array_close(g) || yajl_gen_map_close(g);
}

static int gen_linux(yajl_gen g, const struct oci_spec *s)
{
	const struct oci_linux *l = &s->linux_;
	int r = jg_key(g, "linux") || yajl_gen_map_open(g);
	if (!r && l->n_uid_mappings)
		r = gen_idmaps(g, "uidMappings", l->uid_mappings, l->n_uid_mappings);
	if (!r && l->n_gid_mappings)
		r = gen_idmaps(g, "gidMappings", l->gid_mappings, l->n_gid_mappings);
	if (!r && l->resources)
		r = jg_key(g, "resources") || jg_value(g, l->resources);
	if (!r && l->cgroups_path)
		r = jg_key_str(g, "cgroupsPath", l->cgroups_path);
	r = r || jg_key(g, "namespaces") || yajl_gen_array_open(g);
	for (size_t i = 0; !r && i < l->n_namespaces; i++) {
		r = yajl_gen_map_open(g) || jg_key_str(g, "type", oci_ns_names[l->namespaces[i].type]);
		if (!r && l->namespaces[i].path)
			r = jg_key_str(g, "path", l->namespaces[i].path);
		r = r || yajl_gen_map_close(g);
	}
	r = r || yajl_gen_array_close(g);
	if (!r && l->n_devices) {
		r = jg_key(g, "devices") || yajl_gen_array_open(g);
		for (size_t i = 0; !r && i < l->n_devices; i++) {
			const struct oci_device *d = &l->devices[i];
			char t[2] = { d->type, 0 };
			r = yajl_gen_map_open(g) || jg_key_str(g, "path", d->path) || jg_key_str(g, "type", t);
			if (!r && d->type != 'p')
				r = jg_key_int(g, "major", d->major) || jg_key_int(g, "minor", d->minor);
			if (!r && d->has_mode)
				r = jg_key_int(g, "fileMode", d->file_mode);
			if (!r && d->has_uid)
				r = jg_key_int(g, "uid", d->uid);
			if (!r && d->has_gid)
				r = jg_key_int(g, "gid", d->gid);
			r = r || yajl_gen_map_close(g);
		}
		r = r || yajl_gen_array_close(g);
	}
	if (!r && l->n_sysctl)
		r = gen_kv_object(g, "sysctl", l->sysctl, l->n_sysctl);
	if (!r && l->seccomp)
		r = gen_seccomp(g, l->seccomp);
	if (!r && l->rootfs_propagation)
		r = jg_key_str(g, "rootfsPropagation", l->rootfs_propagation);
	if (!r && l->has_masked_paths)
		r = gen_strv(g, "maskedPaths", l->masked_paths);
	if (!r && l->has_readonly_paths)
		r = gen_strv(g, "readonlyPaths", l->readonly_paths);
	if (!r && l->has_personality) {
		r = jg_key(g, "personality") || yajl_gen_map_open(g) || jg_key_str(g, "domain", l->personality_domain);
		if (!r && l->personality_flags)
			r = gen_strv(g, "flags", l->personality_flags);
		r = r || yajl_gen_map_close(g);
	}
	if (!r && l->n_net_devices) {
		r = jg_key(g, "netDevices") || yajl_gen_map_open(g);
		for (size_t i = 0; !r && i < l->n_net_devices; i++) {
			r = jg_key(g, l->net_devices[i].key) || yajl_gen_map_open(g);
			if (!r && l->net_devices[i].value)
				r = jg_key_str(g, "name", l->net_devices[i].value);
			r = r || yajl_gen_map_close(g);
		}
		r = r || yajl_gen_map_close(g);
	}
	if (!r && l->has_time_offsets) {
		static const char *clocks[] = { "monotonic", "boottime" };
		r = jg_key(g, "timeOffsets") || yajl_gen_map_open(g);
		for (int c = 0; !r && c < 2; c++)
			r = jg_key(g, clocks[c]) || yajl_gen_map_open(g) || jg_key_int(g, "secs", l->time_offsets[c][0]) ||
			    jg_key_int(g, "nanosecs", l->time_offsets[c][1]) || yajl_gen_map_close(g);
		r = r || yajl_gen_map_close(g);
	}
	return r || yajl_gen_map_close(g);
}

char *spec_to_json(const struct oci_spec *s, bool pretty)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(pretty);
	if (!g)
		return NULL;
	int r = yajl_gen_map_open(g) || jg_key_str(g, "ociVersion", s->oci_version);
	if (!r && s->process.present)
		r = gen_process(g, &s->process);
	if (!r && s->has_root)
		r = jg_key(g, "root") || yajl_gen_map_open(g) || jg_key_str(g, "path", s->root_path) ||
		    jg_key_bool(g, "readonly", s->root_readonly) || yajl_gen_map_close(g);
	if (!r && s->hostname)
		r = jg_key_str(g, "hostname", s->hostname);
	if (!r && s->domainname)
		r = jg_key_str(g, "domainname", s->domainname);
	r = r || gen_mounts(g, s) || gen_hooks(g, s);
	if (!r && s->n_annotations)
		r = gen_kv_object(g, "annotations", s->annotations, s->n_annotations);
	if (!r && s->has_linux)
		r = gen_linux(g, s);
	r = r || yajl_gen_map_close(g);
	if (r)
		return NULL;
	return jg_finish(g, NULL);
}
