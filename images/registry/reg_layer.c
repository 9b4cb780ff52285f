/* A registry's layer on its way: its bytes stream to the ingest file and,
 * through a pipe, to the import's unpacker at once; what an earlier pull
 * left in the ingest file goes first, and the registry sends the rest. */
#include "images/registry/regsrc_state.h"
#include "images/registry/reg_layer.h"
#include "images/registry/reg_ingest.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FEED_BUF (256u << 10)
#define PROGRESS_EVERY_USEC 250000u

/* One layer on its way: the registry's bytes go to the ingest file and
 * to the pipe that the unpacker reads. */
typedef struct feed {
	reg_source *rs;
	const src_layer *l;
	int out, ingest;
	uint64_t have, done;
	uint64_t last_usec;
	uint64_t reported;
	cerr err;
	int rc;
} feed;


static void progress(feed *f, bool last)
{
	if (!f->rs->p.progress)
		return;
	uint64_t t = mono_usec();
	if ((!last && t - f->last_usec < PROGRESS_EVERY_USEC) || (f->last_usec && f->reported == f->done))
		return;
	f->last_usec = t;
	f->reported = f->done;
	fprintf(f->rs->p.progress, "layer %s %llu %llu\n", f->l->digest, (unsigned long long)f->done,
		(unsigned long long)f->l->size);
	fflush(f->rs->p.progress);
}

static int feed_sink(const void *data, size_t n, void *ctx)
{
	feed *f = ctx;
	int r = write_all(f->ingest, data, n);
	if (r < 0)
		return r;
	if ((r = write_all(f->out, data, n)) < 0)
		return r;
	f->done += n;
	progress(f, false);
	return 0;
}

static void *feed_main(void *p)
{
	feed *f = p;
	/* what an earlier pull left: to the unpacker first, then the rest */
	char *buf = f->have ? malloc(FEED_BUF) : NULL;
	f->rc = f->have && !buf ? cerr_set(&f->err, ENOMEM, "out of memory") : 0;
	for (uint64_t off = 0; f->rc == 0 && off < f->have;) {
		ssize_t n = pread(f->ingest, buf, FEED_BUF, (off_t)off);
		if (n <= 0) {
			f->rc = cerr_sys(&f->err, n < 0 ? errno : EIO, "layer %s: ingest", f->l->digest);
			break;
		}
		if ((f->rc = write_all(f->out, buf, (size_t)n)) < 0)
			cerr_sys(&f->err, -f->rc, "layer %s", f->l->digest);
		off += (uint64_t)n;
		f->done = off;
	}
	free(buf);
	if (f->rc == 0 && lseek(f->ingest, 0, SEEK_END) < 0)
		f->rc = cerr_sys(&f->err, errno, "layer %s: ingest", f->l->digest);
	if (f->rc == 0 && f->have < f->l->size)
		f->rc = reg_stream_blob(f->rs->p.client, f->rs->p.endpoint, f->rs->p.path, f->l->digest, f->have, feed_sink,
					f, &f->err);
	progress(f, true);
	close(f->out);
	f->out = -1;
	return NULL;
}

static bool transfer_was_cut(int code)
{
	return code == EIO || code == ETIMEDOUT || code == ECONNRESET || code == ECONNREFUSED || code == ECANCELED ||
	       code == EPIPE || code == EINTR;
}

int regsrc_stage_layer(void *state, const src_layer *l, src_unpack_fn unpack, void *ctx, cerr *err)
{
	reg_source *rs = state;
	struct ingest *in = ingest_of(rs, l->digest);
	if (!in)
		return cerr_set(err, EINVAL, "layer %s: not locked", l->digest);
	int ingest = in->fd;
	struct stat st;
	if (fstat(ingest, &st) < 0)
		return cerr_sys(err, errno, "store %s: ingest %s", rs->p.store_root, l->digest);
	uint64_t have = (uint64_t)st.st_size;
	if (have > l->size) { /* not this blob's start: begin again */
		if (ftruncate(ingest, 0) < 0)
			return cerr_sys(err, errno, "store %s: ingest %s", rs->p.store_root, l->digest);
		have = 0;
	}
	if (have)
		log_info("layer %s: resuming after %llu of %llu bytes", l->digest, (unsigned long long)have,
			 (unsigned long long)l->size);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return cerr_sys(err, errno, "pipe");
	feed f = { .rs = rs, .l = l, .out = p[1], .ingest = ingest, .have = have };
	pthread_t th;
	int e = pthread_create(&th, NULL, feed_main, &f);
	if (e) {
		close(p[0]);
		close(p[1]);
		return cerr_sys(err, e, "thread");
	}
	int r = unpack(ctx, p[0], err);
	close(p[0]); /* a feeder still writing gets EPIPE */
	pthread_join(th, NULL);
	/* the transfer's reason, not the unpacker's "unexpected end"; unless
	 * the transfer stopped because the unpacker had refused the layer */
	if (f.rc < 0 && (r == 0 || (f.err.code != EPIPE && f.err.code != ECANCELED))) {
		cerr_move(err, &f.err);
		/* only a cut (a stall, a reset, the deadline, a cancel) is worth
		 * going on from; what a registry refused or sent wrong is dropped */
		if (!transfer_was_cut(err->code) && ftruncate(ingest, 0) < 0)
			log_warn("layer %s: ingest: %s", l->digest, strerror(errno));
		return f.rc;
	}
	cerr_clear(&f.err);
	if (r < 0) {
		/* the unpacker refused what came: never kept (a cut transfer,
		 * above, keeps its bytes for the next pull to go on from) */
		if (ftruncate(ingest, 0) < 0)
			log_warn("layer %s: ingest: %s", l->digest, strerror(errno));
		return r;
	}
	in->staged = true; /* its blob moves into the store with the layer, at commit */
	return 0;
}
