/* cli_auth.c: Registry credentials for image pull, push and login. */
#pragma once
#include "images/cli/img_cli.h"

/* A containers-auth.json(5) document from a file or an inherited fd (closed
 * here); *out NULL when neither is given. */
int cli_read_auth(const char *file, int fd, char **out, cerr *err);
