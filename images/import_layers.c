/* An image's layers staged by several threads at once: each is found in
 * the store, or read from the source (a layout's blob, or the registry
 * through registry_pull.c) and unpacked into staging. */
#include "images/import_job.h"
#include "images/registry_pull.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static int stage_one(imp *m, const img_desc *l, const char *diffid, cerr *err)
{
	if (imp_have_layer(m, l->digest, diffid)) {
		imp_count_layer(m, true);
		return 0;
	}
	if (m->o->registry)
		return regsrc_stage_layer(m, l, diffid, err);
	_cleanup_close_ int fd = imp_open_blob(m, l->digest, false, err);
	if (fd < 0)
		return fd;
	char w[DIGEST_STR_LEN + 8];
	snprintf(w, sizeof(w), "blob %s", l->digest);
	return imp_stage_layer(m, fd, l->digest, (int64_t)l->size, mt_layer_comp(l->media_type), diffid, w, NULL, NULL,
			       NULL, err);
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
		cerr e = { 0 };
		int r = stage_one(s->m, &s->man->layers[i], s->cfg->diff_ids[i], &e);
		pthread_mutex_lock(&s->mu);
		if (r < 0 && s->rc == 0) {
			s->rc = r;
			s->err = e;
			e = (cerr){ 0 };
			if (s->m->o->registry)
				regsrc_cancel(s->m->o->registry);
		}
		pthread_mutex_unlock(&s->mu);
		cerr_clear(&e);
	}
}

int imp_stage_layers(imp *m, const img_manifest *man, const img_config *cfg, cerr *err)
{
	stager s = { .m = m, .man = man, .cfg = cfg };
	int r = m->o->registry ? regsrc_lock_layers(m->o->registry, man, err) : 0;
	if (r < 0)
		return r;
	for (size_t i = 0; i < man->n_layers; i++)
		for (size_t k = 0; k < i && !s.dup[i]; k++)
			s.dup[i] = streq(man->layers[k].digest, man->layers[i].digest) &&
				   streq(cfg->diff_ids[k], cfg->diff_ids[i]);
	pthread_mutex_init(&s.mu, NULL);
	size_t n = m->o->parallel ? m->o->parallel : 1;
	if (n > man->n_layers)
		n = man->n_layers;
	pthread_t th[PULL_PARALLEL_MAX];
	size_t started = 0;
	/* the calling thread is the n-th stager */
	for (; started + 1 < n && started < PULL_PARALLEL_MAX; started++)
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
