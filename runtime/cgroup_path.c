/* Where a container's cgroup goes: linux.cgroupsPath, systemd's
 * "slice:prefix:name" form, or /corral/<id>. */
#include "cgroup_path.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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
