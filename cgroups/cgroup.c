/* The cgroup2 mount and a handle on one cgroup. Creating one, with its
 * controllers and resources, is in cg_create.c: a binary that only opens
 * cgroups (corral-monitor-lean) links none of that. */
#include "cgroups.h"
#include "resources.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "cgfile.h"
#include "cg_internal.h"
#include "cgroups/cgroup.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

static char *root_override;

void cg_set_root(const char *mount)
{
	free(root_override);
	root_override = mount ? strdup(mount) : NULL;
}

int cg_find_mount(const char **mount)
{
	if (root_override) {
		*mount = root_override;
		return 0;
	}
	static const char *candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++) {
		struct statfs fs;
		if (statfs(candidates[i], &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) {
			*mount = candidates[i];
			return 0;
		}
	}
	return -ENOENT;
}

int cg_root_controllers(const char *mount, char **out)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/cgroup.controllers", mount);
	char *s = NULL;
	int r = read_file(p, 4096, &s, NULL, NULL);
	if (r < 0)
		return r;
	s[strcspn(s, "\n")] = '\0';
	*out = s;
	return 0;
}

int cg_new(const char *mount, const char *path, cg **out, cerr *err)
{
	cg *c = calloc(1, sizeof(*c));
	if (!c)
		return cerr_set(err, ENOMEM, "out of memory");
	c->dirfd = -1;
	c->mount = strdup(mount);
	if (asprintf(&c->path, "/%s", path + strspn(path, "/")) < 0)
		c->path = NULL;
	if (!c->mount || !c->path) {
		cg_free(c);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	/* "/a/b/" and "/a//b" name the same cgroup as "/a/b" */
	char *w = c->path;
	for (char *r = c->path; *r; r++)
		if (!(*r == '/' && (r[1] == '/' || r[1] == '\0') && w != c->path))
			*w++ = *r;
	*w = '\0';
	*out = c;
	return 0;
}

int cg_open(const char *mount, const char *path, cg **out, cerr *err)
{
	_cleanup_cg_ cg *c = NULL;
	if (!mount && cg_find_mount(&mount) < 0)
		return cerr_set(err, ENOENT, "no cgroup2 mount");
	int r = cg_new(mount, path, &c, err);
	if (r < 0)
		return r;
	char full[PATH_MAX];
	snprintf(full, sizeof(full), "%s%s", c->mount, c->path);
	c->dirfd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->dirfd < 0)
		return cerr_sys(err, errno, "cgroup %s", c->path);
	*out = TAKE_PTR(c);
	return 0;
}

void cg_free(cg *c)
{
	if (!c)
		return;
	if (c->dirfd >= 0)
		close(c->dirfd);
	free(c->mount);
	free(c->path);
	free(c);
}
