#include "supervisor/daemon/containers/record/ctr_checkpoint_dir.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/containers/record/trash.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void ctr_checkpoint_path(const struct corrald *d, const ctr *c, char *buf, size_t n)
{
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	snprintf(buf, n, "%s/" CTR_CHECKPOINT_DIR, dir);
}

/* one of --leave-running's counts too, once it has stopped, as podman's does */
bool ctr_has_checkpoint(const struct corrald *d, const ctr *c)
{
	char inventory[PATH_MAX];
	ctr_checkpoint_path(d, c, inventory, sizeof(inventory));
	strncat(inventory, "/inventory.img", sizeof(inventory) - strlen(inventory) - 1);
	return access(inventory, F_OK) == 0;
}

int ctr_checkpoint_clear(struct corrald *d, const ctr *c, cerr *err)
{
	char path[PATH_MAX];
	ctr_checkpoint_path(d, c, path, sizeof(path));
	if (access(path, F_OK) < 0)
		return 0;
	return trash_dir(d, path, err);
}
