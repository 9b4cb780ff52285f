/* COPY and ADD (bld.h). The sources are the context's files (their paths
 * resolved inside it: no symlink or ".." leaves it, and what .dockerignore
 * excludes is not there), an ADD's local archive unpacked, or an earlier
 * stage's or an image's files (--from, read from a container of it made
 * for that, CopyFrom). They are walked twice: once to hash them for the
 * step's cache key, and, when the cache has no image for it, once into a
 * tar that CopyTo puts into a container of the step's image, which is then
 * committed: the container's overlay copies up the directories the files
 * land in, as they are, as Docker's builder does. */
#include "supervisor/build/bld.h"
#include "supervisor/build/bld_step.h"
#include "supervisor/build/bld_call.h"
#include "supervisor/build/bld_stream.h"
#include "images/dockerfile_instr.h"
#include "supervisor/build/bld_copy.h"
#include "supervisor/build/bld_fetch.h"
#include "supervisor/build/bld_copy_io.h"
#include "supervisor/build/bld_copy_walk.h"
#include "supervisor/build/bld_instr.h"
#include "images/extract.h"
#include "bundle/image_ids.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/safepath.h"
#include "common/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An /etc/passwd or /etc/group read whole, up to a bound */
#define ID_FILE_MAX (4u << 20)

/* A --chown part that is a number: 1 with *id; 0 for a name */
static int chown_number(const char *s, size_t n, long *id)
{
	if (!n || n > 10 || strspn(s, "0123456789") < n)
		return 0;
	*id = strtol(s, NULL, 10);
	return *id < UINT32_MAX;
}

/* --chown=USER[:GROUP], each a number or a name; as Docker's builder, a
 * USER alone is the GROUP too. Numbers are taken now, names once the
 * step's container is there (chown_resolve). */
static int chown_flag(const char *f, const char *v, copy_op *j, cerr *err)
{
	const char *colon = strchr(v, ':'), *group = colon ? colon + 1 : v;
	size_t un = colon ? (size_t)(colon - v) : strlen(v);
	if (!un || !*group || strchr(group, ':'))
		return cerr_set(err, EINVAL, "%s: must be USER[:GROUP], each a name or a number", f);
	if (chown_number(v, un, &j->uid) && chown_number(group, strlen(group), &j->gid))
		return 0;
	j->uid = j->gid = -1;
	free(j->chown);
	return (j->chown = strdup(v)) ? 0 : cerr_set(err, ENOMEM, "out of memory");
}

/* One of --chown's names (or numbers) by the image's db (/etc/passwd or
 * /etc/group), read through container id */
static int chown_id(bld *b, const char *id, const char *db, const char *name, long *out, cerr *err)
{
	if (chown_number(name, strlen(name), out))
		return 0;
	_cleanup_free_ char *text = NULL;
	uint32_t n;
	if (copy_read_file(b, id, db, ID_FILE_MAX, &text, err) < 0) {
		if (err->code != ENOENT)
			return -1;
	} else if (image_id_lookup(text, name, &n) == 0) {
		*out = n;
		return 0;
	}
	return cerr_set(err, ENOENT, "--chown: no %s \"%s\" in the image's %s", strstr(db, "passwd") ? "user" : "group",
			name, db);
}

/* --chown's names as Docker's builder resolves them: the user in the
 * image's /etc/passwd, the group in its /etc/group */
static int chown_resolve(bld *b, const char *id, copy_op *j, cerr *err)
{
	if (!j->chown)
		return 0;
	char *colon = strchr(j->chown, ':');
	_cleanup_free_ char *user = strndup(j->chown, colon ? (size_t)(colon - j->chown) : strlen(j->chown));
	if (!user)
		return cerr_set(err, ENOMEM, "out of memory");
	if (chown_id(b, id, "/etc/passwd", user, &j->uid, err) < 0 ||
	    chown_id(b, id, "/etc/group", colon ? colon + 1 : user, &j->gid, err) < 0)
		return -1;
	return 0;
}

/* The flags: --from, --chown (chown_flag), --chmod (octal). */
static int copy_flags(bld *b, bld_stage *s, const df_instr *in, copy_op *j, cerr *err)
{
	j->uid = j->gid = -1;
	j->mode = -1;
	for (size_t i = 0; in->flags[i]; i++) {
		const char *f = in->flags[i];
		_cleanup_free_ char *v = NULL;
		const char *eq = strchr(f, '=');
		if (eq && bld_expand(b, s, eq + 1, &v, err) < 0)
			return -1;
		if (!strncmp(f, "--from=", 7)) {
			free(j->from);
			j->from = TAKE_PTR(v);
		} else if (!strncmp(f, "--chown=", 8)) {
			if (chown_flag(f, v, j, err) < 0)
				return -1;
		} else if (!strncmp(f, "--chmod=", 8)) {
			char *end;
			long m = strtol(v, &end, 8);
			if (end == v || *end || m < 0 || m > 07777)
				return cerr_set(err, EINVAL, "%s: not an octal mode", f);
			j->mode = (int)m;
		}
	}
	return 0;
}

/* The destination, absolute (under WORKDIR), and whether it names a
 * directory: it ends in "/", or it is "." (WORKDIR), as Docker's builders
 * have it. One that names a directory already there is one too (copy_into);
 * a wildcard's matches are counted by the walk. */
static int copy_dest(bld_stage *s, const char *dest, size_t n_src, copy_op *j, cerr *err)
{
	size_t len = strlen(dest);
	j->dest_dir = len && (dest[len - 1] == '/' || streq(dest, ".") || (len >= 2 && !strcmp(dest + len - 2, "/.")));
	if (n_src > 1 && !j->dest_dir)
		return cerr_set(err, EINVAL, "%s", copy_many_to_a_file(j));
	_cleanup_free_ char *abs = NULL;
	if (dest[0] != '/' && asprintf(&abs, "%s/%s", s->cfg.workdir, dest) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	char clean[PATH_MAX];
	if (path_clean(abs ? abs : dest, clean, sizeof(clean)) < 0)
		return cerr_set(err, ENAMETOOLONG, "%s: too long", dest);
	j->dest = strdup(clean); /* relative to /, "" the root */
	return j->dest ? 0 : cerr_set(err, ENOMEM, "out of memory");
}

static void copy_job_release(copy_op *j)
{
	for (size_t i = 0; i < j->n_urls; i++) {
		close(j->url_fds[i]);
		free(j->url_names[i]);
	}
	free(j->from);
	free(j->chown);
	free(j->dest);
	strv_free(j->sources);
}

/* Each source word expanded, and cleaned lexically ("../x" is "x"). */
static int copy_sources(bld *b, bld_stage *s, const df_instr *in, copy_op *j, cerr *err)
{
	size_t n = strv_length(in->args);
	for (size_t i = 0; i + 1 < n; i++) {
		_cleanup_free_ char *v = NULL;
		if (bld_expand(b, s, in->args[i], &v, err) < 0)
			return -1;
		if (j->add && bld_is_url(v)) {
			if (j->n_urls >= COPY_URLS_MAX)
				return cerr_set(err, E2BIG, "ADD: more than %d URLs", COPY_URLS_MAX);
			bld_say(b, "Downloading %s\n", v);
			if (bld_fetch(b, v, b->max_context, &j->url_fds[j->n_urls], &j->url_names[j->n_urls], err) < 0)
				return -1;
			j->n_urls++;
			continue;
		}
		if (j->add && !strncmp(v, "git@", 4))
			return cerr_set(err, ENOTSUP, "ADD %s: corral adds no git sources: clone it into the context", v);
		char clean[PATH_MAX];
		if (path_clean(v, clean, sizeof(clean)) < 0)
			return cerr_set(err, ENAMETOOLONG, "%s: too long", v);
		if (strv_push(&j->sources, strdup(clean)) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	}
	_cleanup_free_ char *dest = NULL;
	if (bld_expand(b, s, in->args[n - 1], &dest, err) < 0)
		return -1;
	return copy_dest(s, dest, n - 1, j, err);
}

/* The step's key: the sources' content (from the context), or the image
 * they come from (--from), with what the step makes of them. */
static int copy_key(bld *b, bld_stage *s, const df_instr *in, copy_op *j, const char *from_image, cerr *err)
{
	char content[DIGEST_STR_LEN] = "";
	if (!from_image && copy_walk_context(b, j, NULL, content, err) < 0)
		return -1;
	_cleanup_free_ char *srcs = j->sources ? strv_join(j->sources, "\n") : strdup(""), *what = NULL;
	if (!srcs || asprintf(&what, "%s %s\n%s\n%s\n%ld:%ld%s%s %o\n%s", df_kind_name(in->kind),
			      from_image ? from_image : "", srcs, j->dest_dir ? "dir" : "file", j->uid, j->gid,
			      j->chown ? " " : "", j->chown ? j->chown : "", (unsigned)j->mode, content) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	bld_key_next(s, what, strlen(what));
	snprintf(j->digest, sizeof(j->digest), "%s", content[0] ? content : from_image ? from_image : "");
	return 0;
}

/* The image --from names: an earlier stage's, or an image by name. */
static int from_image(bld *b, size_t stage_at, const char *from, char out[DIGEST_STR_LEN], cerr *err)
{
	bld_stage *earlier = bld_stage_named(b, stage_at, from);
	if (earlier) {
		memcpy(out, earlier->image, DIGEST_STR_LEN);
		return 0;
	}
	bld_stage tmp = { 0 };
	int r = bld_base_image(b, &tmp, from, err);
	memcpy(out, tmp.image, DIGEST_STR_LEN);
	cfg_edit_release(&tmp.cfg);
	strv_free(tmp.triggers);
	return r;
}

int bld_step_copy(bld *b, bld_stage *s, const df_instr *in, cerr *err)
{
	_cleanup_(copy_job_release) copy_op j = { .add = in->kind == DF_ADD };
	if (copy_flags(b, s, in, &j, err) < 0 || copy_sources(b, s, in, &j, err) < 0)
		return -1;
	char from[DIGEST_STR_LEN] = "";
	if (j.from && from_image(b, (size_t)(s - b->stages), j.from, from, err) < 0)
		return -1;
	if (copy_key(b, s, in, &j, j.from ? from : NULL, err) < 0)
		return -1;
	int r = bld_cached(b, s, err);
	if (r != 0)
		return r < 0 ? r : 0;
	char id[80];
	if (bld_create(b, s, NULL, NULL, NULL, id, sizeof(id), err) < 0)
		return -1;
	if (!j.dest_dir && *j.dest)
		j.dest_dir = copy_dest_is_dir(b, id, j.dest);
	r = chown_resolve(b, id, &j, err);
	if (r == 0)
		r = copy_into(b, &j, id, j.from ? from : NULL, err);
	_cleanup_free_ char *srcs = j.sources ? strv_join(j.sources, " ") : strdup(""), *by = NULL;
	if (r == 0 && (!srcs || asprintf(&by, "%s %s%s in /%s", df_kind_name(in->kind), j.from ? "--from=" : j.n_urls ? "url:" : "file:",
				      j.from ? j.from : j.digest + 7, j.dest) < 0))
		r = cerr_set(err, ENOMEM, "out of memory");
	if (r == 0)
		r = bld_commit_container(b, s, id, by, err);
	bld_remove(b, id);
	if (r == 0)
		bld_say(b, " ---> %.12s\n", s->image + 7);
	return r;
}
