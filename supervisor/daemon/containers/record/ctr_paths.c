/* A container's paths: its directory, its cgroup, its overlay's upper directory. */
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/spec/ctr_spec_net.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/spec/healthcheck.h"
#include "supervisor/daemon/containers/record/ctr_waiters.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "runtime/cgroup_path.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"
#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ctr_dir(const corrald *d, const ctr *c, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", d->containers_dir, c->id);
}

void ctr_cgroups_path(const corrald *d, const char *parent, const char *id, char *buf, size_t n)
{
	if (!parent)
		parent = d->cgroup_parent;
	if (d->systemd_cgroup)
		snprintf(buf, n, "%s:corral:%s", parent, id);
	else
		snprintf(buf, n, "%s/%s", streq(parent, "/") ? "" : parent, id);
}

void ctr_cgroup_path(const corrald *d, const ctr *c, char *buf, size_t n)
{
	ctr_cgroups_path(d, c->spec.cgroup_parent, c->id, buf, n);
	_cleanup_free_ char *path = NULL;
	/* the cgroupsPath was checked when corrald started: this cannot fail */
	if (d->systemd_cgroup && cgroup_path_for(buf, c->id, true, &path, NULL) == 0)
		snprintf(buf, n, "%s", path);
}

const char *ctr_upper_dir(const struct corrald *d, const ctr *c, char *buf, size_t n)
{
	if (!c->image_manifest)
		return "it was made from a directory, not an image of the store";
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	snprintf(buf, n, "%s/upper", dir);
	struct stat st;
	if (lstat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
		return "its root filesystem is a copy, not an overlay: its changes are not kept apart";
	return NULL;
}
