/* `criu check` for `corral features`, remembered: engines ask for the
 * features on every start (podman asks whether a runtime can checkpoint),
 * and the check forks criu twice and probes the kernel (115 ms, 466 ms the
 * first time). What it says holds for one criu binary on one boot, as
 * criu's own kdat cache holds for one boot. */
#include "runtime/criu.h"
#include "runtime/criu_cache.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "runtime/exec_path.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_FILE "criu-check"

/* "BOOT_ID DEV:INO SIZE MTIME" of criu on this boot, or "" */
static void cache_key(char *key, size_t n)
{
	key[0] = '\0';
	_cleanup_free_ char *boot = NULL, *path = NULL;
	struct stat st;
	if (read_file("/proc/sys/kernel/random/boot_id", 64, &boot, NULL, NULL) < 0 ||
	    exec_find(CRIU_DEFAULT, environ, &path, NULL) < 0 || stat(path, &st) < 0)
		return;
	boot[strcspn(boot, "\n")] = '\0';
	snprintf(key, n, "%s %s %llu:%llu %lld %lld.%09ld", boot, path, (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

bool criu_works_cached(const char *dir)
{
	char key[PATH_MAX + 200], path[PATH_MAX];
	cache_key(key, sizeof(key));
	snprintf(path, sizeof(path), "%s/" CACHE_FILE, dir ? dir : "");
	_cleanup_free_ char *seen = NULL;
	if (dir && key[0] && read_file(path, sizeof(key) + 16, &seen, NULL, NULL) == 0) {
		size_t k = strlen(key);
		if (!strncmp(seen, key, k) && seen[k] == ' ')
			return seen[k + 1] == '1';
	}
	struct criu c;
	bool works = criu_open(NULL, &c, NULL) == 0 && criu_check(&c, NULL) == 0;
	/* kept only in a state root that is already there: features makes
	 * nothing of its own (a rootless caller's root may never be used) */
	struct stat root;
	if (dir && key[0] && stat(dir, &root) == 0 && S_ISDIR(root.st_mode)) {
		char line[sizeof(key) + 4];
		int len = snprintf(line, sizeof(line), "%s %d\n", key, works);
		write_file_atomic(path, line, (size_t)len, 0600, NULL);
	}
	return works;
}
