/* Before a pull: whether there is a registry to pull a reference from, and
 * whether the store has it already, where the pull would have put it. */
#include "supervisor/daemon/pulls/pull.h"
#include "supervisor/daemon/images/images.h"
#include "supervisor/daemon/store/img_lookup.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/store/img_owner.h"
#include "common/cleanup.h"
#include "images/refs.h"
#include "images/refs_find.h"
#include "images/registry/reference.h"
#include "images/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int pull_check_ref(corrald *d, const char *ref, cerr *err)
{
	reg_ref r;
	if (reg_ref_parse(ref, &r, err) < 0)
		return -EINVAL;
	if (reg_ref_is_short(&r) && !d->cfg->registries.search)
		return cerr_set(err, ENOENT, "no registry to pull a short name from: corrald.conf sets no registry-search");
	return 0;
}

static bool found(const refs_db *db, const refs_view *v, const char *ref)
{
	_cleanup_cerr_ cerr err = { 0 };
	return refs_find(db, v, ref, NULL, &err) >= 0;
}

int pull_find_image(corrald *d, const peer_cred *peer, const char *ref, char *name, size_t n, cerr *err)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	int r = img_open_refs(d, &s, &db, err);
	if (r < 0)
		return r;
	refs_view view;
	img_view(peer, &view);
	const char *at = strchr(ref, '@');
	if (at || found(&db, &view, ref)) {
		if (at && !found(&db, &view, at + 1))
			return 0;
		snprintf(name, n, "%s", at ? at + 1 : ref);
		return 1;
	}
	reg_ref rr;
	_cleanup_cerr_ cerr e = { 0 };
	if (reg_ref_parse(ref, &rr, &e) < 0 || !reg_ref_is_short(&rr))
		return 0;
	for (char **sr = d->cfg->registries.search; sr && *sr; sr++) {
		reg_ref q = rr;
		char full[600];
		if (reg_ref_qualify(&q, *sr, NULL) == 0 && reg_ref_string(&q, full, sizeof(full)) == 0 &&
		    found(&db, &view, full)) {
			snprintf(name, n, "%s", full);
			return 1;
		}
	}
	return 0;
}
