/* ContainerPrune's and SystemPrune's part here: every stopped container
 * (created or exited, as podman counts them; not one a restart policy is
 * bringing back) is removed; SystemPrune then prunes the image store as
 * ImagePrune does (images/img_prune.c). */
#include "supervisor/daemon/containers/engine/ctr_prune.h"
#include "supervisor/daemon/containers/engine/ctr_lifecycle.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/timefmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool stopped(const ctr *c)
{
	return (c->status == CS_EXITED || c->status == CS_CREATED) && !ctr_is_starting(c) && !c->restart_wanted;
}

static bool filtered_out(const ctr *c, const prune_filter *pf)
{
	long long created = 0;
	if (!pf)
		return false;
	rfc3339_parse(c->created, strlen(c->created), &created);
	return !prune_filter_match(pf, created, prune_label_of_kv, c->spec.labels);
}

/* Remove the stopped containers peer may reach; their ids go to *removed.
 * One that cannot be removed is logged and left, and the others still go. */
int ctr_prune_stopped(corrald *d, const peer_cred *peer, const prune_filter *pf, char ***removed)
{
	for (ctr *c = d->ctrs, *next; c; c = next) {
		next = c->next;
		if (!stopped(c) || !ctr_visible_to(c, peer) || filtered_out(c, pf))
			continue;
		char *id = strdup(c->id); /* c is freed as it goes */
		cerr err = { 0 };
		if (!id)
			return -ENOMEM;
		if (ctr_remove_now(d, c, &err) < 0) {
			log_cerr(LOG_LVL_WARN, &err, "prune");
			free(id);
			continue;
		}
		if (strv_push(removed, id) < 0) {
			free(id);
			return -ENOMEM;
		}
	}
	char n[32];
	snprintf(n, sizeof(n), "%zu", strv_length(*removed));
	events_publish(d->events, EV_OWNER(peer ? peer->uid : 0), "container", "prune", "", NULL,
		       (const char *const[]){ "containers", n, NULL }, 0);
	return 0;
}
