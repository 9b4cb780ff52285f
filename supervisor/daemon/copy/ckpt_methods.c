/* CheckpointExport and CheckpointImport: a container's checkpoint as one
 * file, as podman's --export and --import. corral-copy writes and reads the
 * archive (supervisor/copy/ckpt_archive.h) with the caller's file as its fd 3, opened as the
 * caller (import_peer.h). An import is untrusted input: corral-copy checks
 * corrald's signature and the owner, and stages every entry by its digest,
 * before corrald makes anything; the container is then made from the
 * ContainerSpec it was created with, through CreateContainer's checks and
 * the policy, never from a config.json of the archive. */
#include "supervisor/daemon/containers/record/ctr_checkpoint_dir.h"
#include "supervisor/daemon/containers/record/ctr_record.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/containers/engine/ctr_lifecycle.h"
#include "supervisor/daemon/containers/engine/ctr_create.h"
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/daemon/containers/record/trash.h"
#include "supervisor/api/copy_iface.h"
#include "supervisor/daemon/copy/ckpt_methods.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/core/import_peer.h"
#include "supervisor/loop/child.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/daemon/core/labels.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/log.h"

#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMPORT_STAGE_PREFIX ".import-" /* in containers/: adoption skips dot names */

typedef struct ckpt_archive_call {
	corrald *d;
	vl_call *call; /* NULL once its client has left */
	char *path;    /* the caller's file */
	char *dir;     /* export: the container's directory */
	char *head;    /* export: the manifest's "container" */
	char *name;    /* import: the name asked for, or NULL */
	char *image;   /* import: the image the checkpoint is of */
	char stage[PATH_MAX];
	uid_t uid;
	ctr_done created; /* import: the Create's completion */
} ckpt_archive_call;

static void ckpt_archive_call_free(void *p)
{
	ckpt_archive_call *j = p;
	if (!j)
		return;
	_cleanup_cerr_ cerr err = { 0 };
	if (j->stage[0] && access(j->stage, F_OK) == 0 && trash_dir(j->d, j->stage, &err) < 0) /* it may be large */
		log_cerr(LOG_LVL_WARN, &err, "an import's stage");
	free(j->path);
	free(j->dir);
	free(j->head);
	free(j->name);
	free(j->image);
	free(j);
}

static void on_cancel(vl_call *call, void *data)
{
	(void)call;
	((ckpt_archive_call *)data)->call = NULL;
}

static void key_path(const corrald *d, char *buf, size_t n)
{
	snprintf(buf, n, "%s/" CKPT_KEY_FILE, d->cfg->state_dir);
}

/* corral-copy's one line on stderr, after what. */
static void why_failed(const el_child_result *r, const char *what, char *out, size_t n)
{
	const strbuf *e = &r->out[1];
	size_t len = e->len;
	while (len && e->buf[len - 1] == '\n')
		len--;
	size_t start = len;
	while (start && e->buf[start - 1] != '\n')
		start--;
	if (len > start)
		snprintf(out, n, "%s: %.*s", what, (int)(len - start), e->buf + start);
	else
		snprintf(out, n, "%s: corral-copy exited with %d", what, r->code);
}

static int run_copy(ckpt_archive_call *j, char *const *argv, int fd, el_child_done_fn done)
{
	el_child_opts o = { .path = j->d->copy_bin, .argv = argv, .fd3 = fd,
			    .max_output = CKPT_ARCHIVE_MAX_MANIFEST + 4096, .member = vl_call_peer(j->call)->uid };
	el_child *ch;
	cerr err = { 0 };
	int r = el_child_run(j->d->loop, &o, done, j, &ch, &err);
	close(fd);
	if (r < 0) {
		vl_call *call = j->call;
		ckpt_archive_call_free(j);
		return sv_internal_err(call, &err);
	}
	vl_call_set_cancel(j->call, on_cancel, j);
	return 0;
}

/* ---- export ---- */

static void on_exported(const el_child_result *r, void *data)
{
	ckpt_archive_call *j = data;
	if (j->call) {
		vl_call_set_cancel(j->call, NULL, NULL);
		char why[1024];
		if (r->code != 0) {
			why_failed(r, j->path, why, sizeof(why));
			log_error("checkpoint export %s", why);
			sv_internal(j->call, why);
		} else {
			vl_call_reply(j->call, NULL);
		}
	}
	ckpt_archive_call_free(j);
}

static int start_export(corrald *d, vl_call *call, int fd, sv_fault *why, void *ctx)
{
	if (why)
		return sv_reply_fault(call, why);
	ckpt_archive_call *j = ctx;
	j->call = call;
	char key[PATH_MAX];
	key_path(d, key, sizeof(key));
	char *argv[] = { d->copy_bin, "checkpoint-export", "--dir", j->dir, "--key", key, "--head", j->head, NULL };
	return run_copy(j, argv, fd, on_exported);
}

/* What the manifest says of c: its owner, name, image and ContainerSpec. */
static char *head_of(const ctr *c)
{
	_cleanup_json_ yajl_val cspec_json = NULL;
	cerr err = { 0 };
	if (json_parse(c->spec_json, "its spec", &cspec_json, &err) < 0)
		return NULL;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || jg_object(g, JG_INT("owner", c->owner), JG_STR("name", c->name), JG_STR("image", c->image_digest),
			    JG_VALUE("spec", cspec_json), JG_END))
		return NULL;
	return jg_finish(g, NULL);
}

int sv_checkpoint_export(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	const char *path;
	bool create;
	CTR_METHOD_TARGET(c, d, call, params, f, SP_STR("path", true, &path), SP_BOOL("create", false, &create));
	if (path[0] != '/')
		return sv_invalid(call, "path", "must be an absolute path");
	if (c->dumping)
		return reply_bad_state(call, c, "it is being checkpointed");
	if (!ctr_has_checkpoint(d, c))
		return reply_bad_state(call, c, "it has no checkpoint: checkpoint it first");
	cerr err = { 0 };
	if (el_child_member_room(d->loop, vl_call_peer(call)->uid, &err) < 0) /* before the file is made */
		return sv_internal_err(call, &err);
	ckpt_archive_call *j = calloc(1, sizeof(*j));
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	if (j)
		*j = (ckpt_archive_call){ .d = d, .path = strdup(path), .dir = strdup(dir), .head = head_of(c) };
	if (!j || !j->path || !j->dir || !j->head) {
		ckpt_archive_call_free(j);
		return sv_internal(call, "out of memory");
	}
	return policy_open_as_peer(d, call, "CheckpointExport", path, create ? PEER_CREATE : PEER_WRITE, start_export,
				   ckpt_archive_call_free, j);
}

/* ---- import ---- */

/* The ContainerSpec to create: the archive's, with the name asked for. */
static int spec_of(yajl_val head, const char *name, yajl_val *out, cerr *err)
{
	yajl_val cspec_json = json_get(head, "spec");
	if (!YAJL_IS_OBJECT(cspec_json))
		return cerr_set(err, EINVAL, "its manifest has no spec");
	if (!name)
		name = YAJL_GET_STRING(json_get(head, "name"));
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g))
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < cspec_json->u.object.len; i++) {
		const char *k = cspec_json->u.object.keys[i];
		if (streq(k, "name"))
			continue;
		if (jg_key(g, k) || jg_value(g, cspec_json->u.object.values[i]))
			return cerr_set(err, ENOMEM, "out of memory");
	}
	if ((name && jg_key_str(g, "name", name)) || yajl_gen_map_close(g))
		return cerr_set(err, ENOMEM, "out of memory");
	_cleanup_free_ char *text = jg_finish(g, NULL);
	return text ? json_parse(text, "its spec", out, err) : cerr_set(err, ENOMEM, "out of memory");
}

static ckpt_archive_call *of_created(ctr_done *done)
{
	return (ckpt_archive_call *)(void *)((char *)done - offsetof(ckpt_archive_call, created));
}

/* The container is made: the checkpoint's files become its own, if they
 * are of the image it was made from. */
static void adopt(ckpt_archive_call *j, ctr *c)
{
	corrald *d = j->d;
	vl_call *call = j->call;
	char images[PATH_MAX + 16], dst[PATH_MAX];
	snprintf(images, sizeof(images), "%s/" CTR_CHECKPOINT_DIR, j->stage);
	ctr_checkpoint_path(d, c, dst, sizeof(dst));
	bool same = j->image && streq(j->image, c->image_digest);
	if (!same || rename(images, dst) < 0) {
		char why[PATH_MAX + 256];
		if (same)
			snprintf(why, sizeof(why), "%s: %s", dst, strerror(errno));
		else
			snprintf(why, sizeof(why), "%s is now image %s, but the checkpoint is of image %s: tag that one as %s again",
				 c->image, c->image_digest, j->image ? j->image : "(none)", c->image);
		_cleanup_cerr_ cerr rm = { 0 };
		ctr_remove_forced(d, c, &rm);
		if (call)
			same ? sv_internal(call, why) : sv_invalid(call, "spec.image", why);
		return;
	}
	c->checkpointed = true;
	ctr_save(d, c);
	if (call)
		ctr_reply_created(call, c);
}

static void import_created(ctr_done *done, const ctr *made, sv_fault *fault)
{
	ckpt_archive_call *j = of_created(done);
	if (j->call)
		vl_call_set_cancel(j->call, NULL, NULL);
	ctr *c = made ? ctr_find(j->d, made->id) : NULL;
	if (c)
		adopt(j, c);
	else if (j->call)
		sv_reply_fault(j->call, fault); /* the spec, the name, the image or the policy */
	ckpt_archive_call_free(j); /* and what is left of the stage */
}

static void import_forgotten(ctr_done *done)
{
	ckpt_archive_call *j = of_created(done);
	if (j->call)
		vl_call_set_cancel(j->call, NULL, NULL);
	ckpt_archive_call_free(j);
}

/* The archive is unpacked in the stage: its container is created (now, or
 * once a member's sources are open). true when the Create took j. */
static bool imported(ckpt_archive_call *j, const char *head_text)
{
	corrald *d = j->d;
	vl_call *call = j->call;
	cerr err = { 0 };
	_cleanup_json_ yajl_val head = NULL, spec = NULL;
	if (json_parse(head_text, "the checkpoint's manifest", &head, &err) < 0 || spec_of(head, j->name, &spec, &err) < 0)
		return sv_internal_err(call, &err), false;
	json_fault f = { 0 };
	_cleanup_(ctr_freep) ctr *parsed = ctr_new(d);
	const char *image = YAJL_GET_STRING(json_get(head, "image"));
	if (!parsed || (image && !(j->image = strdup(image))))
		return sv_internal(call, NULL), false;
	if (ctr_parse_spec(d, spec, parsed, &f) < 0 ||
	    labels_check_reserved(call, parsed->spec.labels, "spec.labels", &f) < 0)
		return sv_invalid_fault(call, &f), false;
	char upper[PATH_MAX + 8];
	snprintf(upper, sizeof(upper), "%s/upper", j->stage);
	j->created = (ctr_done){ .told = import_created, .forgotten = import_forgotten };
	vl_call_set_cancel(call, on_cancel, j);
	ctr_create(d, vl_call_peer(call), "CheckpointImport", TAKE_PTR(parsed), access(upper, F_OK) == 0 ? upper : NULL,
		   &j->created);
	return true;
}

static void on_imported(const el_child_result *r, void *data)
{
	ckpt_archive_call *j = data;
	if (j->call) {
		vl_call_set_cancel(j->call, NULL, NULL);
		char why[1024];
		if (r->code != 0 || r->truncated) {
			why_failed(r, j->path, why, sizeof(why));
			sv_invalid(j->call, "path", why);
		} else if (imported(j, r->out[0].buf ? r->out[0].buf : "")) {
			return; /* the Create's completion has it */
		}
	}
	ckpt_archive_call_free(j); /* and what is left of the stage */
}

static int start_import(corrald *d, vl_call *call, int fd, sv_fault *why, void *ctx)
{
	if (why)
		return sv_reply_fault(call, why);
	ckpt_archive_call *j = ctx;
	j->call = call;
	char key[PATH_MAX], owner[16];
	key_path(d, key, sizeof(key));
	snprintf(owner, sizeof(owner), "%u", (unsigned)j->uid);
	char *argv[] = { d->copy_bin, "checkpoint-import", "--stage", j->stage, "--key", key, "--owner", owner, NULL };
	return run_copy(j, argv, fd, on_imported);
}

int sv_checkpoint_import(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	const char *path, *name;
	if (sp_dispatch(params, SP_PARAMS(SP_STR("path", true, &path), SP_NAME("name", false, &name)), &f) < 0)
		return sv_invalid_fault(call, &f);
	if (path[0] != '/')
		return sv_invalid(call, "path", "must be an absolute path");
	unsigned char rnd[8];
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return sv_internal(call, "getrandom failed");
	ckpt_archive_call *j = calloc(1, sizeof(*j));
	if (j)
		*j = (ckpt_archive_call){ .d = d, .path = strdup(path), .name = name ? strdup(name) : NULL,
				    .uid = vl_call_peer(call)->uid };
	if (!j || !j->path || (name && !j->name)) {
		ckpt_archive_call_free(j);
		return sv_internal(call, "out of memory");
	}
	int n = snprintf(j->stage, sizeof(j->stage), "%s/" IMPORT_STAGE_PREFIX, d->containers_dir);
	for (size_t i = 0; i < sizeof(rnd); i++)
		n += snprintf(j->stage + n, sizeof(j->stage) - (size_t)n, "%02x", rnd[i]);
	return policy_open_as_peer(d, call, "CheckpointImport", path, PEER_READ, start_import, ckpt_archive_call_free, j);
}

void ctr_import_stages_clear(corrald *d)
{
	_cleanup_closedir_ DIR *dir = opendir(d->containers_dir);
	for (struct dirent *de; dir && (de = readdir(dir));) {
		if (strncmp(de->d_name, IMPORT_STAGE_PREFIX, strlen(IMPORT_STAGE_PREFIX)))
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", d->containers_dir, de->d_name);
		_cleanup_cerr_ cerr err = { 0 };
		if (trash_dir(d, path, &err) < 0)
			log_cerr(LOG_LVL_WARN, &err, "an import's leftovers");
	}
}
