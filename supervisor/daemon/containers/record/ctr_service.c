#include "supervisor/daemon/containers/record/ctr_service.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/corrald.h"

#include <errno.h>
#include <unistd.h>

int ctr_feature_register(ctr_service *s, const ctr_feature *f)
{
	if (s->n_features == CTR_FEATURES_MAX)
		return -ENOSPC;
	s->features[s->n_features++] = f;
	return 0;
}

size_t ctr_log_size(const struct corrald *d, const struct ctr *c)
{
	return c->spec.log_max_size ? (size_t)c->spec.log_max_size : d->cfg->log_max_size;
}

unsigned ctr_log_files(const struct corrald *d, const struct ctr *c)
{
	return c->spec.log_max_files ? (unsigned)c->spec.log_max_files : d->cfg->log_max_files;
}

const char *ctr_hostname(struct corrald *d, const struct ctr *c)
{
	static char host[CTR_HOSTNAME_MAX + 1];
	if (c->spec.hostname)
		return c->spec.hostname;
	if ((c->spec.network == CTR_NET_HOST || c->spec.uts_ns == CTR_NS_HOST) && gethostname(host, sizeof(host) - 1) == 0 &&
	    host[0])
		return host;
	const char *h = NULL;
	for (size_t i = 0; i < d->containers->n_features && !h; i++)
		if (d->containers->features[i]->bundle.hostname)
			h = d->containers->features[i]->bundle.hostname(d, c);
	return h ? h : c->name;
}
