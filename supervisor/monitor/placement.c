/* systemd restarts corrald only when its unit holds corrald alone: a
 * monitor left in the unit's cgroup makes the next start fail
 * (status=219/CGROUP) and outlives a stop as a stray of the unit. So each
 * monitor leaves it first, as podman keeps conmon in a scope of its own
 * (libpod-conmon-ID.scope). */
#include "supervisor/monitor/placement.h"
#include "cgroups/cgroups.h"
#include "cgroups/systemd.h"
#include "cgroups/systemd_scope.h"
#include "common/fileio.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

int monitor_place(const char *slice, const char *cgroup, const char *id, cerr *err)
{
	if (slice) {
		char unit[PATH_MAX];
		snprintf(unit, sizeof(unit), "corral-monitor-%s.scope", id);
		return cg_monitor_scope(slice, unit, getpid(), err);
	}
	if (!cgroup)
		return 0;
	const char *mount;
	if (cg_find_mount(&mount) < 0)
		return cerr_set(err, ENOENT, "cgroup %s: no cgroup2 hierarchy is mounted", cgroup);
	char dir[PATH_MAX], procs[PATH_MAX + 16];
	snprintf(dir, sizeof(dir), "%s%s", mount, cgroup);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	/* made by the first monitor: the containers' parent is made by the
	 * first container, so neither is there before corrald has one */
	int r = mkdir_p(dir, 0755);
	if (r == 0)
		r = write_file_str(procs, "0");
	return r < 0 ? cerr_sys(err, -r, "%s", procs) : 0;
}
