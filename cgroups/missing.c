/* Why a controller is not on cgroup v2: a controller lives in one
 * hierarchy at a time, and on a hybrid host (systemd's legacy layout) it
 * is bound to a cgroup v1 mount; or the kernel has it disabled, or not at
 * all. Said plainly where a create fails for it and in `corral features`. */
#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The v1 mount point whose super options name ctrl, from mountinfo:
 * "... - cgroup cgroup rw,cpu,cpuacct". */
static bool v1_mount_of(const char *mountinfo, const char *ctrl, char *where, size_t n)
{
	_cleanup_free_ char *copy = strdup(mountinfo ? mountinfo : "");
	for (char *save = NULL, *line = copy ? strtok_r(copy, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char point[512], fstype[32], opts[512];
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %511s", point) != 1 ||
		    sscanf(dash + 3, "%31s %*s %511s", fstype, opts) != 2 || strcmp(fstype, "cgroup"))
			continue;
		for (char *s2 = NULL, *o = strtok_r(opts, ",", &s2); o; o = strtok_r(NULL, ",", &s2))
			if (!strcmp(o, ctrl)) {
				snprintf(where, n, "%s", point);
				return true;
			}
	}
	return false;
}

/* /proc/cgroups: "name hierarchy num_cgroups enabled"; -1 when absent. */
static int kernel_enabled(const char *proc_cgroups, const char *ctrl)
{
	char pattern[64];
	snprintf(pattern, sizeof(pattern), "\n%s\t", ctrl);
	const char *p = proc_cgroups ? strstr(proc_cgroups, pattern) : NULL;
	int hier, num, enabled;
	if (!p || sscanf(p + strlen(pattern), "%d %d %d", &hier, &num, &enabled) != 3)
		return -1;
	return enabled;
}

void cg_explain_missing(const char *missing, char *out, size_t len)
{
	_cleanup_free_ char *mountinfo = NULL, *proc_cgroups = NULL, *words = strdup(missing);
	read_file("/proc/self/mountinfo", 1 << 20, &mountinfo, NULL, NULL);
	read_file("/proc/cgroups", 1 << 16, &proc_cgroups, NULL, NULL);
	out[0] = '\0';
	for (char *save = NULL, *c = words ? strtok_r(words, " ", &save) : NULL; c; c = strtok_r(NULL, " ", &save)) {
		char where[512];
		size_t n = strlen(out);
		/* v1 calls io blkio */
		const char *v1 = strcmp(c, "io") ? c : "blkio";
		if (v1_mount_of(mountinfo, v1, where, sizeof(where)))
			snprintf(out + n, len - n, "%s%s is bound to cgroup v1 at %s", n ? "; " : "", c, where);
		else if (kernel_enabled(proc_cgroups, v1) == 0)
			snprintf(out + n, len - n, "%s%s is disabled on the kernel command line", n ? "; " : "", c);
		else if (kernel_enabled(proc_cgroups, v1) < 0)
			snprintf(out + n, len - n, "%s%s is not in this kernel", n ? "; " : "", c);
		else
			snprintf(out + n, len - n, "%s%s is not enabled at the root", n ? "; " : "", c);
	}
}
