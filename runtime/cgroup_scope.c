/* The systemd cgroup driver's side of create: systemd moves the init into
 * its scope, so clone3 cannot place it, and a new cgroup namespace is made
 * by the init once it is there (runc's order). */
#include "cgroup_path.h"
#include "runtime/cgroup_scope.h"
#include "sync.h"
#include "cgroups/systemd.h"
#include "cgroups/systemd_props.h"
#include "cgroups/systemd_scope.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int cgroup_scope_enter(const char *cgroups_path, const char *id, const struct cg_resources *res, pid_t pid,
		       int sync, char unit[NAME_MAX + 1], cg **out, cerr *err)
{
	char slice[NAME_MAX + 1], dflt[PATH_MAX];
	_cleanup_free_ char *path = NULL;
	/* none given: system.slice:corral:ID, as runc makes system.slice:runc:ID;
	 * in a user's own systemd instance, user.slice (runc's rootless default) */
	const char *top = geteuid() != 0 ? "user.slice" : "system.slice";
	if (!cgroups_path || !*cgroups_path)
		snprintf(dflt, sizeof(dflt), "%s:corral:%s", top, id);
	else if (cgroups_path[0] == ':')
		snprintf(dflt, sizeof(dflt), "%s%s", top, cgroups_path);
	else if ((size_t)snprintf(dflt, sizeof(dflt), "%s", cgroups_path) >= sizeof(dflt))
		return cerr_set(err, ENAMETOOLONG, "linux.cgroupsPath: too long");
	int r = cg_scope_names(dflt, slice, unit, err);
	if (r < 0)
		return r;
	if ((r = cg_scope_start(slice, unit, pid, res, &path, err)) < 0) {
		unit[0] = '\0'; /* nothing to undo */
		return r;
	}
	/* the rest, and the exact values (systemd rounds a CPU quota) */
	if ((r = cg_open(NULL, path, out, err)) < 0 || (r = cg_update(*out, res, err)) < 0)
		return r;
	if (sync >= 0 && sync_send(sync, SYNC_CGROUP_DONE, 0, NULL, -1) < 0)
		return cerr_sys(err, errno, "sync with container init");
	return 0;
}
