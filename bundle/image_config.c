#include "bundle/image_config.h"
#include "common/strv.h"

#include <stdlib.h>
#include <string.h>

void img_config_free(img_config *c)
{
	free(c->os);
	free(c->arch);
	free(c->variant);
	strv_free(c->diff_ids);
	strv_free(c->entrypoint);
	strv_free(c->cmd);
	strv_free(c->env);
	free(c->workdir);
	free(c->user);
	free(c->stop_signal);
	free(c->healthcheck);
	strv_free(c->volumes);
	for (size_t i = 0; i < c->n_labels; i++) {
		free(c->labels[i].key);
		free(c->labels[i].val);
	}
	free(c->labels);
	memset(c, 0, sizeof(*c));
}
