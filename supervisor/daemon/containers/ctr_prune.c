/* ContainerPrune and SystemPrune: every stopped container (created or
 * exited, as podman counts them; not one a restart policy is bringing
 * back) is removed; SystemPrune then prunes the image store as ImagePrune
 * does (images/img_prune.c). */
#include "supervisor/daemon/containers/ctr_prune.h"
#include "supervisor/daemon/containers/ctr_ended.h"
#include "supervisor/daemon/containers/ctr_spawn.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/varlink/sv_errors.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool stopped(const ctr *c)
{
	return (c->status == CS_EXITED || c->status == CS_CREATED) && !ctr_is_starting(c) && !c->restart_wanted;
}

/* Remove the stopped containers peer may reach; their ids go to *removed.
 * One that cannot be removed is logged and left, and the others still go. */
int ctr_prune_stopped(corrald *d, const peer_cred *peer, char ***removed)
{
	for (ctr *c = d->ctrs, *next; c; c = next) {
		next = c->next;
		if (!stopped(c) || !ctr_visible_to(c, peer))
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

int sv_container_prune(vl_call *call, yajl_val params, void *ud)
{
	json_fault f = { 0 };
	if (sp_known(params, KNOWN(""), &f) < 0)
		return sv_invalid_fault(call, &f);
	_cleanup_strv_ char **removed = NULL;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || ctr_prune_stopped(ud, vl_call_peer(call), &removed) < 0)
		return sv_internal(call, "out of memory");
	yajl_gen_map_open(g);
	jg_key_strv(g, "removed", removed);
	yajl_gen_map_close(g);
	return vl_call_reply_gen(call, g);
}
