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
#include "images/store.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One load or save while corral-images runs. */
typedef struct archive_call {
	bool save;
	bool fd3;       /* the file is corral-images' fd 3 */
	char *path;     /* the caller's, for messages and events; NULL: streamed */
	corrald *d;     /* streamed: whose stream it is */
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

/* The loaded image published, and the call (if it still waits: a streamed
 * load's client has heard it already) answered with it and its names, as
 * the peer sees them. */
static void load_reply(corrald *d, vl_call *call, const archive_call *j, char **loaded)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	cerr err = { 0 };
	if (img_open_refs(d, &s, &db, &err) < 0)
		return call ? (void)sv_internal_err(call, &err) : cerr_clear(&err);
	refs_view view;
	img_view(&j->peer, &view);
	const char *source = j->path ? j->path : "stream";
	int i = loaded && loaded[0] ? refs_find(&db, &view, loaded[0], NULL, &err) : -1;
	if (i < 0 && !call)
		return cerr_clear(&err);
	if (i < 0) /* removed by someone else already */
		return (void)img_not_found(call, loaded && loaded[0] ? loaded[0] : source, &err);
	events_publish(d->events, EV_SHARED(j->peer.uid), "image", "load", db.images[i].config, loaded[0],
		       (const char *const[]){ "manifest", db.images[i].manifest, "source", source, NULL }, 0);
	if (!call)
		return;
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
	else if (rc == 0 && !j->save)
		load_reply(d, call, j, loaded);
	archive_call_free(j);
}

/* corral-images' arguments for j, its archive at file. */
typedef struct job_args {
	char uid[16];
	char *argv[16]; /* NULL-ended */
} job_args;

static void job_args_of(corrald *d, archive_call *j, const char *file, job_args *a)
{
	snprintf(a->uid, sizeof(a->uid), "%u", (unsigned)j->peer.uid);
	char *load[] = { d->images_bin, "image", "load", "--store", (char *)d->cfg->state_dir, "--owner", a->uid,
			 "--input", (char *)file, NULL };
	char *save[] = { d->images_bin, "image", "save", "--store", (char *)d->cfg->state_dir, "--format", j->format,
			 "--output", (char *)file, j->image, j->name ? "--name" : NULL, j->name, NULL };
	if (j->save)
		memcpy(a->argv, save, sizeof(save));
	else
		memcpy(a->argv, load, sizeof(load));
}

/* corral-images image load|save, with fd 3 the peer's file (SPAWN_NULL:
 * the path itself, root's); 0 once the job has the call, else the reply. */
static int start_job(corrald *d, vl_call *call, int fd3, void *ctx)
{
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
	return 0; /* the job keeps the call; archive_done answers it */
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
	char *argv[32] = { d->copy_bin, j->save ? "image-save" : "image-load" };
	size_t n = 2;
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
	el_child_opts o = { .path = d->copy_bin, .argv = argv, .fd3 = fd, .max_output = 64u << 10 };
	el_child *ch;
	cerr err = { 0 };
	if (el_child_run(d->loop, &o, on_stream_done, j, &ch, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, "image %s: corral-copy", j->save ? "save" : "load");
		cerr_clear(&err);
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
	if (!j->path)
		return start_stream(d, call, j);
	if (!owner_is_member(&j->peer) && !j->save)
		return start_job(d, call, SPAWN_NULL, j);
	return policy_open_as_peer(d, call, j->save ? "ImageSave" : "ImageLoad", j->path, j->save, start_job, archive_call_free, j);
}

static int absolute(const char *path, json_fault *f)
{
	return !path || path[0] == '/' ? 0 : json_fault_set(f, EINVAL, "path", "must be an absolute path");
}

int sv_image_load(vl_call *call, yajl_val params, void *ud)
{
	const char *path;
	json_fault f = { 0 };
	if (sp_known(params, KNOWN("path"), &f) < 0 || sp_str(params, "path", false, &path, &f) < 0 || absolute(path, &f) < 0)
		return sv_invalid_fault(call, &f);
	archive_call *j = calloc(1, sizeof(*j));
	if (!j)
		return sv_internal(call, "out of memory");
	*j = (archive_call){ .path = path ? strdup(path) : NULL, .peer = *vl_call_peer(call) };
	return start(ud, call, j, !path || j->path);
}

int sv_image_save(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *ref, *path, *format;
	json_fault f = { 0 };
	if (sp_known(params, KNOWN("image", "path", "format"), &f) < 0 || sp_ref(params, "image", true, &ref, &f) < 0 ||
	    sp_str(params, "path", false, &path, &f) < 0 || sp_str(params, "format", false, &format, &f) < 0 ||
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
	*j = (archive_call){ .save = true, .path = path ? strdup(path) : NULL, .image = strdup(db.images[i].manifest),
			    .id = strdup(db.images[i].config), .format = strdup(format ? format : "docker-archive"),
			    .name = ni >= 0 ? strdup(db.names[ni].name) : NULL, .peer = *vl_call_peer(call) };
	return start(d, call, j, (!path || j->path) && j->image && j->id && j->format && (ni < 0 || j->name));
}
