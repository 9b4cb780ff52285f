/* HOME as runc sets it for a container's process. */
#pragma once
#include <stdint.h>

/* When env has no HOME (or an empty one): a copy of env with HOME set to
 * uid's home in the container's /etc/passwd ("/" when it has no entry),
 * read inside the root we are in. NULL when env already has a HOME, or
 * when memory runs out (the process then starts without one). */
char **env_with_home(char *const *env, uint32_t uid);
