/* Images: list, inspect, remove, tag and prune, through corrald's image
 * store (names as Docker shows them: docker.io/library/busybox is busybox). */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_images.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_filters.h"
#include "supervisor/docker/docker_answer.h"
#include "supervisor/docker/docker_prune.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <stdio.h>
#include <string.h>

static void gen_names(yajl_gen g, const char *key, yajl_val names, const char *none)
{
	jg_key(g, key);
	yajl_gen_array_open(g);
	size_t n = 0;
	for (size_t i = 0; YAJL_IS_ARRAY(names) && i < names->u.array.len; i++)
		if (YAJL_IS_STRING(names->u.array.values[i]) && ++n)
			jg_str(g, dk_familiar(names->u.array.values[i]->u.string));
	if (!n && none)
		jg_str(g, none);
	yajl_gen_array_close(g);
}

void dk_gen_img_summary(yajl_gen g, yajl_val im, long long containers)
{
	long long size = dk_int(im, "size", 0);
	const char *created = dk_str(im, "createdAt");
	yajl_gen_map_open(g);
	jg_key_str(g, "Id", dk_str(im, "id"));
	jg_key_str(g, "ParentId", "");
	gen_names(g, "RepoTags", json_get(im, "names"), "<none>:<none>");
	gen_names(g, "RepoDigests", json_get(im, "repoDigests"), NULL);
	jg_key_int(g, "Created", dk_unix(*created ? created : dk_str(im, "importedAt")));
	jg_key_int(g, "Size", size);
	/* -1, not counted, but for df, whose client takes -1 as "reclaimable":
	 * there, each image's size is its own (shared layers not told apart) */
	jg_key_int(g, "SharedSize", containers < 0 ? -1 : 0);
	jg_key_int(g, "VirtualSize", size);
	dk_gen_object(g, "Labels", json_get(im, "labels"));
	jg_key_int(g, "Containers", containers);
	yajl_gen_map_close(g);
}

/* The reference filter of ?filters=, in either of Docker's forms. */
static void gen_references(yajl_gen p, yajl_val filters)
{
	yajl_val ref = json_get(filters, "reference");
	size_t n = YAJL_IS_ARRAY(ref) ? ref->u.array.len : YAJL_IS_OBJECT(ref) ? ref->u.object.len : 0;
	if (!n)
		return;
	jg_key(p, "references");
	yajl_gen_array_open(p);
	for (size_t i = 0; i < n; i++) {
		if (YAJL_IS_OBJECT(ref))
			jg_str(p, ref->u.object.keys[i]);
		else if (YAJL_IS_STRING(ref->u.array.values[i]))
			jg_str(p, ref->u.array.values[i]->u.string);
	}
	yajl_gen_array_close(p);
}

/* An image's creation time in ns (its import's when it has none) */
static long long created_ns(yajl_val im)
{
	const char *c = dk_str(im, "createdAt");
	return dk_unix_ns(*c ? c : dk_str(im, "importedAt"));
}

/* before=IMAGE and since=IMAGE: the creation time of the image the value
 * names (an ImageInspect as the caller), 0 when none is given; -1 with r
 * answered (404) when it names none, as dockerd */
static long long bound_of(dk_req *r, yajl_val filters, const char *key)
{
	const char *ref = dk_filter_value(filters, key, 0);
	if (!ref)
		return 0;
	vl_reply rep;
	if (dk_call_of(r, "ImageInspect", "image", ref, &rep) < 0)
		return -1;
	long long ns = created_ns(json_get(rep.params, "image"));
	vl_reply_release(&rep);
	return ns;
}

void dk_img_list(dk_req *r, const char *arg)
{
	static const char *const known[] = { "reference", "dangling", "label", "before", "since", NULL };
	_cleanup_json_ yajl_val filters = NULL;
	if (dk_filters(r, known, &filters) < 0)
		return;
	long long before = bound_of(r, filters, "before"), since = before < 0 ? -1 : bound_of(r, filters, "since");
	if (before < 0 || since < 0)
		return;
	_cleanup_json_gen_ yajl_gen p = dk_params_id(NULL);
	gen_references(p, filters);
	vl_reply rep;
	if (dk_call_with(r, "ImageList", p, "", &rep) < 0)
		return;
	yajl_val list = json_get(rep.params, "images");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_array_open(g);
	const char *dangling = dk_filter_value(filters, "dangling", 0);
	for (size_t i = 0; YAJL_IS_ARRAY(list) && i < list->u.array.len; i++) {
		yajl_val names = json_get(list->u.array.values[i], "names");
		bool named = YAJL_IS_ARRAY(names) && names->u.array.len;
		if (dangling && named == (streq(dangling, "true") || streq(dangling, "1")))
			continue;
		long long ns = created_ns(list->u.array.values[i]);
		if (!dk_filter_labels(filters, json_get(list->u.array.values[i], "labels")) || (before && ns >= before) ||
		    (since && ns <= since))
			continue;
		dk_gen_img_summary(g, list->u.array.values[i], -1);
	}
	yajl_gen_array_close(g);
	dk_json(r, 200, g);
	vl_reply_release(&rep);
}

static void gen_config(yajl_gen g, const char *key, yajl_val cfg)
{
	jg_key(g, key);
	yajl_gen_map_open(g);
	jg_key_str(g, "Hostname", "");
	jg_key_str(g, "Domainname", "");
	jg_key_str(g, "User", dk_str(cfg, "user"));
	jg_key_bool(g, "AttachStdin", false);
	jg_key_bool(g, "AttachStdout", false);
	jg_key_bool(g, "AttachStderr", false);
	jg_key_bool(g, "Tty", false);
	jg_key_bool(g, "OpenStdin", false);
	jg_key_bool(g, "StdinOnce", false);
	dk_gen_strings(g, "Env", json_get(cfg, "env"), false);
	dk_gen_strings(g, "Cmd", json_get(cfg, "cmd"), true);
	dk_gen_strings(g, "Entrypoint", json_get(cfg, "entrypoint"), true);
	jg_key_str(g, "Image", "");
	jg_key(g, "Volumes");
	jg_value(g, YAJL_IS_OBJECT(json_get(cfg, "volumes")) && json_get(cfg, "volumes")->u.object.len
			    ? json_get(cfg, "volumes")
			    : NULL);
	jg_key_str(g, "WorkingDir", dk_str(cfg, "workingDir"));
	dk_gen_object(g, "Labels", json_get(cfg, "labels"));
	if (YAJL_IS_OBJECT(json_get(cfg, "exposedPorts")) && json_get(cfg, "exposedPorts")->u.object.len)
		dk_gen_object(g, "ExposedPorts", json_get(cfg, "exposedPorts"));
	if (*dk_str(cfg, "stopSignal"))
		jg_key_str(g, "StopSignal", dk_str(cfg, "stopSignal"));
	if (YAJL_IS_OBJECT(json_get(cfg, "healthcheck")))
		dk_gen_object(g, "Healthcheck", json_get(cfg, "healthcheck"));
	dk_gen_strings(g, "OnBuild", json_get(cfg, "onBuild"), true);
	if (YAJL_IS_ARRAY(json_get(cfg, "shell")))
		dk_gen_strings(g, "Shell", json_get(cfg, "shell"), true);
	yajl_gen_map_close(g);
}

void dk_img_inspect(dk_req *r, const char *arg)
{
	vl_reply rep;
	if (dk_call_of(r, "ImageInspect", "image", arg, &rep) < 0)
		return;
	yajl_val im = json_get(rep.params, "image"), rootfs = json_get(im, "rootFS");
	const char *created = dk_str(im, "created");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key_str(g, "Id", dk_str(im, "id"));
	gen_names(g, "RepoTags", json_get(im, "repoTags"), NULL);
	gen_names(g, "RepoDigests", json_get(im, "repoDigests"), NULL);
	jg_key_str(g, "Parent", "");
	/* commit's and import's message (-m), as dockerd keeps it: the last step's */
	yajl_val hist = json_get(im, "history");
	size_t steps = YAJL_IS_ARRAY(hist) ? hist->u.array.len : 0;
	jg_key_str(g, "Comment", steps ? dk_str(hist->u.array.values[steps - 1], "comment") : "");
	jg_key_str(g, "Created", *created ? created : dk_str(im, "importedAt"));
	jg_key_str(g, "DockerVersion", "");
	jg_key_str(g, "Author", dk_str(im, "author"));
	gen_config(g, "Config", json_get(im, "config"));
	/* Docker's builder kept its step container's config here; compose
	 * reads its Volumes when it recreates a service */
	gen_config(g, "ContainerConfig", json_get(im, "config"));
	jg_key_str(g, "Architecture", dk_str(im, "architecture"));
	jg_key_str(g, "Os", dk_str(im, "os"));
	jg_key_int(g, "Size", dk_int(im, "size", 0));
	jg_key_int(g, "VirtualSize", dk_int(im, "size", 0));
	jg_key(g, "GraphDriver");
	yajl_gen_map_open(g);
	jg_key_str(g, "Name", "overlay");
	dk_gen_object(g, "Data", NULL);
	yajl_gen_map_close(g);
	jg_key(g, "RootFS");
	yajl_gen_map_open(g);
	jg_key_str(g, "Type", *dk_str(rootfs, "type") ? dk_str(rootfs, "type") : "layers");
	dk_gen_strings(g, "Layers", json_get(rootfs, "layers"), false);
	yajl_gen_map_close(g);
	jg_key(g, "Metadata");
	jg_object(g, JG_STR("LastTagTime", "0001-01-01T00:00:00Z"), JG_END);
	yajl_gen_map_close(g);
	dk_json(r, 200, g);
	vl_reply_release(&rep);
}

/* Docker's {"Untagged": name} or {"Deleted": id} of one that corrald removed. */
static int gen_deleted_one(yajl_gen g, const char *name)
{
	bool id = strncmp(name, "sha256:", 7) == 0;
	return yajl_gen_map_open(g) || jg_key_str(g, id ? "Deleted" : "Untagged", id ? name : dk_familiar(name)) ||
	       yajl_gen_map_close(g);
}

/* Docker's [{"Untagged": name}, {"Deleted": id}] of corrald's removed. */
static void gen_deleted(yajl_gen g, yajl_val removed)
{
	yajl_gen_array_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(removed) && i < removed->u.array.len; i++)
		if (YAJL_IS_STRING(removed->u.array.values[i]))
			gen_deleted_one(g, removed->u.array.values[i]->u.string);
	yajl_gen_array_close(g);
}

void dk_img_remove(dk_req *r, const char *arg)
{
	_cleanup_json_gen_ yajl_gen p = dk_params_id(NULL);
	jg_key_str(p, "image", arg);
	if (dk_query_bool(r, "force", false))
		jg_key_bool(p, "force", true);
	_cleanup_free_ char *params = dk_params_end(p);
	vl_reply rep;
	if (dk_call(r, "ImageRemove", params, &rep) < 0) {
		if (rep.error && strstr(rep.error, ".InvalidState")) {
			dk_error(r, 409, "conflict: unable to remove repository reference \"%s\" (must force) - a "
					 "container is using its referenced image",
				 arg);
			vl_reply_release(&rep);
			return;
		}
		dk_fail(r, &rep, arg);
		return;
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	gen_deleted(g, json_get(rep.params, "removed"));
	dk_json(r, 200, g);
	vl_reply_release(&rep);
}

void dk_img_tag(dk_req *r, const char *arg)
{
	const char *repo = dk_query(r, "repo"), *tag = dk_query(r, "tag");
	if (!repo || !*repo) {
		dk_error(r, 400, "repository name (repo) is required");
		return;
	}
	char name[1024];
	snprintf(name, sizeof(name), "%s:%s", repo, tag && *tag ? tag : "latest");
	_cleanup_json_gen_ yajl_gen p = dk_params_id(NULL);
	jg_key_str(p, "image", arg);
	jg_key_strv(p, "names", (char *const[]){ name, NULL });
	vl_reply rep;
	if (dk_call_with(r, "ImageTag", p, arg, &rep) < 0)
		return;
	vl_reply_release(&rep);
	dk_empty(r, 201);
}

void dk_img_prune(dk_req *r, const char *arg)
{
	static const char *const known[] = { "dangling", "until", "label", "label!", NULL };
	_cleanup_json_ yajl_val filters = NULL;
	if (dk_filters(r, known, &filters) < 0)
		return;
	/* dangling=false (docker image prune -a): every unused image */
	yajl_val d = json_get(filters, "dangling");
	bool all = (YAJL_IS_ARRAY(d) && d->u.array.len && YAJL_IS_STRING(d->u.array.values[0]) &&
		    (streq(d->u.array.values[0]->u.string, "false") || streq(d->u.array.values[0]->u.string, "0"))) ||
		   (YAJL_IS_OBJECT(d) && (json_get(d, "false") || json_get(d, "0")));
	_cleanup_json_gen_ yajl_gen p = dk_params_id(NULL);
	if (all)
		jg_key_bool(p, "all", true);
	if (dk_prune_filters(r, filters, p) < 0)
		return;
	vl_reply rep;
	if (dk_call_with(r, "ImagePrune", p, "", &rep) < 0)
		return;
	dk_reply_removed(r, "ImagesDeleted", &rep, gen_deleted_one);
	vl_reply_release(&rep);
}

void dk_img_history(dk_req *r, const char *arg)
{
	vl_reply rep;
	if (dk_call_of(r, "ImageHistory", "image", arg, &rep) < 0)
		return;
	yajl_val steps = json_get(rep.params, "history");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_array_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(steps) && i < steps->u.array.len; i++) {
		yajl_val s = steps->u.array.values[i];
		yajl_gen_map_open(g);
		jg_key_str(g, "Id", dk_str(s, "id"));
		jg_key_int(g, "Created", dk_unix(dk_str(s, "created")));
		jg_key_str(g, "CreatedBy", dk_str(s, "createdBy"));
		gen_names(g, "Tags", json_get(s, "tags"), NULL);
		jg_key_int(g, "Size", dk_int(s, "size", 0));
		jg_key_str(g, "Comment", dk_str(s, "comment"));
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	dk_json(r, 200, g);
	vl_reply_release(&rep);
}
