/* What the image methods share among themselves, below them (img_gen.c,
 * img_prune.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include "common/timefmt.h"
#include "images/image.h"
#include "images/refs.h"
#include "supervisor/varlink/peer.h"
#include "supervisor/varlink/server.h"

struct corrald;

/* Remove peer's images (a member's own; root's: every one) no container
 * uses (all), or only those it gave no name, then collect blobs and
 * layers in corral-images (img_prune.c); publishes the events. done runs
 * once, from the loop, with the image IDs removed (NULL: none; not its to
 * keep) and err set when the gc failed; call is NULL once the caller hung
 * up. On an error done never runs and ctx stays the caller's. */
typedef void (*img_pruned_fn)(struct corrald *d, vl_call *call, char **removed, uint64_t reclaimed, cerr *err,
			      void *ctx);
