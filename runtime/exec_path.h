/* Find process.args[0] the way execvp would, using the container's PATH. */
#pragma once
#include "common/error.h"

int exec_find(const char *arg0, char *const *env, char **out, cerr *err);
