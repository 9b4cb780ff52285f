/* An image's layers staged by several threads at once: each is found in
 * the store, or read from the source (its stage_layer, or its blob) and
 * unpacked into staging. */
#include "images/import_ctx.h"
#include "images/import_layers.h"
#include "images/import_stage.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* One layer on its way to the unpacker. */
typedef struct unpack_ctx {
	imp *m;
	const img_desc *l;
	const char *diffid;
} unpack_ctx;

static int unpack_layer(void *ctx, int fd, cerr *err)
{
	unpack_ctx *c = ctx;
	char w[DIGEST_STR_LEN + 8];
	snprintf(w, sizeof(w), "blob %s", c->l->digest);
	return imp_stage_layer(c->m, fd, c->l->digest, (int64_t)c->l->size, mt_layer_comp(c->l->media_type), c->diffid,
			       w, NULL, NULL, NULL, err);
}

static int stage_one(imp *m, const img_desc *l, const char *diffid, cerr *err)
{
	image_source *src = m->src;
	if (imp_have_layer(m, l->digest, diffid)) {
		imp_count_layer(m, true);
		return 0;
	}
	/* the store has it from someone else: ours to use if our source
	 * serves its blob to us, as a registry checks a cross-repository mount */
	if (src->serves_blob && imp_layer_vouched(m, l->digest, diffid) && src->serves_blob(src->state, l->digest)) {
		imp_count_layer(m, true);
		return imp_prove_layer(m, diffid, err);
	}
	unpack_ctx c = { .m = m, .l = l, .diffid = diffid };
	if (src->stage_layer)
		return src->stage_layer(src->state, &(src_layer){ .digest = l->digest, .size = l->size }, unpack_layer, &c,
					err);
	_cleanup_close_ int fd = imp_open_blob(m, l->digest, false, err);
	if (fd < 0)
		return fd;
	return unpack_layer(&c, fd, err);
}

/* The layers of one image, o->parallel at once; the first error stops
 * the others. */
typedef struct stager {
	imp *m;
	const img_manifest *man;
	const img_config *cfg;
	bool dup[IMG_MAX_LAYERS];
	size_t next;
	pthread_mutex_t mu;
	cerr err;
	int rc;
} stager;

static void *stager_main(void *p)
{
	stager *s = p;
	for (;;) {
		pthread_mutex_lock(&s->mu);
		size_t i = s->next++;
		bool stop = s->rc < 0 || i >= s->man->n_layers;
		pthread_mutex_unlock(&s->mu);
		if (stop)
			return NULL;
		if (s->dup[i]) { /* the same layer twice in one image: once */
			imp_count_layer(s->m, true);
			continue;
		}
		_cleanup_cerr_ cerr e = { 0 };
		int r = stage_one(s->m, &s->man->layers[i], s->cfg->diff_ids[i], &e);
		pthread_mutex_lock(&s->mu);
		if (r < 0 && s->rc == 0) {
			s->rc = r;
			cerr_move(&s->err, &e);
			if (s->m->src->cancel)
				s->m->src->cancel(s->m->src->state);
		}
		pthread_mutex_unlock(&s->mu);
	}
}

int imp_stage_layers(imp *m, const img_manifest *man, const img_config *cfg, cerr *err)
{
	stager s = { .m = m, .man = man, .cfg = cfg };
	if (m->src->begin_layers) {
		src_layer ls[IMG_MAX_LAYERS];
		size_t n = man->n_layers < IMG_MAX_LAYERS ? man->n_layers : IMG_MAX_LAYERS;
		for (size_t i = 0; i < n; i++)
			ls[i] = (src_layer){ .digest = man->layers[i].digest, .size = man->layers[i].size };
		int r = m->src->begin_layers(m->src->state, ls, n, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < man->n_layers; i++)
		for (size_t k = 0; k < i && !s.dup[i]; k++)
			s.dup[i] = streq(man->layers[k].digest, man->layers[i].digest) &&
				   streq(cfg->diff_ids[k], cfg->diff_ids[i]);
	pthread_mutex_init(&s.mu, NULL);
	size_t n = m->o->parallel ? m->o->parallel : 1;
	if (n > man->n_layers)
		n = man->n_layers;
	pthread_t th[IMPORT_PARALLEL_MAX];
	size_t started = 0;
	/* the calling thread is the n-th stager */
	for (; started + 1 < n && started < IMPORT_PARALLEL_MAX; started++)
		if (pthread_create(&th[started], NULL, stager_main, &s))
			break;
	stager_main(&s);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&s.mu);
	if (s.rc < 0)
		*err = s.err;
	return s.rc;
}
