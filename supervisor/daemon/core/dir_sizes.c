#include "supervisor/daemon/core/dir_sizes.h"
#include "supervisor/loop/child.h"
#include "common/dir_usage.h"
#include "common/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sizes_walk {
	char **paths;
	size_t n;
	dir_sizes_fn done;
	void *data;
} sizes_walk;

/* In the child: a line "BYTES DISK" a path */
static int walk_main(void *arg)
{
	const sizes_walk *w = arg;
	for (size_t i = 0; i < w->n; i++) {
		uint64_t bytes = 0, disk = 0;
		int fd = open(w->paths[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			dir_usage(fd, &bytes, &disk);
		if (printf("%" PRIu64 " %" PRIu64 "\n", bytes, disk) < 0)
			return 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static void walked(const el_child_result *r, void *data)
{
	sizes_walk *w = data;
	dir_size *sizes = r->code == 0 && !r->truncated ? calloc(w->n + 1, sizeof(*sizes)) : NULL;
	const char *p = r->out[0].buf ? r->out[0].buf : "";
	for (size_t i = 0; sizes && i < w->n; i++) {
		char *end;
		sizes[i].bytes = strtoull(p, &end, 10);
		sizes[i].disk = end != p ? strtoull(end, &end, 10) : 0;
		if (end == p || *end != '\n') {
			free(sizes);
			sizes = NULL;
			break;
		}
		p = end + 1;
	}
	w->done(sizes, w->n, w->data);
	free(sizes);
	strv_free(w->paths);
	free(w);
}

int dir_sizes(el_loop *l, uid_t member, char *const *paths, size_t n, dir_sizes_fn done, void *data, cerr *err)
{
	sizes_walk *w = calloc(1, sizeof(*w));
	if (!w || !(w->paths = calloc(n + 1, sizeof(char *)))) {
		free(w);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	*w = (sizes_walk){ .paths = w->paths, .n = n, .done = done, .data = data };
	for (size_t i = 0; i < n; i++)
		if (!(w->paths[i] = strdup(paths[i]))) {
			strv_free(w->paths);
			free(w);
			return cerr_set(err, ENOMEM, "out of memory");
		}
	el_child_opts o = { .fn = walk_main, .arg = w, .fd3 = SPAWN_NULL, .max_output = 48 * (n + 1),
			    .member = member };
	el_child *child;
	int r = el_child_run(l, &o, walked, w, &child, err);
	if (r < 0) {
		strv_free(w->paths);
		free(w);
	}
	return r;
}
