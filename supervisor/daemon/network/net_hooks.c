/* The network in a container's life: its names (/etc/hosts from Create
 * on, /etc/resolv.conf when networked), its CNI attachment between the
 * monitor's "created" and "start", and the detach when it is over; and
 * its /etc/hostname. On another container's network, that one's names and
 * namespace (net_container.h). */
#include "supervisor/daemon/network/network.h"
#include "supervisor/daemon/netfiles/hosts.h"
#include "supervisor/daemon/containers/engine/ctr_bundle.h"
#include "supervisor/daemon/containers/engine/ctr_bundle_mounts.h"
#include "supervisor/daemon/network/net_names.h"
#include "supervisor/daemon/network/net_attach.h"
#include "supervisor/daemon/network/net_container.h"
#include "supervisor/daemon/network/net_fixed.h"
#include "supervisor/daemon/network/net_inspect.h"
#include "supervisor/daemon/network/net_store.h"
#include "supervisor/daemon/network/netconf.h"
#include "supervisor/daemon/network/resolv.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/spec/names.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The network it names is there at Create, so that a mistake is refused
 * before anything is made (the default one is made at its first use). */
static int check(struct corrald *d, ctr_spec *cspec, const peer_cred *peer, ctr_missing *m, json_fault *f)
{
	if (cspec->network == CTR_NET_CONTAINER)
		return net_container_check(d, cspec, peer, f);
	int r = net_fixed_check(d, cspec, peer, f);
	if (r < 0)
		return r;
	if (cspec->network != CTR_NET_CNI || streq(cspec->net_name, NET_DEFAULT_NAME))
		return 0;
	_cleanup_free_ char *text = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	r = net_store_text(d->cfg->cni_config_dir, cspec->net_name, &text, &err);
	*m = (ctr_missing){ CTR_MISSING_NETWORK, cspec->net_name };
	if (r == -ENOENT)
		return CTR_MISSING;
	return r < 0 ? json_fault_set(f, -r, "spec.network", "%s", cerr_msg(&err)) : 0;
}

static int created(struct corrald *d, ctr *c, const char *dir, char *broker_dir, size_t n, cerr *err)
{
	if (c->spec.network == CTR_NET_CONTAINER) /* the other's names are its */
		return 0;
	int r = names_write_initial(d, c, dir, err);
	return r < 0 ? r : hostname_write(dir, ctr_hostname(d, c), err);
}

/* corrald's files in the container's directory, unless the request binds
 * something there itself; rw: they are the container's own, as podman's */
static void gen_mounts(yajl_gen g, const bundle_in *in, enum ctr_mounts_at at)
{
	if (at != CTR_MOUNTS_BEFORE_BINDS)
		return;
	const char *const rw[] = { "bind", "rw", "nosuid", "nodev", "noexec", NULL };
	char src[PATH_MAX], dir[PATH_MAX];
	const ctr *names = net_container_names(in->d, in->spec);
	if (names)
		ctr_dir(in->d, names, dir, sizeof(dir));
	else
		snprintf(dir, sizeof(dir), "%s", in->dir);
	snprintf(src, sizeof(src), "%s/" HOSTS_FILE, dir);
	if (!bundle_requested(in->spec, "/etc/hosts"))
		bundle_gen_mount(g, "/etc/hosts", "bind", src, rw, NULL);
	snprintf(src, sizeof(src), "%s/" HOSTNAME_FILE, dir);
	if (!bundle_requested(in->spec, "/etc/hostname"))
		bundle_gen_mount(g, "/etc/hostname", "bind", src, rw, NULL);
	snprintf(src, sizeof(src), "%s/" RESOLV_FILE, dir);
	if (names_gets_resolv(names ? &names->spec : in->spec) && !bundle_requested(in->spec, "/etc/resolv.conf"))
		bundle_gen_mount(g, "/etc/resolv.conf", "bind", src, rw, NULL);
}

/* The monitor holds the start for a CNI network: attach, then say "start"
 * (or "abort") to it. */
static int created_pid(struct corrald *d, ctr *c, pid_t pid)
{
	if (c->spec.network != CTR_NET_CNI || !c->spawn || c->spawn->net_conf || c->spawn->net_err)
		return 0;
	net_attach(d, c, pid);
	return 1;
}

static void spawn_gone(struct corrald *d, ctr *c)
{
	net_attach_abandon(d, c); /* an ADD cut short runs its DEL */
	net_attach_cancel(c);
}

/* On another's network: the namespace pinned at its start */
static int ns_path(const bundle_in *in, const char *type, char *path, size_t n)
{
	if (!streq(type, "network") || in->spec->network != CTR_NET_CONTAINER)
		return 0;
	snprintf(path, n, "%s/" NET_CONTAINER_PIN, in->dir);
	return 1;
}

/* On another's network: that one's hostname */
static const char *hostname(struct corrald *d, const ctr *c)
{
	const ctr *names = net_container_names(d, &c->spec);
	return names ? ctr_hostname(d, names) : NULL;
}

static void start_over(struct corrald *d, ctr *c)
{
	spawn_gone(d, c);
	net_container_unpin(d, c);
}

static void removed(struct corrald *d, ctr *c)
{
	net_detach(d, c);
	net_container_unpin(d, c);
}

static void gen_inspect(yajl_gen g, struct corrald *d, const ctr *c)
{
	net_gen_inspect(g, d, c);
	if (c->spec.network == CTR_NET_CONTAINER)
		jg_key_str(g, "networkContainer", c->spec.net_container);
}

/* The id Create resolved container:REF to, which its starts join */
static void gen_record(yajl_gen g, const ctr *c)
{
	if (c->spec.network == CTR_NET_CONTAINER)
		jg_key_str(g, "networkContainer", c->spec.net_container);
}

static void load_record(ctr *c, yajl_val record)
{
	const char *id = YAJL_GET_STRING(json_get(record, "networkContainer"));
	char *dup = c->spec.network == CTR_NET_CONTAINER && id ? strdup(id) : NULL;
	if (dup) {
		free(c->spec.net_container);
		c->spec.net_container = dup;
	}
}

const ctr_feature network_container_hooks = {
	.name = "network",
	.create = { .check = check, .created = created },
	.bundle = { .hostname = hostname, .ns_path = ns_path, .mounts = gen_mounts },
	.start = { .starting = net_container_pin, .created_pid = created_pid, .abandoned = net_container_unpin,
		   .spawn_gone = start_over },
	/* not_started: attached, then it failed to start; removed reads
	 * network.json before the directory goes */
	.end = { .not_started = net_detach, .ended = net_detach, .removed = removed },
	.renamed = names_renamed,
	.inspect = { .top_keys = gen_inspect },
	.record = { .gen = gen_record, .load = load_record },
};
