/* The policy's gate for pulls: images.registries and images.allow, on the
 * reference as it will be pulled. */
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/strbuf.h"
#include "images/registry/conf.h"
#include "images/registry/reference.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

static bool listed(char *const *patterns, const char *s, bool prefixes)
{
	for (; *patterns; patterns++)
		if (prefixes ? reg_prefix_of(*patterns, s) : fnmatch(*patterns, s, 0) == 0)
			return true;
	return false;
}

static int refuse_list(policy_violation *v, const peer_cred *peer, const char *field, const char *key,
		       char *const *list, const char *what)
{
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s%s=[", peer->uid ? "unprivileged." : "", key);
	for (char *const *a = list; *a; a++)
		sb_addf(&sb, "%s%s", a == list ? "" : ",", *a);
	sb_addf(&sb, "]");
	int r = policy_violation_set(v, field, sb.buf ? sb.buf : key, "%s is not on the allow-list", what);
	sb_release(&sb);
	return r;
}

/* One qualified candidate: its registry, then the reference itself. */
static int admit_one(const policy_tier *t, const peer_cred *peer, const reg_ref *r, policy_violation *v)
{
	char repo[2 * REF_NAME_MAX + 2], full[600];
	reg_ref_repo(r, repo, sizeof(repo));
	reg_ref_string(r, full, sizeof(full));
	if (t->registries && !listed(t->registries, repo, true))
		return refuse_list(v, peer, "reference", "images.registries", t->registries, repo);
	/* a pattern names the reference with its tag, or the repository */
	if (t->image_allow && !listed(t->image_allow, full, false) && !listed(t->image_allow, repo, false))
		return refuse_list(v, peer, "reference", "images.allow", t->image_allow, full);
	return 0;
}

int policy_admit_registry(corrald *d, const peer_cred *peer, const char *registry, policy_violation *v)
{
	const policy_tier *t = policy_tier_of(d->policy, peer->uid);
	return t->registries && !listed(t->registries, registry, true)
		       ? refuse_list(v, peer, "registry", "images.registries", t->registries, registry)
		       : 0;
}

int policy_admit_pull(corrald *d, const peer_cred *peer, const char *ref, policy_violation *v)
{
	const policy_tier *t = policy_tier_of(d->policy, peer->uid);
	if (!t->registries && !t->image_allow)
		return 0;
	reg_ref r;
	_cleanup_cerr_ cerr err = { 0 };
	if (reg_ref_parse(ref, &r, &err) < 0)
		return policy_violation_set(v, "reference", "images.allow", "%s", cerr_msg(&err));
	if (!reg_ref_is_short(&r))
		return admit_one(t, peer, &r, v);
	char *const *search = d->cfg->registries.search;
	for (size_t i = 0; search && search[i]; i++) {
		reg_ref q = r;
		int e = reg_ref_qualify(&q, search[i], NULL) < 0 ? 0 : admit_one(t, peer, &q, v);
		if (e)
			return e;
	}
	return 0;
}
