/* What the image methods share with the rest of corrald (images.h): the
 * images' gauges, and the sweep of what cancelled imports left. */
#include "supervisor/daemon/images/images.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/images/img_internal.h"
#include "supervisor/daemon/images/img_gen.h"
#include "supervisor/daemon/images/img_size.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/store/img_owner.h"
#include "supervisor/daemon/store/img_lookup.h"
#include "supervisor/loop/child.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "images/refs.h"
#include "images/refs_find.h"
#include "images/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const ctr *img_user_of(corrald *d, const ref_image *im)
{
	/* by config digest too: an image imported twice (oci and docker
	 * archives) is one image, whichever manifest a container was made from */
	for (const ctr *c = d->ctrs; c; c = c->next)
		if ((c->image_manifest && streq(c->image_manifest, im->manifest)) ||
		    (c->image_digest && streq(c->image_digest, im->config)))
			return c;
	return NULL;
}

static void swept(corrald *d, vl_call *call, int rc, const strbuf *out, const strbuf *errout, void *data)
{
	if (rc != 0)
		log_warn("store sweep: %s", errout->buf ? errout->buf : "corral-images failed");
	else if (out->buf && strncmp(out->buf, "removed 0 ", 10))
		log_info("store sweep: %.*s", (int)strcspn(out->buf, "\n"), out->buf);
}

void img_sweep_staging(corrald *d)
{
	/* corral-images does the disk work, off corrald's loop: its open of
	 * the store removes each staging directory no live helper run holds */
	char *args[] = { "image", "ingest-sweep", "--store", d->cfg->state_dir, NULL };
	_cleanup_cerr_ cerr err = { 0 };
	if (imghelper_run(d, NULL, args, SPAWN_NULL, NULL, swept, NULL, &err) < 0)
		log_warn("store sweep: %s", cerr_msg(&err));
}

void corrald_update_image_gauges(corrald *d, size_t *n_images)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	_cleanup_cerr_ cerr e = { 0 };
	if (img_open_refs(d, &s, &db, &e) < 0)
		return;
	metrics_set_images(d->metrics, db.n_images);
	metrics_set_store_bytes(d->metrics, imgsize_store(d->imgsizes, &s));
	if (n_images)
		*n_images = db.n_images;
}

char *img_helper_error(const strbuf *e, const char *verb, const char *spec)
{
	_cleanup_free_ char *pre = NULL;
	return asprintf(&pre, "corral: image %s %s: ", verb, spec) < 0 ? NULL : imghelper_last_line(e, pre);
}
