#include "images/layer.h"
#include "common/cleanup.h"
#include "common/fileio.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#define BUF_SIZE (1u << 20)

typedef struct stream {
	layer_extraction *j;
	struct archive *dec;    /* raw format + filters: the decompressor */
	digest_ctx *zhash, *uhash;
	char *zbuf, *ubuf;
	cerr cb_err;            /* the first error met in a callback */
	bool zeof;
} stream;


/* Compressed side: read the source, hash and copy what is read. */
static la_ssize_t read_compressed(struct archive *a, void *data, const void **buf)
{
	stream *s = data;
	layer_extraction *j = s->j;
	ssize_t n;
	do
		n = read(j->src_fd, s->zbuf, BUF_SIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (!s->cb_err.msg)
			cerr_sys(&s->cb_err, errno, "%s: read", j->what);
		archive_set_error(a, errno, "read");
		return -1;
	}
	if (n == 0)
		s->zeof = true;
	digest_update(s->zhash, s->zbuf, (size_t)n);
	j->size += (uint64_t)n;
	if (j->expect_size >= 0 && j->size > (uint64_t)j->expect_size) {
		if (!s->cb_err.msg)
			cerr_set(&s->cb_err, EFBIG, "%s: size mismatch: larger than the declared %lld bytes", j->what,
				 (long long)j->expect_size);
		archive_set_error(a, EFBIG, "too large");
		return -1;
	}
	if (j->blob_out_fd >= 0 && n > 0) {
		int r = write_all(j->blob_out_fd, s->zbuf, (size_t)n);
		if (r < 0) {
			if (!s->cb_err.msg)
				cerr_sys(&s->cb_err, -r, "%s: write blob", j->what);
			archive_set_error(a, -r, "write");
			return -1;
		}
	}
	*buf = s->zbuf;
	return n;
}

/* Uncompressed side: the tar reader pulls from the decompressor; count and
 * hash every byte, and stop a bomb as soon as a limit is passed. */
static la_ssize_t read_uncompressed(struct archive *a, void *data, const void **buf)
{
	stream *s = data;
	layer_extraction *j = s->j;
	la_ssize_t n = archive_read_data(s->dec, s->ubuf, BUF_SIZE);
	if (n < 0) {
		if (!s->cb_err.msg)
			cerr_set(&s->cb_err, EBADMSG, "%s: %s: %s", j->what, comp_name(j->comp),
				 archive_error_string(s->dec) ?: "decompression failed");
		archive_set_error(a, EIO, "decompress");
		return -1;
	}
	digest_update(s->uhash, s->ubuf, (size_t)n);
	j->usize += (uint64_t)n;
	const extract_limits *l = &j->lim;
	const char *why = NULL;
	if (j->usize > l->max_bytes)
		why = "uncompressed size";
	else if (l->max_ratio && j->usize > LIMIT_RATIO_FLOOR && j->usize / (j->size ? j->size : 1) > l->max_ratio)
		why = "expansion ratio";
	if (why) {
		if (!s->cb_err.msg)
			cerr_set(&s->cb_err, EFBIG,
				 "%s: %s limit exceeded after %llu MiB from %llu KiB (limits: %llu bytes, ratio %llu)",
				 j->what, why, (unsigned long long)(j->usize >> 20),
				 (unsigned long long)(j->size >> 10), (unsigned long long)l->max_bytes,
				 (unsigned long long)l->max_ratio);
		archive_set_error(a, EFBIG, "limit");
		return -1;
	}
	*buf = s->ubuf;
	return n;
}

static enum layer_comp comp_of_filter(int code)
{
	switch (code) {
	case ARCHIVE_FILTER_NONE: return COMP_NONE;
	case ARCHIVE_FILTER_GZIP: return COMP_GZIP;
	case ARCHIVE_FILTER_ZSTD: return COMP_ZSTD;
	default: return COMP_UNKNOWN;
	}
}

static void stream_free(stream *s)
{
	if (s->dec)
		archive_read_free(s->dec);
	digest_free(s->zhash);
	digest_free(s->uhash);
	free(s->zbuf);
	free(s->ubuf);
	cerr_clear(&s->cb_err);
}

/* When reading fails midway, a blob that does not match its digest is the
 * cause worth naming: hash the rest of it and say so. */
static int digest_verdict(stream *s, cerr *err)
{
	layer_extraction *j = s->j;
	if (!j->expect_digest || s->cb_err.code == EFBIG)
		return 0;
	while (!s->zeof) {
		ssize_t n = read(j->src_fd, s->zbuf, BUF_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		digest_update(s->zhash, s->zbuf, (size_t)n);
		j->size += (uint64_t)n;
		if (j->expect_size >= 0 && j->size > (uint64_t)j->expect_size)
			return 0;
	}
	if (j->expect_size >= 0 && j->size < (uint64_t)j->expect_size)
		return cerr_set(err, EBADMSG, "%s: size mismatch: expected %lld bytes, got %llu (truncated)", j->what,
				(long long)j->expect_size, (unsigned long long)j->size);
	digest_final(s->zhash, j->digest);
	if (streq(j->digest, j->expect_digest))
		return 0;
	return cerr_set(err, EBADMSG, "%s: digest mismatch: expected %s, got %s", j->what, j->expect_digest, j->digest);
}

/* Prefer the callback's precise error over libarchive's summary. */
static int fail(stream *s, cerr *err, int code, const char *ctx, const char *arg)
{
	layer_extraction *j = s->j;
	int r = digest_verdict(s, err);
	if (r < 0)
		return r;
	if (s->cb_err.msg) {
		cerr_set(err, s->cb_err.code, "%s", s->cb_err.msg);
		return -s->cb_err.code;
	}
	if (s->zeof && j->expect_size >= 0 && j->size < (uint64_t)j->expect_size)
		return cerr_set(err, EBADMSG, "%s: size mismatch: expected %lld bytes, got %llu (truncated)", j->what,
				(long long)j->expect_size, (unsigned long long)j->size);
	return cerr_set(err, code, "%s: %s%s%s", s->j->what, ctx, *ctx ? ": " : "", arg ? arg : "error");
}

static void archive_freep(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}

int layer_unpack(layer_extraction *j, cerr *err)
{
	_cleanup_(stream_free) stream s = { .j = j };
	j->size = j->usize = j->entries = 0;
	j->comp = COMP_UNKNOWN;
	s.zhash = digest_new();
	s.uhash = digest_new();
	s.zbuf = malloc(BUF_SIZE);
	s.ubuf = malloc(BUF_SIZE);
	s.dec = archive_read_new();
	if (!s.zhash || !s.uhash)
		return cerr_set(err, ELIBACC, "sha256: cannot start (libcrypto.so.3 missing, or out of memory)");
	if (!s.zbuf || !s.ubuf || !s.dec)
		return cerr_set(err, ENOMEM, "out of memory");
	archive_read_support_filter_gzip(s.dec);
	archive_read_support_filter_zstd(s.dec);
	archive_read_support_format_raw(s.dec);
	if (archive_read_open(s.dec, &s, NULL, read_compressed, NULL) != ARCHIVE_OK)
		return fail(&s, err, EBADMSG, "", archive_error_string(s.dec));
	struct archive_entry *raw;
	int r = archive_read_next_header(s.dec, &raw);
	if (r != ARCHIVE_OK && r != ARCHIVE_EOF)
		return fail(&s, err, EBADMSG, "", archive_error_string(s.dec));
	j->comp = comp_of_filter(archive_filter_code(s.dec, 0));
	if (j->expect_comp != COMP_UNKNOWN && j->comp != j->expect_comp)
		return cerr_set(err, EINVAL, "%s: media type mismatch: declared %s, content is %s", j->what,
				comp_name(j->expect_comp), comp_name(j->comp));

	_cleanup_(archive_freep) struct archive *tar = archive_read_new();
	if (!tar)
		return cerr_set(err, ENOMEM, "out of memory");
	archive_read_support_format_tar(tar);
	archive_read_support_format_empty(tar);
	if (archive_read_open(tar, &s, NULL, read_uncompressed, NULL) != ARCHIVE_OK)
		return fail(&s, err, EINVAL, "not a tar archive", archive_error_string(tar));
	extract_ctx x;
	extract_init(&x, j->root_fd, EXTRACT_LAYER, j->what, &j->lim);
	struct archive_entry *e;
	int rc = 0;
	while ((r = archive_read_next_header(tar, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		if ((rc = extract_entry(&x, tar, e, err)) < 0)
			break;
	}
	j->entries = x.entries;
	extract_done(&x);
	if (rc < 0) {
		if (s.cb_err.msg)
			return fail(&s, err, EBADMSG, "", NULL);
		_cleanup_cerr_ cerr e2 = { 0 };
		if (digest_verdict(&s, &e2) < 0)
			cerr_set(err, e2.code, "%s", e2.msg);
		return -err->code;
	}
	if (r != ARCHIVE_EOF)
		return fail(&s, err, EBADMSG, "tar", archive_error_string(tar));
	/* the diff_id covers the whole stream, including what follows the tar
	 * end marker, and the blob digest the whole file */
	const void *dummy;
	while (read_uncompressed(tar, &s, &dummy) > 0)
		;
	if (s.cb_err.msg)
		return fail(&s, err, EBADMSG, "", NULL);
	while (!s.zeof)
		if (read_compressed(s.dec, &s, &dummy) < 0)
			return fail(&s, err, EBADMSG, "", NULL);
	digest_final(s.zhash, j->digest);
	digest_final(s.uhash, j->diffid);
	if (j->expect_size >= 0 && j->size != (uint64_t)j->expect_size)
		return cerr_set(err, EBADMSG, "%s: size mismatch: expected %lld bytes, got %llu (truncated)", j->what,
				(long long)j->expect_size, (unsigned long long)j->size);
	if (j->expect_digest && !streq(j->digest, j->expect_digest))
		return cerr_set(err, EBADMSG, "%s: digest mismatch: expected %s, got %s", j->what, j->expect_digest,
				j->digest);
	if (j->expect_diffid && !streq(j->diffid, j->expect_diffid))
		return cerr_set(err, EBADMSG, "%s: diff_id mismatch: expected %s, got %s", j->what, j->expect_diffid,
				j->diffid);
	return 0;
}
