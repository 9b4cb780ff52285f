/* ImageLoad and ImageSave: archives in and out of the store, as `podman
 * load` and `podman save` take and write them, through corral-images
 * (`image load`, `image save`), which holds libarchive. A member's file is
 * opened as the member (import_peer.h) and reaches corral-images as its fd
 * 3, so corrald never reads or writes a member's path as root; corralctl
 * makes the file it saves to, and streams stdin to a file of its own. */
#include "supervisor/daemon/images/img_methods.h"
#include "supervisor/daemon/core/events.h"
#include "supervisor/daemon/core/img_owner.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/images/images.h"
#include "supervisor/daemon/images/img_internal.h"
#include "supervisor/daemon/core/import_peer.h"
#include "supervisor/loop/child.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "images/import.h"
#include "images/refs.h"
#include "images/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One load or save while corral-images runs. */
typedef struct archive_call {
	bool save;
	bool fd3;       /* the file is corral-images' fd 3 */
	char *path;     /* the caller's, for messages and events */
	char *image;    /* save: the manifest digest */
	char *name;     /* save: the name to write, or NULL */
	char *id;       /* save: the image ID */
	char *format;   /* save: docker-archive or oci-archive */
	peer_cred peer;
} archive_call;

static void archive_call_free(void *p)
{
	archive_call *j = p;
	free(j->path);
	free(j->image);
	free(j->name);
	free(j->id);
	free(j->format);
	free(j);
}

/* Whose trouble a failed job was: the archive's (the caller's), or the
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

/* The loaded image and names, as the peer sees them. */
static void load_reply(corrald *d, vl_call *call, const archive_call *j, char **loaded)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	cerr err = { 0 };
	if (img_open_refs(d, &s, &db, &err) < 0)
		return (void)sv_internal_err(call, &err);
	refs_view view;
	img_view(&j->peer, &view);
	int i = loaded && loaded[0] ? refs_find(&db, &view, loaded[0], NULL, &err) : -1;
	if (i < 0) /* removed by someone else already */
		return (void)img_not_found(call, loaded && loaded[0] ? loaded[0] : j->path, &err);
	events_publish(d->events, EV_SHARED(j->peer.uid), "image", "load", db.images[i].config, loaded[0],
		       (const char *const[]){ "manifest", db.images[i].manifest, "source", j->path, NULL }, 0);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_strv(g, "loaded", loaded) || jg_key(g, "images") ||
	    yajl_gen_array_open(g))
		return (void)sv_internal(call, "out of memory");
	img_gen(d, g, &s, &db, (size_t)i, &j->peer, NULL, false);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	vl_call_reply_gen(call, g);
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
		events_publish(d->events, EV_SHARED(j->peer.uid), "image", "save", j->id, j->name ? j->name : j->id,
			       (const char *const[]){ "manifest", j->image, "format", j->format, NULL }, 0);
	if (call && rc != 0)
		job_failed(call, j, j->fd3, rc, errout);
	else if (call && j->save)
		vl_call_reply(call, NULL);
	else if (call)
		load_reply(d, call, j, loaded);
	archive_call_free(j);
}

/* corral-images image load|save, with fd 3 the peer's file (SPAWN_NULL:
 * the path itself, root's); 0 once the job has the call, else the reply. */
static int start_job(corrald *d, vl_call *call, int fd3, void *ctx)
{
	archive_call *j = ctx;
	char uid[16];
	snprintf(uid, sizeof(uid), "%u", (unsigned)j->peer.uid);
	j->fd3 = fd3 != SPAWN_NULL;
	const char *file = j->fd3 ? "/proc/self/fd/3" : j->path;
	char *load[] = { "image", "load", "--store", (char *)d->cfg->state_dir, "--owner", uid, "--input", (char *)file, NULL };
	char *save[] = { "image", "save", "--store", (char *)d->cfg->state_dir, "--format", j->format, "--output",
			 (char *)file, j->image, j->name ? "--name" : NULL, j->name, NULL };
	cerr err = { 0 };
	int r = imghelper_run(d, call, j->save ? save : load, fd3, NULL, archive_done, j, &err);
	if (fd3 != SPAWN_NULL)
		close(fd3);
	if (r < 0) {
		archive_call_free(j);
		return sv_internal_err(call, &err);
	}
	return 0; /* the job keeps the call; archive_done answers it */
}

/* Root's file is its path; anyone else's, what the peer itself opens. */
static int start(corrald *d, vl_call *call, archive_call *j, bool made)
{
	if (!made) {
		archive_call_free(j);
		return sv_internal(call, "out of memory");
	}
	if (!owner_is_member(&j->peer) && !j->save)
		return start_job(d, call, SPAWN_NULL, j);
	return policy_open_as_peer(d, call, j->save ? "ImageSave" : "ImageLoad", j->path, j->save, start_job, archive_call_free, j);
}

static int absolute(const char *path, json_fault *f)
{
	return path[0] == '/' ? 0 : json_fault_set(f, EINVAL, "path", "must be an absolute path");
}

int sv_image_load(vl_call *call, yajl_val params, void *ud)
{
	const char *path;
	json_fault f = { 0 };
	if (sp_known(params, KNOWN("path"), &f) < 0 || sp_str(params, "path", true, &path, &f) < 0 || absolute(path, &f) < 0)
		return sv_invalid_fault(call, &f);
	archive_call *j = calloc(1, sizeof(*j));
	if (!j)
		return sv_internal(call, "out of memory");
	*j = (archive_call){ .path = strdup(path), .peer = *vl_call_peer(call) };
	return start(ud, call, j, j->path);
}

int sv_image_save(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *ref, *path, *format;
	json_fault f = { 0 };
	if (sp_known(params, KNOWN("image", "path", "format"), &f) < 0 || sp_ref(params, "image", true, &ref, &f) < 0 ||
	    sp_str(params, "path", true, &path, &f) < 0 || sp_str(params, "format", false, &format, &f) < 0 ||
	    absolute(path, &f) < 0)
		return sv_invalid_fault(call, &f);
	if (format && !streq(format, "docker-archive") && !streq(format, "oci-archive"))
		return sv_invalid(call, "format", "must be docker-archive or oci-archive");
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	cerr err = { 0 };
	if (img_open_refs(d, &s, &db, &err) < 0)
		return sv_internal_err(call, &err);
	refs_view view;
	img_view(vl_call_peer(call), &view);
	int ni, i = refs_find(&db, &view, ref, &ni, &err);
	if (i < 0)
		return img_not_found(call, ref, &err);
	archive_call *j = calloc(1, sizeof(*j));
	if (!j)
		return sv_internal(call, "out of memory");
	/* the name asked for, as the archive's own (a member's without its ~UID/) */
	*j = (archive_call){ .save = true, .path = strdup(path), .image = strdup(db.images[i].manifest),
			    .id = strdup(db.images[i].config), .format = strdup(format ? format : "docker-archive"),
			    .name = ni >= 0 ? strdup(db.names[ni].name) : NULL, .peer = *vl_call_peer(call) };
	return start(d, call, j, j->path && j->image && j->id && j->format && (ni < 0 || j->name));
}
