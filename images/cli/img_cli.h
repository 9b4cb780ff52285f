/* The `corral image` and `corral bundle` verbs. argv[0] is "image" or
 * "bundle"; the return value is the process exit code. */
#pragma once
#include <sys/types.h>
#include "common/error.h"

struct import_opts;
struct reg_conf;

int corral_cmd_image(int argc, char **argv);
int corral_cmd_bundle(int argc, char **argv);

/* cli_image_io.c: image save, load and tag, after the options. */
int cli_image_save(const char *store, const char *format, const char *output, const char *name, int argc,
		   char **argv);
int cli_image_load(const char *store, struct import_opts *o, const char *input, int argc, char **argv);
int cli_image_tag(const char *store, uid_t owner, int argc, char **argv);
/* cli_image_commit.c: image commit, with its own options. */
int cli_image_commit(int argc, char **argv);
/* cli_image_push.c: image push IMAGE DESTINATION, after the options. */
int cli_image_push(const char *store, const struct reg_conf *rc, const char *authfile, int auth_fd, const char *prog,
		   int argc, char **argv);
/* A containers-auth.json(5) document from a file or an inherited fd (closed
 * here); *out NULL when neither is given. */
int cli_read_auth(const char *file, int fd, char **out, cerr *err);

/* The exit status for an import that failed with this error code
 * (IMPORT_EXIT_*, images/import.h): the host's when the disk is full, over
 * quota, read-only or failing, memory is short or libcrypto is missing; a
 * source that does not match its digests or does not decode fails with
 * EBADMSG, the source's. */
int import_exit_status(int code);
