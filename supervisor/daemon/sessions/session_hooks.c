/* A session container's life: its session's settings and namespaces, its
 * broker directory, and the session's names kept current as members come
 * and go. */
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/daemon/containers/engine/ctr_bundle.h"
#include "supervisor/daemon/containers/engine/ctr_bundle_mounts.h"
#include "supervisor/daemon/sessions/session_ctr.h"
#include "supervisor/daemon/sessions/session_net.h"
#include "supervisor/daemon/sessions/session_record.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/network/network.h"

static int check(struct corrald *d, ctr_spec *cspec, const peer_cred *peer, ctr_missing *m, json_fault *f)
{
	*m = (ctr_missing){ CTR_MISSING_SESSION, cspec->session };
	return cspec->session && !session_ctr_visible(d, cspec, peer) ? CTR_MISSING : 0;
}

static void uncreated(struct corrald *d, ctr *c)
{
	if (c->spec.session)
		session_ctr_remove(d, c);
}

static int created(struct corrald *d, ctr *c, const char *dir, char *broker_dir, size_t n, cerr *err)
{
	return session_ctr_add(d, c, broker_dir, n, err);
}

static void known(struct corrald *d, ctr *c) { session_ctr_names(d, c, false); }
static void ended(struct corrald *d, ctr *c) { session_ctr_ended(d, c); }

/* the socket names it to corrald; read-only, so the container can plant
 * nothing where corrald replaces the socket */
static void gen_mounts(yajl_gen g, const bundle_in *in, enum ctr_mounts_at at)
{
	if (at == CTR_MOUNTS_AFTER_TMPFS && in->broker_dir && in->broker_dir[0])
		bundle_gen_mount(g, SESSION_BROKER_DIR, "bind", in->broker_dir,
				 (const char *const[]){ "bind", "ro", "nosuid", "nodev", "noexec", NULL }, NULL);
}

const ctr_feature sessions_container_hooks = {
	.name = "sessions",
	.create = { .complete_spec = session_ctr_spec, .check = check, .created = created, .uncreated = uncreated,
		    .known = known },
	.bundle = { .hostname = session_ctr_hostname, .ns_path = session_ns_join, .mounts = gen_mounts },
	.end = { .ended = ended, .removed = session_ctr_remove },
};

/* The network asks: a session's namespace holds its attachment and ports. */
static int port_held(const struct corrald *d, const cni_port *p, const void *self, const peer_cred *viewer,
		     cerr *err)
{
	char shown[SESSION_SHOWN_MAX];
	for (const session *s = d->sessions; s; s = s->next) {
		if ((const void *)s == self)
			continue;
		for (size_t j = 0; j < s->n_ports; j++)
			if (cni_ports_overlap(p, &s->ports[j]))
				return ports_taken(p, "session", session_shown(s, viewer, shown, sizeof(shown)),
						   session_visible_to(s, viewer), err);
	}
	return 0;
}

const net_holder sessions_net_holder = {
	.holds_cni_id = session_holds_cni_id,
	.port_held = port_held,
};
