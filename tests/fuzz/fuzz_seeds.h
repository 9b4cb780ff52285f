/* What a seeds_NAME.c program writes: each seed a file in the directory it
 * is given (run.sh's seeds directory for NAME). */
#pragma once
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* DIR/NAME holding n bytes of p: 0, or -1 (said on stderr) */
static inline int seed_put(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	bool ok = f && fwrite(p, 1, n, f) == n;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok)
		perror(path);
	return ok ? 0 : -1;
}

/* DIR/PREFIX<i><SUFFIX> holding the string seeds[i], for each of n: 0, or -1 */
static inline int seeds_put(const char *dir, const char *const *seeds, size_t n, const char *prefix, const char *suffix)
{
	for (size_t i = 0; i < n; i++) {
		char name[256];
		snprintf(name, sizeof(name), "%s%zu%s", prefix, i, suffix);
		if (seed_put(dir, name, seeds[i], strlen(seeds[i])) < 0)
			return -1;
	}
	return 0;
}
