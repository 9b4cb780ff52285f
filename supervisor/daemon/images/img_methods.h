/* The image methods of io.corral.Supervisor. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include "common/strbuf.h"
#include "common/timefmt.h"
#include "images/image.h"
#include "images/refs.h"
#include "supervisor/varlink/peer.h"
#include "supervisor/varlink/server.h"

struct corrald;
struct ctr;

int sv_image_import(vl_call *call, yajl_val params, void *ud);
/* img_list.c */
int sv_image_list(vl_call *call, yajl_val params, void *ud);
/* img_inspect.c */
int sv_image_inspect(vl_call *call, yajl_val params, void *ud);
int sv_image_history(vl_call *call, yajl_val params, void *ud);
/* img_tag.c */
int sv_image_tag(vl_call *call, yajl_val params, void *ud);
/* img_archive.c: load and save archives through corral-images */
int sv_image_load(vl_call *call, yajl_val params, void *ud);
int sv_image_save(vl_call *call, yajl_val params, void *ud);

/* What a cancelled job left in the store's staging, and what pulls left
 * in ingest more than a day ago, removed by corral-images in the
 * background. */
void img_sweep_staging(struct corrald *d);
/* The store in corrald's state dir, open, and its refs.json loaded. */
int img_open_refs(struct corrald *d, img_store *s, refs_db *db, cerr *err);
/* img_gen.c. The Image object of db->images[i], as peer sees it: only the
 * names k where only[k] (NULL: every one), and with details podman's
 * inspect fields (img_gen_details, img_inspect.c: h and cfg are the
 * image's loaded handle and parsed config, NULL when they did not load). */
void img_gen(struct corrald *d, yajl_gen g, img_store *s, const refs_db *db, size_t i, const peer_cred *peer,
	     const bool *only, bool details);
void img_gen_details(struct corrald *d, yajl_gen g, img_store *s, const refs_db *db, size_t i, const peer_cred *peer,
		     const img_handle *h, yajl_val cfg);
/* Whether name k, of image i, is in the Image peer sees (only as img_gen). */
bool img_name_listed(const peer_cred *peer, const refs_db *db, size_t i, size_t k, const bool *only);
/* The image's own time (its config's "created"), else when it was
 * imported (seconds; 0: unknown): RFC 3339 in buf, or NULL. */
const char *img_created(yajl_val cfg, int64_t imported, char buf[static RFC3339_LEN]);
/* The reply for a ref refs_find did not resolve: InvalidParameter on image
 * when it named two images (err says which), else NoSuchImage. */
int img_not_found(vl_call *call, const char *ref, cerr *err);
/* img_remove.c */
int sv_image_remove(vl_call *call, yajl_val params, void *ud);
int sv_image_prune(vl_call *call, yajl_val params, void *ud);
/* Answer call with {images: [the image of manifest, as peer sees it]},
 * and what more() adds to the reply. */
int img_reply_images(struct corrald *d, vl_call *call, const peer_cred *peer, const char *manifest,
		     void (*more)(yajl_gen g, void *ctx), void *ctx);
/* The text of corral-images' last line of errout, without its
 * "corral: image VERB SPEC: " (img_methods.c). */
char *img_helper_error(const strbuf *errout, const char *verb, const char *spec);
/* One of corrald's containers made from the image, or NULL. */
const struct ctr *img_user_of(struct corrald *d, const ref_image *im);
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
/* Set the images and store-bytes gauges from the store; *n_images if given. */
void corrald_update_image_gauges(struct corrald *d, size_t *n_images);
/* SystemPrune: the stopped containers, then the images (img_prune.c). */
int sv_system_prune(vl_call *call, yajl_val params, void *ud);
