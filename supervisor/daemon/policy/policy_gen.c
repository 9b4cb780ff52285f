/* The policy in force as the JSON of the file, every key filled in (null:
 * no limit), for PolicyShow. */
#include "supervisor/daemon/policy/policy.h"
#include "bundle/caps.h"
#include "common/json.h"

#include <errno.h>

static void gen_null_or_int(yajl_gen g, const char *k, long long v, bool none)
{
	jg_key(g, k);
	if (none)
		yajl_gen_null(g);
	else
		yajl_gen_integer(g, v);
}

static void gen_null_or_double(yajl_gen g, const char *k, double v)
{
	jg_key(g, k);
	if (v <= 0)
		yajl_gen_null(g);
	else
		yajl_gen_double(g, v);
}

static void gen_resources(yajl_gen g, const policy_tier *t)
{
	jg_key(g, "memory");
	yajl_gen_map_open(g);
	gen_null_or_int(g, "default", t->memory_default, t->memory_default < 0);
	gen_null_or_int(g, "max", t->memory_max, t->memory_max < 0);
	yajl_gen_map_close(g);
	jg_key(g, "pids");
	yajl_gen_map_open(g);
	gen_null_or_int(g, "default", t->pids_default, t->pids_default < 0);
	gen_null_or_int(g, "max", t->pids_max, t->pids_max < 0);
	yajl_gen_map_close(g);
	jg_key(g, "cpu");
	yajl_gen_map_open(g);
	gen_null_or_double(g, "default", t->cpu_default);
	gen_null_or_double(g, "max", t->cpu_max);
	yajl_gen_map_close(g);
}

/* A list, or null for "any". */
static void gen_list(yajl_gen g, const char *k, char *const *v)
{
	if (v)
		jg_key_strv(g, k, v);
	else
		jg_key(g, k), yajl_gen_null(g);
}

static void gen_tier(yajl_gen g, const policy_tier *t, bool root)
{
	gen_null_or_int(g, "max_containers", (long long)t->max_containers, t->max_containers == 0);
	for (int q = 0; q < PQ_COUNT; q++)
		gen_null_or_int(g, policy_quota_key[q], (long long)t->quota[q], t->quota[q] == 0);
	gen_null_or_int(g, "max_ingest", (long long)t->max_ingest, t->max_ingest < 0);
	gen_resources(g, t);
	jg_key(g, "bind_mounts");
	yajl_gen_map_open(g);
	gen_list(g, "allowed", t->bind_allowed);
	jg_key_bool(g, "read_only", t->bind_read_only);
	yajl_gen_map_close(g);
	jg_key(g, "privileges");
	yajl_gen_map_open(g);
	jg_key_bool(g, "allow_host_network", root && t->allow_host_network);
	jg_key_bool(g, "allow_privileged", root && t->allow_privileged);
	jg_key_bool(g, "allow_low_ports", root && t->allow_low_ports);
	jg_key(g, "allowed_capabilities");
	if (root && t->any_capability) {
		yajl_gen_null(g);
	} else {
		yajl_gen_array_open(g);
		for (int c = 0; root && c < 64; c++)
			if (t->allowed_caps & (1ull << c)) {
				char name[32];
				jg_str(g, caps_name(c, name) + 4); /* without CAP_ */
			}
		yajl_gen_array_close(g);
	}
	jg_key_bool(g, "allow_directory_images", root && t->allow_directory_images);
	yajl_gen_map_close(g);
	jg_key(g, "images");
	yajl_gen_map_open(g);
	gen_list(g, "allow", t->image_allow);
	gen_list(g, "registries", t->registries);
	jg_key_bool(g, "require_signature", t->require_signature);
	jg_key_str(g, "trusted_keys", t->trusted_keys);
	yajl_gen_map_close(g);
}

int policy_gen(yajl_gen g, const policy *p)
{
	yajl_gen_map_open(g);
	gen_tier(g, &p->root, true);
	jg_key(g, "apparmor_profile");
	if (p->apparmor_profile)
		jg_str(g, p->apparmor_profile);
	else
		yajl_gen_null(g);
	jg_key(g, "unprivileged");
	yajl_gen_map_open(g);
	gen_tier(g, &p->unpriv, false);
	yajl_gen_map_close(g);
	return yajl_gen_map_close(g) == yajl_gen_status_ok ? 0 : -ENOMEM;
}
