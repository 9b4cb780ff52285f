/* img_gen.c: The Image object of the image methods
 * (io.corral.Supervisor.varlink): its names as the peer sees them, its
 * owners, size, times and platform; with details, podman's inspect fields too
 * (img_inspect.c). */
#pragma once
#include "supervisor/daemon/images/img_internal.h"

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
