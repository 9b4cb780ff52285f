/* The mounts of a container's config.json, in the order the runtime mounts
 * them: corral's defaults, then what the root filesystem needs (a /tmp for
 * a shared rootfs; /run, /tmp and /var/tmp for a read-only one, as podman's
 * --read-only-tmpfs), the container's /etc/hosts and /etc/resolv.conf
 * (network/names.h), the request's bind mounts and tmpfs mounts, and last
 * the init binary, so that nothing mounted later hides it. */
#include "supervisor/daemon/containers/engine/ctr_bundle.h"
#include "supervisor/daemon/containers/engine/ctr_bundle_mounts.h"
#include "supervisor/daemon/containers/engine/ctr_init.h"
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <string.h>

void bundle_gen_mount(yajl_gen g, const char *dst, const char *type, const char *src, const char *const *opts,
		      char *const *more)
{
	yajl_gen_map_open(g);
	jg_key_str(g, "destination", dst);
	jg_key_str(g, "type", type);
	jg_key_str(g, "source", src);
	jg_key(g, "options");
	yajl_gen_array_open(g);
	for (; *opts; opts++)
		jg_str(g, *opts);
	for (; more && *more; more++)
		jg_str(g, *more);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

/* A default mount; a privileged container gets /sys and its cgroup
 * read-write, as podman's does. */
/* A default mount as it is, but: privileged, /sys and its cgroup rw; with
 * spec.shmSize, /dev/shm that size */
static void gen_default(yajl_gen g, yajl_val m, const ctr_spec *s)
{
	const char *dst = YAJL_IS_STRING(json_get(m, "destination")) ? json_get(m, "destination")->u.string : "";
	bool sys_rw = s->privileged && (streq(dst, "/sys") || streq(dst, "/sys/fs/cgroup"));
	bool shm = s->shm_size && streq(dst, "/dev/shm");
	if (!sys_rw && !shm) {
		jg_value(g, m);
		return;
	}
	char size[32];
	snprintf(size, sizeof(size), "size=%lld", s->shm_size);
	yajl_gen_map_open(g);
	for (size_t k = 0; k < m->u.object.len; k++) {
		yajl_val v = m->u.object.values[k];
		jg_key(g, m->u.object.keys[k]);
		if (!streq(m->u.object.keys[k], "options") || !YAJL_IS_ARRAY(v)) {
			jg_value(g, v);
			continue;
		}
		yajl_gen_array_open(g);
		for (size_t i = 0; i < v->u.array.len; i++) {
			const char *o = YAJL_GET_STRING(v->u.array.values[i]);
			if (o && !(sys_rw && streq(o, "ro")) && !(shm && !strncmp(o, "size=", 5)))
				jg_str(g, o);
		}
		jg_str(g, sys_rw ? "rw" : size);
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

/* Whether the request mounts something of its own at dst. */
bool bundle_requested(const ctr_spec *s, const char *dst)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (streq(s->mounts[i].destination, dst))
			return true;
	for (size_t i = 0; i < s->n_tmpfs; i++)
		if (streq(s->tmpfs[i].destination, dst))
			return true;
	return false;
}

/* What a read-only or shared root filesystem needs to be written to. */
static void gen_scratch(yajl_gen g, const bundle_in *in)
{
	static const struct { const char *dst, *mode; } scratch[] = {
		{ "/run", "mode=755" }, { "/tmp", "mode=1777" }, { "/var/tmp", "mode=1777" },
	};
	for (size_t i = 0; i < sizeof(scratch) / sizeof(scratch[0]); i++) {
		bool want = (in->spec->read_only && !in->spec->no_read_only_tmpfs) ||
			    (in->image->shared && streq(scratch[i].dst, "/tmp"));
		if (want && !bundle_requested(in->spec, scratch[i].dst))
			bundle_gen_mount(g, scratch[i].dst, "tmpfs", "tmpfs",
				  (const char *const[]){ "nosuid", "nodev", scratch[i].mode, NULL }, NULL);
	}
}

bool bundle_joins(const bundle_in *in, const char *type)
{
	char path[PATH_MAX];
	return CTR_FEATURES_FIRST(in->d, bundle.ns_path, in, type, path, sizeof(path)) == 1;
}

static bool mounted_at(yajl_val m, const char *path)
{
	yajl_val dst = json_get(m, "destination");
	return YAJL_IS_STRING(dst) && streq(dst->u.string, path);
}

/* A container in a user namespace of its own that joins its session's ipc
 * namespace, or the host's (both made in the host's user namespace), may
 * not mount that namespace's mqueue: it goes without /dev/mqueue's
 * listing, and mq_open() still works, as it needs no mount. */
static bool mqueue_out_of_reach(const bundle_in *in, yajl_val m)
{
	return in->ids && (bundle_joins(in, "ipc") || in->spec->ipc_ns == CTR_NS_HOST) && mounted_at(m, "/dev/mqueue");
}

void bundle_gen_mounts(yajl_gen g, yajl_val dflt, const bundle_in *in)
{
	const ctr_spec *s = in->spec;
	yajl_gen_array_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(dflt) && i < dflt->u.array.len; i++) {
		yajl_val m = dflt->u.array.values[i];
		if (s->ipc_ns == CTR_NS_HOST && mounted_at(m, "/dev/shm")) /* the host's IPC: its shm, as docker --ipc host */
			bundle_gen_mount(g, "/dev/shm", "bind", "/dev/shm",
					 (const char *const[]){ "rbind", "rw", "nosuid", "nodev", "noexec", NULL }, NULL);
		else if (!mqueue_out_of_reach(in, m))
			gen_default(g, m, s);
	}
	gen_scratch(g, in);
	CTR_FEATURES_EACH(in->d, bundle.mounts, g, in, CTR_MOUNTS_BEFORE_BINDS);
	for (size_t i = 0; i < s->n_mounts; i++) {
		const ctr_mount *m = &s->mounts[i];
		/* idmap: through the container's maps (the runtime's "idmap" option) */
		const char *opts[8] = { "rbind", m->readonly ? "ro" : "rw", "nosuid", "nodev" };
		size_t n = 4;
		if (m->readonly_recursive)
			opts[n++] = "rro";
		if (m->idmap)
			opts[n++] = "idmap";
		if (m->propagation)
			opts[n++] = m->propagation;
		bundle_gen_mount(g, m->destination, "bind", m->source, opts, NULL);
	}
	/* podman's defaults for --tmpfs, which the request's options override */
	for (size_t i = 0; i < s->n_tmpfs; i++)
		bundle_gen_mount(g, s->tmpfs[i].destination, "tmpfs", "tmpfs",
			  (const char *const[]){ "rw", "noexec", "nosuid", "nodev", NULL }, s->tmpfs[i].options);
	CTR_FEATURES_EACH(in->d, bundle.mounts, g, in, CTR_MOUNTS_AFTER_TMPFS);
	if (in->init_binary)
		bundle_gen_mount(g, CTR_INIT_PATH, "bind", in->init_binary,
			  (const char *const[]){ "bind", "ro", "nosuid", "nodev", NULL }, NULL);
	yajl_gen_array_close(g);
}
