/* AppArmor's exec profile, through procfs as libapparmor writes it. */
#include "apparmor.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "lsm_attr.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

/* the kernel takes at most a page per write of "exec NAME" */
#define PROFILE_MAX 4000

bool apparmor_enabled_in(const char *sys)
{
	char path[256];
	struct stat st;
	snprintf(path, sizeof(path), "%s/kernel/security/apparmor", sys);
	if (stat(path, &st) < 0)
		return false;
	snprintf(path, sizeof(path), "%s/module/apparmor/parameters/enabled", sys);
	_cleanup_free_ char *on = NULL;
	return read_file(path, 16, &on, NULL, NULL) == 0 && on[0] == 'Y';
}

bool apparmor_loaded_in(const char *sys, const char *profile)
{
	if (streq(profile, "unconfined"))
		return true;
	char path[256];
	snprintf(path, sizeof(path), "%s/kernel/security/apparmor/profiles", sys);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, n = strlen(profile);
	while (f && getline(&line, &cap, f) > 0)
		if (!strncmp(line, profile, n) && !strncmp(line + n, " (", 2))
			return true;
	return false;
}

int apparmor_check(const char *profile, const char *what, cerr *err)
{
	if (!profile || !profile[0])
		return 0;
	size_t n = strlen(profile);
	if (n > PROFILE_MAX)
		return cerr_set(err, EINVAL, "%s: a profile name of %zu bytes is longer than %d", what, n, PROFILE_MAX);
	for (const char *c = profile; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return cerr_set(err, EINVAL, "%s: \"%s\" holds a control character", what, profile);
	if (!apparmor_enabled())
		return cerr_set(err, ENOTSUP, "%s: \"%s\": AppArmor is not enabled on this host", what, profile);
	return 0;
}

int apparmor_open_exec_attr(int proc_dir, int min_fd, cerr *err)
{
	return lsm_open_exec_attr(proc_dir, "apparmor", min_fd, "AppArmor", err);
}

int apparmor_exec_profile(int attr_fd, const char *profile, cerr *err)
{
	char cmd[PROFILE_MAX + 8];
	int n = snprintf(cmd, sizeof(cmd), "exec %s", profile);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return cerr_set(err, EINVAL, "AppArmor profile \"%.64s...\": name too long", profile);
	ssize_t w = write(attr_fd, cmd, (size_t)n);
	if (w == n)
		return 0;
	int e = w < 0 ? errno : EIO;
	/* the kernel's ENOENT: no profile of that name is loaded */
	if (e == ENOENT)
		return cerr_set(err, e, "AppArmor profile \"%s\": no profile of that name is loaded", profile);
	return cerr_sys(err, e, "AppArmor profile \"%s\"", profile);
}
