/* The image methods of io.corral.Supervisor. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include "common/strbuf.h"
#include "images/refs.h"
#include "supervisor/varlink/peer.h"
#include "supervisor/varlink/server.h"

struct corrald;
struct ctr;

int sv_image_import(vl_call *call, yajl_val params, void *ud);
int sv_image_list(vl_call *call, yajl_val params, void *ud);
int sv_image_inspect(vl_call *call, yajl_val params, void *ud);
/* img_remove.c */
int sv_image_remove(vl_call *call, yajl_val params, void *ud);
int sv_image_prune(vl_call *call, yajl_val params, void *ud);
/* Answer call with {images: [the image of manifest, as peer sees it]},
 * and what more() adds to the reply. */
int img_reply_images(struct corrald *d, vl_call *call, const peer_cred *peer, const char *manifest,
		     void (*more)(yajl_gen g, void *ctx), void *ctx);
/* The text of corral-images' last line of errout, without its
 * "corral: image VERB SPEC: " (img_methods.c). */
char *img_job_error(const strbuf *errout, const char *verb, const char *spec);
/* One of corrald's containers made from the image, or NULL. */
const struct ctr *img_user_of(struct corrald *d, const ref_image *im);
/* Remove peer's images (a member's own; root's: every one) no container
 * uses (all), or only those it gave no name, then collect blobs and
 * layers (img_prune.c); publishes the events. *removed gets the image IDs
 * (the caller's, also on failure). */
int img_prune(struct corrald *d, const peer_cred *peer, bool all, char ***removed, uint64_t *reclaimed, cerr *err);
/* Set the images and store-bytes gauges from the store; *n_images if given. */
void corrald_update_image_gauges(struct corrald *d, size_t *n_images);
/* SystemPrune: the stopped containers, then the images (img_prune.c). */
int sv_system_prune(vl_call *call, yajl_val params, void *ud);
