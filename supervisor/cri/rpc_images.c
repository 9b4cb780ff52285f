/* The images corrald holds, as the CRI's Image: ListImages and
 * ImageStatus. Each is what corrald's ImageInspect says of it, in the
 * fields containerd's CRI fills: id the config digest, repo_tags its
 * names, repo_digests where it came from (REPO@MANIFEST-DIGEST), size the
 * bytes of its unpacked layers (containerd counts its compressed blobs),
 * its config's User as uid or username. Names are as corrald shows them to
 * the caller: a member sees its own images and root's, never another
 * member's. Names are looked up by corrald's rules (a short one by
 * registry-search, as CRI-O's unqualified-search-registries). */
#include "supervisor/cri/cri_rpcs.h"
#include "supervisor/cri/rpc_images.h"
#include "supervisor/cri/corrald_errors.h"
#include "supervisor/cri/links.h"
#include "supervisor/cri/grpc_call.h"
#include "supervisor/cri/cri_meta.h"
#include "supervisor/cri/runtime_v1.pb-c.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* An image's id: "sha256:" and 64 hex digits */
#define IMAGE_ID_MAX 72

/* An Image over an image object of corrald's: its strings are the
 * object's, but the user's name, which is its own */
typedef struct image_msg {
	Runtime__V1__Image msg;
	Runtime__V1__Int64Value uid;
	Runtime__V1__ImageSpec spec;
	char *username;
	char **strings; /* repo_tags, then repo_digests */
} image_msg;

static size_t array_len(yajl_val v) { return YAJL_IS_ARRAY(v) ? v->u.array.len : 0; }

/* the strings of the array arr into v: how many */
static size_t put_strings(yajl_val arr, char **v)
{
	size_t n = 0;
	for (size_t i = 0; i < array_len(arr); i++)
		if (YAJL_IS_STRING(arr->u.array.values[i]))
			v[n++] = arr->u.array.values[i]->u.string;
	return n;
}

/* The config's User as containerd reads it: USER[:GROUP], USER a uid
 * when it is a number, else a name */
static int put_user(image_msg *m, const char *user)
{
	size_t len = strcspn(user, ":");
	if (!len)
		return 0;
	char *end;
	errno = 0;
	long long uid = strtoll(user, &end, 10);
	if (!errno && end == user + len) {
		m->uid.value = uid;
		m->msg.uid = &m->uid;
		return 0;
	}
	if (!(m->username = strndup(user, len)))
		return -1;
	m->msg.username = m->username;
	return 0;
}

static void image_msg_release(image_msg *m)
{
	free(m->username);
	free(m->strings);
}

/* m over im, an Image of ImageInspect's; -1 when out of memory */
static int image_msg_fill(image_msg *m, yajl_val im)
{
	*m = (image_msg){ .msg = RUNTIME__V1__IMAGE__INIT,
			  .uid = RUNTIME__V1__INT64_VALUE__INIT,
			  .spec = RUNTIME__V1__IMAGE_SPEC__INIT };
	yajl_val tags = json_get(im, "repoTags"), digests = json_get(im, "repoDigests");
	if (!(m->strings = calloc(array_len(tags) + array_len(digests) + 1, sizeof(char *))))
		return -1;
	m->msg.repo_tags = m->strings;
	m->msg.n_repo_tags = put_strings(tags, m->msg.repo_tags);
	m->msg.repo_digests = m->strings + m->msg.n_repo_tags;
	m->msg.n_repo_digests = put_strings(digests, m->msg.repo_digests);
	const char *id = json_str(im, "id");
	m->msg.id = (char *)(id ? id : "");
	json_uint64(json_get(im, "size"), &m->msg.size);
	/* the id: the one name no other image has */
	m->spec.image = m->msg.id;
	m->msg.spec = &m->spec;
	const char *user = json_str(json_get(im, "config"), "user");
	return put_user(m, user ? user : "");
}

/* The run defaults of an OCI image config, as ImageInspect names them */
static const struct {
	const char *corral, *oci;
} config_keys[] = {
	{ "user", "User" }, { "exposedPorts", "ExposedPorts" }, { "env", "Env" },
	{ "entrypoint", "Entrypoint" }, { "cmd", "Cmd" }, { "volumes", "Volumes" },
	{ "workingDir", "WorkingDir" }, { "labels", "Labels" }, { "stopSignal", "StopSignal" },
};

/* key: v, unless v is absent or empty (Go's omitempty, as containerd
 * writes the config) */
static void gen_unless_empty(yajl_gen g, const char *key, yajl_val v)
{
	bool empty = !v || YAJL_IS_NULL(v) || (YAJL_IS_STRING(v) && !*v->u.string) ||
		     (YAJL_IS_ARRAY(v) && !v->u.array.len) || (YAJL_IS_OBJECT(v) && !v->u.object.len);
	if (!empty)
		jg_key(g, key), jg_value(g, v);
}

/* A time as Go's RFC3339Nano writes it, as containerd's does: the
 * fraction of a second without its trailing zeros (corrald's has nine
 * digits) */
static void gen_go_time(yajl_gen g, const char *key, yajl_val v)
{
	const char *t = YAJL_IS_STRING(v) ? v->u.string : NULL, *dot = t ? strchr(t, '.') : NULL;
	size_t n = dot ? strspn(dot + 1, "0123456789") : 0;
	if (!dot || !n || dot[1 + n] != 'Z' || dot[2 + n])
		return gen_unless_empty(g, key, v);
	while (n && dot[n] == '0')
		n--;
	char out[64];
	snprintf(out, sizeof(out), "%.*s%s", (int)(dot - t + (n ? n + 1 : 0)), t, "Z");
	jg_key_str(g, key, out);
}

/* ImageStatus's verbose "info", as containerd's: {"imageSpec": the
 * image's OCI config}. containerd's "chainID" is left out: corrald does
 * not say it, and corral-cri hashes nothing (its sandbox opens no
 * libcrypto). */
static char *verbose_info(yajl_val im)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return NULL;
	yajl_val cfg = json_get(im, "config");
	const char *arch = json_str(im, "architecture"), *os = json_str(im, "os");
	yajl_gen_map_open(g);
	jg_key(g, "imageSpec");
	yajl_gen_map_open(g);
	gen_go_time(g, "created", json_get(im, "created"));
	gen_unless_empty(g, "author", json_get(im, "author"));
	jg_key_str(g, "architecture", arch ? arch : "");
	jg_key_str(g, "os", os ? os : "");
	jg_key(g, "config");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < ARRAY_SIZE(config_keys); i++)
		gen_unless_empty(g, config_keys[i].oci, json_get(cfg, config_keys[i].corral));
	yajl_gen_map_close(g);
	jg_key(g, "rootfs");
	yajl_gen_map_open(g);
	jg_key_str(g, "type", "layers");
	jg_key(g, "diff_ids");
	jg_value(g, json_get(json_get(im, "rootFS"), "layers"));
	yajl_gen_map_close(g);
	gen_unless_empty(g, "history", json_get(im, "history"));
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	return jg_finish(g, NULL);
}

bool cri_image_named(cri_call *c, const Runtime__V1__ImageSpec *spec)
{
	if (spec && spec->image && *spec->image)
		return true;
	cri_fail(c, GRPC_INVALID_ARGUMENT, "image.image: an image reference is required");
	return false;
}

char *cri_image_params(const char *ref)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "image", ref) || yajl_gen_map_close(g))
		return NULL;
	return jg_finish(g, NULL);
}

bool cri_no_such_image(const vl_reply *rep) { return rep->error && strstr(rep->error, ".NoSuchImage"); }

/* ---- ImageStatus */

static void status_inspected(cri_call *c, vl_reply *rep, void *data)
{
	const Runtime__V1__ImageStatusRequest *req = data;
	Runtime__V1__ImageStatusResponse r = RUNTIME__V1__IMAGE_STATUS_RESPONSE__INIT;
	/* an image that is not there is an answer without one */
	if (cri_no_such_image(rep))
		return cri_reply(c, &r.base);
	if (rep->error)
		return cri_fail_corrald(c, rep, req->image->image);
	yajl_val im = json_get(rep->params, "image");
	image_msg m;
	_cleanup_free_ char *info = NULL;
	Runtime__V1__ImageStatusResponse__InfoEntry entry = RUNTIME__V1__IMAGE_STATUS_RESPONSE__INFO_ENTRY__INIT;
	Runtime__V1__ImageStatusResponse__InfoEntry *entries[] = { &entry };
	if (image_msg_fill(&m, im) == 0 && (!req->verbose || (info = verbose_info(im)) != NULL)) {
		r.image = &m.msg;
		if (info) {
			entry.key = "info";
			entry.value = info;
			r.n_info = 1, r.info = entries;
		}
		cri_reply(c, &r.base);
	} else {
		cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "ImageStatus: out of memory");
	}
	image_msg_release(&m);
}

void rpc_image_status(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__ImageStatusRequest *req = (const void *)msg;
	if (!cri_image_named(c, req->image))
		return;
	_cleanup_free_ char *params = cri_image_params(req->image->image);
	if (!params)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "ImageStatus: out of memory");
	cri_corrald(c, "ImageInspect", params, 0, status_inspected, (void *)req);
}

/* ---- ListImages: ImageList for the ids, then each one's ImageInspect */

typedef struct list_step {
	/* the images inspected so far, as one JSON array; freed when the
	 * call is answered (a client that resets the stream meanwhile
	 * leaves it to the process's end) */
	yajl_gen found;
	size_t n, next;
	char ids[][IMAGE_ID_MAX];
} list_step;

static void list_answer(cri_call *c, list_step *st)
{
	yajl_gen_array_close(st->found);
	_cleanup_free_ char *text = jg_finish(st->found, NULL);
	yajl_gen_free(TAKE_PTR(st->found));
	_cleanup_json_ yajl_val all = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	size_t n = 0, filled = 0;
	if (text && json_parse(text, NULL, &all, &err) == 0)
		n = array_len(all);
	_cleanup_free_ image_msg *msgs = calloc(n + 1, sizeof(*msgs));
	_cleanup_free_ Runtime__V1__Image **images = calloc(n + 1, sizeof(*images));
	while (msgs && images && filled < n && image_msg_fill(&msgs[filled], all->u.array.values[filled]) == 0) {
		images[filled] = &msgs[filled].msg;
		filled++;
	}
	Runtime__V1__ListImagesResponse r = RUNTIME__V1__LIST_IMAGES_RESPONSE__INIT;
	r.n_images = n, r.images = images;
	if (!text || !all || !msgs || !images || filled < n)
		cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "ListImages: out of memory");
	else
		cri_reply(c, &r.base);
	for (size_t i = 0; msgs && i < n; i++)
		image_msg_release(&msgs[i]);
}

static void list_inspected(cri_call *c, vl_reply *rep, void *data);

static void list_next(cri_call *c, list_step *st)
{
	if (st->next == st->n)
		return list_answer(c, st);
	_cleanup_free_ char *params = cri_image_params(st->ids[st->next++]);
	if (!params) {
		yajl_gen_free(TAKE_PTR(st->found));
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "ListImages: out of memory");
	}
	cri_corrald(c, "ImageInspect", params, 0, list_inspected, st);
}

static void list_inspected(cri_call *c, vl_reply *rep, void *data)
{
	list_step *st = data;
	/* an image removed since ImageList is not listed */
	if (rep->error && !cri_no_such_image(rep)) {
		yajl_gen_free(TAKE_PTR(st->found));
		return cri_fail_corrald(c, rep, st->ids[st->next - 1]);
	}
	if (!rep->error)
		jg_value(st->found, json_get(rep->params, "image"));
	list_next(c, st);
}

static void list_step_release(void *ctx)
{
	list_step *st = ctx;
	if (st->found)
		yajl_gen_free(TAKE_PTR(st->found));
}

static void list_listed(cri_call *c, vl_reply *rep, void *data)
{
	if (rep->error)
		return cri_fail_corrald(c, rep, "ListImages");
	yajl_val list = json_get(rep->params, "images");
	size_t n = array_len(list);
	list_step *st = cri_call_ctx(c, sizeof(*st) + n * IMAGE_ID_MAX);
	if (!st || !(st->found = json_gen_new(false)))
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "ListImages: out of memory");
	cri_call_ctx_release(c, list_step_release); /* a call cut short: its list goes */
	yajl_gen_array_open(st->found);
	for (size_t i = 0; i < n; i++) {
		const char *id = json_str(list->u.array.values[i], "id");
		if (id && strlen(id) < IMAGE_ID_MAX)
			memcpy(st->ids[st->n++], id, strlen(id) + 1);
	}
	list_next(c, st);
}

/* filter.image: the image it names (as ImageStatus finds it), as CRI-O
 * filters; containerd 1.6 lists every image whatever the filter */
void rpc_list_images(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__ListImagesRequest *req = (const void *)msg;
	const Runtime__V1__ImageSpec *only = req->filter ? req->filter->image : NULL;
	bool filtered = only && only->image && *only->image;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	_cleanup_free_ char *params = NULL;
	if (!g || yajl_gen_map_open(g) ||
	    (filtered && (jg_key(g, "names") || yajl_gen_array_open(g) || jg_str(g, only->image) ||
			  yajl_gen_array_close(g))) ||
	    yajl_gen_map_close(g) || !(params = jg_finish(g, NULL)))
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "ListImages: out of memory");
	cri_corrald(c, "ImageList", params, 0, list_listed, NULL);
}
