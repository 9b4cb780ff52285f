#include "supervisor/daemon/containers/ctr_service.h"
#include "supervisor/daemon/containers/ctr.h"
#include "supervisor/daemon/core/corrald.h"

#include <errno.h>

int ctr_feature_register(ctr_service *s, const ctr_feature *f)
{
	if (s->n_features == CTR_FEATURES_MAX)
		return -ENOSPC;
	s->features[s->n_features++] = f;
	return 0;
}

const char *ctr_features_hostname(struct corrald *d, const struct ctr *c)
{
	const char *h = NULL;
	for (size_t i = 0; i < d->containers->n_features && !h; i++)
		if (d->containers->features[i]->hostname)
			h = d->containers->features[i]->hostname(d, c);
	return h;
}
