/* Secrets in a container's life: each name checked at Create, the files
 * delivered at each start and the host's view of them withdrawn once the
 * container holds them (or will not). */
#include "supervisor/daemon/containers/engine/ctr_bundle.h"
#include "supervisor/daemon/secrets/secrets.h"
#include "supervisor/daemon/secrets/deliver.h"
#include "supervisor/daemon/secrets/methods.h"
#include "supervisor/daemon/secrets/secrets_methods.h"

static int check(struct corrald *d, ctr_spec *cspec, const peer_cred *peer, ctr_missing *m, json_fault *f)
{
	int r = secrets_check_refs(d, peer, cspec, &m->name, f);
	m->kind = CTR_MISSING_SECRET;
	return r > 0 ? CTR_MISSING : r;
}

static void gen_mounts(yajl_gen g, const bundle_in *in, enum ctr_mounts_at at)
{
	if (at == CTR_MOUNTS_AFTER_TMPFS)
		secrets_gen_mounts(g, in->spec, in->dir);
}

const ctr_feature secrets_container_hooks = {
	.name = "secrets",
	.create = { .check = check },
	.bundle = { .mounts = gen_mounts },
	.start = { .starting = secrets_deliver, .abandoned = secrets_withdraw, .running = secrets_withdraw },
	/* ended: the host's view, should corrald have died before it was */
	.end = { .not_started = secrets_withdraw, .ended = secrets_withdraw, .removed = secrets_withdraw },
};
