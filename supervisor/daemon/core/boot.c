#include "supervisor/daemon/core/boot.h"
#include "common/cleanup.h"
#include "common/fileio.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KERNEL_BOOT_ID "/proc/sys/kernel/random/boot_id"

static int read_id(const char *path, char **id, cerr *err)
{
	int r = read_file(path, 256, id, NULL, err);
	if (r == 0)
		(*id)[strcspn(*id, "\n")] = '\0';
	return r;
}

int boot_check(const char *state_dir, bool *rebooted, long long *boot_ns, cerr *err)
{
	*rebooted = false;
	*boot_ns = 0;
	_cleanup_free_ char *now = NULL, *last = NULL, *stat = NULL;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" BOOT_ID_FILE, state_dir);
	_cleanup_cerr_ cerr e2 = { 0 };
	if (read_id(KERNEL_BOOT_ID, &now, err) < 0)
		return -EIO;
	if (read_id(path, &last, &e2) == 0)
		*rebooted = strcmp(now, last) != 0;
	/* "btime SECONDS" in /proc/stat: when this boot began */
	if (read_file("/proc/stat", 1 << 20, &stat, NULL, &e2) == 0) {
		const char *b = strstr(stat, "\nbtime ");
		if (b)
			*boot_ns = strtoll(b + 7, NULL, 10) * 1000000000ll;
	}
	return 0;
}

int boot_note(const char *state_dir, cerr *err)
{
	_cleanup_free_ char *now = NULL;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" BOOT_ID_FILE, state_dir);
	if (read_id(KERNEL_BOOT_ID, &now, err) < 0)
		return -EIO;
	size_t n = strlen(now);
	now[n] = '\n';
	return write_file_atomic(path, now, n + 1, 0644, err);
}
