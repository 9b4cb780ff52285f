/* A volume made: by VolumeCreate, or by a container's first use. */
#include "supervisor/daemon/volumes/vol_int.h"
#include "supervisor/daemon/volumes/vol_create.h"
#include "supervisor/daemon/volumes/vol_owners.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/core/events.h"
#include "supervisor/daemon/policy/policy.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/timefmt.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* size=64m, mode=1777, uid=N, gid=N, nr_inodes=N: a tmpfs's words */
static bool tmpfs_o_ok(const char *o)
{
	_cleanup_free_ char *copy = strdup(o);
	if (!copy)
		return false;
	char *save = NULL;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(w, '=');
		if (!eq) {
			if (!streq(w, "ro") && !streq(w, "rw") && !streq(w, "noexec") && !streq(w, "nosuid") &&
			    !streq(w, "nodev") && !streq(w, "exec"))
				return false;
			continue;
		}
		*eq = '\0';
		const char *v = eq + 1;
		size_t n = strspn(v, "0123456789");
		if (n == 0)
			return false;
		if (streq(w, "size") || streq(w, "nr_inodes")) {
			if (v[n] && !(strchr("kKmMgG", v[n]) && !v[n + 1]))
				return false;
		} else if (streq(w, "mode")) {
			if (v[n] || n > 4 || strspn(v, "01234567") != n)
				return false;
		} else if (!streq(w, "uid") && !streq(w, "gid")) {
			return false;
		} else if (v[n]) {
			return false;
		}
	}
	return true;
}

static bool clean_abs(const char *p)
{
	size_t n = strlen(p);
	return p[0] == '/' && !strstr(p, "/../") && !strstr(p, "/./") && !strstr(p, "//") &&
	       !(n >= 3 && streq(p + n - 3, "/..")) && !(n >= 2 && streq(p + n - 2, "/."));
}

const char *vol_opts_check(yajl_val opts)
{
	if (!opts || !YAJL_IS_OBJECT(opts) || opts->u.object.len == 0)
		return NULL;
	for (size_t i = 0; i < opts->u.object.len; i++) {
		const char *k = opts->u.object.keys[i];
		if (!streq(k, "type") && !streq(k, "o") && !streq(k, "device"))
			return "the local driver takes type, o and device";
	}
	const char *type = json_str(opts, "type"), *o = json_str(opts, "o"), *dev = json_str(opts, "device");
	if (type && streq(type, "tmpfs"))
		return o && !tmpfs_o_ok(o) ? "a tmpfs's o is size=N[kmg], mode=OCTAL, uid=N, gid=N, nr_inodes=N, ro, noexec, nosuid, nodev"
					   : NULL;
	if (type && streq(type, "none")) {
		if (!o || (!streq(o, "bind") && !streq(o, "rbind") && !streq(o, "bind,ro") && !streq(o, "rbind,ro")))
			return "type none takes o=bind (or rbind, with ,ro)";
		if (!dev || !clean_abs(dev))
			return "a bind takes device=/path, absolute and clean";
		return NULL;
	}
	return "type must be tmpfs or none (with o=bind and device=/path)";
}

static bool is_bind(yajl_val opts)
{
	const char *type = json_str(opts, "type");
	return type && streq(type, "none");
}

static size_t count_in(const char *dir)
{
	vol_info *v = NULL;
	size_t n = 0;
	_cleanup_cerr_ cerr err = { 0 };
	if (vol_list(dir, &v, &n, &err) < 0)
		return 0;
	vol_list_free(v, n);
	return n;
}

static bool under(const char *path, char *const *prefixes)
{
	for (; prefixes && *prefixes; prefixes++) {
		size_t n = strlen(*prefixes);
		if (streq(*prefixes, "/") || (!strncmp(path, *prefixes, n) && (path[n] == '\0' || path[n] == '/')))
			return true;
	}
	return false;
}

int vol_create(corrald *d, const peer_cred *peer, const char *name, yajl_val labels, yajl_val opts, bool anonymous,
	       char made[VOL_NAME_MAX + 1], policy_violation *pv, cerr *err)
{
	char dir[PATH_MAX];
	uid_t uid = peer ? peer->uid : 0;
	gid_t gid = peer ? peer->gid : 0;
	vol_dir(d, uid, dir, sizeof(dir));
	if (name)
		snprintf(made, VOL_NAME_MAX + 1, "%s", name);
	else if (vol_name_random(made) < 0)
		return cerr_set(err, EIO, "getrandom");
	if (uid != 0 && is_bind(opts)) {
		/* a member binds only what the policy lets it bind; the
		 * container's create checks the path again, opened as the
		 * member, as any bind of its */
		char *const *allowed = policy_tier_of(d->policy, uid)->bind_allowed;
		if (!under(json_str(opts, "device"), allowed))
			return policy_violation_set(pv, "driverOpts.device", "unprivileged.bind_mounts.allowed",
						    "%s is outside the prefixes a member may bind", json_str(opts, "device"));
	}
	if (peer && quota_admit(d, peer, QUOTA_VOLUMES, count_in(dir), 1, "name", pv) == POLICY_REFUSED)
		return POLICY_REFUSED;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return cerr_set(err, ENOMEM, "out of memory");
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	yajl_gen_map_open(g);
	jg_key_str(g, "name", made);
	jg_key_str(g, "driver", "local");
	jg_key_int(g, "owner", uid);
	jg_key_int(g, "createdNs", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	jg_key_bool(g, "anonymous", anonymous);
	jg_key(g, "labels");
	if (labels && YAJL_IS_OBJECT(labels))
		jg_value(g, labels);
	else
		yajl_gen_map_open(g), yajl_gen_map_close(g);
	jg_key(g, "options");
	if (opts && YAJL_IS_OBJECT(opts))
		jg_value(g, opts);
	else
		yajl_gen_map_open(g), yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	size_t len;
	const unsigned char *buf;
	yajl_gen_get_buf(g, &buf, &len);
	/* a member's _data is its container root's: the member's own ids */
	int r = vol_make(dir, made, (const char *)buf, len, uid, gid, err);
	if (r < 0)
		return r;
	vol_publish(d, uid, "create", made);
	return 0;
}
