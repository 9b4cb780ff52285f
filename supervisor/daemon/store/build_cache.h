/* The layer cache of builds: a step's key (its parent, its instruction as
 * expanded, the digests of the files it reads: the builder computes it)
 * names the image the step made. Each owner has its own, so that no
 * member reaches another's images through it:
 *   <state-dir>/build-cache/<uid>/<key hex>   holds "sha256:<manifest>"
 * An entry whose image is gone, or no longer the owner's to see, is a
 * miss, and goes. */
#pragma once
#include <stddef.h>
#include <sys/types.h>
#include "common/error.h"
#include "images/digest.h"
#include "supervisor/varlink/peer.h"

struct corrald;

/* Record key → manifest for peer's builds. */
int build_cache_put(struct corrald *d, const peer_cred *peer, const char *key, const char *manifest, cerr *err);
/* The manifest key names for peer, if it is still there for peer to see:
 * 1 with out set, 0 for a miss. */
int build_cache_get(struct corrald *d, const peer_cred *peer, const char *key, char out[DIGEST_STR_LEN]);
/* The images uid's cache names (NULL-ended; NULL when out of memory):
 * image lists leave them out while they have no name, as Docker's leave
 * out its builder's, and a prune of unnamed images keeps them. */
char **build_cache_manifests(struct corrald *d, uid_t uid);
/* Forget peer's entries (root: everyone's); the number removed. */
size_t build_cache_clear(struct corrald *d, const peer_cred *peer);
