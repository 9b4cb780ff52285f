/* The image room as the rest of corrald sees it: corral-images run as a
 * child, the Image reply, and the images' gauges (the store opened with
 * its refs is store/img_lookup.h's). The methods themselves are
 * img_methods.h's. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>
#include "common/strbuf.h"
#include "images/refs.h"
#include "images/store.h"
#include "supervisor/varlink/peer.h"
#include "supervisor/varlink/server.h"

struct corrald;
struct ctr;

/* Long image work (import, pull, load, save, gc) runs in a child,
 * `corral-images image ...`, so corrald's loop keeps answering and corrald
 * never loads libarchive. The child takes the store's locks like any
 * `corral image` does (img_helper.c). */
/* rc: the child's exit code (128+signal), or -errno when it could not run.
 * call is NULL when the caller hung up; out and err are its output. */
typedef void (*imghelper_done_fn)(struct corrald *d, vl_call *call, int rc, const strbuf *out, const strbuf *err,
			       void *ctx);

/* What else a helper run may take: its stdin, and a handler of its stdout lines
 * as they come (see el_child_opts.on_line; ctx is the run's). */
typedef struct imghelper_io {
	const char *input;
	size_t input_len;
	/* call: the run's, NULL once the caller hung up */
	bool (*on_line)(vl_call *call, const char *line, size_t n, void *ctx);
	/* the caller hanging up ends the run: corral-images gets SIGTERM
	 * (else it goes on to its end, its result unsaid) */
	bool ends_with_caller;
	/* its caller bounds a member's runs itself (the pull queue's
	 * max_pulls, commits): not one of the member's helpers (loop/child.h) */
	bool bounded_apart;
} imghelper_io;

/* Run corral-images with args (NULL-terminated, after the program name),
 * fd3 as its fd 3 (SPAWN_NULL: none; the caller keeps it), io (NULL:
 * none). On success done runs once, from the loop, and owns ctx; on an
 * error it never runs and ctx stays the caller's. */
int imghelper_run(struct corrald *d, vl_call *call, char *const *args, int fd3, const imghelper_io *io, imghelper_done_fn done,
	       void *ctx, cerr *err);
/* At corrald's stop: each corral-images still running is left to end by
 * itself (--die-with-parent), its done never called. */
void imghelper_shutdown(struct corrald *d);
/* The last line a helper run wrote on stderr (err), without its prefix
 * ("corral: image import SPEC: "); malloc'd, NULL when out of memory. */
char *imghelper_last_line(const strbuf *err, const char *prefix);

/* img_shared.c. What a cancelled helper run left in the store's staging,
 * and what pulls left in ingest more than a day ago, removed by
 * corral-images in the background. */
void img_sweep_staging(struct corrald *d);
/* The text of corral-images' last line of errout, without its
 * "corral: image VERB SPEC: ". */
char *img_helper_error(const strbuf *errout, const char *verb, const char *spec);
/* One of corrald's containers made from the image, or NULL. */
const struct ctr *img_user_of(struct corrald *d, const ref_image *im);
/* Set the images and store-bytes gauges from the store; *n_images if given. */
void corrald_update_image_gauges(struct corrald *d, size_t *n_images);

/* img_methods.c: the replies the image methods share with ImagePull's,
 * ImagePush's and the commits'. Answer call with {images: [the image of
 * manifest, as peer sees it]}, and what more() adds to the reply. */
int img_reply_images(struct corrald *d, vl_call *call, const peer_cred *peer, const char *manifest,
		     void (*more)(yajl_gen g, void *ctx), void *ctx);
/* The reply for a ref refs_find did not resolve: InvalidParameter on image
 * when it named two images (err says which), else NoSuchImage. */
int img_not_found(vl_call *call, const char *ref, cerr *err);
/* The reply for img_find_ref's failure: img_not_found once the store
 * opened, else InternalError. */
int img_find_failed(vl_call *call, const char *ref, bool opened, cerr *err);
