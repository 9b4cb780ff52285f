/* spec.network "container:REF": another container's network namespace,
 * joined at each start, with its /etc/hosts, /etc/hostname, resolv.conf
 * and hostname, as Docker's --network container:. The namespace is pinned
 * from its process for the runtime (a pid reused meanwhile is never taken
 * for it) and let go once the start is over. */
#include "supervisor/daemon/network/net_container.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/containers/record/pins.h"
#include "supervisor/daemon/netfiles/netns_pin.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a container on another's network cannot have of its own: Docker's
 * conflicts (runconfig's validateNetContainerMode) */
static int check_own_names(const ctr_spec *s, json_fault *f)
{
	const char *field = s->hostname	     ? "spec.hostname"
			    : s->domainname  ? "spec.domainname"
			    : s->dns	     ? "spec.dns"
			    : s->dns_search  ? "spec.dnsSearch"
			    : s->dns_options ? "spec.dnsOptions"
			    : s->extra_hosts ? "spec.extraHosts"
			    : s->network_aliases ? "spec.networkAliases"
						 : NULL;
	if (field)
		return json_fault_set(f, EINVAL, field, "a container on another's network has that container's names");
	return 0;
}

/* The end of c's chain of container networks: the one whose namespace it
 * is, and whose names. Each link was checked at its Create to point to an
 * older container, so the chain ends; NULL once one of it is gone. */
static ctr *chain_end(const corrald *d, const ctr_spec *s)
{
	ctr *t = NULL;
	for (int depth = 0; s->network == CTR_NET_CONTAINER && depth < 64; depth++) {
		if (!(t = ctr_by_id(d, s->net_container)))
			return NULL;
		s = &t->spec;
	}
	return s->network == CTR_NET_CONTAINER ? NULL : t;
}

int net_container_check(corrald *d, ctr_spec *s, const peer_cred *peer, json_fault *f)
{
	if (s->network != CTR_NET_CONTAINER)
		return 0;
	int r = check_own_names(s, f);
	if (r < 0)
		return r;
	ctr *t = ctr_find_for(d, s->net_container, peer);
	if (!t)
		return json_fault_set(f, EINVAL, "spec.network", "no such container: %s", s->net_container);
	ctr *end = t->spec.network == CTR_NET_CONTAINER ? chain_end(d, &t->spec) : t;
	if (!end)
		return json_fault_set(f, EINVAL, "spec.network", "container %s shares the network of a container that is gone",
				      t->name);
	/* the host's namespace is the policy's to give (network host) */
	if (end->spec.network == CTR_NET_HOST)
		return json_fault_set(f, EINVAL, "spec.network", "container %s is on the host's network: ask for network host",
				      t->name);
	char *id = strdup(t->id);
	if (!id)
		return json_fault_oom(f);
	free(s->net_container);
	s->net_container = id;
	return 0;
}

const ctr *net_container_names(const corrald *d, const ctr_spec *s)
{
	return s->network == CTR_NET_CONTAINER ? chain_end(d, s) : NULL;
}

static void pin_path(corrald *d, const ctr *c, char *buf, size_t n)
{
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	snprintf(buf, n, "%s/" NET_CONTAINER_PIN, dir);
}

int net_container_pin(corrald *d, ctr *c, cerr *err)
{
	if (c->spec.network != CTR_NET_CONTAINER)
		return 0;
	ctr *t = ctr_by_id(d, c->spec.net_container);
	if (!t)
		return cerr_set(err, ESRCH, "container %s: the container whose network it shares (%.12s) is gone", c->name,
				c->spec.net_container);
	if (!ctr_alive(t) || t->pid <= 0)
		return cerr_set(err, ESRCH, "container %s: cannot join the network of container %s: it is %s", c->name,
				t->name, ctr_status_str[t->status]);
	char path[PATH_MAX], cgroup[PATH_MAX];
	pin_path(d, c, path, sizeof(path));
	ctr_cgroup_path(d, t, cgroup, sizeof(cgroup));
	netns_unpin(path); /* a start that did not finish left it */
	if (ctr_pin_ns_of(path, t->pid, "net", cgroup, err) < 0)
		return cerr_wrap(err, "container %s: the network of container %s", c->name, t->name);
	return 0;
}

void net_container_unpin(corrald *d, ctr *c)
{
	if (c->spec.network != CTR_NET_CONTAINER)
		return;
	char path[PATH_MAX];
	pin_path(d, c, path, sizeof(path));
	netns_unpin(path);
}
