#include "home_env.h"
#include "bundle/image_user.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char **env_with_home(char *const *env, uint32_t uid)
{
	size_t n = strv_length(env), at = n;
	for (size_t i = 0; i < n; i++)
		if (!strncmp(env[i], "HOME=", 5)) {
			if (env[i][5])
				return NULL;
			at = i;
		}
	/* the container's root, not the cwd: the lookup is scoped to it */
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *home = NULL;
	if (root < 0 || image_user_home(root, uid, &home) == -ENOMEM)
		return NULL;
	_cleanup_free_ char *entry = NULL;
	if (asprintf(&entry, "HOME=%s", home ? home : "/") < 0)
		return NULL;
	_cleanup_strv_ char **out = strv_copy(env);
	if (!out)
		return NULL;
	if (at < n) {
		free(out[at]);
		out[at] = TAKE_PTR(entry);
	} else if (strv_push(&out, entry) == 0) {
		entry = NULL;
	} else {
		return NULL;
	}
	return TAKE_PTR(out);
}
