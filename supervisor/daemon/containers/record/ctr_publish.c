/* A container's events, published with its image, its labels and its
 * session where it has one, as Docker's carry them (compose follows its
 * project's containers by their labels). The labels an event carries are
 * bounded (CTR_EVENT_LABELS_BYTES): the bus keeps its last 1024 events, and
 * a member's labels are as large as its request. */
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

/* Whether key is among the pairs of with[0..n) */
static bool has_key(const char **with, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i += 2)
		if (streq(with[i], key))
			return true;
	return false;
}

void ctr_publish_at(corrald *d, ctr *c, const char *action, const char *const *attrs, long long at_ns)
{
	size_t n_attrs = 0, n_labels = 0;
	while (attrs && attrs[n_attrs] && attrs[n_attrs + 1])
		n_attrs += 2;
	while (c->spec.labels && c->spec.labels[n_labels])
		n_labels += 2;
	_cleanup_free_ const char **with = calloc(n_attrs + n_labels + 5, sizeof(*with));
	if (!with)
		return log_warn("%s: its %s event is lost: out of memory", c->name, action);
	size_t n = 0;
	for (size_t i = 0; i < n_attrs; i++)
		with[n++] = attrs[i];
	with[n++] = "image";
	with[n++] = c->spec.image;
	if (c->spec.session) {
		with[n++] = "session";
		with[n++] = c->spec.session;
	}
	/* a label of a name corral gives is left out, as one JSON key; and
	 * those past the bound (each counted with its quotes, so that many
	 * empty ones are bounded too) */
	size_t own = n, bytes = 0;
	for (size_t i = 0; i < n_labels; i += 2) {
		bytes += strlen(c->spec.labels[i]) + strlen(c->spec.labels[i + 1]) + 6;
		if (bytes > CTR_EVENT_LABELS_BYTES)
			break;
		if (!has_key(with, own, c->spec.labels[i])) {
			with[n++] = c->spec.labels[i];
			with[n++] = c->spec.labels[i + 1];
		}
	}
	events_publish(d->events, EV_OWNER(c->owner), "container", action, c->id, c->name, with, at_ns);
}

void ctr_publish_kill(corrald *d, ctr *c, int sig, long long at_ns)
{
	char n[16];
	snprintf(n, sizeof(n), "%d", sig);
	ctr_publish_at(d, c, "kill", (const char *const[]){ "signal", n, NULL }, at_ns);
}

void ctr_publish_stopping(corrald *d, ctr *c)
{
	ctr_publish_kill(d, c, c->spec.stop_signal, 0);
	c->stop_said = true;
}

void ctr_publish_stopped(corrald *d, ctr *c, long long at_ns)
{
	if (c->stop_said)
		ctr_publish_at(d, c, "stop", NULL, at_ns);
	c->stop_said = false;
}
