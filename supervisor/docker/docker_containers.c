/* Reading containers: list (with Docker's filters), inspect, top, and
 * prune, which removes the stopped ones. */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/ctr_inspect.h"
#include "supervisor/shape/ctr_summary.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_containers.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_filters.h"
#include "supervisor/docker/docker_answer.h"
#include "supervisor/docker/docker_prune.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every value of key that is given, one of them holds for c (Docker ORs a
 * filter's values, and ANDs labels). */
static bool match_any(yajl_val filters, const char *key, yajl_val c)
{
	const char *f = dk_filter_value(filters, key, 0);
	if (!f)
		return true;
	for (size_t i = 0; (f = dk_filter_value(filters, key, i)); i++) {
		if (streq(key, "status") && streq(f, dk_str(json_get(c, "state"), "status")))
			return true;
		if (streq(key, "id") && strncmp(dk_str(c, "id"), f, strlen(f)) == 0)
			return true;
		if (streq(key, "name") && strstr(dk_str(c, "name"), dk_ctr_name(f)))
			return true;
		/* exited=N: the exited ones whose code is N */
		if (streq(key, "exited") && *f && streq(dk_str(json_get(c, "state"), "status"), "exited") &&
		    dk_int(json_get(c, "state"), "exitCode", -1) == strtoll(f, NULL, 10))
			return true;
	}
	return false;
}

static bool match_labels(yajl_val filters, yajl_val c)
{
	yajl_val labels = json_get(c, "labels");
	const char *f;
	for (size_t i = 0; (f = dk_filter_value(filters, "label", i)); i++) {
		const char *eq = strchr(f, '=');
		char key[256];
		snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - f) : (int)strlen(f), f);
		yajl_val v = json_get(labels, key);
		if (!v || (eq && (!YAJL_IS_STRING(v) || !streq(v->u.string, eq + 1))))
			return false;
	}
	return true;
}

#define ANCESTORS_MAX 16
#define ANCESTOR_ID_LEN 80 /* "sha256:" and 64 hex digits, and room */

/* ancestor=IMAGE (a name, an ID or a digest): the IDs of the images the
 * values name now, each an ImageInspect as the caller; one that names none
 * matches nothing, as dockerd has it (descendants are not followed: corral
 * keeps no parent of an image). -1 with r answered past ANCESTORS_MAX. */
static int ancestor_ids(dk_req *r, yajl_val filters, char ids[][ANCESTOR_ID_LEN], size_t *n)
{
	*n = 0;
	const char *f;
	for (size_t i = 0; (f = dk_filter_value(filters, "ancestor", i)); i++) {
		if (i >= ANCESTORS_MAX) {
			dk_error(r, 400, "more than %d ancestor filters", ANCESTORS_MAX);
			return -1;
		}
		_cleanup_free_ char *params = dk_params_text("image", f);
		vl_reply rep = { 0 };
		_cleanup_cerr_ cerr err = { 0 };
		if (!params || vl_client_call(r->vl, "io.corral.Supervisor.ImageInspect", params, &rep, &err) < 0)
			continue;
		if (!rep.error)
			snprintf(ids[(*n)++], ANCESTOR_ID_LEN, "%s", dk_str(json_get(rep.params, "image"), "id"));
		vl_reply_release(&rep);
	}
	return 0;
}

static bool match_ancestor(yajl_val filters, char ids[][ANCESTOR_ID_LEN], size_t n, yajl_val c)
{
	if (!dk_filter_value(filters, "ancestor", 0))
		return true;
	for (size_t i = 0; i < n; i++)
		if (streq(ids[i], dk_str(c, "imageDigest")))
			return true;
	return false;
}

void dk_ctr_list(dk_req *r, const char *arg)
{
	static const char *const known[] = { "status", "id", "name", "label", "exited", "ancestor", NULL };
	_cleanup_json_ yajl_val filters = NULL;
	if (dk_filters(r, known, &filters) < 0)
		return;
	char ancestors[ANCESTORS_MAX][ANCESTOR_ID_LEN];
	size_t n_ancestors;
	if (ancestor_ids(r, filters, ancestors, &n_ancestors) < 0)
		return;
	long long limit;
	if (dk_query_int(r, "limit", -1, &limit) < 0) {
		dk_error(r, 400, "invalid limit");
		return;
	}
	/* limit=0 is no limit, as dockerd reads it: the Go client sends it
	 * for a ContainerListOptions left zero (docker stats without names) */
	if (limit == 0)
		limit = -1;
	bool all = dk_query_bool(r, "all", false) || dk_filter_value(filters, "status", 0) ||
		   dk_filter_value(filters, "exited", 0);
	_cleanup_json_gen_ yajl_gen p = dk_params_id(NULL);
	jg_key_bool(p, "all", all);
	jg_key_bool(p, "size", dk_query_bool(r, "size", false));
	vl_reply rep;
	if (dk_call_with(r, "List", p, "", &rep) < 0)
		return;
	yajl_val list = json_get(rep.params, "containers");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_array_open(g);
	/* corral lists the oldest first; Docker the newest */
	for (size_t k = YAJL_IS_ARRAY(list) ? list->u.array.len : 0; k > 0 && limit != 0; k--) {
		yajl_val c = list->u.array.values[k - 1];
		if (!match_any(filters, "status", c) || !match_any(filters, "id", c) ||
		    !match_any(filters, "name", c) || !match_any(filters, "exited", c) || !match_labels(filters, c) ||
		    !match_ancestor(filters, ancestors, n_ancestors, c))
			continue;
		dk_gen_ctr_summary(g, c, r->viewer);
		if (limit > 0)
			limit--;
	}
	yajl_gen_array_close(g);
	dk_json(r, 200, g);
	vl_reply_release(&rep);
}

/* The image's run defaults, for what the spec left to it; NULL when the
 * image is gone (the container still shows). */
static yajl_val image_config(dk_req *r, const char *image, vl_reply *rep)
{
	_cleanup_json_gen_ yajl_gen p = dk_params_id(NULL);
	jg_key_str(p, "image", image);
	_cleanup_free_ char *params = dk_params_end(p);
	*rep = (vl_reply){ 0 };
	_cleanup_cerr_ cerr err = { 0 };
	if (!params || vl_client_call(r->vl, "io.corral.Supervisor.ImageInspect", params, rep, &err) < 0)
		return NULL;
	return rep->error ? NULL : json_get(json_get(rep->params, "image"), "config");
}

void dk_ctr_inspect(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg);
	vl_reply rep, img;
	yajl_val c = dk_ctr_record(r, id, &rep);
	if (!c)
		return;
	yajl_val cfg = image_config(r, dk_str(c, "imageDigest"), &img);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	dk_gen_ctr_inspect(g, c, cfg, DK_AS_DOCKER, r->viewer);
	dk_json(r, 200, g);
	vl_reply_release(&img);
	vl_reply_release(&rep);
}

void dk_ctr_top(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg), *ps_args = dk_query(r, "ps_args");
	/* dockerd runs the host's ps with ps_args; corral reads /proc itself */
	if (ps_args && *ps_args && strcmp(ps_args, "-ef")) {
		dk_error(r, 400, "ps_args %s: corral's top gives ps -ef's columns only", ps_args);
		return;
	}
	_cleanup_json_gen_ yajl_gen p = dk_params_id(id);
	jg_key_str(p, "columns", "ps-ef");
	vl_reply rep;
	if (dk_call_with(r, "Top", p, id, &rep) < 0)
		return;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key(g, "Titles");
	jg_value(g, json_get(rep.params, "titles"));
	jg_key(g, "Processes");
	jg_value(g, json_get(rep.params, "processes"));
	yajl_gen_map_close(g);
	dk_json(r, 200, g);
	vl_reply_release(&rep);
}

void dk_ctr_prune(dk_req *r, const char *arg)
{
	static const char *const known[] = { NULL }; /* corrald prunes every stopped one */
	_cleanup_json_ yajl_val filters = NULL;
	if (dk_filters(r, known, &filters) < 0)
		return;
	vl_reply rep;
	if (dk_call_or_fail(r, "ContainerPrune", NULL, "", &rep) < 0)
		return;
	dk_reply_removed(r, "ContainersDeleted", &rep, NULL);
	vl_reply_release(&rep);
}
