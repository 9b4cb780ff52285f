/* ctr_repin.h: bind sources pinned again after a host restart, or once deleted. */
#include "supervisor/daemon/containers/engine/ctr_repin.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "supervisor/daemon/containers/record/pins.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/spec/ctr_spec_mounts.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* A member's, while its sources are opened as the member */
typedef struct repin {
	corrald *d;
	char id[CTR_ID_LEN + 1];
	ctr_done *done;
	ctr_repin_resume resume;
	peer_cred peer;
	ctr_spec cspec;
	ctr_pins pins;
} repin;

/* c's pinned sources as its owner gave them (c->spec names the pins once
 * made): as Create recorded them (a missing one made as its spec says), or
 * from the spec of a record of before */
static int given_spec(corrald *d, const ctr *c, ctr_spec *out, cerr *err)
{
	_cleanup_json_ yajl_val v = NULL;
	if (json_parse(c->spec_json, "spec", &v, err) < 0)
		return -1;
	json_fault f = JSON_FAULT_CHAIN(err);
	if (ctr_spec_parse(v, d->cfg->default_restart, d->cfg->default_stop_timeout, out, &f) < 0)
		return -1;
	size_t n = strv_length(c->pin_sources);
	if (!n)
		return 0;
	/* the spec's binds first, then a member's bind volumes (added at Create) */
	ctr_mount *m = calloc(n + 1, sizeof(*m));
	if (!m)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n && i < out->n_mounts; i++) {
		m[i].create_source = out->mounts[i].create_source;
		m[i].source_type = out->mounts[i].source_type;
	}
	ctr_spec_release_mounts(out);
	out->mounts = m;
	out->n_mounts = n;
	for (size_t i = 0; i < n; i++)
		if (!(m[i].source = strdup(c->pin_sources[i])))
			return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}

/* Admitted as at Create, then mounted where the bundle looks */
static int admit_and_mount(corrald *d, const ctr *c, const peer_cred *peer, ctr_spec *cspec, ctr_pins *pins, cerr *err)
{
	policy_violation pv;
	int r = CTR_FEATURES_FIRST(d, create.admit_binds, d, peer, cspec, pins, &pv, err);
	if (r == POLICY_REFUSED)
		return cerr_set(err, EPERM, "%s: %s (%s)", pv.field, pv.reason, pv.limit);
	if (r < 0)
		return -1;
	if (pins->n != cspec->n_mounts) /* no gate opened them: nothing is bound unchecked */
		return cerr_set(err, EPERM, "its bind sources: no policy admitted them");
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	return ctr_pins_remount(pins, dir, cspec, err);
}

static void repin_free(repin *p)
{
	ctr_spec_release(&p->cspec);
	ctr_pins_release(&p->pins);
	free(p);
}

static void opened(void *data)
{
	repin *p = data;
	ctr *c = ctr_by_id(p->d, p->id);
	_cleanup_cerr_ cerr err = { 0 };
	if (c) {
		c->repinning = false;
		admit_and_mount(p->d, c, &p->peer, &p->cspec, &p->pins, &err);
	}
	ctr_done *done = ctr_done_take(&p->done);
	corrald *d = p->d;
	ctr_repin_resume resume = p->resume;
	repin_free(p);
	resume(d, c, done, &err);
}

int ctr_repin(corrald *d, ctr *c, ctr_done *done, ctr_repin_resume resume, cerr *err)
{
	if (!c->owner) {
		_cleanup_(ctr_spec_release) ctr_spec cspec = { 0 };
		ctr_pins pins = { 0 };
		peer_cred root = { .uid = 0, .gid = 0 };
		int r = given_spec(d, c, &cspec, err) < 0 ? -1 : admit_and_mount(d, c, &root, &cspec, &pins, err);
		ctr_pins_release(&pins);
		return r < 0 ? cerr_wrap(err, "container %s: its bind sources pinned again", c->id) : 0;
	}
	repin *p = calloc(1, sizeof(*p));
	if (!p)
		return cerr_set(err, ENOMEM, "out of memory");
	*p = (repin){ .d = d, .resume = resume, .peer = { .uid = c->owner, .gid = c->owner_gid } };
	snprintf(p->id, sizeof(p->id), "%s", c->id);
	for (unsigned i = 0; i < c->n_owner_groups && i < PEER_MAX_GROUPS; i++)
		p->peer.groups[p->peer.n_groups++] = c->owner_groups[i];
	if (given_spec(d, c, &p->cspec, err) < 0 ||
	    ctr_pins_open_as_member(d->loop, &p->cspec, &p->peer, &p->pins, opened, p, err) < 0) {
		repin_free(p);
		return cerr_wrap(err, "container %s: its bind sources pinned again", c->id);
	}
	ctr_done_hold(&p->done, done);
	c->repinning = true;
	return 1;
}
