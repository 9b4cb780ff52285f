#include "common/dlib.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static void load(struct dlib *d)
{
	void *h = dlopen(d->name, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(d->failed, sizeof(d->failed), "cannot load %s: %s", d->name, dlerror());
		return;
	}
	for (size_t i = 0; i < d->n_syms; i++) {
		void *f = dlsym(h, d->syms[i].name);
		if (!f) {
			snprintf(d->failed, sizeof(d->failed), "%s has no %s", d->name, d->syms[i].name);
			return;
		}
		/* POSIX: a pointer from dlsym converts to a function pointer */
		memcpy((char *)d->table + d->syms[i].offset, &f, sizeof(f));
	}
}

void *dlib_get(struct dlib *d, cerr *err)
{
	pthread_mutex_lock(&d->lock);
	if (!d->tried)
		load(d);
	d->tried = true;
	pthread_mutex_unlock(&d->lock);
	if (d->failed[0]) {
		cerr_set(err, ELIBACC, "%s", d->failed);
		return NULL;
	}
	return d->table;
}
