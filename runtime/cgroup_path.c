/* Where a container's cgroup goes: linux.cgroupsPath, systemd's
 * "slice:prefix:name" form, or /corral/<id>. */
#include "cgroup_path.h"
#include "container.h"
#include "rootless.h"
#include "cgroups/resources.h"
#include "common/log.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* "a-b-c.slice" lives at /a.slice/a-b.slice/a-b-c.slice, as systemd nests it. */
static int expand_slice(strbuf *sb, const char *slice)
{
	size_t n = strlen(slice);
	if (n < 7 || strcmp(slice + n - 6, ".slice") != 0 || strchr(slice, '/'))
		return -EINVAL;
	if (streq(slice, "-.slice"))
		return 0;
	for (size_t i = 0; i < n - 6; i++)
		if (slice[i] == '-') {
			sb_adds(sb, "/");
			sb_add(sb, slice, i);
			sb_adds(sb, ".slice");
		}
	sb_adds(sb, "/");
	sb_adds(sb, slice);
	return 0;
}

int cgroup_path_for(const char *cgroups_path, const char *id, bool systemd, char **out, cerr *err)
{
	strbuf sb = STRBUF_INIT;
	if (!cgroups_path || !cgroups_path[0]) {
		sb_addf(&sb, "/corral/%s", id);
	} else if (systemd || (cgroups_path[0] != '/' && strchr(cgroups_path, ':'))) {
		char slice[256], prefix[256], name[256];
		if (sscanf(cgroups_path, "%255[^:]:%255[^:]:%255s", slice, prefix, name) != 3) {
			sb_release(&sb);
			return cerr_set(err, EINVAL, "linux.cgroupsPath: \"%s\" is not slice:prefix:name", cgroups_path);
		}
		if (expand_slice(&sb, slice[0] ? slice : "system.slice") < 0) {
			sb_release(&sb);
			return cerr_set(err, EINVAL, "linux.cgroupsPath: \"%s\" is not a valid slice", slice);
		}
		if (strstr(name, ".slice"))
			sb_addf(&sb, "/%s", name);
		else
			sb_addf(&sb, "/%s-%s.scope", prefix, name);
	} else {
		sb_addf(&sb, "%s%s", cgroups_path[0] == '/' ? "" : "/", cgroups_path);
	}
	*out = sb_detach(&sb);
	return 0;
}

/* cgroupfs: the container's cgroup. Rootless, with no cgroupsPath, it goes
 * beside the caller's own, and one that the caller may not make is skipped
 * when no limit needs it, as runc's rootless cgroup manager does. */
int cgroup_make(const struct create_opts *o, const struct oci_spec *s, const struct cg_resources *res,
			 cg **out, cerr *err)
{
	_cleanup_free_ char *path = NULL;
	const char *given = s->linux_.cgroups_path;
	bool derived = o->rootless && !(given && *given);
	int r = derived ? rootless_cgroup_path(o->id, &path, err) : cgroup_path_for(given, o->id, false, &path, err);
	if (r < 0)
		return r;
	if ((r = cg_create(path, res, out, err)) < 0)
		goto refused;
	/* no cgroup2 mount at all: a device list would not be enforced, and
	 * CAP_MKNOD would open the host's disks; runc fails such a create too.
	 * Rootless makes no device nodes, and keeps runc's way: go on. */
	const struct cg_dev_rule *rules;
	size_t n;
	if (!*out && !o->rootless && cg_resources_devices(res, &rules, &n))
		return cerr_set(err, ENOTSUP,
				"linux.resources.devices: no cgroup2 hierarchy to enforce the device rules on "
				"(none is mounted at /sys/fs/cgroup or /sys/fs/cgroup/unified)");
	return 0;
refused:;
	bool denied = r == -EACCES || r == -EPERM || r == -EROFS;
	if (o->rootless && denied && (!derived || !cg_resources_empty(res)))
		return cerr_wrap(err, "rootless: %s needs a cgroup delegated to uid %u", derived ? "a limit" : "linux.cgroupsPath",
				 (unsigned)geteuid());
	if (!derived || !denied || !cg_resources_empty(res))
		return r;
	log_debug("%s: rootless, and no limits: no cgroup of its own (%s)", o->id, cerr_msg(err));
	cerr_clear(err);
	return 0;
}
