/* process: args, env, cwd, user, capabilities, rlimits and the rest. */
#include "spec_internal.h"
#include "bundle/parse_process.h"
#include "bundle/rlimits.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

const char *const oci_capset_names[CAPSET_COUNT] = { "bounding", "effective", "inheritable", "permitted", "ambient" };

static int parse_user(yajl_val proc, struct oci_user *u, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val user;
	int r = json_get_object(proc, "process", "user", JSON_REQUIRED, &user, &jf);
	if (r < 0)
		return r;
	bool has;
	if ((r = json_get_u32(user, "process.user", "uid", JSON_REQUIRED, &u->uid, NULL, &jf)) < 0 ||
	    (r = json_get_u32(user, "process.user", "gid", JSON_REQUIRED, &u->gid, NULL, &jf)) < 0 ||
	    (r = json_get_u32(user, "process.user", "umask", 0, &u->umask, &has, &jf)) < 0 ||
	    (r = json_dup_str(user, "process.user", "username", 0, &u->username, &jf)) < 0)
		return r;
	u->has_umask = has;
	if (has && u->umask > 0777)
		return cerr_set(err, ERANGE, "process.user.umask: %u is larger than 0777", u->umask);
	yajl_val gids;
	if ((r = json_get_array(user, "process.user", "additionalGids", 0, SIZE_MAX, &gids, &jf)) < 0 || !gids)
		return r;
	u->additional_gids = calloc(gids->u.array.len + 1, sizeof(uint32_t));
	if (!u->additional_gids)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < gids->u.array.len; i++) {
		long long g;
		if (!json_int_in(gids->u.array.values[i], 0, UINT32_MAX, &g))
			return cerr_set(err, EINVAL, "process.user.additionalGids[%zu]: must be an integer in [0, %u]",
					i, UINT32_MAX);
		u->additional_gids[u->n_additional_gids++] = (uint32_t)g;
	}
	return 0;
}

static int parse_caps(yajl_val proc, struct oci_caps *c, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val caps;
	int r = json_get_object(proc, "process", "capabilities", 0, &caps, &jf);
	if (r < 0 || !caps)
		return r;
	c->present = true;
	for (int set = 0; set < CAPSET_COUNT; set++) {
		char p[JSON_PATH_MAX], q[JSON_PATH_MAX];
		json_path(p, "process.capabilities", oci_capset_names[set]);
		_cleanup_strv_ char **names = NULL;
		if ((r = json_get_strv(caps, "process.capabilities", oci_capset_names[set], 0, &names, &c->has[set], &jf)) < 0)
			return r;
		size_t n = strv_length(names);
		c->caps[set] = calloc(n + 1, sizeof(int));
		if (!c->caps[set])
			return cerr_set(err, ENOMEM, "out of memory");
		for (size_t i = 0; i < n; i++) {
			cap_value_t v;
			if (strncmp(names[i], "CAP_", 4) != 0 || cap_from_name(names[i], &v) < 0)
				return cerr_set(err, EINVAL, "%s: unknown capability \"%s\"", json_path_idx(q, p, i), names[i]);
			c->caps[set][c->n[set]++] = v;
		}
	}
	return 0;
}

static int parse_rlimits(yajl_val proc, struct oci_process *p, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val arr;
	int r = json_get_array(proc, "process", "rlimits", 0, SIZE_MAX, &arr, &jf);
	if (r < 0 || !arr)
		return r;
	p->rlimits = calloc(arr->u.array.len + 1, sizeof(*p->rlimits));
	if (!p->rlimits)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < arr->u.array.len; i++) {
		char path[JSON_PATH_MAX];
		json_path_idx(path, "process.rlimits", i);
		yajl_val e = arr->u.array.values[i];
		if ((r = json_want(e, yajl_t_object, path, &jf)) < 0)
			return r;
		struct oci_rlimit *rl = &p->rlimits[p->n_rlimits++];
		if ((r = json_dup_str(e, path, "type", JSON_REQUIRED, &rl->type, &jf)) < 0 ||
		    (r = json_get_u64(e, path, "soft", JSON_REQUIRED, &rl->soft, NULL, &jf)) < 0 ||
		    (r = json_get_u64(e, path, "hard", JSON_REQUIRED, &rl->hard, NULL, &jf)) < 0)
			return r;
		rl->resource = oci_rlimit_resource(rl->type);
		if (rl->resource < 0)
			return cerr_set(err, EINVAL, "%s.type: unknown rlimit \"%s\"", path, rl->type);
		if (rl->soft > rl->hard)
			return cerr_set(err, EINVAL, "%s: soft limit %llu is above hard limit %llu", path,
					(unsigned long long)rl->soft, (unsigned long long)rl->hard);
		for (size_t k = 0; k + 1 < p->n_rlimits; k++)
			if (p->rlimits[k].resource == rl->resource)
				return cerr_set(err, EINVAL, "%s.type: duplicate rlimit \"%s\"", path, rl->type);
	}
	return 0;
}

static int parse_env(struct oci_process *p, cerr *err)
{
	for (size_t i = 0; p->env && p->env[i]; i++) {
		const char *eq = strchr(p->env[i], '=');
		if (!eq || eq == p->env[i])
			return cerr_set(err, EINVAL, "process.env[%zu]: \"%s\" is not KEY=VALUE", i, p->env[i]);
	}
	return 0;
}

int parse_process(yajl_val root, struct oci_process *p, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val proc;
	int r = json_get_object(root, "", "process", 0, &proc, &jf);
	if (r < 0 || !proc)
		return r;
	p->present = true;
	bool has_args;
	if ((r = json_get_bool(proc, "process", "terminal", 0, &p->terminal, NULL, &jf)) < 0 ||
	    (r = parse_user(proc, &p->user, err)) < 0 ||
	    (r = json_get_strv(proc, "process", "args", 0, &p->args, &has_args, &jf)) < 0 ||
	    (r = json_get_strv(proc, "process", "env", 0, &p->env, NULL, &jf)) < 0 ||
	    (r = json_dup_str(proc, "process", "cwd", JSON_REQUIRED, &p->cwd, &jf)) < 0 ||
	    (r = parse_caps(proc, &p->caps, err)) < 0 ||
	    (r = parse_rlimits(proc, p, err)) < 0 ||
	    (r = json_get_bool(proc, "process", "noNewPrivileges", 0, &p->no_new_privileges, NULL, &jf)) < 0 ||
	    (r = json_dup_str(proc, "process", "apparmorProfile", 0, &p->apparmor_profile, &jf)) < 0 ||
	    (r = json_dup_str(proc, "process", "selinuxLabel", 0, &p->selinux_label, &jf)) < 0 ||
	    (r = parse_env(p, err)) < 0)
		return r;
	if (!p->args || !p->args[0] || !p->args[0][0])
		return cerr_set(err, EINVAL, "process.args: must be a non-empty array");
	if (p->cwd[0] != '/')
		return cerr_set(err, EINVAL, "process.cwd: \"%s\" must be an absolute path", p->cwd);
	yajl_val cs;
	if ((r = json_get_object(proc, "process", "consoleSize", 0, &cs, &jf)) < 0)
		return r;
	if (cs) {
		uint32_t h = 0, w = 0;
		if ((r = json_get_u32(cs, "process.consoleSize", "height", JSON_REQUIRED, &h, NULL, &jf)) < 0 ||
		    (r = json_get_u32(cs, "process.consoleSize", "width", JSON_REQUIRED, &w, NULL, &jf)) < 0)
			return r;
		if (h > 65535 || w > 65535)
			return cerr_set(err, ERANGE, "process.consoleSize: %ux%u is larger than 65535", h, w);
		p->has_console_size = true;
		p->console_height = h;
		p->console_width = w;
	}
	int64_t adj = 0;
	bool has_adj;
	if ((r = json_get_i64(proc, "process", "oomScoreAdj", 0, &adj, &has_adj, &jf)) < 0)
		return r;
	if (has_adj && (adj < -1000 || adj > 1000))
		return cerr_set(err, ERANGE, "process.oomScoreAdj: %lld is outside [-1000, 1000]", (long long)adj);
	p->has_oom_score_adj = has_adj;
	p->oom_score_adj = (int)adj;
	return 0;
}

void free_process(struct oci_process *p)
{
	free(p->user.additional_gids);
	free(p->user.username);
	strv_free(p->args);
	strv_free(p->env);
	free(p->cwd);
	for (int i = 0; i < CAPSET_COUNT; i++)
		free(p->caps.caps[i]);
	for (size_t i = 0; i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
}
