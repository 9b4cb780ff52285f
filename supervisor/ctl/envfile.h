/* Environment variables from the command line, as podman takes them:
 * -e KEY=VALUE, -e KEY (our own value; nothing when we have none), and
 * --env-file FILE (one of those per line; # comments and blank lines). */
#pragma once

/* Add one -e argument to *env (a strv); 0, or 1 with the error said. */
int ctl_env_add(char ***env, const char *arg);
/* Add the lines of an --env-file; 0, or 1 with the error said ("--env-file
 * FILE: line N: ..."). */
int ctl_env_file(char ***env, const char *path);
