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

/* bld_stream.c: the progress, and the context in. */
void bld_say(bld *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bld_say_raw(bld *b, const char *text, size_t n);
int bld_send_result(bld *b, const char *id, const char *manifest);
/* The context into ctx_fd, as the caller, at most max bytes of files. */
int bld_take_context(bld *b, uint64_t max, cerr *err);

/* bld_call.c: corrald's methods, as the caller. */
int bld_call(bld *b, const char *method, const char *params, vl_reply *rep, cerr *err);
/* A fresh connection for a call that upgrades (CopyTo, CopyFrom). */
int bld_connect(bld *b, vl_client **out, cerr *err);
/* The error reply as one line (the reason, the parameter): err set,
 * -ENOENT for NoSuchImage, else -EINVAL. */
int bld_call_failed(const char *method, const vl_reply *rep, cerr *err);
/* Remove a container, reporting nothing: what is left goes with it. */
void bld_remove(bld *b, const char *id);


/* bld_step.c: what every step does. */
/* A config instruction applied to s's config, its words expanded with the
 * stage's ENV and ARGs. */
int bld_expand_apply(bld *b, bld_stage *s, const df_instr *in, cerr *err);
/* NAME's value in args ("NAME=VALUE" entries, the last one counts), or NULL. */
const char *bld_args_get(char *const *args, const char *name);
/* The cache key after one more step: sha256 of the last key and what the
 * step did. */
void bld_key_next(bld_stage *s, const char *what, size_t n);
/* An instruction's word expanded with the stage's ENV and ARGs. */
int bld_expand(bld *b, bld_stage *s, const char *word, char **out, cerr *err);
/* Commit the stage's config alone (ImageCommit) when it changed since the
 * last commit. */
int bld_commit_config(bld *b, bld_stage *s, const char *created_by, cerr *err);
/* Take the image a step made; what the commit reply says. */
int bld_take_image(bld_stage *s, const vl_reply *rep, cerr *err);
/* The image that key names in the caller's cache: 1 and s's image set. */
int bld_cached(bld *b, bld_stage *s, cerr *err);

/* bld_stage.c: the stages, in order. */
int bld_run_all(bld *b, cerr *err);
/* bld_run.c, bld_copy.c: the steps that make a layer. */
bool bld_client_gone(bld *b);
int bld_step_run(bld *b, bld_stage *s, const df_instr *in, cerr *err);
int bld_step_copy(bld *b, bld_stage *s, const df_instr *in, cerr *err);
/* A container of the stage's image: argv (NULL: one made and never started,
 * for a copy) with env, the stage's working directory and user, and the
 * build's network; its id in id. */
int bld_create(bld *b, bld_stage *s, char *const *argv, char *const *env, char *id, size_t n, cerr *err);
int bld_commit_container(bld *b, bld_stage *s, const char *id, const char *created_by, cerr *err);
