#include "supervisor/daemon/containers/engine/ctr_upgrade.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/containers/engine/ctr_bundle.h"
#include "bundle/bundle_userns.h"
#include "supervisor/daemon/containers/record/ctr_ids.h"
#include "supervisor/daemon/containers/record/img_source.h"
#include "supervisor/daemon/core/corrald.h"
#include "bundle/spec.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#define CONFIG_MAX (4u << 20)

/* config.json with ANNOT_ROOTFS_SUID added to its annotations. */
static int annotate(const char *dir, cerr *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" BUNDLE_CONFIG, dir);
	_cleanup_json_ yajl_val cfg = NULL;
	int r = json_parse_file_at(AT_FDCWD, path, CONFIG_MAX, &cfg, err);
	if (r < 0)
		return r;
	yajl_val ann = json_get(cfg, "annotations");
	if (!YAJL_IS_OBJECT(cfg) || json_get(ann, ANNOT_ROOTFS_SUID))
		return 0;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(true);
	r = !g || yajl_gen_map_open(g);
	for (size_t i = 0; !r && i < cfg->u.object.len; i++)
		if (!streq(cfg->u.object.keys[i], "annotations"))
			r = jg_key(g, cfg->u.object.keys[i]) || jg_value(g, cfg->u.object.values[i]);
	r = r || jg_key(g, "annotations") || yajl_gen_map_open(g);
	for (size_t i = 0; !r && YAJL_IS_OBJECT(ann) && i < ann->u.object.len; i++)
		r = jg_key(g, ann->u.object.keys[i]) || jg_value(g, ann->u.object.values[i]);
	r = r || jg_key_str(g, ANNOT_ROOTFS_SUID, "true") || yajl_gen_map_close(g) || yajl_gen_map_close(g);
	if (r)
		return cerr_set(err, ENOMEM, "out of memory");
	return jg_write_file(g, path, BUNDLE_CONFIG_MODE, 0, err);
}

void ctr_upgrade(corrald *d, ctr *c)
{
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	_cleanup_cerr_ cerr err = { 0 };
	ctr_ids ids;
	int r = bundle_userns_maps(dir, ids.uid, ids.gid, &err);
	if (r > 0)
		r = ctr_ids_dir(dir, &ids, &err);
	if (r < 0)
		log_cerr(LOG_LVL_ERROR, &err, "container %s: its directory", c->id);
	if (!c->image_manifest) /* a directory image: no overlay of corrald's */
		return;
	if (imagesrc_seal(dir, &err) < 0 || annotate(dir, &err) < 0)
		log_cerr(LOG_LVL_ERROR, &err, "container %s", c->id);
}
