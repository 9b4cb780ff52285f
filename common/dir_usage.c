#include "common/dir_usage.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void walk(int dfd, unsigned depth, uint64_t *bytes, uint64_t *disk)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		*disk += (uint64_t)st.st_blocks * 512;
		if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
			*bytes += (uint64_t)st.st_size;
		if (S_ISDIR(st.st_mode) && depth < 256) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				walk(sub, depth + 1, bytes, disk);
		}
	}
	closedir(d);
}

void dir_usage(int dfd, uint64_t *bytes, uint64_t *disk) { walk(dfd, 0, bytes, disk); }
