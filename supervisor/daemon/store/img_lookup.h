/* The image store in corrald's state dir opened with its refs, and a ref
 * found in it as a peer sees it. */
#pragma once
#include <stdbool.h>
#include "common/error.h"
#include "images/refs.h"
#include "images/store.h"
#include "supervisor/varlink/peer.h"

struct corrald;

/* The store opened into s and its refs.json loaded into db. */
int img_open_refs(struct corrald *d, img_store *s, refs_db *db, cerr *err);
/* img_open_refs with refs.json locked for a change: the lock's fd (the
 * caller closes it), or -errno. */
int img_lock_refs(struct corrald *d, img_store *s, refs_db *db, cerr *err);
/* img_open_refs (img_lock_refs with lock, its fd there), then the image
 * ref names in peer's view (refs_find; *ni if given): its index, or -errno
 * with err saying why and *opened whether the store opened (else the
 * trouble is corrald's, not the ref's). */
int img_find_ref(struct corrald *d, const peer_cred *peer, const char *ref, img_store *s, refs_db *db, int *ni,
		 int *lock, bool *opened, cerr *err);
