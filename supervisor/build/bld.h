/* corral-build: one build of an image from a Dockerfile, for corrald's
 * Build call. corrald starts it as the caller (its uid and gid), with the
 * call's upgraded connection as fd 3: the context comes in as STDIN frames,
 * the progress goes out as STDOUT frames (JSON lines: {"stream": TEXT},
 * and last {"image": ID, "manifestDigest": DIGEST}), a failure as one
 * STDERR line, and EXIT ends it.
 *
 * Each step is a call of corrald's over its varlink socket, made as the
 * caller, like any client's: a RUN is a container of the caller's from the
 * step's image (CreateContainer, Start, Logs, Wait), committed
 * (ContainerCommit); a COPY is a tar of the context's files put into a
 * container made and never started (CopyTo), then committed; the other
 * instructions change the config, which goes with the next commit. What
 * corrald allows the caller, and nothing more, a build does. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "common/strbuf.h"
#include "images/digest.h"
#include "images/cfg_edit.h"
#include "images/dockerfile.h"
#include "images/df_match.h"
#include "supervisor/varlink/client.h"

typedef struct bld_stage {
	char *name;                    /* AS NAME, or NULL */
	char image[DIGEST_STR_LEN];    /* the step's image (manifest digest) */
	char key[DIGEST_STR_LEN];      /* the cache key of the steps so far */
	cfg_edit cfg;
	char **args;                   /* ARG names in scope, with "=VALUE" when set */
	char **triggers;               /* the base image's ONBUILD, run after FROM */
	char **steps;                  /* "KIND TEXT" of each instruction since the last
					* commit that changed no file: its history */
	bool done;
} bld_stage;

typedef struct bld {
	int sock;                 /* the client's stream */
	const char *socket_path;  /* corrald's varlink socket */
	vl_client *vl;            /* a connection of ours to it */
	int ctx_fd;               /* the context, unpacked */
	uint64_t max_context;     /* its bytes at most (and an ADD's fetch's) */
	/* the options (corrald's Build parameters) */
	const char *dockerfile_path, *target, *network;
	char **tags;
	yajl_val build_args, labels;
	bool no_cache, pull, quiet;
	dockerfile df;
	df_ignore ignore;
	char **meta_args;         /* ARGs before the first FROM, "NAME[=VALUE]" */
	bld_stage *stages;
	size_t n_stages;
	unsigned step, steps;     /* "Step 2/5" */
	bool gone;                /* the client hung up: the build stops */
	cerr *err;
} bld;


