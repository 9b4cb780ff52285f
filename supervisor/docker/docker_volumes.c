/* Volumes: corrald's named volumes (VolumeCreate and the rest) in
 * Docker's shapes: list (filters dangling, name, label, driver), create,
 * inspect, remove (force) and prune. */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_volumes.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_filters.h"
#include "supervisor/docker/docker_answer.h"
#include "supervisor/docker/docker_prune.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <stdio.h>
#include <string.h>

static void gen_volume(yajl_gen g, yajl_val v)
{
	yajl_gen_map_open(g);
	jg_key_str(g, "Name", dk_str(v, "name"));
	jg_key_str(g, "Driver", "local");
	jg_key_str(g, "Mountpoint", dk_str(v, "mountpoint"));
	jg_key_str(g, "CreatedAt", dk_str(v, "created"));
	dk_gen_object(g, "Labels", json_get(v, "labels"));
	jg_key_str(g, "Scope", "local");
	yajl_val o = json_get(v, "options");
	if (YAJL_IS_OBJECT(o) && o->u.object.len)
		dk_gen_object(g, "Options", o);
	else
		jg_key(g, "Options"), yajl_gen_null(g);
	yajl_val size = json_get(v, "size");
	if (YAJL_IS_INTEGER(size)) {
		jg_key(g, "UsageData");
		jg_object(g, JG_INT("Size", YAJL_GET_INTEGER(size)),
			     JG_INT("RefCount", YAJL_IS_TRUE(json_get(v, "inUse")) ? 1 : 0), JG_END);
	}
	yajl_gen_map_close(g);
}

void dk_vol_list(dk_req *r, const char *arg)
{
	static const char *const known[] = { "dangling", "name", "label", "driver", NULL };
	_cleanup_json_ yajl_val filters = NULL;
	if (dk_filters(r, known, &filters) < 0)
		return;
	_cleanup_json_gen_ yajl_gen p = json_gen_new(false);
	yajl_gen_map_open(p);
	jg_key(p, "filters");
	yajl_gen_array_open(p);
	for (size_t k = 0; known[k]; k++) {
		const char *v;
		for (size_t i = 0; (v = dk_filter_value(filters, known[k], i)); i++) {
			char f[4096];
			snprintf(f, sizeof(f), "%s=%s", known[k], v);
			jg_str(p, f);
		}
	}
	yajl_gen_array_close(p);
	_cleanup_free_ char *params = dk_params_end(p);
	vl_reply rep;
	if (!params) {
		dk_error(r, 500, "out of memory");
		return;
	}
	if (dk_call(r, "VolumeList", params, &rep) < 0) {
		if (rep.error && strstr(rep.error, "InvalidParameter")) {
			vl_reply_release(&rep);
			dk_error(r, 400, "invalid filter");
			return;
		}
		dk_fail(r, &rep, "volumes");
		return;
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key(g, "Volumes");
	yajl_gen_array_open(g);
	yajl_val list = json_get(rep.params, "volumes");
	for (size_t i = 0; YAJL_IS_ARRAY(list) && i < list->u.array.len; i++)
		gen_volume(g, list->u.array.values[i]);
	yajl_gen_array_close(g);
	jg_key_strv(g, "Warnings", NULL);
	yajl_gen_map_close(g);
	vl_reply_release(&rep);
	dk_json(r, 200, g);
}

/* a volume's name in an answer of corrald's error */
static void fail_volume(dk_req *r, vl_reply *rep, const char *name)
{
	if (rep->error && strstr(rep->error, "NoSuchVolume")) {
		vl_reply_release(rep);
		dk_error(r, 404, "get %s: no such volume", name);
	} else if (rep->error && strstr(rep->error, "VolumeExists")) {
		vl_reply_release(rep);
		dk_error(r, 409, "volume %s already exists", name);
	} else if (rep->error && strstr(rep->error, "InvalidState")) {
		vl_reply_release(rep);
		dk_error(r, 409, "remove %s: volume is in use", name);
	} else {
		dk_fail(r, rep, name);
	}
}

/* A volume method's call on name (params from g, taken); 0 with rep, or -1
 * with r answered */
static int call_volume(dk_req *r, const char *method, yajl_gen g, const char *name, vl_reply *rep)
{
	_cleanup_json_gen_ yajl_gen owned = g;
	_cleanup_free_ char *params = dk_params_end(owned);
	if (!params) {
		dk_error(r, 500, "out of memory");
		return -1;
	}
	if (dk_call(r, method, params, rep) == 0)
		return 0;
	/* docker's create of a name that is there answers that one */
	if (streq(method, "VolumeCreate") && name && rep->error && strstr(rep->error, "VolumeExists")) {
		vl_reply_release(rep);
		return call_volume(r, "VolumeInspect", dk_params_of("name", name), name, rep);
	}
	fail_volume(r, rep, name ? name : "");
	return -1;
}

/* Answer with the reply's volume, in Docker's shape. */
static void answer_volume(dk_req *r, unsigned status, vl_reply *rep)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	gen_volume(g, json_get(rep->params, "volume"));
	vl_reply_release(rep);
	dk_json(r, status, g);
}

int dk_vol_make(dk_req *r, const char *name, const char *driver, yajl_val labels, yajl_val opts, vl_reply *rep)
{
	if (*driver && !streq(driver, "local")) {
		dk_error(r, 400, "driver %s: only local is known", driver);
		return -1;
	}
	yajl_gen p = dk_params_of("name", name);
	if (p && YAJL_IS_OBJECT(labels))
		jg_key(p, "labels"), jg_value(p, labels);
	if (p && YAJL_IS_OBJECT(opts))
		jg_key(p, "driverOpts"), jg_value(p, opts);
	return call_volume(r, "VolumeCreate", p, name, rep);
}

void dk_vol_create(dk_req *r, const char *arg)
{
	_cleanup_json_ yajl_val body = dk_body_json(r);
	if (!body)
		return;
	const char *name = dk_str(body, "Name");
	vl_reply rep;
	if (dk_vol_make(r, *name ? name : NULL, dk_str(body, "Driver"), json_get(body, "Labels"),
			json_get(body, "DriverOpts"), &rep) == 0)
		answer_volume(r, 201, &rep);
}

void dk_vol_inspect(dk_req *r, const char *arg)
{
	vl_reply rep;
	if (call_volume(r, "VolumeInspect", dk_params_of("name", arg), arg, &rep) == 0)
		answer_volume(r, 200, &rep);
}

void dk_vol_remove(dk_req *r, const char *arg)
{
	yajl_gen p = dk_params_of("name", arg);
	if (p && dk_query_bool(r, "force", false))
		jg_key_bool(p, "force", true);
	vl_reply rep;
	if (call_volume(r, "VolumeRemove", p, arg, &rep) == 0) {
		vl_reply_release(&rep);
		dk_empty(r, 204);
	}
}

void dk_vol_prune(dk_req *r, const char *arg)
{
	vl_reply rep;
	if (dk_call_or_fail(r, "VolumePrune", "{}", "volumes", &rep) < 0)
		return;
	dk_reply_removed(r, "VolumesDeleted", &rep, NULL);
	vl_reply_release(&rep);
}
