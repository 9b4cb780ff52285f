/* The container table: each container corrald keeps, found by id or name,
 * made and freed, counted for the gauges, and dropped at shutdown. */
#include "supervisor/daemon/core/owner.h"
#include "supervisor/api/owned_name.h"
#include "supervisor/daemon/spec/ctr_spec_net.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/spec/healthcheck.h"
#include "supervisor/daemon/containers/record/ctr_waiters.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "runtime/cgroup_path.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"

#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const ctr_status_str[CS_COUNT] = { "created", "running", "exited", "restarting", "removing", "paused" };

ctr *ctr_by_name(corrald *d, uid_t owner, const char *name)
{
	for (ctr *c = d->ctrs; c; c = c->next)
		if (c->owner == owner && streq(c->name, name))
			return c;
	return NULL;
}

/* The container ref names as peer reaches names (owned_name.h): NAME its
 * own (root's for corrald itself), NAME@UID root's way to a member's */
static ctr *by_ref_name(corrald *d, const char *ref, const peer_cred *peer)
{
	uid_t owner;
	char name[CTR_NAME_MAX + 1];
	return owned_name_parse(ref, peer ? peer->uid : 0, &owner, name, sizeof(name)) ? ctr_by_name(d, owner, name)
											: NULL;
}

ctr *ctr_by_id(const corrald *d, const char *id)
{
	for (ctr *c = d->ctrs; c; c = c->next)
		if (streq(c->id, id))
			return c;
	return NULL;
}

const char *ctr_shown_name(const ctr *c, const peer_cred *viewer, char *buf, size_t n)
{
	return owned_name_shown(c->name, c->owner, viewer ? viewer->uid : 0, buf, n);
}

bool ctr_visible_to(const ctr *c, const peer_cred *peer)
{
	return owner_may(peer, c->owner);
}

ctr *ctr_find_for(corrald *d, const char *ref, const peer_cred *peer)
{
	if (!ref || !*ref)
		return NULL;
	ctr *byid = ctr_by_id(d, ref);
	if (byid)
		return ctr_visible_to(byid, peer) ? byid : NULL;
	ctr *byname = by_ref_name(d, ref, peer);
	if (byname)
		return ctr_visible_to(byname, peer) ? byname : NULL;
	ctr *hit = NULL;
	size_t n = strlen(ref);
	for (ctr *c = d->ctrs; c; c = c->next)
		if (ctr_visible_to(c, peer) && !strncmp(c->id, ref, n)) {
			if (hit)
				return NULL; /* ambiguous */
			hit = c;
		}
	return hit;
}

ctr *ctr_find(corrald *d, const char *ref)
{
	return ctr_find_for(d, ref, NULL);
}

ctr *ctr_new(corrald *d)
{
	ctr *c = calloc(1, sizeof(*c));
	if (c) {
		c->mon_fd = -1;
		c->d = d;
	}
	return c;
}

void ctr_drop_attached(ctr *c)
{
	for (size_t i = 0; i < c->n_attach; i++)
		close(c->attach_fds[i]);
	c->n_attach = 0;
}

void ctr_free(ctr *c)
{
	if (!c)
		return;
	ctr_drop_attached(c);
	for (ctr_exec_inst *x = c->execs, *next; x; x = next) {
		next = x->next;
		free(x->params);
		free(x);
	}
	CTR_FEATURES_EACH(c->d, end.freed, c); /* the engine's first: its monitor's spawn */
	el_remove(c->mon_src);
	el_remove(c->restart_timer);
	if (c->mon_fd >= 0)
		close(c->mon_fd);
	free(c->name);
	free(c->image);
	free(c->image_digest);
	free(c->start_error);
	free(c->owner_groups);
	strv_free(c->pin_sources);
	free(c->image_manifest);
	strv_free(c->command);
	free(c->spec_json);
	free(c->list_json);
	if (c->spec_tree)
		yajl_tree_free(c->spec_tree);
	ctr_spec_release(&c->spec);
	free(c);
}

size_t ctr_count(const corrald *d, int status)
{
	size_t n = 0;
	for (ctr *c = d->ctrs; c; c = c->next)
		n += status < 0 || (int)c->status == status;
	return n;
}

void ctr_update_gauges(corrald *d)
{
	for (int s = 0; s < CS_COUNT; s++)
		metrics_set_containers(d->metrics, ctr_status_str[s], ctr_count(d, s));
}

void ctr_shutdown_all(corrald *d)
{
	while (d->ctrs) {
		ctr *c = d->ctrs;
		d->ctrs = c->next;
		ctr_drop_waiters(c);
		CTR_FEATURES_EACH(d, end.shutdown, c);
		ctr_free(c);
	}
}

