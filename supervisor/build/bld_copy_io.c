/* A COPY's tar, written into CopyTo's stream (STDIN frames), its sources
 * read from the context or from CopyFrom's stream of a container of the
 * --from image (STDOUT frames) (bld_copy.h). */
#include "supervisor/build/bld_copy.h"
#include "supervisor/build/bld_copy_put.h"
#include "supervisor/build/bld_copy_io.h"
#include "supervisor/build/bld_copy_walk.h"
#include "supervisor/build/bld_step.h"
#include "supervisor/build/bld_call.h"
#include "supervisor/api/interface.h"
#include "supervisor/shape/copy_stat.h"
#include "images/df_match.h"
#include "supervisor/varlink/streams.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the streams ---- */

typedef struct frames {
	int fd;
	stream_reader rd;
	strbuf why;   /* STDERR */
	strbuf stat;  /* STAT, when asked */
	int code;     /* EXIT's, -1 before it */
	int broke;    /* errno of a broken stream */
} frames;

static la_ssize_t on_write(struct archive *a, void *data, const void *buf, size_t n)
{
	frames *f = data;
	int r = stream_send_all(f->fd, STREAM_STDIN, buf, n);
	if (r < 0) {
		f->broke = -r;
		archive_set_error(a, -r, "the copy's stream");
		return -1;
	}
	return (la_ssize_t)n;
}

/* The next STDOUT payload: its size, 0 once EXIT came, -errno when the
 * stream broke. */
static long next_payload(frames *f, const void **out)
{
	for (;;) {
		stream_frame fr;
		int k = stream_reader_next(&f->rd, &fr);
		if (k < 0)
			return -EPROTO;
		if (k > 0) {
			if (fr.kind == STREAM_STDOUT) {
				*out = fr.data;
				return (long)fr.len;
			}
			if (fr.kind == STREAM_STDERR)
				sb_add(&f->why, fr.data, fr.len);
			if (fr.kind == STREAM_STAT)
				sb_add(&f->stat, fr.data, fr.len);
			if (fr.kind == STREAM_EXIT) {
				f->code = (int)stream_frame_u32(&fr);
				return 0;
			}
			continue;
		}
		ssize_t n = stream_reader_fill(&f->rd, f->fd);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? (int)n : -EPIPE;
	}
}

static la_ssize_t on_read(struct archive *a, void *data, const void **out)
{
	long n = next_payload(data, out);
	if (n < 0)
		archive_set_error(a, (int)-n, "the copy's stream");
	return n;
}

/* method (CopyTo or CopyFrom) on id at path, upgraded: f set up. flag:
 * a parameter set true ("owners", "statOnly"), or NULL. */
static int open_copy(bld *b, const char *method, const char *id, const char *path, const char *flag, frames *f,
		     cerr *err)
{
	*f = (frames){ .fd = -1, .code = -1 }; /* close_frames takes it, whatever fails */
	stream_reader_init(&f->rd, STREAM_AT_CLIENT);
	_cleanup_vl_client_ vl_client *c = NULL;
	if (bld_connect(b, &c, err) < 0)
		return -1;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	jg_object(g, JG_STR("id", id), JG_STR("path", path), JG_TRUE_SET(flag ? flag : "", flag != NULL), JG_END);
	_cleanup_free_ char *p = jg_finish(g, NULL);
	char full[64];
	snprintf(full, sizeof(full), CORRAL_SUPERVISOR_INTERFACE ".%s", method);
	vl_reply rep = { 0 };
	if (!p || vl_client_call_upgrade(c, full, p, &rep, &f->fd, err) < 0)
		return -1;
	int r = rep.error ? bld_call_failed(method, &rep, err) : 0;
	vl_reply_release(&rep);
	return r;
}

static void close_frames(frames *f)
{
	if (f->fd >= 0)
		close(f->fd);
	stream_reader_release(&f->rd);
	sb_release(&f->why);
	sb_release(&f->stat);
}

/* The rest of a stream, to its EXIT: 0, or why it failed in err. */
static int end_frames(frames *f, const char *what, cerr *err)
{
	const void *rest;
	while (f->code < 0 && next_payload(f, &rest) > 0)
		;
	if (f->code == 0)
		return 0;
	if (f->why.len)
		return cerr_set(err, EINVAL, "%s: %.*s", what, (int)strcspn(f->why.buf, "\n"), f->why.buf);
	return cerr_set(err, EPIPE, "%s: the stream ended", what);
}

/* path in container id by CopyFrom's stat alone: 0 with *st, or -ENOENT */
static int stat_in(bld *b, const char *id, const char *path, copy_stat *st)
{
	frames f;
	_cleanup_cerr_ cerr err = { 0 };
	int r = open_copy(b, "CopyFrom", id, path, "statOnly", &f, &err);
	if (r == 0)
		(void)end_frames(&f, "stat", &err); /* a path not there: no STAT */
	r = f.stat.len && sb_add(&f.stat, "", 1) == 0 ? copy_stat_parse(f.stat.buf, st) : -ENOENT;
	close_frames(&f);
	return r;
}

/* path (absolute) in container id with a link at its end followed, as
 * Docker's builders follow a source and a destination: its stat's
 * linkTarget has every link on the way followed. NULL when out of memory. */
static char *followed(bld *b, const char *id, const char *path)
{
	copy_stat st = { 0 };
	if (stat_in(b, id, path, &st) < 0)
		return strdup(path); /* CopyFrom says what is wrong with it */
	char *to = S_ISLNK(st.mode) && st.link[0] ? TAKE_PTR(st.link) : strdup(path);
	copy_stat_release(&st);
	return to;
}

bool copy_dest_is_dir(bld *b, const char *id, const char *dest)
{
	_cleanup_free_ char *path = NULL;
	copy_stat st = { 0 };
	if (asprintf(&path, "/%s", dest) < 0 || stat_in(b, id, path, &st) < 0)
		return false;
	if (S_ISLNK(st.mode) && st.link[0]) { /* where it leads, every link followed */
		free(path);
		path = TAKE_PTR(st.link);
		copy_stat_release(&st);
		if (stat_in(b, id, path, &st) < 0)
			return false;
	}
	bool dir = S_ISDIR(st.mode);
	copy_stat_release(&st);
	return dir;
}

int copy_read_file(bld *b, const char *id, const char *path, size_t max, char **text, cerr *err)
{
	*text = NULL;
	_cleanup_free_ char *real = followed(b, id, path);
	copy_stat st = { 0 };
	if (!real)
		return cerr_set(err, ENOMEM, "out of memory");
	int r = stat_in(b, id, real, &st);
	bool file = r == 0 && S_ISREG(st.mode);
	copy_stat_release(&st);
	if (!file)
		return cerr_set(err, ENOENT, "%s: not a file in the image", path);
	frames f;
	r = open_copy(b, "CopyFrom", id, real, NULL, &f, err);
	struct archive *in = r == 0 ? archive_read_new() : NULL;
	struct archive_entry *e;
	if (r == 0 && (!in || archive_read_support_format_tar(in) != ARCHIVE_OK ||
		       archive_read_open(in, &f, NULL, on_read, NULL) != ARCHIVE_OK ||
		       archive_read_next_header(in, &e) < ARCHIVE_WARN))
		r = cerr_set(err, EIO, "%s: %s", path, in ? archive_error_string(in) : "out of memory");
	la_int64_t size = r == 0 ? archive_entry_size(e) : 0;
	if (r == 0 && (size < 0 || (size_t)size > max))
		r = cerr_set(err, EFBIG, "%s: larger than %zu bytes", path, max);
	if (r == 0 && !(*text = calloc(1, (size_t)size + 1)))
		r = cerr_set(err, ENOMEM, "out of memory");
	for (la_int64_t got = 0, n; r == 0 && got < size; got += n)
		if ((n = archive_read_data(in, *text + got, (size_t)(size - got))) <= 0)
			r = cerr_set(err, EIO, "%s: %s", path, n < 0 ? archive_error_string(in) : "cut short");
	if (r == 0)
		r = end_frames(&f, path, err);
	if (in)
		archive_read_free(in);
	close_frames(&f);
	if (r < 0) {
		free(*text);
		*text = NULL;
	}
	return r;
}

/* One --from source: CopyFrom's tar of it, each entry under the
 * destination: a directory's content into dest, a file to dest or
 * dest/NAME. A link at the source's end is followed (the file keeps the
 * source's name); a wildcard in its last name reads its directory and
 * takes what matches (*matched counts it). */
static int put_from(bld *b, const copy_op *j, const char *reader, const char *src, size_t *matched,
		    struct archive *out, cerr *err)
{
	const char *slash = strrchr(src, '/'), *base = slash ? slash + 1 : src;
	bool glob = df_glob_has_magic(base);
	if (df_glob_has_magic(src) && !glob)
		return cerr_set(err, ENOTSUP, "COPY --from %s: a wildcard in a directory's name: name the directory", src);
	_cleanup_free_ char *asked = NULL, *path = NULL;
	if (asprintf(&asked, "/%s", src) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	if (glob ? asprintf(&path, "/%.*s/.", (int)(slash ? slash - src : 0), src) < 0 : !(path = followed(b, reader, asked)))
		return cerr_set(err, ENOMEM, "out of memory");
	/* what CopyFrom names the top entry: the last name of what it sends */
	const char *sent = strrchr(path, '/');
	sent = glob || !sent[1] ? "." : sent + 1;
	frames f;
	int r = open_copy(b, "CopyFrom", reader, path, "keepSetid", &f, err); /* as Docker's COPY --from */
	struct archive *in = r == 0 ? archive_read_new() : NULL;
	if (r == 0 && (!in || archive_read_support_format_tar(in) != ARCHIVE_OK ||
		       archive_read_open(in, &f, NULL, on_read, NULL) != ARCHIVE_OK))
		r = cerr_set(err, EIO, "COPY --from %s: %s", src, in ? archive_error_string(in) : "out of memory");
	struct archive_entry *e;
	for (int k; r == 0 && (k = archive_read_next_header(in, &e)) != ARCHIVE_EOF;) {
		if (k < ARCHIVE_WARN) {
			r = f.why.len ? end_frames(&f, src, err) : cerr_set(err, EIO, "%s: %s", src, archive_error_string(in));
			break;
		}
		/* the entry as its source (a match of the wildcard, or the one
		 * source) and what is under it, if anything */
		const char *name = archive_entry_pathname(e), *under = "";
		size_t n = strlen(sent);
		if (strncmp(name, sent, n) || (name[n] && name[n] != '/'))
			continue;
		under = name + n;
		char top[NAME_MAX + 1];
		if (glob) {
			if (!*under)
				continue; /* the directory read */
			snprintf(top, sizeof(top), "%.*s", (int)strcspn(under + 1, "/"), under + 1);
			if (!df_glob_match(base, top))
				continue;
			under += 1 + strlen(top);
		}
		bool is_top = !*under, dir = archive_entry_filetype(e) == AE_IFDIR;
		if (is_top && glob && ++*matched > 1 && !j->dest_dir) {
			r = cerr_set(err, EINVAL, "%s", copy_many_to_a_file(j));
			break;
		}
		if (is_top && dir)
			continue;
		_cleanup_free_ char *d = NULL;
		int m = !is_top ? asprintf(&d, "%s%s", j->dest, under)
			: j->dest_dir ? asprintf(&d, "%s%s%s", j->dest, *j->dest ? "/" : "", glob ? top : base)
				      : asprintf(&d, "%s", j->dest);
		if (m < 0)
			r = cerr_set(err, ENOMEM, "out of memory");
		else
			r = copy_put(j, out, *d == '/' ? d + 1 : d, archive_entry_stat(e), archive_entry_symlink(e), -1, in, err);
	}
	if (r == 0)
		r = end_frames(&f, src, err);
	if (in)
		archive_read_free(in);
	close_frames(&f);
	return r;
}

int copy_into(bld *b, const copy_op *j, const char *id, const char *from_image, cerr *err)
{
	frames to;
	/* owners: --chown's, an ADDed archive's own, and root for the rest */
	if (open_copy(b, "CopyTo", id, "/", j->uid >= 0 || j->add ? "owners" : NULL, &to, err) < 0) {
		close_frames(&to);
		return -1;
	}
	struct archive *out = archive_write_new();
	int r = 0;
	if (!out || archive_write_set_format_pax_restricted(out) != ARCHIVE_OK ||
	    archive_write_open2(out, &to, NULL, on_write, NULL, NULL) != ARCHIVE_OK)
		r = cerr_set(err, EIO, "the copy: %s", out ? archive_error_string(out) : "out of memory");
	char reader[80] = "";
	if (r == 0 && from_image) {
		bld_stage tmp = { 0 };
		memcpy(tmp.image, from_image, DIGEST_STR_LEN);
		r = bld_create(b, &tmp, NULL, NULL, NULL, reader, sizeof(reader), err);
		for (size_t i = 0; r == 0 && j->sources && j->sources[i]; i++) {
			size_t matched = 0;
			r = put_from(b, j, reader, j->sources[i], &matched, out, err);
			if (r == 0 && !matched && df_glob_has_magic(j->sources[i]))
				r = cerr_set(err, ENOENT, "no source files were specified: nothing in %s matches %s",
					     j->from, j->sources[i]);
		}
	} else if (r == 0) {
		r = copy_walk_context(b, j, out, NULL, err);
	}
	if (r == 0 && archive_write_close(out) != ARCHIVE_OK)
		r = cerr_set(err, to.broke ? to.broke : EIO, "the copy: %s", archive_error_string(out));
	if (out)
		archive_write_free(out);
	if (r == 0 && stream_send(to.fd, STREAM_CLOSE_STDIN, NULL, 0) < 0)
		r = cerr_sys(err, EPIPE, "the copy's stream");
	if (r == 0)
		r = end_frames(&to, "COPY", err);
	close_frames(&to);
	if (reader[0])
		bld_remove(b, reader);
	return r;
}
