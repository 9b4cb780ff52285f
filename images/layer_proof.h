/* Which layers of the shared store a member may use (corrald(8),
 * SECURITY): a layer it imported or pulled itself, or one whose blob its
 * own registry serves, with its own credentials, at this pull, as a
 * registry checks a cross-repository mount. Root (owner 0) uses every one.
 *   images/proofs/<uid>/<diff_id hex>  a layer uid has shown it may read
 *   images/diffids/<blob hex>          the diff_id that blob unpacked to
 *                                      here, so that a registry's yes to a
 *                                      blob vouches for that layer only
 * Both are facts about content, true whether or not the image that brought
 * them was committed, and after gc: gc leaves them. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "images/store.h"

/* Whether owner has shown it may read layer diffid. */
bool proof_has(img_store *s, uid_t owner, const char *diffid);
/* owner has read layer diffid (a no-op for root). */
int proof_add(img_store *s, uid_t owner, const char *diffid, cerr *err);
/* blob unpacked to diffid, verified. */
int proof_link(img_store *s, const char *blob, const char *diffid, cerr *err);
/* Whether blob is known to unpack to diffid. */
bool proof_linked(img_store *s, const char *blob, const char *diffid);
