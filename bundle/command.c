#include "bundle/command.h"
#include "common/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int append(char ***out, char *const *words)
{
	for (; words && *words; words++) {
		char *w = strdup(*words);
		if (!w || strv_push(out, w) < 0) {
			free(w);
			return -ENOMEM;
		}
	}
	return 0;
}

int command_compose(char *const *img_entrypoint, char *const *img_cmd, char *const *entrypoint,
		    char *const *command, char ***out)
{
	char *const *ep = entrypoint ? entrypoint : img_entrypoint;
	char *const *cmd = command ? command : entrypoint ? NULL : img_cmd;
	char **args = calloc(1, sizeof(char *));
	if (!args || append(&args, ep) < 0 || append(&args, cmd) < 0) {
		strv_free(args);
		return -ENOMEM;
	}
	*out = args;
	return 0;
}
