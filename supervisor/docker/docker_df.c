/* GET /system/df: what images and containers take, from ImageList and
 * List with sizes. corral has no volumes and no build cache: those lists
 * are empty, as they are. */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/ctr_summary.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_df.h"
#include "supervisor/docker/docker_images.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <string.h>

static long long users_of(yajl_val ctrs, const char *image_id)
{
	long long n = 0;
	for (size_t i = 0; YAJL_IS_ARRAY(ctrs) && i < ctrs->u.array.len; i++)
		n += streq(dk_str(ctrs->u.array.values[i], "imageDigest"), image_id);
	return n;
}

void dk_system_df(dk_req *r, const char *arg)
{
	vl_reply imgs, ctrs;
	if (dk_call_or_fail(r, "ImageList", NULL, "", &imgs) < 0)
		return;
	if (dk_call(r, "List", "{\"all\":true,\"size\":true}", &ctrs) < 0) {
		vl_reply_release(&imgs);
		dk_fail(r, &ctrs, "");
		return;
	}
	yajl_val il = json_get(imgs.params, "images"), cl = json_get(ctrs.params, "containers");
	long long layers = 0;
	for (size_t i = 0; YAJL_IS_ARRAY(il) && i < il->u.array.len; i++)
		layers += dk_int(il->u.array.values[i], "size", 0);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key_int(g, "LayersSize", layers);
	jg_key(g, "Images");
	yajl_gen_array_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(il) && i < il->u.array.len; i++) {
		yajl_val im = il->u.array.values[i];
		dk_gen_img_summary(g, im, users_of(cl, dk_str(im, "id")));
	}
	yajl_gen_array_close(g);
	jg_key(g, "Containers");
	yajl_gen_array_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(cl) && i < cl->u.array.len; i++)
		dk_gen_ctr_summary(g, cl->u.array.values[i], r->viewer, il);
	yajl_gen_array_close(g);
	jg_key_strv(g, "Volumes", NULL);
	jg_key_strv(g, "BuildCache", NULL);
	yajl_gen_map_close(g);
	dk_json(r, 200, g);
	vl_reply_release(&ctrs);
	vl_reply_release(&imgs);
}
