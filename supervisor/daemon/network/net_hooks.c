/* The network in a container's life: its names (/etc/hosts from Create
 * on, /etc/resolv.conf when networked), its CNI attachment between the
 * monitor's "created" and "start", and the detach when it is over; and
 * its /etc/hostname. */
#include "supervisor/daemon/network/network.h"
#include "supervisor/daemon/netfiles/hosts.h"
#include "supervisor/daemon/containers/engine/ctr_bundle.h"
#include "supervisor/daemon/containers/engine/ctr_bundle_mounts.h"
#include "supervisor/daemon/network/net_names.h"
#include "supervisor/daemon/network/net_attach.h"
#include "supervisor/daemon/network/net_inspect.h"
#include "supervisor/daemon/network/net_store.h"
#include "supervisor/daemon/network/netconf.h"
#include "supervisor/daemon/network/resolv.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/spec/names.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* The network it names is there at Create, so that a mistake is refused
 * before anything is made (the default one is made at its first use). */
static int check(struct corrald *d, ctr_spec *cspec, const peer_cred *peer, ctr_missing *m, json_fault *f)
{
	if (cspec->network != CTR_NET_CNI || streq(cspec->net_name, NET_DEFAULT_NAME))
		return 0;
	_cleanup_free_ char *text = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	int r = net_store_text(d->cfg->cni_config_dir, cspec->net_name, &text, &err);
	*m = (ctr_missing){ CTR_MISSING_NETWORK, cspec->net_name };
	if (r == -ENOENT)
		return CTR_MISSING;
	return r < 0 ? json_fault_set(f, -r, "spec.network", "%s", cerr_msg(&err)) : 0;
}

static int created(struct corrald *d, ctr *c, const char *dir, char *broker_dir, size_t n, cerr *err)
{
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
	char src[PATH_MAX];
	snprintf(src, sizeof(src), "%s/" HOSTS_FILE, in->dir);
	if (!bundle_requested(in->spec, "/etc/hosts"))
		bundle_gen_mount(g, "/etc/hosts", "bind", src, rw, NULL);
	snprintf(src, sizeof(src), "%s/" HOSTNAME_FILE, in->dir);
	if (!bundle_requested(in->spec, "/etc/hostname"))
		bundle_gen_mount(g, "/etc/hostname", "bind", src, rw, NULL);
	snprintf(src, sizeof(src), "%s/" RESOLV_FILE, in->dir);
	if (names_gets_resolv(in->spec) && !bundle_requested(in->spec, "/etc/resolv.conf"))
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

static void gen_inspect(yajl_gen g, struct corrald *d, const ctr *c) { net_gen_inspect(g, d, c); }

const ctr_feature network_container_hooks = {
	.name = "network",
	.check = check,
	.created = created,
	.gen_mounts = gen_mounts,
	.created_pid = created_pid,
	.spawn_gone = spawn_gone,
	.not_started = net_detach, /* attached, then it failed to start */
	.ended = net_detach,
	.removed = net_detach, /* reads network.json before the directory goes */
	.gen_inspect = gen_inspect,
};
