/* A container's events, published with its session where it has one. */
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/spec/ctr_spec_net.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_publish.h"
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

void ctr_publish(corrald *d, ctr *c, const char *action, const char *const *attrs)
{
	ctr_publish_at(d, c, action, attrs, 0);
}

void ctr_publish_at(corrald *d, ctr *c, const char *action, const char *const *attrs, long long at_ns)
{
	if (!c->spec.session)
		return (void)events_publish(d->events, EV_OWNER(c->owner), "container", action, c->id, c->name, attrs,
					    at_ns);
	const char *with[2 * 16 + 3]; /* a member's: its session too */
	size_t n = 0;
	for (const char *const *a = attrs; a && a[0] && a[1] && n < 2 * 16; a += 2) {
		with[n++] = a[0];
		with[n++] = a[1];
	}
	with[n++] = "session";
	with[n++] = c->spec.session;
	with[n] = NULL;
	events_publish(d->events, EV_OWNER(c->owner), "container", action, c->id, c->name, with, at_ns);
}
