#include "supervisor/daemon/store/img_lookup.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/store/img_owner.h"
#include "images/refs_find.h"

#include <unistd.h>

int img_open_refs(struct corrald *d, img_store *s, refs_db *db, cerr *err)
{
	int r = store_open_nowait(s, d->cfg->state_dir, err);
	return r < 0 ? r : refs_load(s, db, err);
}

int img_lock_refs(struct corrald *d, img_store *s, refs_db *db, cerr *err)
{
	int r = store_open_nowait(s, d->cfg->state_dir, err);
	if (r < 0)
		return r;
	int lk = store_lock_refs(s, err);
	if (lk < 0)
		return lk;
	if ((r = refs_load(s, db, err)) < 0) {
		close(lk);
		return r;
	}
	return lk;
}

int img_find_ref(struct corrald *d, const peer_cred *peer, const char *ref, img_store *s, refs_db *db, int *ni,
		 int *lock, bool *opened, cerr *err)
{
	int r = lock ? (*lock = img_lock_refs(d, s, db, err)) : img_open_refs(d, s, db, err);
	if (!(*opened = r >= 0))
		return r;
	refs_view view;
	img_view(peer, &view);
	return refs_find(db, &view, ref, ni, err);
}
