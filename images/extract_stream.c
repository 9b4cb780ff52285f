/* extract_stream.h */
#include "images/extract_stream.h"
#include "common/cleanup.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdint.h>

typedef struct feeder {
	extract_next_fn next;
	void *ctx;
	cerr why; /* why the stream broke, when it did */
	bool *ended; /* set once next gives the end */
} feeder;

static la_ssize_t on_read(struct archive *a, void *data, const void **out)
{
	feeder *f = data;
	cerr_clear(&f->why);
	long n = f->next(f->ctx, out, &f->why);
	if (n == 0)
		*f->ended = true;
	if (n < 0)
		archive_set_error(a, -(int)n, "%s", cerr_msg(&f->why));
	return n;
}

int extract_stream(int rootfd, const char *under, const extract_how *how, const char *what, extract_next_fn next,
		   void *ctx, cerr *err)
{
	feeder f = { .next = next, .ctx = ctx };
	extract_limits dflt;
	extract_limits_default(&dflt);
	/* a stream may be compressed: its files are bounded either way */
	const extract_limits *lim = how->lim ? how->lim : &dflt;
	struct archive *a = archive_read_new();
	extract_ctx x;
	extract_init(&x, rootfd, how->mode, what, lim);
	x.under = under ? under : "";
	x.keep_kinds = how->keep_kinds;
	x.chown = how->chown;
	x.uid = how->uid;
	x.gid = how->gid;
	x.unpadded_end = how->unpadded_end;
	f.ended = &x.input_ended;
	int r = 0;
	if (!a || archive_read_support_filter_gzip(a) < ARCHIVE_WARN ||
	    archive_read_support_filter_zstd(a) < ARCHIVE_WARN || archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_support_format_empty(a) != ARCHIVE_OK ||
	    archive_read_open(a, &f, NULL, on_read, NULL) != ARCHIVE_OK)
		r = cerr_set(err, f.why.code ? f.why.code : EIO, "%s",
			     a ? archive_error_string(a) ?: "tar" : "out of memory");
	struct archive_entry *e;
	int k;
	uint64_t bytes = 0;
	while (r == 0 && !x.ended && (k = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		int64_t size = archive_entry_size(e);
		bytes += size > 0 ? (uint64_t)size : 0;
		if (k < ARCHIVE_WARN)
			r = cerr_set(err, f.why.code ? f.why.code : EINVAL, "the tar: %s",
				     archive_error_string(a) ?: "unreadable");
		else if (bytes > lim->max_bytes) /* decompressed: a bomb stops here */
			r = cerr_set(err, EFBIG, "%s: more than %llu bytes", what, (unsigned long long)lim->max_bytes);
		else
			r = extract_entry(&x, a, e, err);
	}
	const void *rest;
	while (r == 0 && !x.input_ended && on_read(a, &f, &rest) > 0)
		;
	extract_done(&x);
	if (a)
		archive_read_free(a);
	cerr_clear(&f.why);
	return r;
}
