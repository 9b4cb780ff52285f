/* corralctl inspect's objects: corrald's Container with the fields
 * podman's inspect gives (Docker's names, supervisor/shape) beside its
 * own. The two sets do not collide: Docker's are capitalised (State),
 * corral's camelCase (state); a template's .State finds Docker's first,
 * and jq's .state still finds corral's. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/inspect.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/shape/shape.h"
#include "supervisor/shape/ctr_inspect.h"
#include "supervisor/shape/words.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <unistd.h>

/* The image's run defaults: Docker's Config shows the environment and Cmd
 * in effect. NULL, unsaid, when the image is gone or not the caller's to
 * read: the container shows all the same. */
static yajl_val image_config(vl_client **c, const char *digest, vl_reply *rep)
{
	*rep = (vl_reply){ 0 };
	_cleanup_json_gen_ yajl_gen p = ctl_params(NULL);
	_cleanup_cerr_ cerr err = { 0 };
	if (!p || !*digest || jg_key_str(p, "image", digest) || yajl_gen_map_close(p))
		return NULL;
	_cleanup_free_ char *params = jg_finish(p, NULL);
	if (!params || (!*c && vl_client_connect(ctl_sock, c, &err) < 0))
		return NULL;
	vl_client_set_timeout(*c, ctl_timeout_ms);
	if (vl_client_call(*c, M("ImageInspect"), params, rep, &err) < 0 || rep->error)
		return NULL;
	return json_get(json_get(rep->params, "image"), "config");
}

int ctl_inspect_shape(yajl_val containers, yajl_val *out)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	*out = NULL;
	if (!g || yajl_gen_array_open(g))
		return ctl_fail("inspect", "out of memory");
	for (size_t i = 0; YAJL_IS_ARRAY(containers) && i < containers->u.array.len; i++) {
		yajl_val ctr = containers->u.array.values[i];
		vl_reply img;
		yajl_val cfg = image_config(&c, dk_str(ctr, "imageDigest"), &img);
		yajl_gen_map_open(g);
		dk_gen_ctr_inspect_keys(g, ctr, cfg, DK_AS_PODMAN, getuid());
		for (size_t k = 0; YAJL_IS_OBJECT(ctr) && k < ctr->u.object.len; k++)
			if (jg_key(g, ctr->u.object.keys[k]) || jg_value(g, ctr->u.object.values[k]))
				break;
		yajl_gen_map_close(g);
		vl_reply_release(&img);
	}
	if (yajl_gen_array_close(g) || !(*out = ctl_gen_tree(g)))
		return EXIT_CTL;
	return 0;
}
