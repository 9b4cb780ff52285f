/* A container's cgroup frozen (cgroup.freeze) and thawed: Pause and
 * Unpause, and the thaw that lets a paused container act on a signal. */
#include "supervisor/daemon/containers/engine/ctr_freeze.h"
#include "supervisor/daemon/containers/record/ctr_publish.h"
#include "supervisor/daemon/containers/record/ctr_record.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/core/corrald.h"
#include "cgroups/cgroups.h"
#include "supervisor/loop/child.h"
#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* A freeze waits for every task to stop: in the kernel this is quick, and
 * the bound keeps corrald's loop from waiting on a stuck one. */
#define FREEZE_TIMEOUT_MS 2000

int ctr_set_frozen(corrald *d, ctr *c, bool freeze, cerr *err)
{
	char path[PATH_MAX];
	ctr_cgroup_path(d, c, path, sizeof(path));
	_cleanup_cg_ cg *g = NULL;
	int r = cg_open(NULL, path, &g, err);
	if (r < 0)
		return r;
	return cg_freeze(g, freeze, FREEZE_TIMEOUT_MS, err);
}

typedef struct freeze_run {
	corrald *d;
	char id[CTR_ID_LEN + 1];
	char cgroup[PATH_MAX];
	ctr_frozen_fn done;
	void *data;
} freeze_run;

/* In the child: frozen, or why not on stderr */
static int freeze_main(void *arg)
{
	const freeze_run *f = arg;
	_cleanup_cg_ cg *g = NULL;
	cerr err = { 0 };
	if (cg_open(NULL, f->cgroup, &g, &err) < 0 || cg_freeze(g, true, FREEZE_TIMEOUT_MS, &err) < 0) {
		fprintf(stderr, "%s", cerr_msg(&err));
		return 1;
	}
	return 0;
}

static void froze(const el_child_result *r, void *data)
{
	freeze_run *f = data;
	_cleanup_cerr_ cerr err = { 0 };
	if (r->code != 0)
		cerr_set(&err, EIO, "%s", r->out[1].len ? r->out[1].buf : "the freeze failed");
	ctr *c = ctr_by_id(f->d, f->id);
	if (c)
		c->pausing = false;
	f->done(f->d, c, r->code ? -EIO : 0, &err, f->data);
	free(f);
}

int ctr_freeze_async(corrald *d, ctr *c, uid_t member, ctr_frozen_fn done, void *data, cerr *err)
{
	freeze_run *f = calloc(1, sizeof(*f));
	if (!f)
		return cerr_set(err, ENOMEM, "out of memory");
	*f = (freeze_run){ .d = d, .done = done, .data = data };
	snprintf(f->id, sizeof(f->id), "%s", c->id);
	ctr_cgroup_path(d, c, f->cgroup, sizeof(f->cgroup));
	el_child_opts o = { .fn = freeze_main, .arg = f, .fd3 = SPAWN_NULL, .max_output = 4096, .member = member };
	el_child *child;
	int r = el_child_run(d->loop, &o, froze, f, &child, err);
	if (r < 0)
		free(f);
	else
		c->pausing = true;
	return r;
}

bool ctr_is_frozen(corrald *d, ctr *c)
{
	char path[PATH_MAX];
	ctr_cgroup_path(d, c, path, sizeof(path));
	_cleanup_cg_ cg *g = NULL;
	bool frozen = false;
	_cleanup_cerr_ cerr err = { 0 };
	if (cg_open(NULL, path, &g, &err) < 0 || cg_frozen(g, &frozen) < 0)
		frozen = false;
	return frozen;
}

int ctr_thaw(corrald *d, ctr *c, cerr *err)
{
	if (c->status != CS_PAUSED)
		return 0;
	int r = ctr_set_frozen(d, c, false, err);
	if (r < 0 && !cerr_forgive(err, ENOENT)) /* no cgroup left: it has ended, and nothing is frozen */
		return r;
	c->status = CS_RUNNING;
	ctr_save(d, c);
	ctr_publish(d, c, "unpause", NULL);
	return 0;
}

/* A paused container is thawed once signalled, so that it acts on the
 * signal; should the thaw fail, a SIGKILL still ends it. */
void ctr_thaw_signalled(corrald *d, ctr *c)
{
	cerr err = { 0 };
	if (ctr_thaw(d, c, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "container %s: thaw after a signal", c->name);
}
