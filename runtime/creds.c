#include "creds.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

int creds_apply_rlimits(const struct oci_process *p, cerr *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct oci_rlimit *rl = &p->rlimits[i];
		struct rlimit v = { .rlim_cur = rl->soft, .rlim_max = rl->hard };
		if (setrlimit(rl->resource, &v) < 0)
			return cerr_sys(err, errno, "process.rlimits[%zu]: set %s to %llu/%llu", i, rl->type,
					(unsigned long long)rl->soft, (unsigned long long)rl->hard);
	}
	return 0;
}

int creds_set_oom_score_adj(pid_t pid, int adj, cerr *err)
{
	char path[64], v[16];
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
	snprintf(v, sizeof(v), "%d", adj);
	int r = write_file_str(path, v);
	return r < 0 ? cerr_sys(err, -r, "process.oomScoreAdj: set %d", adj) : 0;
}

int creds_apply_personality(const struct oci_linux *l, cerr *err)
{
	if (!l->has_personality)
		return 0;
	unsigned long per = streq(l->personality_domain, "LINUX32") ? PER_LINUX32 : PER_LINUX;
	if (personality(per) < 0)
		return cerr_sys(err, errno, "linux.personality: %s", l->personality_domain);
	return 0;
}

static bool cap_known(int c) { return c <= (int)cap_max_bits() - 1; }

static bool in_set(const struct oci_caps *c, int set, int cap)
{
	for (size_t i = 0; i < c->n[set]; i++)
		if (c->caps[set][i] == cap)
			return true;
	return false;
}

/* Needs CAP_SETPCAP, so it runs before the uid change clears effective. A
 * set that is absent is empty, as in runc: `"capabilities": {}` (what
 * podman writes for --cap-drop ALL) or none at all leaves no bounding set,
 * or a root process without no_new_privileges would regain every
 * capability at execve. */
static int drop_bounding(const struct oci_process *p, cerr *err)
{
	const struct oci_caps *c = &p->caps;
	for (int cap = 0; cap < (int)cap_max_bits(); cap++) {
		bool keep = c->present && in_set(c, CAPSET_BOUNDING, cap);
		if (!keep && cap_drop_bound(cap) < 0 && errno != EINVAL)
			return cerr_sys(err, errno, "process.capabilities.bounding: drop %d", cap);
	}
	return 0;
}

static int set_caps(const struct oci_process *p, cerr *err)
{
	const struct oci_caps *c = &p->caps;
	cap_t caps = cap_init();
	if (!caps)
		return cerr_sys(err, errno, "capabilities");
	static const cap_flag_t flags[] = { [CAPSET_EFFECTIVE] = CAP_EFFECTIVE, [CAPSET_PERMITTED] = CAP_PERMITTED,
					    [CAPSET_INHERITABLE] = CAP_INHERITABLE };
	for (int set = CAPSET_EFFECTIVE; set <= CAPSET_PERMITTED; set++) {
		for (size_t i = 0; c->present && i < c->n[set]; i++) {
			cap_value_t v = c->caps[set][i];
			if (cap_known(v))
				cap_set_flag(caps, flags[set], 1, &v, CAP_SET);
		}
	}
	int r = cap_set_proc(caps);
	int e = errno;
	cap_free(caps);
	if (r < 0)
		return cerr_sys(err, e, "process.capabilities: set");
	/* one call: libcap's cap_reset_ambient asks about each capability first */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return cerr_sys(err, errno, "process.capabilities.ambient: reset");
	for (size_t i = 0; c->present && i < c->n[CAPSET_AMBIENT]; i++) {
		cap_value_t v = c->caps[CAPSET_AMBIENT][i];
		if (!cap_known(v) || cap_set_ambient(v, CAP_SET) == 0)
			continue;
		/* the kernel raises an ambient capability only when it is both
		 * permitted and inheritable: `runc spec` lists ambient ones with
		 * no inheritable set, and runc and crun skip them */
		if (errno == EPERM && !(in_set(c, CAPSET_PERMITTED, v) && in_set(c, CAPSET_INHERITABLE, v))) {
			log_debug("process.capabilities.ambient[%zu]: not raised: not both permitted and inheritable", i);
			continue;
		}
		return cerr_sys(err, errno, "process.capabilities.ambient[%zu]: raise", i);
	}
	return 0;
}

int creds_apply_user_caps(const struct oci_process *p, cerr *err)
{
	const struct oci_user *u = &p->user;
	int r = drop_bounding(p, err);
	if (r < 0)
		return r;
	/* keep permitted caps across the uid change, then set them exactly */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return cerr_sys(err, errno, "prctl(PR_SET_KEEPCAPS)");
	gid_t groups[256];
	if (u->n_additional_gids > ARRAY_SIZE(groups))
		return cerr_set(err, E2BIG, "process.user.additionalGids: more than %zu groups", ARRAY_SIZE(groups));
	for (size_t i = 0; i < u->n_additional_gids; i++)
		groups[i] = u->additional_gids[i];
	if (setgroups(u->n_additional_gids, groups) < 0 && !(errno == EPERM && u->n_additional_gids == 0))
		return cerr_sys(err, errno, "process.user.additionalGids: setgroups");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return cerr_sys(err, errno, "process.user.gid: setresgid(%u)", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return cerr_sys(err, errno, "process.user.uid: setresuid(%u)", u->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return cerr_sys(err, errno, "prctl(PR_SET_KEEPCAPS)");
	if ((r = set_caps(p, err)) < 0)
		return r;
	if (u->has_umask)
		umask(u->umask);
	else
		umask(022);
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return cerr_sys(err, errno, "process.noNewPrivileges");
	return 0;
}
