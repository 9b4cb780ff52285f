#include "supervisor/daemon/containers/engine/ctr_bundle_limits.h"
#include "supervisor/daemon/containers/engine/ctr_bundle.h"
#include "supervisor/daemon/containers/engine/ctr_limits.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>

#define CONFIG_MAX (4u << 20)

/* linux.resources: the old one's device rules and all, its limits new */
static int gen_resources(yajl_gen g, yajl_val old, void *limits) { return jg_patched(g, old, limits); }
static int gen_linux(yajl_gen g, yajl_val old, void *limits)
{
	return jg_object_with(g, old, "resources", gen_resources, limits);
}

int ctr_bundle_keep_limits(struct corrald *d, const ctr *c, cerr *err)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	ctr_dir(d, c, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/" BUNDLE_CONFIG, dir);
	_cleanup_json_ yajl_val cfg = NULL, limits = NULL;
	int r = json_parse_file_at(AT_FDCWD, path, CONFIG_MAX, &cfg, err);
	if (r < 0)
		return r;
	_cleanup_json_gen_ yajl_gen lg = json_gen_new(false);
	_cleanup_free_ char *text = NULL;
	if (!lg || yajl_gen_map_open(lg))
		return cerr_set(err, ENOMEM, "out of memory");
	ctr_limits_gen(lg, &c->spec);
	if (yajl_gen_map_close(lg) || !(text = jg_finish(lg, NULL)) || json_parse(text, "limits", &limits, err) < 0)
		return err->code ? -err->code : cerr_set(err, ENOMEM, "out of memory");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(true);
	if (!g || jg_object_with(g, cfg, "linux", gen_linux, limits))
		return cerr_set(err, ENOMEM, "out of memory");
	return jg_write_file(g, path, BUNDLE_CONFIG_MODE, 0, err);
}
