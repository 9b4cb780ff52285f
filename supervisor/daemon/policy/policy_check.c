#include "supervisor/daemon/policy/policy_check.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/policy/policy_sig.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/store/img_lookup.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/api/interface.h"
#include "bundle/caps.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "images/refs.h"
#include "images/refs_find.h"
#include "images/refs_name.h"
#include "images/store.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define refuse policy_violation_set

bool policy_path_allowed(const char *real, char *const *prefixes)
{
	if (!prefixes)
		return true;
	for (; *prefixes; prefixes++) {
		size_t n = strlen(*prefixes);
		if (streq(*prefixes, "/") ||
		    (!strncmp(real, *prefixes, n) && (real[n] == '\0' || real[n] == '/')))
			return true;
	}
	return false;
}

/* "unprivileged.memory.max" for a member, "memory.max" for root. */
static const char *key_of(const peer_cred *peer, const char *key, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s", peer->uid ? "unprivileged." : "", key);
	return buf;
}

/* Live containers: all that exist and have not ended; a member counts its own. */
static int check_count(corrald *d, const peer_cred *peer, const policy_tier *t, policy_violation *v)
{
	if (!t->max_containers)
		return 0;
	size_t n = 0;
	for (const ctr *c = d->ctrs; c; c = c->next)
		if (c->status != CS_EXITED && c->status != CS_REMOVING && ctr_visible_to(c, peer))
			n++;
	char k[64], lim[96];
	snprintf(lim, sizeof(lim), "%s=%zu", key_of(peer, "max_containers", k, sizeof(k)), t->max_containers);
	return n >= t->max_containers ? refuse(v, "spec", lim, "live containers: %zu already", n) : 0;
}

int policy_admit_quota(corrald *d, const peer_cred *peer, enum policy_quota q, size_t have, size_t adding,
		       const char *field, policy_violation *v)
{
	const policy_tier *t = policy_tier_of(d->policy, peer->uid);
	size_t max = t->quota[q];
	if (!max || have + adding <= max)
		return 0;
	char k[64], lim[96];
	snprintf(lim, sizeof(lim), "%s=%zu", key_of(peer, policy_quota_key[q], k, sizeof(k)), max);
	return refuse(v, field, lim, "%s: %zu already%s", policy_quota_key[q] + 4, have,
		      adding > 1 ? ", and this asks for more" : "");
}

static int check_int(const peer_cred *peer, const char *field, const char *key, int64_t *val, bool *defaulted,
		     int64_t dflt, int64_t max, policy_violation *v)
{
	*defaulted = *val < 0 && (dflt >= 0 || max >= 0);
	if (*val < 0)
		*val = dflt >= 0 ? dflt : max; /* nothing asked: the default, else the ceiling */
	char k[64], lim[96];
	snprintf(lim, sizeof(lim), "%s=%lld", key_of(peer, key, k, sizeof(k)), (long long)max);
	if (max >= 0 && *val > max)
		return refuse(v, field, lim, "%lld is above the limit %lld", (long long)*val, (long long)max);
	return 0;
}

static int check_resources(const peer_cred *peer, const policy_tier *t, ctr_spec *s, policy_violation *v)
{
	int r;
	if ((r = check_int(peer, "spec.resources.memory", "memory.max", &s->memory, &s->memory_defaulted,
			   t->memory_default, t->memory_max, v)) ||
	    (r = check_int(peer, "spec.resources.pids", "pids.max", &s->pids, &s->pids_defaulted, t->pids_default,
			   t->pids_max, v)))
		return r;
	char k[64], lim[96];
	/* a reservation asked without a memory limit, against the policy's */
	snprintf(lim, sizeof(lim), "%s=%lld", key_of(peer, "memory.max", k, sizeof(k)), (long long)s->memory);
	if (s->memory >= 0 && s->memory_reservation > s->memory)
		return refuse(v, "spec.resources.memoryReservation", lim, "%lld is above the limit %lld",
			      s->memory_reservation, (long long)s->memory);
	if (s->cpus <= 0)
		s->cpus = t->cpu_default > 0 ? t->cpu_default : t->cpu_max;
	snprintf(lim, sizeof(lim), "%s=%g", key_of(peer, "cpu.max", k, sizeof(k)), t->cpu_max);
	if (t->cpu_max > 0 && s->cpus > t->cpu_max)
		return refuse(v, "spec.resources.cpus", lim, "%g is above the limit %g", s->cpus, t->cpu_max);
	return 0;
}

static uint64_t default_caps(void)
{
	uint64_t m = 0;
	for (size_t i = 0; i < caps_default_n; i++)
		m |= 1ull << caps_default[i];
	return m;
}

/* Host ports below 1024: root's only, and only when the policy says so. */
static int check_ports(const peer_cred *peer, const policy_tier *t, const cni_port *ports, size_t n, const char *field,
		       policy_violation *v)
{
	char k[96];
	for (size_t i = 0; i < n; i++)
		if (ports[i].host_port < 1024 && !(peer->uid == 0 && t->allow_low_ports))
			return refuse(v, field, key_of(peer, "privileges.allow_low_ports=false", k, sizeof(k)),
				      "host port %u is below 1024", ports[i].host_port);
	return 0;
}

int policy_admit_ports(corrald *d, const peer_cred *peer, const cni_port *ports, size_t n, const char *field,
		       policy_violation *v)
{
	return check_ports(peer, policy_tier_of(d->policy, peer->uid), ports, n, field, v);
}

/* Privileges a member never has; root has those the policy grants. */
static int check_privileges(const peer_cred *peer, const policy_tier *t, const ctr_spec *s, policy_violation *v)
{
	bool root = peer->uid == 0;
	char k[96];
	if (s->privileged && !(root && t->allow_privileged))
		return refuse(v, "spec.privileged", key_of(peer, "privileges.allow_privileged=false", k, sizeof(k)),
			      "a privileged container is not allowed");
	/* a member's containers run under corrald's profile: "unconfined", or
	 * a host profile that allows as much, would undo it */
	if (!root && s->apparmor && s->apparmor[0])
		return refuse(v, "spec.apparmorProfile", "unprivileged: corrald's AppArmor profile",
			      "a group member cannot choose an AppArmor profile (\"%s\")", s->apparmor);
	if (s->image[0] == '/' && !(root && t->allow_directory_images))
		return refuse(v, "spec.image", key_of(peer, "privileges.allow_directory_images=false", k, sizeof(k)),
			      "a directory image (%s) is not allowed", s->image);
	if (s->network == CTR_NET_HOST && !(root && t->allow_host_network))
		return refuse(v, "spec.network", key_of(peer, "privileges.allow_host_network=false", k, sizeof(k)),
			      "the host's network is not allowed");
	if (check_ports(peer, t, s->ports, s->n_ports, "spec.ports", v))
		return POLICY_REFUSED;
	if (root && t->any_capability)
		return 0;
	uint64_t bad = s->caps & ~default_caps() & ~(root ? t->allowed_caps : 0);
	for (int c = 0; c < 64; c++)
		if (bad & (1ull << c)) {
			char name[32];
			strbuf sb = STRBUF_INIT;
			sb_addf(&sb, "%s=[", key_of(peer, "privileges.allowed_capabilities", k, sizeof(k)));
			for (int i = 0, first = 1; root && i < 64; i++)
				if (t->allowed_caps & (1ull << i))
					sb_addf(&sb, "%s%s", first ? "" : ",", caps_name(i, name) + 4), first = 0;
			sb_addf(&sb, "]");
			int r = refuse(v, "spec.capAdd", sb.buf ? sb.buf : "privileges.allowed_capabilities",
				       "%s is beyond the default set", caps_name(c, name));
			sb_release(&sb);
			return r;
		}
	return 0;
}

/* By the name asked for (not another name of the same image), as typed or
 * as the full name it found (found: localhost/tools/a:1 for tools/a:1), or
 * by the manifest digest. */
static bool image_listed(const policy_tier *t, const refs_db *db, int i, const char *ref, const char *found)
{
	const ref_image *im = &db->images[i];
	_cleanup_free_ char *norm = found ? strdup(found) : ref_normalize(ref);
	for (char **a = t->image_allow; *a; a++) {
		if (!strncmp(*a, "sha256:", 7)) {
			if (streq(*a, im->manifest))
				return true;
			continue;
		}
		if (fnmatch(*a, ref, 0) == 0 || (norm && fnmatch(*a, norm, 0) == 0))
			return true;
	}
	return false;
}

/* A member's own image (by its own name, or by an ID only it holds) is
 * not root's: images.allow lists root's images only. */
static int check_own_image(const peer_cred *peer, const policy_tier *t, const refs_db *db, int i, int ni,
			   const char *ref, policy_violation *v)
{
	bool own = ni >= 0 ? db->names[ni].owner != 0 : !refs_held_by(db, (size_t)i, 0);
	if (!owner_is_member(peer) || !own || !t->image_allow)
		return 0;
	char k[64];
	return refuse(v, "spec.image", key_of(peer, "images.allow", k, sizeof(k)),
		      "%s is your own image: with an images.allow list, a member runs only root's images", ref);
}

/* A store image: on the allow-list, and signed when that is required; its
 * manifest pinned for the create. An image that does not resolve is left
 * to the create path (NoSuchImage). */
static int check_image(corrald *d, const peer_cred *peer, const policy_tier *t, const char *ref, ctr_pins *pins,
		       policy_violation *v, cerr *err)
{
	if (ref[0] == '/' || (!t->image_allow && !t->require_signature))
		return 0;
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	bool opened;
	int r, ni, i = img_find_ref(d, peer, ref, &s, &db, &ni, NULL, &opened, err);
	if (i < 0 && !opened)
		return i;
	if (i < 0) { /* left to the create path */
		cerr_clear(err);
		return 0;
	}
	if ((r = check_own_image(peer, t, &db, i, ni, ref, v)))
		return r;
	snprintf(pins->image, sizeof(pins->image), "%s", db.images[i].manifest);
	char k[64];
	if (t->image_allow && !image_listed(t, &db, i, ref, ni >= 0 ? db.names[ni].name : NULL)) {
		strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "%s=[", key_of(peer, "images.allow", k, sizeof(k)));
		for (char **a = t->image_allow; *a; a++)
			sb_addf(&sb, "%s%s", a == t->image_allow ? "" : ",", *a);
		sb_addf(&sb, "]");
		r = refuse(v, "spec.image", sb.buf ? sb.buf : "images.allow", "%s (%s) is not on the allow-list", ref,
			   db.images[i].manifest);
		sb_release(&sb);
		return r;
	}
	if (!t->require_signature)
		return 0;
	char key[NAME_MAX + 1], lim[PATH_MAX + 64];
	snprintf(lim, sizeof(lim), "%s=true (trusted_keys %s)", key_of(peer, "images.require_signature", k, sizeof(k)),
		 t->trusted_keys);
	_cleanup_cerr_ cerr why = { 0 }; /* a refusal's reason, not an error of the check */
	if (sig_check_image(d->cfg->state_dir, db.images[i].manifest, db.images[i].repo_digests, t->trusted_keys, key, &why) < 0)
		return refuse(v, "spec.image", lim, "%s: %s", ref, cerr_msg(&why));
	return 0;
}

static int check_binds(const peer_cred *peer, const policy_tier *t, ctr_spec *s, ctr_pins *pins,
		       policy_violation *v, cerr *err)
{
	_cleanup_strv_ char **real = NULL;
	size_t denied;
	int r = ctr_pins_open(s, peer, pins, &real, &denied, err);
	if (r < 0 && denied != SIZE_MAX) { /* one answer, whether it is there or not */
		char field[64];
		snprintf(field, sizeof(field), "spec.mounts[%zu].source", denied);
		return refuse(v, field, "unprivileged: only a path the peer itself can open and read",
			      "cannot open %s as uid %u", s->mounts[denied].source, (unsigned)peer->uid);
	}
	if (r < 0)
		return r;
	for (size_t i = 0; i < s->n_mounts; i++) {
		if (t->bind_read_only)
			s->mounts[i].readonly = true;
		if (policy_path_allowed(real[i], t->bind_allowed))
			continue;
		char field[64], k[64];
		strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "%s=[", key_of(peer, "bind_mounts.allowed", k, sizeof(k)));
		for (char **a = t->bind_allowed; *a; a++)
			sb_addf(&sb, "%s%s", a == t->bind_allowed ? "" : ",", *a);
		sb_addf(&sb, "]");
		snprintf(field, sizeof(field), "spec.mounts[%zu].source", i);
		r = refuse(v, field, sb.buf ? sb.buf : "bind_mounts.allowed", "%s resolves to %s, outside the allowed prefixes",
			   s->mounts[i].source, real[i]);
		sb_release(&sb);
		return r;
	}
	return 0;
}

int policy_admit_binds(corrald *d, const peer_cred *peer, ctr_spec *cspec, ctr_pins *pins, policy_violation *v,
		       cerr *err)
{
	return check_binds(peer, policy_tier_of(d->policy, peer->uid), cspec, pins, v, err);
}

int policy_admit(corrald *d, const peer_cred *peer, ctr_spec *cspec, ctr_pins *pins, policy_violation *v,
		 cerr *err)
{
	const policy_tier *t = policy_tier_of(d->policy, peer->uid);
	int r;
	if ((r = check_count(d, peer, t, v)) || (r = check_resources(peer, t, cspec, v)) ||
	    (r = check_privileges(peer, t, cspec, v)) || (r = check_image(d, peer, t, cspec->image, pins, v, err)) ||
	    (r = check_binds(peer, t, cspec, pins, v, err)))
		return r;
	return 0;
}

