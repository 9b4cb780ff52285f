#include "supervisor/ctl/envfile.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int push(char ***env, const char *kv)
{
	char *d = strdup(kv);
	if (!d || strv_push(env, d) < 0) {
		free(d);
		fprintf(stderr, "corralctl: --env: out of memory\n");
		return 1;
	}
	return 0;
}

/* What is wrong with a variable, or NULL. */
static const char *bad_var(const char *arg)
{
	size_t klen = strcspn(arg, "=");
	if (klen == 0)
		return "the name is empty";
	for (size_t i = 0; i < klen; i++)
		if (arg[i] == ' ' || arg[i] == '\t')
			return "the name has a blank in it";
	return NULL;
}

int ctl_env_add(char ***env, const char *arg)
{
	const char *why = bad_var(arg);
	if (why) {
		fprintf(stderr, "corralctl: --env %s: %s\n", arg, why);
		return 1;
	}
	if (strchr(arg, '='))
		return push(env, arg);
	const char *v = getenv(arg);
	if (!v)
		return 0; /* as podman: a name we have no value for is left out */
	_cleanup_free_ char *kv = NULL;
	if (asprintf(&kv, "%s=%s", arg, v) < 0) {
		fprintf(stderr, "corralctl: --env: out of memory\n");
		return 1;
	}
	return push(env, kv);
}

int ctl_env_file(char ***env, const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "corralctl: --env-file %s: %s\n", path, strerror(errno));
		return 1;
	}
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	for (unsigned no = 1; (n = getline(&line, &cap, f)) >= 0; no++) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		const char *s = line + strspn(line, " \t");
		if (!*s || *s == '#')
			continue;
		const char *why = bad_var(s);
		if (why) {
			fprintf(stderr, "corralctl: --env-file %s: line %u: %s\n", path, no, why);
			return 1;
		}
		if (ctl_env_add(env, s))
			return 1;
	}
	return 0;
}
