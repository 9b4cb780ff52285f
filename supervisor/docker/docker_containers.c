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
#include "supervisor/docker/docker_networks.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every value of key that is given, one of them holds for c (Docker ORs a
 * filter's values, and ANDs labels). */
static bool match_any(yajl_val filters, const char *key, yajl_val c, uid_t viewer)
{
	const char *f = dk_filter_value(filters, key, 0);
	if (!f)
		return true;
	char name[512];
	dk_owned_name(c, viewer, name, sizeof(name));
	for (size_t i = 0; (f = dk_filter_value(filters, key, i)); i++) {
		if (streq(key, "status") && streq(f, dk_str(json_get(c, "state"), "status")))
			return true;
		if (streq(key, "id") && strncmp(dk_str(c, "id"), f, strlen(f)) == 0)
			return true;
		if (streq(key, "name") && strstr(name, dk_ctr_name(f)))
			return true;
		/* exited=N: the exited ones whose code is N */
		if (streq(key, "exited") && *f && streq(dk_str(json_get(c, "state"), "status"), "exited") &&
		    dk_int(json_get(c, "state"), "exitCode", -1) == strtoll(f, NULL, 10))
			return true;
	}
	return false;
}

/* health=starting|healthy|unhealthy|none, network=NAME|ID (prefix), and
 * volume=NAME|DESTINATION|SOURCE: one of a key's values holds for c */
static bool match_state(yajl_val filters, yajl_val c)
{
	const char *f, *health = dk_str(json_get(json_get(c, "state"), "health"), "status");
	bool any = !dk_filter_value(filters, "health", 0);
	for (size_t i = 0; !any && (f = dk_filter_value(filters, "health", i)); i++)
		any = streq(f, *health ? health : "none");
	if (!any)
		return false;
	yajl_val nets = json_get(c, "networks");
	any = !dk_filter_value(filters, "network", 0);
	for (size_t i = 0; !any && (f = dk_filter_value(filters, "network", i)); i++)
		for (size_t k = 0; !any && YAJL_IS_OBJECT(nets) && k < nets->u.object.len; k++)
			any = streq(dk_net_name(f), nets->u.object.keys[k]) ||
			      (*f && !strncmp(dk_str(nets->u.object.values[k], "networkId"), f, strlen(f)));
	if (!any)
		return false;
	yajl_val mounts = json_get(json_get(c, "config"), "mounts"), vols = json_get(c, "volumes");
	any = !dk_filter_value(filters, "volume", 0);
	for (size_t i = 0; !any && (f = dk_filter_value(filters, "volume", i)); i++) {
		for (size_t k = 0; !any && YAJL_IS_ARRAY(mounts) && k < mounts->u.array.len; k++)
			any = streq(f, dk_str(mounts->u.array.values[k], "destination")) ||
			      streq(f, dk_str(mounts->u.array.values[k], "source"));
		for (size_t k = 0; !any && YAJL_IS_ARRAY(vols) && k < vols->u.array.len; k++)
			any = streq(f, dk_str(vols->u.array.values[k], "name")) ||
			      streq(f, dk_str(vols->u.array.values[k], "destination"));
	}
	return any;
}

/* what ps shows without -a: corrald's List's own choice */
static bool shown_up(yajl_val c)
{
	const char *s = dk_str(json_get(c, "state"), "status");
	return streq(s, "running") || streq(s, "paused") || streq(s, "restarting");
}

static long long created_ns(yajl_val c) { return dk_unix_ns(dk_str(c, "created")); }

/* since=X and before=X: the creation time of the container X names (an
 * ID prefix or a name) in list, or -1 with r answered (404, as dockerd) */
static long long created_of(dk_req *r, yajl_val list, const char *key, const char *x)
{
	char name[512];
	for (size_t k = 0; YAJL_IS_ARRAY(list) && k < list->u.array.len; k++) {
		yajl_val c = list->u.array.values[k];
		if (streq(dk_owned_name(c, r->viewer, name, sizeof(name)), dk_ctr_name(x)) || (*x && !strncmp(dk_str(c, "id"), x, strlen(x))))
			return created_ns(c);
	}
	dk_error(r, 404, "No such container: %s (filter %s)", x, key);
	return -1;
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
	static const char *const known[] = { "status", "id", "name", "label", "exited", "ancestor", "health",
					     "network", "volume", "since", "before", NULL };
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
	const char *since = dk_filter_value(filters, "since", 0), *before = dk_filter_value(filters, "before", 0);
	bool all = dk_query_bool(r, "all", false) || dk_filter_value(filters, "status", 0) ||
		   dk_filter_value(filters, "exited", 0);
	_cleanup_json_gen_ yajl_gen p = dk_params_id(NULL);
	bool size = dk_query_bool(r, "size", false);
	jg_key_bool(p, "all", all || since || before); /* the one they name may have stopped */
	jg_key_bool(p, "size", size);
	vl_reply rep, imgs = { 0 };
	/* with sizes, the images' too: SizeRootFs is the image's and SizeRw */
	if (size && dk_call_or_fail(r, "ImageList", NULL, "", &imgs) < 0)
		return;
	if (dk_call_with(r, "List", p, "", &rep) < 0) {
		vl_reply_release(&imgs);
		return;
	}
	yajl_val list = json_get(rep.params, "containers");
	long long after = since ? created_of(r, list, "since", since) : 0;
	long long upto = before && after >= 0 ? created_of(r, list, "before", before) : 0;
	if (after < 0 || upto < 0) {
		vl_reply_release(&rep);
		vl_reply_release(&imgs);
		return;
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_array_open(g);
	/* corral lists the oldest first; Docker the newest */
	for (size_t k = YAJL_IS_ARRAY(list) ? list->u.array.len : 0; k > 0 && limit != 0; k--) {
		yajl_val c = list->u.array.values[k - 1];
		long long ns = created_ns(c);
		if ((since && ns <= after) || (before && ns >= upto) || !match_state(filters, c) || (!all && !shown_up(c)))
			continue;
		if (!match_any(filters, "status", c, r->viewer) || !match_any(filters, "id", c, r->viewer) ||
		    !match_any(filters, "name", c, r->viewer) || !match_any(filters, "exited", c, r->viewer) ||
		    !dk_filter_owned_labels(filters, json_get(c, "labels"), r->viewer, (uid_t)dk_int(c, "owner", 0)) ||
		    !match_ancestor(filters, ancestors, n_ancestors, c))
			continue;
		dk_gen_ctr_summary(g, c, r->viewer, json_get(imgs.params, "images"));
		if (limit > 0)
			limit--;
	}
	yajl_gen_array_close(g);
	dk_json(r, 200, g);
	vl_reply_release(&rep);
	vl_reply_release(&imgs);
}

/* The image (its run defaults, for what the spec left to it, and its
 * size); NULL when it is gone (the container still shows). */
static yajl_val image_of(dk_req *r, const char *image, vl_reply *rep)
{
	_cleanup_json_gen_ yajl_gen p = dk_params_id(NULL);
	jg_key_str(p, "image", image);
	_cleanup_free_ char *params = dk_params_end(p);
	*rep = (vl_reply){ 0 };
	_cleanup_cerr_ cerr err = { 0 };
	if (!params || vl_client_call(r->vl, "io.corral.Supervisor.ImageInspect", params, rep, &err) < 0)
		return NULL;
	return rep->error ? NULL : json_get(rep->params, "image");
}

/* docker inspect -s: Inspect with size, SizeRw and SizeRootFs beside */
void dk_ctr_inspect(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg);
	bool size = dk_query_bool(r, "size", false);
	vl_reply rep, img;
	_cleanup_json_gen_ yajl_gen p = dk_params_id(id);
	if (size)
		jg_key_bool(p, "size", true);
	if (dk_call_with(r, "Inspect", p, id, &rep) < 0)
		return;
	yajl_val c = json_get(rep.params, "container");
	yajl_val image = image_of(r, dk_str(c, "imageDigest"), &img);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	dk_gen_ctr_inspect(g, c, image, DK_AS_DOCKER, r->viewer);
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
	static const char *const known[] = { "until", "label", "label!", NULL };
	_cleanup_json_ yajl_val filters = NULL;
	if (dk_filters(r, known, &filters) < 0)
		return;
	_cleanup_json_gen_ yajl_gen p = dk_params_id(NULL);
	if (dk_prune_filters(r, filters, p) < 0)
		return;
	vl_reply rep;
	if (dk_call_with(r, "ContainerPrune", p, "", &rep) < 0)
		return;
	dk_reply_removed(r, "ContainersDeleted", &rep, NULL);
	vl_reply_release(&rep);
}
