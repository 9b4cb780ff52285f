/* cmd_lifecycle.c: corral create | start | state | kill | delete */
#pragma once
#include "runtime/cli/cli.h"

struct create_opts;
/* create's and run's options into o (run's own, detach and keep, where
 * they are not NULL), and the bundle's path; -1 after saying what is wrong. */
int parse_create_opts(int argc, char **argv, struct create_opts *o, bool *detach, bool *keep, char bundle[PATH_MAX]);
int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_delete(int argc, char **argv);
