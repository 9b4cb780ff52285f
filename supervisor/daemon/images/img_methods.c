/* The image methods of io.corral.Supervisor, on the store in
 * <state-dir>/images: the same store, locks and refs.json as
 * `corral image --store <state-dir>`, so both may work on it at once; and
 * the replies the image methods share (an Image list, a ref not found). */
#include "supervisor/daemon/images/img_methods.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/images/images.h"
#include "supervisor/daemon/store/img_lookup.h"
#include "supervisor/daemon/images/img_internal.h"
#include "supervisor/daemon/images/img_gen.h"
#include "supervisor/daemon/store/img_owner.h"
#include "supervisor/daemon/images/img_size.h"
#include "supervisor/daemon/core/import_peer.h"
#include "supervisor/loop/child.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/api/sv_reply.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/timefmt.h"
#include "images/gc.h"
#include "images/image.h"
#include "images/import.h"
#include "images/refs.h"
#include "images/refs_find.h"
#include "images/refs_name.h"
#include "images/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int img_not_found(vl_call *call, const char *ref, cerr *err)
{
	if (err->code == EEXIST) /* a short name of two images, or an ID prefix of two */
		return sv_invalid_err(call, "image", err);
	cerr_clear(err);
	return sv_no_such_image(call, ref);
}

int img_find_failed(vl_call *call, const char *ref, bool opened, cerr *err)
{
	return opened ? img_not_found(call, ref, err) : sv_internal_err(call, err);
}

int img_reply_images(corrald *d, vl_call *call, const peer_cred *p, const char *manifest,
		     void (*more)(yajl_gen g, void *ctx), void *ctx)
{
	peer_cred peer = *p;
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	cerr err = { 0 };
	if (img_open_refs(d, &s, &db, &err) < 0)
		return sv_internal_err(call, &err);
	refs_view view;
	img_view(&peer, &view);
	int i = refs_find(&db, &view, manifest, NULL, &err);
	if (i < 0) /* removed by someone else already */
		return img_not_found(call, manifest, &err);
	_cleanup_json_gen_ yajl_gen g = sv_reply_open();
	if (!g)
		return sv_internal(call, "out of memory");
	jg_key(g, "images");
	yajl_gen_array_open(g);
	img_gen(d, g, &s, &db, (size_t)i, &peer, NULL, false);
	yajl_gen_array_close(g);
	if (more)
		more(g, ctx);
	return sv_reply_close(call, g);
}

static const char *const src_prefixes[] = { "oci:", "oci-archive:", "docker-archive:", NULL };

/* "oci:/x", "/x" with format docker, ...: the spec `corral image import` takes. */
static char *source_spec(const char *path, const char *fmt)
{
	for (size_t i = 0; src_prefixes[i]; i++)
		if (!strncmp(path, src_prefixes[i], strlen(src_prefixes[i])))
			return strdup(path);
	const char *pre = "";
	struct stat st;
	if (fmt && streq(fmt, "oci"))
		pre = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? "oci:" : "oci-archive:";
	else if (fmt && streq(fmt, "docker"))
		pre = "docker-archive:";
	char *s = NULL;
	return asprintf(&s, "%s%s", pre, path) < 0 ? NULL : s;
}

/* What the import's reply needs once corral-images is done. */
typedef struct import_ctx {
	char *path, *name;
	peer_cred peer; /* the importer: its names, its view */
} import_ctx;

static void import_ctx_free(import_ctx *x)
{
	free(x->path);
	free(x->name);
	free(x);
}

static void import_done(corrald *d, vl_call *call, int rc, const strbuf *out, const strbuf *errout, void *data)
{
	import_ctx *x = data;
	char id[DIGEST_STR_LEN] = "", manifest[DIGEST_STR_LEN] = "";
	if (rc == 0 && out->buf && sscanf(out->buf, "%71s %71s", id, manifest) != 2)
		rc = -EBADMSG;
	if (rc != 0 && !call) { /* cancelled: what it staged goes */
		img_sweep_staging(d);
		import_ctx_free(x);
		return;
	}
	if (rc != 0) {
		_cleanup_free_ char *msg = rc < 0 ? strdup("corral-images: unexpected output") : img_helper_error(errout, "import", x->path);
		if (call && msg && (rc < 0 || rc == IMPORT_EXIT_HOST)) /* corrald's trouble, not the caller's */
			sv_internal(call, msg);
		else if (call)
			sv_invalid(call, "path", msg ? msg : "import failed");
		import_ctx_free(x);
		return;
	}
	_cleanup_free_ char *shown = x->name ? ref_qualified(x->peer.uid, x->name) : NULL;
	events_publish(d->events, EV_SHARED(x->peer.uid), "image", "import", id, shown ? shown : x->name,
		       (const char *const[]){ "manifest", manifest, "source", x->path, NULL }, 0);
	corrald_update_image_gauges(d, NULL);
	peer_cred peer = x->peer;
	import_ctx_free(x);
	if (call)
		img_reply_images(d, call, &peer, manifest, NULL, NULL);
}

/* ImageImport's parameters. */
static int check_import(yajl_val params, const char **path, const char **fmt, const char **name, json_fault *f)
{
	int r;
	if ((r = sp_dispatch(params, SP_PARAMS(SP_STR("path", true, path), SP_STR("format", false, fmt), SP_REF("name", false, name)),
			     f)) < 0)
		return r;
	const char *bare = *path;
	for (size_t i = 0; src_prefixes[i]; i++)
		if (!strncmp(*path, src_prefixes[i], strlen(src_prefixes[i])))
			bare = *path + strlen(src_prefixes[i]);
	if (bare[0] != '/')
		return json_fault_set(f, EINVAL, "path",
				      "must be an absolute path, optionally after oci:, oci-archive: or docker-archive:");
	if (*fmt && !streq(*fmt, "auto") && !streq(*fmt, "oci") && !streq(*fmt, "docker"))
		return json_fault_set(f, EINVAL, "format", "must be auto, oci or docker");
	_cleanup_free_ char *norm = *name ? ref_normalize(*name) : NULL;
	if (*name && !norm)
		return json_fault_set(f, EINVAL, "name", "must be NAME[:TAG]");
	return 0;
}

/* corral-images image import --owner UID [--name NAME] SPEC, reading fd3
 * when it is not SPAWN_NULL; 0 once the helper run has the call, else the reply
 * given. The names and the image are the importer's. */
static int start_import(corrald *d, vl_call *call, import_ctx *x, int fd3)
{
	cerr err = { 0 };
	char uid[16];
	snprintf(uid, sizeof(uid), "%u", (unsigned)x->peer.uid);
	char *args[] = { "image", "import", "--store", (char *)d->cfg->state_dir, "--owner", uid,
			 x->name ? "--name" : x->path, x->name, NULL, NULL };
	if (x->name)
		args[8] = x->path;
	else
		args[7] = NULL;
	static const imghelper_io ends = { .ends_with_caller = true }; /* Ctrl-C cancels an import */
	if (imghelper_run(d, call, args, fd3, &ends, import_done, x, &err) < 0) {
		import_ctx_free(x);
		return sv_internal_err(call, &err);
	}
	return 0; /* the helper run keeps the call; import_done answers it */
}

static int start_import_fd(corrald *d, vl_call *call, int fd, sv_fault *why, void *x)
{
	if (why)
		return sv_reply_fault(call, why);
	int r = start_import(d, call, x, fd);
	close(fd);
	return r;
}

static void import_ctx_release(void *x) { import_ctx_free(x); }

/* What a member may import: an archive file, read through the fd it opened
 * ("[oci-archive:|docker-archive:]/proc/self/fd/3"). */
static char *member_source(const char *path, const char *fmt, const char **bare)
{
	const char *pre = fmt && streq(fmt, "oci") ? "oci-archive:" : fmt && streq(fmt, "docker") ? "docker-archive:" : "";
	*bare = path;
	for (size_t i = 0; src_prefixes[i]; i++)
		if (!strncmp(path, src_prefixes[i], strlen(src_prefixes[i]))) {
			pre = src_prefixes[i];
			*bare = path + strlen(pre);
		}
	char *s = NULL;
	return streq(pre, "oci:") || asprintf(&s, "%s/proc/self/fd/3", pre) < 0 ? NULL : s;
}

int sv_image_import(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *path, *fmt, *name, *bare = NULL;
	json_fault f = { 0 };
	if (check_import(params, &path, &fmt, &name, &f) < 0)
		return sv_invalid_fault(call, &f);
	bool member = owner_is_member(vl_call_peer(call));
	import_ctx *x = calloc(1, sizeof(*x));
	if (x) {
		x->peer = *vl_call_peer(call);
		x->path = member ? member_source(path, fmt, &bare) : source_spec(path, fmt);
		x->name = name ? ref_normalize(name) : NULL; /* the full name, for the event */
	}
	if (x && member && !x->path) {
		import_ctx_free(x);
		return sv_invalid(call, "path", "a group member imports archive files (oci-archive:, docker-archive:), "
						"not an OCI layout directory");
	}
	if (!x || !x->path || (name && !x->name)) {
		if (x)
			import_ctx_free(x);
		return sv_internal(call, "out of memory");
	}
	if (member) /* opened as the peer, never by corrald as root */
		return policy_import_as_peer(d, call, bare, start_import_fd, import_ctx_release, x);
	return start_import(d, call, x, SPAWN_NULL);
}
