/* ImageLoad and ImageSave: archives in and out of the store, as `podman
 * load` and `podman save` take and write them, through corral-images
 * (`image load`, `image save`), which holds libarchive. A member's file is
 * opened as the member (import_peer.h) and reaches corral-images as its fd
 * 3, so corrald never reads or writes a member's path as root; corralctl
 * makes the file it saves to, and streams stdin to a file of its own. */
#include "supervisor/daemon/images/img_methods.h"
#include "supervisor/varlink/handover.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/images/img_archive.h"
#include "supervisor/daemon/core/events.h"
#include "supervisor/daemon/store/img_owner.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/images/images.h"
#include "supervisor/daemon/store/img_lookup.h"
#include "supervisor/daemon/images/img_internal.h"
#include "supervisor/daemon/images/img_gen.h"
#include "supervisor/daemon/core/import_peer.h"
#include "supervisor/daemon/policy/policy.h"
#include "common/log.h"
#include "supervisor/loop/child.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "images/import.h"
#include "images/refs.h"
#include "images/refs_find.h"
#include "images/store.h"

#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The most images one archive holds: corral-images' arguments. */
#define SAVE_MAX_IMAGES 64

/* One load or save while corral-images runs. */
typedef struct archive_call {
	bool save;
	bool fd3;       /* the file is corral-images' fd 3 */
	char *path;     /* the caller's, for messages and events; NULL: streamed */
	corrald *d;     /* streamed: whose stream it is */
	char *image;    /* save: the first image's manifest digest */
	char **refs;    /* save: each image asked for as corral-images takes it, MANIFEST[=NAME] */
	char **ids;     /* save: their image IDs, and the names they were asked by ("" by ID) */
	char **names;
	char *format;   /* save: docker-archive or oci-archive */
	peer_cred peer;
} archive_call;

static void archive_call_free(void *p)
{
	archive_call *j = p;
	free(j->path);
	free(j->image);
	strv_free(j->refs);
	strv_free(j->ids);
	strv_free(j->names);
	free(j->format);
	free(j);
}

/* Whose trouble a failed helper run was: the archive's (the caller's), or the
 * host's (and every failed save: the store's), as corral-images says with
 * its exit status; its last line says why. */
static int job_failed(vl_call *call, const archive_call *j, bool fd3, int rc, const strbuf *errout)
{
	_cleanup_free_ char *pre = NULL, *msg = NULL;
	if (rc > 0 && asprintf(&pre, "corral: image %s %s: ", j->save ? "save" : "load",
			       j->save ? j->image : fd3 ? "/proc/self/fd/3" : j->path) >= 0)
		msg = imghelper_last_line(errout, pre);
	if (rc < 0 || rc == IMPORT_EXIT_HOST || j->save || !msg)
		return sv_internal(call, msg ? msg : "corral-images failed");
	return sv_invalid(call, "path", msg);
}

/* The loaded images published (one "load" each), and the call (if it
 * still waits: a streamed load's client has heard it already) answered
 * with them and their names, as the peer sees them. */
static void load_reply(corrald *d, vl_call *call, const archive_call *j, char **loaded)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	if (img_open_refs(d, &s, &db, &err) < 0) {
		if (call)
			sv_internal_err(call, &err);
		return;
	}
	refs_view view;
	img_view(&j->peer, &view);
	const char *source = j->path ? j->path : "stream";
	size_t n = strv_length(loaded);
	_cleanup_free_ int *at = calloc(n ? n : 1, sizeof(*at));
	if (!at)
		return call ? (void)sv_internal(call, "out of memory") : (void)0;
	for (size_t k = 0; k < n; k++) {
		int i = at[k] = refs_find(&db, &view, loaded[k], NULL, &err);
		if (i < 0 && !call)
			return;
		if (i < 0) /* removed by someone else already */
			return (void)img_not_found(call, loaded[k], &err);
		bool again = false;
		for (size_t e = 0; e < k && !again; e++)
			again = at[e] == i;
		if (!again)
			events_publish(d->events, EV_SHARED(j->peer.uid), "image", "load", db.images[i].config, loaded[k],
				       (const char *const[]){ "manifest", db.images[i].manifest, "source", source, NULL }, 0);
	}
	if (n == 0)
		return call ? (void)img_not_found(call, source, &err) : (void)0;
	if (!call)
		return;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_strv(g, "loaded", loaded) || jg_key(g, "images") ||
	    yajl_gen_array_open(g))
		return (void)sv_internal(call, "out of memory");
	for (size_t k = 0; k < n; k++) {
		bool again = false;
		for (size_t e = 0; e < k && !again; e++)
			again = at[e] == at[k];
		if (!again)
			img_gen(d, g, &s, &db, (size_t)at[k], &j->peer, NULL, false);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	vl_call_reply_gen(call, g);
}

/* A "save" for each image the archive holds, once, as it was asked for. */
static void saved_events(corrald *d, const archive_call *j)
{
	for (size_t i = 0; j->ids && j->ids[i]; i++) {
		bool again = false;
		for (size_t k = 0; k < i && !again; k++)
			again = streq(j->ids[k], j->ids[i]);
		const char *m = j->refs[i], *eq = strchr(m, '=');
		_cleanup_free_ char *manifest = strndup(m, eq ? (size_t)(eq - m) : strlen(m));
		if (!again && manifest)
			events_publish(d->events, EV_SHARED(j->peer.uid), "image", "save", j->ids[i],
				       j->names[i][0] ? j->names[i] : j->ids[i],
				       (const char *const[]){ "manifest", manifest, "format", j->format, NULL }, 0);
	}
}

static void archive_done(corrald *d, vl_call *call, int rc, const strbuf *out, const strbuf *errout, void *ctx)
{
	archive_call *j = ctx;
	_cleanup_strv_ char **loaded = NULL;
	for (const char *l = out->buf; rc == 0 && l && *l;) { /* "Loaded image: NAME" lines */
		size_t n = strcspn(l, "\n");
		char *name = n > 14 && !strncmp(l, "Loaded image: ", 14) ? strndup(l + 14, n - 14) : NULL;
		if (name && strv_push(&loaded, name) < 0)
			free(name);
		l += n + (l[n] == '\n');
	}
	if (rc == 0 && !j->save)
		corrald_update_image_gauges(d, NULL);
	if (rc == 0 && j->save)
		saved_events(d, j);
	if (call && rc != 0)
		job_failed(call, j, j->fd3, rc, errout);
	else if (call && j->save)
		vl_call_reply(call, NULL);
	else if (rc == 0 && !j->save)
		load_reply(d, call, j, loaded);
	archive_call_free(j);
}

/* corral-images' arguments for j, its archive at file. */
typedef struct job_args {
	char uid[16];
	char *argv[16 + SAVE_MAX_IMAGES]; /* NULL-ended */
} job_args;

static void job_args_of(corrald *d, archive_call *j, const char *file, job_args *a)
{
	snprintf(a->uid, sizeof(a->uid), "%u", (unsigned)j->peer.uid);
	char *load[] = { d->images_bin, "image", "load", "--store", (char *)d->cfg->state_dir, "--owner", a->uid,
			 "--input", (char *)file, NULL };
	char *save[] = { d->images_bin, "image", "save", "--store", (char *)d->cfg->state_dir, "--format", j->format,
			 "--output", (char *)file };
	size_t n = 0;
	if (j->save) {
		memcpy(a->argv, save, sizeof(save));
		for (n = ARRAY_SIZE(save); j->refs[n - ARRAY_SIZE(save)]; n++)
			a->argv[n] = j->refs[n - ARRAY_SIZE(save)];
	} else {
		memcpy(a->argv, load, sizeof(load));
		n = ARRAY_SIZE(load) - 1;
	}
	a->argv[n] = NULL;
}

/* corral-images image load|save, with fd 3 the peer's file (SPAWN_NULL:
 * the path itself, root's); 0 once the helper run has the call, else the reply. */
static int start_helper(corrald *d, vl_call *call, int fd3, sv_fault *why, void *ctx)
{
	if (why)
		return sv_reply_fault(call, why);
	archive_call *j = ctx;
	j->fd3 = fd3 != SPAWN_NULL;
	job_args a;
	job_args_of(d, j, j->fd3 ? "/proc/self/fd/3" : j->path, &a);
	cerr err = { 0 };
	int r = imghelper_run(d, call, a.argv + 1, fd3, NULL, archive_done, j, &err);
	if (fd3 != SPAWN_NULL)
		close(fd3);
	if (r < 0) {
		archive_call_free(j);
		return sv_internal_err(call, &err);
	}
	return 0; /* the helper run keeps the call; archive_done answers it */
}

static void on_stream_done(const el_child_result *r, void *data)
{
	archive_call *j = data;
	if (r->code != 0)
		log_info("image %s (streamed): %.*s", j->save ? "save" : "load",
			 (int)strcspn(r->out[1].buf ? r->out[1].buf : "", "\n"), r->out[1].buf ? r->out[1].buf : "");
	archive_done(j->d, NULL, r->code, &r->out[0], &r->out[1], j);
}

/* Without a path: answer with the upgrade, and corral-copy is the
 * stream's end (supervisor/copy/copy.h), corral-images doing the work as
 * for a file; the stream's EXIT tells the client how it ended. A load is
 * spooled in the store's staging, unnamed (at most the peer's max_ingest). */
static int start_stream(corrald *d, vl_call *call, archive_call *j)
{
	if (!vl_call_wants_upgrade(call)) {
		archive_call_free(j);
		return sv_invalid(call, "path", "is required, unless the archive streams: call with \"upgrade\": true");
	}
	j->d = d;
	job_args a;
	job_args_of(d, j, "/proc/self/fd/3", &a);
	char spool[PATH_MAX], max[24];
	snprintf(spool, sizeof(spool), "%s/images/staging", d->cfg->state_dir);
	const policy_tier *t = policy_tier_of(d->policy, j->peer.uid);
	snprintf(max, sizeof(max), "%lld", (long long)t->max_ingest);
	char *argv[32 + SAVE_MAX_IMAGES] = { d->copy_bin, j->save ? "image-save" : "image-load" };
	size_t n = 2;
	/* the spool is the store's: made with it, when this load is its first
	 * use (a store held exclusively is there already) */
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_cerr_ cerr serr = { 0 };
	if (!j->save && store_open_nowait(&s, d->cfg->state_dir, &serr) < 0 && serr.code != EWOULDBLOCK) {
		archive_call_free(j);
		return sv_internal_err(call, &serr);
	}
	if (!j->save) {
		argv[n++] = "--spool", argv[n++] = spool;
		if (t->max_ingest > 0)
			argv[n++] = "--max-bytes", argv[n++] = max;
	}
	argv[n++] = "--";
	for (char **p = a.argv; *p; p++)
		argv[n++] = *p;
	_cleanup_close_ int fd = -1;
	if (vl_call_upgrade(call, NULL, &fd) < 0) {
		archive_call_free(j);
		return 0; /* the call has ended: the connection went */
	}
	el_child_opts o = { .path = d->copy_bin, .argv = argv, .fd3 = fd, .max_output = 64u << 10, .member = j->peer.uid };
	el_child *ch;
	_cleanup_cerr_ cerr err = { 0 };
	if (el_child_run(d->loop, &o, on_stream_done, j, &ch, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, "image %s: corral-copy", j->save ? "save" : "load");
		archive_call_free(j);
	}
	return 0; /* answered by the upgrade; corral-copy has the stream */
}

/* Root's file is its path; anyone else's, what the peer itself opens. */
static int start(corrald *d, vl_call *call, archive_call *j, bool made)
{
	if (!made) {
		archive_call_free(j);
		return sv_internal(call, "out of memory");
	}
	cerr err = { 0 };
	if (el_child_member_room(d->loop, j->peer.uid, &err) < 0) { /* before a stream or a file is opened */
		archive_call_free(j);
		return sv_internal_err(call, &err);
	}
	if (!j->path)
		return start_stream(d, call, j);
	if (!owner_is_member(&j->peer) && !j->save)
		return start_helper(d, call, SPAWN_NULL, NULL, j);
	return policy_open_as_peer(d, call, j->save ? "ImageSave" : "ImageLoad", j->path, j->save ? PEER_WRITE : PEER_READ, start_helper, archive_call_free, j);
}

static int absolute(const char *path, json_fault *f)
{
	return !path || path[0] == '/' ? 0 : json_fault_set(f, EINVAL, "path", "must be an absolute path");
}

int sv_image_load(vl_call *call, yajl_val params, void *ud)
{
	const char *path;
	json_fault f = { 0 };
	if (sp_dispatch(params, SP_PARAMS(SP_STR("path", false, &path)), &f) < 0 || absolute(path, &f) < 0)
		return sv_invalid_fault(call, &f);
	archive_call *j = calloc(1, sizeof(*j));
	if (!j)
		return sv_internal(call, "out of memory");
	*j = (archive_call){ .path = path ? strdup(path) : NULL, .peer = *vl_call_peer(call) };
	return start(ud, call, j, !path || j->path);
}

/* The images asked for: one (image), then images; at most SAVE_MAX_IMAGES. */
static int save_refs(yajl_val params, const char *one, char ***out, json_fault *f)
{
	_cleanup_strv_ char **many = NULL;
	int r = json_get_strv(params, "", "images", JSON_REF, &many, NULL, f);
	if (r < 0)
		return r;
	_cleanup_strv_ char **all = NULL;
	char *dup = one ? strdup(one) : NULL;
	if (one && (!dup || strv_push(&all, dup) < 0)) {
		free(dup);
		return json_fault_set(f, ENOMEM, "image", "out of memory");
	}
	for (char **p = many; p && *p; p++)
		if (!(dup = strdup(*p)) || strv_push(&all, dup) < 0) {
			free(dup);
			return json_fault_set(f, ENOMEM, "images", "out of memory");
		}
	size_t n = strv_length(all);
	if (n == 0)
		return json_fault_set(f, EINVAL, "image", "is required (or images)");
	if (n > SAVE_MAX_IMAGES)
		return json_fault_set(f, E2BIG, "images", "at most %d images in one archive", SAVE_MAX_IMAGES);
	*out = TAKE_PTR(all);
	return 0;
}

/* Each image as the peer sees it into j: corral-images' MANIFEST[=NAME],
 * the name asked for as the archive's own (a member's without its ~UID/).
 * -ENOMEM, or -errno with *bad the first the peer may not see (err says
 * why): then the call is refused whole and nothing is saved. */
static int save_find(const refs_db *db, const peer_cred *peer, char **asked, archive_call *j, const char **bad,
		     cerr *err)
{
	refs_view view;
	img_view(peer, &view);
	for (char **p = asked; *p; p++) {
		int ni, i = refs_find(db, &view, *p, &ni, err);
		if (i < 0) {
			*bad = *p;
			return i;
		}
		char *ref = NULL;
		if (asprintf(&ref, "%s%s%s", db->images[i].manifest, ni >= 0 ? "=" : "", ni >= 0 ? db->names[ni].name : "") < 0)
			ref = NULL;
		char *id = strdup(db->images[i].config), *name = strdup(ni >= 0 ? db->names[ni].name : "");
		int r = ref && id && name ? strv_push(&j->refs, ref) : -ENOMEM;
		if (r < 0 || strv_push(&j->ids, id) < 0 || strv_push(&j->names, name) < 0) {
			if (r < 0)
				free(ref);
			free(id), free(name);
			return -ENOMEM;
		}
	}
	return 0;
}

int sv_image_save(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *one, *path, *format;
	_cleanup_strv_ char **asked = NULL;
	json_fault f = { 0 };
	if (sp_dispatch(params,
			SP_PARAMS(SP_REF("image", false, &one), SP_KEY("images"), SP_STR("path", false, &path),
				  SP_STR("format", false, &format)),
			&f) < 0 ||
	    save_refs(params, one, &asked, &f) < 0 || absolute(path, &f) < 0)
		return sv_invalid_fault(call, &f);
	if (format && !streq(format, "docker-archive") && !streq(format, "oci-archive"))
		return sv_invalid(call, "format", "must be docker-archive or oci-archive");
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	cerr err = { 0 };
	if (img_open_refs(d, &s, &db, &err) < 0)
		return sv_internal_err(call, &err);
	archive_call *j = calloc(1, sizeof(*j));
	if (!j)
		return sv_internal(call, "out of memory");
	*j = (archive_call){ .save = true, .path = path ? strdup(path) : NULL,
			    .format = strdup(format ? format : "docker-archive"), .peer = *vl_call_peer(call) };
	const char *bad = NULL;
	int r = save_find(&db, vl_call_peer(call), asked, j, &bad, &err);
	if (r < 0) {
		archive_call_free(j);
		return bad ? img_not_found(call, bad, &err) : sv_internal(call, "out of memory");
	}
	const char *first = j->refs[0];
	j->image = strndup(first, strcspn(first, "="));
	return start(d, call, j, (!path || j->path) && j->image && j->format);
}
