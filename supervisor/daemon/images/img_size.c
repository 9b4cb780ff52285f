#include "supervisor/daemon/images/img_size.h"
#include "common/cleanup.h"
#include "common/dir_usage.h"
#include "images/digest.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct layer_size {
	char hex[DIGEST_HEX_LEN + 1];
	uint64_t bytes, disk;
} layer_size;

struct imgsize_cache {
	layer_size *v;
	size_t n;
};

imgsize_cache *imgsize_new(void) { return calloc(1, sizeof(imgsize_cache)); }

void imgsize_free(imgsize_cache *c)
{
	if (c)
		free(c->v);
	free(c);
}

static layer_size *lookup(imgsize_cache *c, img_store *s, const char *hex)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].hex, hex))
			return &c->v[i];
	if (strlen(hex) != DIGEST_HEX_LEN)
		return NULL;
	int fd = openat(s->layers_fd, hex, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	layer_size *n = realloc(c->v, (c->n + 1) * sizeof(*n));
	if (!n) {
		close(fd);
		return NULL;
	}
	c->v = n;
	layer_size *l = &c->v[c->n++];
	memset(l, 0, sizeof(*l));
	memcpy(l->hex, hex, DIGEST_HEX_LEN);
	dir_usage(fd, &l->bytes, &l->disk);
	return l;
}

uint64_t imgsize_layer(imgsize_cache *c, img_store *s, const char *diffid)
{
	const char *colon = strchr(diffid, ':');
	layer_size *l = lookup(c, s, colon ? colon + 1 : diffid);
	return l ? l->bytes : 0;
}

static uint64_t dir_sum(imgsize_cache *c, img_store *s, int fd, bool layers)
{
	int dup_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return 0;
	}
	uint64_t sum = 0;
	struct dirent *de;
	struct stat st;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (layers) {
			layer_size *l = lookup(c, s, de->d_name);
			sum += l ? l->disk : 0;
		} else if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			sum += (uint64_t)st.st_blocks * 512;
		}
	}
	closedir(d);
	return sum;
}

uint64_t imgsize_store(imgsize_cache *c, img_store *s)
{
	/* layers gone from the store leave the cache too */
	for (size_t i = 0; i < c->n;) {
		struct stat st;
		if (fstatat(s->layers_fd, c->v[i].hex, &st, AT_SYMLINK_NOFOLLOW) < 0)
			c->v[i] = c->v[--c->n];
		else
			i++;
	}
	return dir_sum(c, s, s->blobs_fd, false) + dir_sum(c, s, s->layers_fd, true);
}
