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

/* img_gen.c. The Image object of db->images[i], as peer sees it: only the
 * names k where only[k] (NULL: every one), and with details podman's
 * inspect fields too. */
void img_gen(struct corrald *d, yajl_gen g, img_store *s, const refs_db *db, size_t i, const peer_cred *peer,
	     const bool *only, bool details);
/* Whether name k, of image i, is in the Image peer sees (only as img_gen). */
bool img_name_listed(const peer_cred *peer, const refs_db *db, size_t i, size_t k, const bool *only);
/* The image's own time (its config's "created"), else when it was
 * imported (seconds; 0: unknown): RFC 3339 in buf, or NULL. */
const char *img_created(yajl_val cfg, int64_t imported, char buf[static RFC3339_LEN]);
/* v as it is, or the zero value of its kind ('{', '[', '"', or 0 for
 * null) when it is absent. */
void img_gen_or_zero(yajl_gen g, yajl_val v, char zero);
/* Remove peer's images (a member's own; root's: every one) no container
 * uses (all), or only those it gave no name, then collect blobs and
 * layers in corral-images (img_prune.c); publishes the events. done runs
 * once, from the loop, with the image IDs removed (NULL: none; not its to
 * keep) and err set when the gc failed; call is NULL once the caller hung
 * up. On an error done never runs and ctx stays the caller's. */
typedef void (*img_pruned_fn)(struct corrald *d, vl_call *call, char **removed, uint64_t reclaimed, cerr *err,
			      void *ctx);
int img_prune_start(struct corrald *d, vl_call *call, const peer_cred *peer, bool all, img_pruned_fn done, void *ctx,
		    cerr *err);
