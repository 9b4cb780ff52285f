/* POST /containers/create's mounts: Binds, HostConfig.Mounts, Config.Volumes,
 * VolumesFrom and Tmpfs as ContainerSpec's mounts and tmpfs. */
#include "supervisor/docker/docker_ctr_mounts.h"
#include "supervisor/docker/docker_answer.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_volumes.h"
#include "supervisor/shape/ctr_summary.h"
#include "supervisor/shape/words.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VOLUMES_FROM_MAX 16

static void gen_volume_mount(yajl_gen g, const char *name, const char *dst, bool ro, bool no_copy)
{
	jg_object(g, JG_STR("type", "volume"), JG_STR("source", name), JG_STR("destination", dst),
		     JG_TRUE_SET("readonly", ro), JG_TRUE_SET("noCopy", no_copy), JG_END);
}

/* create: a source that does not exist is made, as dockerd makes a -v's
 * (not a --mount's: API 1.41 has no CreateMountpoint) */
static void gen_mount(yajl_gen g, const char *src, const char *dst, bool ro, const char *prop, bool create)
{
	yajl_gen_map_open(g);
	jg_key_str(g, "source", src);
	jg_key_str(g, "destination", dst);
	if (ro)
		jg_key_bool(g, "readonly", true);
	if (create)
		jg_key_bool(g, "createSource", true);
	if (prop && *prop)
		jg_key_str(g, "propagation", prop);
	yajl_gen_map_close(g);
}

/* "/host:/ctr[:opt,opt]", or "name:/ctr[:opt]" of a named volume; -1
 * with r answered when it is not one corral can make (a bind without a
 * destination). */
static int gen_bind(dk_req *r, yajl_gen g, const char *bind)
{
	_cleanup_free_ char *copy = strdup(bind);
	if (!copy)
		return -1;
	char *dst = strchr(copy, ':');
	if (!dst || dst[1] != '/' || dst == copy) {
		dk_error(r, 400, "invalid volume specification: '%s'", bind);
		return -1;
	}
	*dst++ = '\0';
	char *opts = strchr(dst, ':');
	if (opts)
		*opts++ = '\0';
	bool ro = false, no_copy = false;
	const char *prop = NULL;
	for (char *o = opts ? strtok(opts, ",") : NULL; o; o = strtok(NULL, ",")) {
		if (streq(o, "ro"))
			ro = true;
		else if (strstr(o, "private") || strstr(o, "shared") || strstr(o, "slave"))
			prop = o;
		else if (streq(o, "nocopy"))
			no_copy = true;
		else if (!streq(o, "rw") && !streq(o, "z") && !streq(o, "Z")) {
			dk_error(r, 400, "invalid mode: %s", o);
			return -1;
		}
	}
	if (copy[0] != '/') { /* a volume's name, as docker decides */
		if (prop) {
			dk_error(r, 400, "invalid mode: %s", prop);
			return -1;
		}
		gen_volume_mount(g, copy, dst, ro, no_copy);
		return 0;
	}
	gen_mount(g, copy, dst, ro, prop, true);
	return 0;
}

/* Whether Binds or HostConfig.Mounts mount something at dst */
static bool covered(yajl_val hc, const char *dst)
{
	yajl_val binds = json_get(hc, "Binds"), mounts = json_get(hc, "Mounts");
	for (size_t j = 0; YAJL_IS_ARRAY(binds) && j < binds->u.array.len; j++) {
		const char *b = YAJL_IS_STRING(binds->u.array.values[j]) ? binds->u.array.values[j]->u.string : "";
		const char *c = strchr(b, ':');
		size_t n = strlen(dst);
		if (c && !strncmp(c + 1, dst, n) && (c[1 + n] == '\0' || c[1 + n] == ':'))
			return true;
	}
	for (size_t j = 0; YAJL_IS_ARRAY(mounts) && j < mounts->u.array.len; j++)
		if (streq(dk_str(mounts->u.array.values[j], "Target"), dst))
			return true;
	return false;
}

/* Put a copy of dst in *taken: 0, or -ENOMEM */
static int take(char ***taken, const char *dst)
{
	char *copy = strdup(dst);
	if (copy && strv_push(taken, copy) == 0)
		return 0;
	free(copy);
	return -ENOMEM;
}

/* One of VolumesFrom, "NAME[:ro|:rw]": that container's binds and volumes
 * (as made: an anonymous one by its name) at the same places, read-only
 * as asked or as they are there, each place put in *taken; where Binds or
 * Mounts put something the body's own stays, as dockerd has it. -1 with
 * r answered. */
static int gen_volumes_from(dk_req *r, yajl_gen g, yajl_val hc, const char *from, char ***taken)
{
	_cleanup_free_ char *name = strdup(from);
	char *mode = name ? strchr(name, ':') : NULL;
	if (mode)
		*mode++ = '\0';
	if (!name || (mode && !streq(mode, "ro") && !streq(mode, "rw"))) {
		dk_error(r, 400, "invalid mode for --volumes-from %s: must be ro or rw", from);
		return -1;
	}
	/* not a 404: the docker CLI takes that for a missing image, and pulls */
	_cleanup_free_ char *params = dk_params_text("id", name);
	vl_reply rep;
	if (dk_call(r, "Inspect", params, &rep) < 0) {
		if (rep.error)
			dk_error(r, 400, "No such container: %s (--volumes-from)", name);
		vl_reply_release(&rep);
		return -1;
	}
	yajl_val c = json_get(rep.params, "container");
	yajl_val mounts = json_get(json_get(c, "config"), "mounts"), made = json_get(c, "volumes");
	int k = 0;
	for (size_t i = 0; k == 0 && YAJL_IS_ARRAY(mounts) && i < mounts->u.array.len; i++) {
		yajl_val m = mounts->u.array.values[i];
		const char *dst = dk_str(m, "destination");
		if (streq(dk_str(m, "type"), "volume") || covered(hc, dst) || strv_contains(*taken, dst))
			continue; /* a volume is in made, as made */
		gen_mount(g, dk_str(m, "source"), dst, mode ? streq(mode, "ro") : dk_bool(m, "readonly"),
			  dk_str(m, "propagation"), false);
		k = take(taken, dst);
	}
	for (size_t i = 0; k == 0 && YAJL_IS_ARRAY(made) && i < made->u.array.len; i++) {
		yajl_val v = made->u.array.values[i];
		const char *dst = dk_str(v, "destination");
		if (covered(hc, dst) || strv_contains(*taken, dst))
			continue;
		/* as root names it: NAME@UID for a member's, whoever calls */
		char ref[512];
		dk_owned_name(v, 0, ref, sizeof(ref));
		gen_volume_mount(g, ref, dst, mode ? streq(mode, "ro") : dk_bool(v, "readonly"), false);
		k = take(taken, dst);
	}
	vl_reply_release(&rep);
	if (k < 0)
		dk_error(r, 500, "out of memory");
	return k < 0 ? -1 : 0;
}

/* --mount type=volume,volume-opt=...: a named volume that is not there is
 * made with its VolumeOptions' driver options and labels (compose's too),
 * as dockerd makes it; one that is there is taken as it is, whatever the
 * options say (dockerd's store answers before its driver reads them). -1
 * with r answered. */
static int make_named_volume(dk_req *r, yajl_val m)
{
	yajl_val vo = json_get(m, "VolumeOptions"), dc = json_get(vo, "DriverConfig");
	yajl_val labels = json_get(vo, "Labels"), opts = json_get(dc, "Options");
	const char *name = dk_str(m, "Source");
	bool given = (YAJL_IS_OBJECT(labels) && labels->u.object.len) || (YAJL_IS_OBJECT(opts) && opts->u.object.len) ||
		     *dk_str(dc, "Name");
	if (!*name || !given)
		return 0;
	_cleanup_free_ char *params = dk_params_text("name", name);
	vl_reply rep;
	if (!params) {
		dk_error(r, 500, "out of memory");
		return -1;
	}
	bool there = dk_call(r, "VolumeInspect", params, &rep) == 0, lost = !there && !rep.error;
	vl_reply_release(&rep);
	if (there || lost)
		return lost ? -1 : 0; /* a lost connection is answered */
	if (dk_vol_make(r, name, dk_str(dc, "Name"), labels, opts, &rep) < 0)
		return -1;
	vl_reply_release(&rep);
	return 0;
}

/* Binds, HostConfig.Mounts of type bind and volume, Config.Volumes
 * (anonymous volumes, unless a bind or mount is there) and VolumesFrom;
 * tmpfs mounts go to tmpfs. */
int dk_create_mounts(dk_req *r, yajl_gen g, yajl_val hc, yajl_val vols)
{
	yajl_val binds = json_get(hc, "Binds"), mounts = json_get(hc, "Mounts"), from = json_get(hc, "VolumesFrom");
	_cleanup_strv_ char **taken = NULL; /* VolumesFrom's places */
	/* each is an Inspect of corrald's: a bound, as corrald bounds mounts */
	if (YAJL_IS_ARRAY(from) && from->u.array.len > VOLUMES_FROM_MAX) {
		dk_error(r, 400, "HostConfig.VolumesFrom: more than %d containers", VOLUMES_FROM_MAX);
		return -1;
	}
	jg_key(g, "mounts");
	yajl_gen_array_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(from) && i < from->u.array.len; i++)
		if (YAJL_IS_STRING(from->u.array.values[i]) &&
		    gen_volumes_from(r, g, hc, from->u.array.values[i]->u.string, &taken) < 0)
			return -1;
	for (size_t i = 0; YAJL_IS_OBJECT(vols) && i < vols->u.object.len; i++)
		if (!covered(hc, vols->u.object.keys[i]) && !strv_contains(taken, vols->u.object.keys[i]))
			gen_volume_mount(g, "", vols->u.object.keys[i], false, false);
	for (size_t i = 0; YAJL_IS_ARRAY(binds) && i < binds->u.array.len; i++)
		if (YAJL_IS_STRING(binds->u.array.values[i]) && gen_bind(r, g, binds->u.array.values[i]->u.string) < 0)
			return -1;
	for (size_t i = 0; YAJL_IS_ARRAY(mounts) && i < mounts->u.array.len; i++) {
		yajl_val m = mounts->u.array.values[i];
		const char *type = dk_str(m, "Type");
		if (streq(type, "tmpfs"))
			continue;
		if (streq(type, "volume")) {
			if (make_named_volume(r, m) < 0)
				return -1;
			gen_volume_mount(g, dk_str(m, "Source"), dk_str(m, "Target"), dk_bool(m, "ReadOnly"),
					 dk_bool(json_get(m, "VolumeOptions"), "NoCopy"));
			continue;
		}
		if (!streq(type, "bind")) {
			dk_error(r, 400, "mount type %s is not supported by corral: use bind, volume or tmpfs", type);
			return -1;
		}
		gen_mount(g, dk_str(m, "Source"), dk_str(m, "Target"), dk_bool(m, "ReadOnly"),
			  dk_str(json_get(m, "BindOptions"), "Propagation"), false);
	}
	return yajl_gen_array_close(g);
}

void dk_create_tmpfs(yajl_gen g, yajl_val hc)
{
	yajl_val t = json_get(hc, "Tmpfs"), mounts = json_get(hc, "Mounts");
	jg_key(g, "tmpfs");
	yajl_gen_array_open(g);
	for (size_t i = 0; YAJL_IS_OBJECT(t) && i < t->u.object.len; i++) {
		const char *opts = YAJL_IS_STRING(t->u.object.values[i]) ? t->u.object.values[i]->u.string : "";
		char line[4096];
		snprintf(line, sizeof(line), "%s%s%s", t->u.object.keys[i], *opts ? ":" : "", opts);
		jg_str(g, line);
	}
	for (size_t i = 0; YAJL_IS_ARRAY(mounts) && i < mounts->u.array.len; i++) {
		yajl_val m = mounts->u.array.values[i];
		if (!streq(dk_str(m, "Type"), "tmpfs"))
			continue;
		long long size = dk_int(json_get(m, "TmpfsOptions"), "SizeBytes", 0);
		char line[4096];
		snprintf(line, sizeof(line), "%s", dk_str(m, "Target"));
		if (size > 0)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), ":size=%lld", size);
		jg_str(g, line);
	}
	yajl_gen_array_close(g);
}

