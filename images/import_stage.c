#include "images/import_ctx.h"
#include "images/import_stage.h"
#include "images/layer_proof.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int imp_open_blob(imp *m, const char *digest, bool manifest, cerr *err)
{
	int fd = -EINVAL;
	if (digest_valid(digest))
		fd = manifest ? m->src->open_manifest(m->src->state, digest) : m->src->open_blob(m->src->state, digest);
	if (fd == -ENOENT)
		return cerr_set(err, ENOENT, "blob %s: missing", digest);
	if (fd < 0)
		return cerr_sys(err, -fd, "blob %s", digest);
	return fd;
}

int imp_save_blob(imp *m, const char *digest, const void *data, size_t len, cerr *err)
{
	_cleanup_close_ int fd = openat(m->blobs_fd, digest_hex(digest),
					O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return cerr_sys(err, errno, "staging blob %s", digest);
	int r = write_all(fd, data, len);
	return r < 0 ? cerr_sys(err, -r, "staging blob %s", digest) : 0;
}

int imp_stage_layer(imp *m, int src_fd, const char *expect_digest, int64_t size, enum layer_comp comp,
		    const char *diffid, const char *what, char *digest_out, uint64_t *size_out,
		    enum layer_comp *comp_out, cerr *err)
{
	const char *hex = digest_hex(diffid);
	pthread_mutex_lock(&m->mu);
	unsigned nth = ++m->layers;
	for (size_t i = 0; i < m->n_staged; i++) {
		struct staged *st = &m->staged[i];
		if (!streq(st->diffid, diffid) || (expect_digest && !streq(expect_digest, st->digest)))
			continue;
		/* the same layer twice in one image: unpacked once */
		if (digest_out)
			memcpy(digest_out, st->digest, DIGEST_STR_LEN);
		if (size_out)
			*size_out = st->size;
		if (comp_out)
			*comp_out = st->comp;
		m->reused++;
		pthread_mutex_unlock(&m->mu);
		return 0;
	}
	pthread_mutex_unlock(&m->mu);
	if (mkdirat(m->layers_fd, hex, 0755) < 0)
		return cerr_sys(err, errno, "staging layer %s", diffid);
	_cleanup_close_ int root = openat(m->layers_fd, hex, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* a source that keeps its layers' blobs (a registry's ingest files)
	 * hands them over at commit */
	bool copy = !m->src->keeps_blobs;
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "tmp-%u", nth);
	_cleanup_close_ int out = copy ? openat(m->blobs_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)
				       : -1;
	if (root < 0 || (copy && out < 0))
		return cerr_sys(err, errno, "staging layer %s", diffid);
	layer_extraction j = {
		.src_fd = src_fd, .blob_out_fd = out, .root_fd = root, .what = what,
		.expect_digest = expect_digest, .expect_size = size, .expect_comp = comp,
		.expect_diffid = diffid, .lim = m->o->lim,
	};
	int r = layer_unpack(&j, err);
	/* its bytes were the importer's and unpack to diffid: both facts hold
	 * from here, whether or not the image is committed */
	if (r < 0 || (r = proof_link(m->s, j.digest, diffid, err)) < 0 ||
	    (r = proof_add(m->s, m->o->owner, diffid, err)) < 0)
		return r;
	if (copy && renameat(m->blobs_fd, tmp, m->blobs_fd, digest_hex(j.digest)) < 0)
		return cerr_sys(err, errno, "staging blob %s", j.digest);
	pthread_mutex_lock(&m->mu);
	if (m->n_staged < IMG_MAX_LAYERS) {
		struct staged *st = &m->staged[m->n_staged++];
		memcpy(st->diffid, diffid, DIGEST_STR_LEN);
		memcpy(st->digest, j.digest, DIGEST_STR_LEN);
		st->size = j.size;
		st->comp = j.comp;
	}
	pthread_mutex_unlock(&m->mu);
	if (digest_out)
		memcpy(digest_out, j.digest, DIGEST_STR_LEN);
	if (size_out)
		*size_out = j.size;
	if (comp_out)
		*comp_out = j.comp;
	log_debug("%s: %llu bytes, %llu uncompressed, %llu entries", what, (unsigned long long)j.size,
		  (unsigned long long)j.usize, (unsigned long long)j.entries);
	return 0;
}

void imp_count_layer(imp *m, bool reused)
{
	pthread_mutex_lock(&m->mu);
	m->layers++;
	m->reused += reused;
	pthread_mutex_unlock(&m->mu);
}

static bool in_store(imp *m, const char *blob, const char *diffid)
{
	return store_has_layer(m->s, diffid) && store_has_blob(m->s, blob);
}

bool imp_have_layer(imp *m, const char *blob, const char *diffid)
{
	return in_store(m, blob, diffid) && proof_has(m->s, m->o->owner, diffid);
}

bool imp_layer_vouched(imp *m, const char *blob, const char *diffid)
{
	return in_store(m, blob, diffid) && proof_linked(m->s, blob, diffid);
}

int imp_prove_layer(imp *m, const char *diffid, cerr *err)
{
	return proof_add(m->s, m->o->owner, diffid, err);
}
