/* The fast path: what corrald keeps ready so that Create and Start do
 * little (see fastpath.h for the why and the figures). */
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "supervisor/daemon/containers/engine/fastpath.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/engine/ctr_bundle.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/logs/crilog.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_STANDBY 16 /* monitors waiting for a Start at once */

/* Standby monitors */

void fastpath_standby(corrald *d, ctr *c)
{
	if (c->spawn || d->containers->n_standby >= MAX_STANDBY)
		return;
	cerr err = { 0 };
	if (ctr_spawn_new(d, c, &err) < 0)
		log_cerr(LOG_LVL_DEBUG, &err, "container %s: no standby monitor", c->id);
}

void fastpath_standby_prep(ctr *c)
{
	if (c->spawn && c->spawn->standby && !c->spawn->prepped && !ctr_spawn_say(c->spawn, ""))
		ctr_spawn_abandon(c); /* Start spawns afresh */
}

/* Spare container directories */

static const char *const inside[] = { "rootfs", "upper", "work" };

static void spare_name(unsigned long seq, char *buf, size_t n)
{
	snprintf(buf, n, "s%lu", seq);
}

/* Empty files that Create and the monitor open rather than make: the
 * first config.json and record.json are written to their premade temporary
 * files (WFA_PREMADE: the container directory is corrald's alone), then
 * renamed. */
static int make_files(int fd)
{
	static const struct {
		const char *name;
		mode_t mode;
		bool tmp;
	} files[] = { { BUNDLE_CONFIG, BUNDLE_CONFIG_MODE, true },
		      { CTR_RECORD_FILE, CTR_RECORD_MODE, true },
		      { CRILOG_FILE, CRILOG_MODE, false } };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char name[64];
		if (files[i].tmp)
			snprintf(name, sizeof(name), WFA_PREMADE_FORMAT, files[i].name);
		else
			snprintf(name, sizeof(name), "%s", files[i].name);
		int f = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, files[i].mode);
		if (f < 0)
			return -errno;
		close(f);
	}
	return 0;
}

static int make_one(corrald *d)
{
	char name[32];
	spare_name(d->containers->spare_made, name, sizeof(name));
	if (mkdirat(d->containers->spare_fd, name, 0700) < 0)
		return -errno;
	int fd = openat(d->containers->spare_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = fd < 0 ? -errno : 0;
	for (size_t i = 0; r == 0 && i < sizeof(inside) / sizeof(inside[0]); i++)
		if (mkdirat(fd, inside[i], 0755) < 0)
			r = -errno;
	if (r == 0)
		r = make_files(fd);
	if (fd >= 0)
		close(fd);
	if (r < 0) {
		rm_rf_at(d->containers->spare_fd, name);
		return r;
	}
	d->containers->spare_made++;
	return 0;
}

void fastpath_dir_unneeded(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; fd >= 0 && i < sizeof(inside) / sizeof(inside[0]); i++)
		unlinkat(fd, inside[i], AT_REMOVEDIR);
	if (fd >= 0)
		close(fd);
}

void fastpath_dir_refill(corrald *d)
{
	while (d->containers->spare_fd >= 0 && d->containers->spare_made - d->containers->spare_taken < SPARE_DIRS) {
		int r = make_one(d);
		if (r < 0) {
			log_debug("spare container directory: %s", strerror(-r));
			return;
		}
	}
}

void fastpath_clear(corrald *d)
{
	if (d->containers->spare_fd < 0)
		return;
	_cleanup_closedir_ DIR *dir = fdopendir(fcntl(d->containers->spare_fd, F_DUPFD_CLOEXEC, 3));
	if (dir)
		rewinddir(dir); /* the dup shares its offset with spare_fd */
	for (struct dirent *de; dir && (de = readdir(dir));)
		if (de->d_name[0] != '.')
			rm_rf_at(d->containers->spare_fd, de->d_name);
	d->containers->spare_taken = d->containers->spare_made = 0;
}

int fastpath_init(corrald *d, cerr *err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/spare", d->cfg->state_dir);
	int r = mkdir(path, 0700) < 0 && errno != EEXIST ? -errno : 0;
	if (r == 0 && (d->containers->spare_fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		r = -errno;
	if (r < 0)
		return cerr_sys(err, -r, "%s", path);
	fastpath_clear(d);
	fastpath_dir_refill(d);
	return 0;
}

int fastpath_dir_take(corrald *d, const char *dir)
{
	if (d->containers->spare_fd >= 0 && d->containers->spare_taken < d->containers->spare_made) {
		char name[32];
		spare_name(d->containers->spare_taken, name, sizeof(name));
		d->containers->spare_taken++;
		if (renameat(d->containers->spare_fd, name, AT_FDCWD, dir) == 0)
			return 0;
		log_debug("spare container directory %s: %s", name, strerror(errno));
		rm_rf_at(d->containers->spare_fd, name);
	}
	/* containers/ was made at startup: mkdir_p only if it went away */
	return mkdir(dir, 0700) < 0 ? (errno == ENOENT ? mkdir_p(dir, 0700) : -errno) : 0;
}
