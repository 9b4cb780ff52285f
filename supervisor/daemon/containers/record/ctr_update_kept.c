/* Update's changes kept as Docker keeps them, in the ContainerSpec that
 * Inspect shows (docker inspect's HostConfig, the CRI's
 * ContainerStatus.resources) and in the parsed spec; then the record is
 * saved. Resources, once the runtime has applied them: their keys replace
 * those of the spec's resources (and the bundle's limits follow:
 * engine/ctr_bundle_limits.c). A restart policy replaces the spec's. */
#include "supervisor/daemon/containers/record/ctr_update_kept.h"
#include "supervisor/daemon/spec/ctr_resources.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_gen.h"
#include "supervisor/daemon/containers/record/ctr_record.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int gen_resources(yajl_gen g, yajl_val old, void *res) { return jg_patched(g, old, res); }

static int gen_restart(yajl_gen g, yajl_val old, void *text)
{
	(void)old;
	return jg_str(g, text) ? -1 : 0;
}

/* The ContainerSpec with key's value as gen makes it from the old one */
static char *spec_with(yajl_val cspec_json, const char *key, int (*gen)(yajl_gen, yajl_val, void *), void *arg)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	return !g || jg_object_with(g, cspec_json, key, gen, arg) ? NULL : jg_finish(g, NULL);
}

/* text as c's spec_json, its parsed tree made again when next shown */
static void spec_json_set(struct corrald *d, ctr *c, char *text)
{
	free(c->spec_json);
	c->spec_json = text;
	if (c->spec_tree)
		yajl_tree_free(c->spec_tree);
	c->spec_tree = NULL;
	ctr_list_stale(c);
	ctr_save(d, c);
}

int ctr_keep_resources(struct corrald *d, ctr *c, yajl_val res, cerr *err)
{
	_cleanup_json_ yajl_val old = NULL;
	if (!YAJL_IS_OBJECT(res) || json_parse(c->spec_json, "spec", &old, err) < 0)
		return err->code ? -1 : cerr_set(err, EINVAL, "resources: not an object");
	_cleanup_free_ char *text = spec_with(old, "resources", gen_resources, res);
	_cleanup_json_ yajl_val tree = NULL;
	if (!text || json_parse(text, "spec", &tree, err) < 0)
		return err->code ? -1 : cerr_set(err, ENOMEM, "out of memory");
	/* checked apart first: c's spec is changed only when all of it parses */
	yajl_val merged = json_key(tree, "resources");
	json_fault f = { 0 };
	ctr_spec check = { 0 };
	int r = ctr_spec_parse_resources(merged, "spec.resources", &check, &f);
	if (r == 0)
		r = ctr_spec_check_memory(&check, "spec.resources", &f);
	ctr_spec_release_resources(&check);
	if (r < 0)
		return cerr_set(err, EINVAL, "%s: %s", f.field, f.reason);
	ctr_spec_release_resources(&c->spec);
	c->spec.cpuset_cpus = c->spec.cpuset_mems = NULL;
	c->spec.hugepages = NULL, c->spec.n_hugepages = 0;
	c->spec.unified = NULL;
	if (ctr_spec_parse_resources(merged, "spec.resources", &c->spec, &f) < 0)
		return cerr_set(err, EINVAL, "%s: %s", f.field, f.reason);
	spec_json_set(d, c, text);
	text = NULL;
	return 0;
}

int ctr_keep_restart(struct corrald *d, ctr *c, const restart_policy *p, cerr *err)
{
	_cleanup_json_ yajl_val old = NULL;
	if (json_parse(c->spec_json, "spec", &old, err) < 0)
		return -1;
	char text[32];
	restart_policy_format(p, text, sizeof(text));
	char *json = spec_with(old, "restart", gen_restart, text);
	if (!json)
		return cerr_set(err, ENOMEM, "out of memory");
	c->spec.restart = *p;
	spec_json_set(d, c, json);
	return 0;
}
