/* The config patch of a commit (images/commit.h): the caller's "config"
 * object as it is, or Docker's commit "changes" (Dockerfile instructions:
 * CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR,
 * STOPSIGNAL) applied to the parent image's config. */
#pragma once
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "supervisor/varlink/peer.h"

struct corrald;

/* All of a commit's changes together: they are applied in corrald's loop */
#define COMMIT_CHANGES_MAX (64u << 10)

/* *out: the patch as JSON text, or NULL when there is none. */
int commit_patch(struct corrald *d, const peer_cred *peer, const char *parent, yajl_val config, yajl_val changes,
		 char **out, cerr *err);
