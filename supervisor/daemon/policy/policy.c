/* The policy file: strict JSON, every key known, every value of its type,
 * every size of a known unit; the first fault names the file and the field. */
#include "supervisor/daemon/policy/policy.h"
#include "bundle/caps.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/json_get.h"
#include "common/safepath.h"
#include "common/strv.h"
#include "common/units.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define POLICY_MAX_FILE (1 << 20)

static void tier_release(policy_tier *t)
{
	strv_free(t->bind_allowed);
	strv_free(t->image_allow);
	strv_free(t->registries);
	free(t->trusted_keys);
	memset(t, 0, sizeof(*t));
}

void policy_release(policy *p)
{
	free(p->path);
	free(p->apparmor_profile);
	tier_release(&p->root);
	tier_release(&p->unpriv);
}

const char *const policy_quota_key[PQ_COUNT] = { "max_jobs", "max_sessions", "max_secrets", "max_workloads",
						 "max_pulls", "max_volumes" };
/* unfinished jobs; sessions (three mounts each); secrets; workloads; pulls
 * running at once (a corral-images process each); named volumes */
const size_t policy_quota_unpriv[PQ_COUNT] = { 100, 16, 64, 64, 4, 64 };

static void tier_open(policy_tier *t)
{
	*t = (policy_tier){ .max_ingest = -1, .memory_default = -1, .memory_max = -1, .pids_default = -1, .pids_max = -1 };
}

/* What a member gets of the root tier: resources and images; never binds,
 * privileges or the count. */
static int tier_inherit(policy_tier *u, const policy_tier *r)
{
	tier_release(u);
	tier_open(u);
	u->max_containers = POLICY_UNPRIV_MAX_CONTAINERS;
	memcpy(u->quota, policy_quota_unpriv, sizeof(u->quota));
	u->max_ingest = POLICY_UNPRIV_INGEST;
	/* no ceiling at the top: the member's built-in one, which is also its
	 * default (or the top's default, when that is lower) */
	u->memory_max = r->memory_max >= 0 ? r->memory_max : POLICY_UNPRIV_MEMORY;
	u->memory_default = r->memory_default >= 0 && r->memory_default <= u->memory_max ? r->memory_default
											  : u->memory_max;
	u->pids_max = r->pids_max >= 0 ? r->pids_max : POLICY_UNPRIV_PIDS;
	u->pids_default = r->pids_default >= 0 && r->pids_default <= u->pids_max ? r->pids_default : u->pids_max;
	u->cpu_default = r->cpu_default, u->cpu_max = r->cpu_max;
	u->require_signature = r->require_signature;
	u->bind_allowed = calloc(1, sizeof(char *));
	u->trusted_keys = strdup(r->trusted_keys);
	if (r->image_allow)
		u->image_allow = strv_copy(r->image_allow);
	if (r->registries)
		u->registries = strv_copy(r->registries);
	return u->bind_allowed && u->trusted_keys && (!r->image_allow || u->image_allow) &&
			       (!r->registries || u->registries) ? 0 : -ENOMEM;
}

int policy_init_default(policy *p, cerr *err)
{
	memset(p, 0, sizeof(*p));
	tier_open(&p->root);
	p->root.allow_privileged = p->root.allow_host_network = p->root.allow_directory_images = true;
	p->root.allow_low_ports = true;
	p->root.any_capability = true;
	if (!(p->root.trusted_keys = strdup(POLICY_DEFAULT_KEYS_DIR)) || tier_inherit(&p->unpriv, &p->root) < 0) {
		policy_release(p);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

/* A size: bytes as an integer, or text with a unit ("64M"). */
static int get_size(yajl_val o, const char *parent, const char *key, int64_t *out, json_fault *f)
{
	char path[JSON_PATH_MAX];
	json_path(path, parent, key);
	yajl_val v = json_key(o, key);
	if (!v)
		return 0;
	long long n;
	if (YAJL_IS_INTEGER(v)) {
		if (!json_int_in(v, 1, (long long)1 << 50, &n))
			return json_fault_set(f, EINVAL, path, "must be from 1 byte to 1P");
		*out = n;
		return 0;
	}
	if (!YAJL_IS_STRING(v))
		return json_fault_set(f, EINVAL, path, "must be a size like \"64M\", not %s", json_type_name(v));
	size_t sz;
	const char *s = v->u.string;
	int r = parse_size(s, &sz);
	if (r == -EINVAL && isdigit((unsigned char)s[0]))
		return json_fault_set(f, EINVAL, path, "unknown unit \"%s\"", s);
	if (r < 0 || sz == 0 || sz > (size_t)1 << 50)
		return json_fault_set(f, EINVAL, path, "must be a size like \"64M\", not \"%s\"", s);
	*out = (int64_t)sz;
	return 0;
}

static int get_cpu(yajl_val o, const char *parent, const char *key, double *out, json_fault *f)
{
	char path[JSON_PATH_MAX];
	yajl_val v = json_key(o, key);
	if (v && (!YAJL_IS_NUMBER(v) || YAJL_GET_DOUBLE(v) < 0.01 || YAJL_GET_DOUBLE(v) > 1024))
		return json_fault_set(f, EINVAL, json_path(path, parent, key), "must be a number of CPUs from 0.01 to 1024");
	if (v)
		*out = YAJL_GET_DOUBLE(v);
	return 0;
}

/* The section key of a tier (parent its path): *o, NULL when it is not
 * there, at path, holding no key but keys. */
static int get_section(yajl_val top, const char *parent, const char *key, const char *const *keys, yajl_val *o,
		       char path[JSON_PATH_MAX], json_fault *f)
{
	json_path(path, parent, key);
	int r = json_get_object(top, parent, key, 0, o, f);
	if (r < 0 || !*o)
		return r;
	return json_check_keys(*o, path, keys, "unknown key", f);
}

/* {"default": D, "max": M} of memory, pids or cpu; the default may not
 * exceed the max. */
static int get_resource(yajl_val top, const char *parent, const char *key, policy_tier *t, json_fault *f)
{
	char path[JSON_PATH_MAX];
	yajl_val o;
	int r = get_section(top, parent, key, (const char *const[]){ "default", "max", NULL }, &o, path, f);
	if (r < 0 || !o)
		return r;
	/* a default inherited from the top level yields to this section's max */
	bool own_default = json_key(o, "default") != NULL, over;
	if (streq(key, "memory")) {
		if ((r = get_size(o, path, "default", &t->memory_default, f)) < 0 ||
		    (r = get_size(o, path, "max", &t->memory_max, f)) < 0)
			return r;
		over = t->memory_max >= 0 && t->memory_default > t->memory_max;
		if (over && !own_default)
			t->memory_default = t->memory_max, over = false;
	} else if (streq(key, "pids")) {
		long long d = t->pids_default, m = t->pids_max;
		if ((r = json_get_int_in(o, path, "default", 0, 1, 4194304, &d, NULL, f)) < 0 ||
		    (r = json_get_int_in(o, path, "max", 0, 1, 4194304, &m, NULL, f)) < 0)
			return r;
		over = m >= 0 && d > m;
		if (over && !own_default)
			d = m, over = false;
		t->pids_default = d, t->pids_max = m;
	} else {
		if ((r = get_cpu(o, path, "default", &t->cpu_default, f)) < 0 ||
		    (r = get_cpu(o, path, "max", &t->cpu_max, f)) < 0)
			return r;
		over = t->cpu_max > 0 && t->cpu_default > t->cpu_max;
		if (over && !own_default)
			t->cpu_default = t->cpu_max, over = false;
	}
	char dflt[JSON_PATH_MAX];
	return over ? json_fault_set(f, EINVAL, json_path(dflt, path, "default"), "is above the max") : 0;
}

/* Allowed prefixes, resolved when they exist, as sources will be. */
static int get_binds(yajl_val top, const char *parent, policy_tier *t, json_fault *f)
{
	char path[JSON_PATH_MAX], item[JSON_PATH_MAX];
	yajl_val o;
	int r = get_section(top, parent, "bind_mounts", (const char *const[]){ "allowed", "read_only", NULL }, &o, path, f);
	if (r < 0 || !o)
		return r;
	_cleanup_strv_ char **allowed = NULL;
	if ((r = json_get_strv(o, path, "allowed", 0, &allowed, NULL, f)) < 0)
		return r;
	t->bind_read_only = false;
	if ((r = json_get_bool(o, path, "read_only", 0, &t->bind_read_only, NULL, f)) < 0)
		return json_fault_reword(f, "must be a boolean");
	if (!allowed && !(allowed = calloc(1, sizeof(char *))))
		return json_fault_oom(f);
	if (strv_length(allowed) > POLICY_MAX_LIST)
		return json_fault_set(f, EINVAL, json_path(item, path, "allowed"), "more than %d entries", POLICY_MAX_LIST);
	for (size_t i = 0; allowed[i]; i++) {
		char list[JSON_PATH_MAX];
		json_path_idx(item, json_path(list, path, "allowed"), i);
		if (!path_is_clean_absolute(allowed[i]))
			return json_fault_set(f, EINVAL, item, "must be an absolute path without \".\" or \"..\"");
		char *real = realpath(allowed[i], NULL);
		if (real) {
			free(allowed[i]);
			allowed[i] = real;
		}
	}
	strv_free(t->bind_allowed);
	t->bind_allowed = TAKE_PTR(allowed);
	return 0;
}

/* A privileges object o at path: it grants what it names, nothing else. */
static int get_privileges(yajl_val o, const char *path, policy_tier *t, json_fault *f)
{
	static const char *const keys[] = { "allow_host_network", "allow_privileged", "allowed_capabilities",
					     "allow_directory_images", "allow_low_ports", NULL };
	int r;
	if ((r = json_check_keys(o, path, keys, "unknown key", f)) < 0)
		return r;
	t->allow_host_network = t->allow_privileged = t->allow_directory_images = t->any_capability = false;
	t->allow_low_ports = false;
	t->allowed_caps = 0;
	bool *flags[] = { &t->allow_host_network, &t->allow_privileged, NULL, &t->allow_directory_images,
			  &t->allow_low_ports };
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (flags[i] && json_get_bool(o, path, keys[i], 0, flags[i], NULL, f) < 0)
			return json_fault_reword(f, "must be a boolean");
	_cleanup_strv_ char **caps = NULL;
	if ((r = json_get_strv(o, path, "allowed_capabilities", 0, &caps, NULL, f)) < 0)
		return r;
	for (size_t i = 0; caps && caps[i]; i++) {
		int c = caps_parse_name(caps[i]);
		char list[JSON_PATH_MAX], item[JSON_PATH_MAX];
		if (c < 0 || c > 63)
			return json_fault_set(f, EINVAL, json_path_idx(item, json_path(list, path, "allowed_capabilities"), i),
					      "unknown capability \"%s\"", caps[i]);
		t->allowed_caps |= 1ull << c;
	}
	return 0;
}

static bool is_digest(const char *s)
{
	return !strncmp(s, "sha256:", 7) && strlen(s) == 71 && strspn(s + 7, "0123456789abcdef") == 64;
}

static int get_images(yajl_val top, const char *parent, policy_tier *t, json_fault *f)
{
	char path[JSON_PATH_MAX], item[JSON_PATH_MAX];
	static const char *const keys[] = { "allow", "registries", "require_signature", "trusted_keys", NULL };
	yajl_val o;
	int r = get_section(top, parent, "images", keys, &o, path, f);
	if (r < 0 || !o)
		return r;
	_cleanup_strv_ char **allow = NULL, **regs = NULL;
	bool given, regs_given;
	if ((r = json_get_strv(o, path, "allow", 0, &allow, &given, f)) < 0 ||
	    (r = json_get_strv(o, path, "registries", 0, &regs, &regs_given, f)) < 0)
		return r;
	if (regs_given && strv_length(regs) > POLICY_MAX_LIST)
		return json_fault_set(f, EINVAL, json_path(item, path, "registries"), "more than %d entries", POLICY_MAX_LIST);
	if (regs_given) {
		strv_free(t->registries);
		t->registries = TAKE_PTR(regs);
	}
	if (json_get_bool(o, path, "require_signature", 0, &t->require_signature, NULL, f) < 0)
		return json_fault_reword(f, "must be a boolean");
	if ((r = json_dup_str(o, path, "trusted_keys", 0, &t->trusted_keys, f)) < 0)
		return r;
	if (!path_is_clean_absolute(t->trusted_keys))
		return json_fault_set(f, EINVAL, json_path(item, path, "trusted_keys"), "must be an absolute path");
	if (!given)
		return 0;
	char list[JSON_PATH_MAX];
	if (strv_length(allow) > POLICY_MAX_LIST)
		return json_fault_set(f, EINVAL, json_path(list, path, "allow"), "more than %d entries", POLICY_MAX_LIST);
	for (size_t i = 0; allow[i]; i++)
		if (!allow[i][0] || (!strncmp(allow[i], "sha256:", 7) && !is_digest(allow[i])))
			return json_fault_set(f, EINVAL, json_path_idx(item, json_path(list, path, "allow"), i),
					      "must be a name pattern or sha256:<64 hex digits>");
	strv_free(t->image_allow);
	t->image_allow = TAKE_PTR(allow);
	return 0;
}

static int get_count(yajl_val o, const char *parent, policy_tier *t, json_fault *f)
{
	long long n;
	bool given;
	if (json_get_int_in(o, parent, "max_containers", 0, 1, 1000000, &n, &given, f) < 0)
		return json_fault_reword(f, "must be an integer from 1 to 1000000");
	if (given)
		t->max_containers = (size_t)n;
	for (int q = 0; q < PQ_COUNT; q++) {
		if (json_get_int_in(o, parent, policy_quota_key[q], 0, 1, 1000000, &n, &given, f) < 0)
			return json_fault_reword(f, "must be an integer from 1 to 1000000");
		if (given)
			t->quota[q] = (size_t)n;
	}
	return 0;
}

/* What both tiers may say. */
static int get_tier(yajl_val o, const char *parent, policy_tier *t, json_fault *f)
{
	int r;
	if ((r = get_count(o, parent, t, f)) < 0 || (r = get_size(o, parent, "max_ingest", &t->max_ingest, f)) < 0 ||
	    (r = get_resource(o, parent, "memory", t, f)) < 0 ||
	    (r = get_resource(o, parent, "pids", t, f)) < 0 || (r = get_resource(o, parent, "cpu", t, f)) < 0 ||
	    (r = get_binds(o, parent, t, f)) < 0 || (r = get_images(o, parent, t, f)) < 0)
		return r;
	return 0;
}

/* unprivileged.privileges may only say what holds anyway (as policy show
 * prints it): a member has no privileges. */
static int no_privileges(yajl_val u, json_fault *f)
{
	policy_tier t = { 0 };
	yajl_val o;
	int r = json_get_object(u, "unprivileged", "privileges", 0, &o, f);
	if (r < 0 || !o || (r = get_privileges(o, "unprivileged.privileges", &t, f)) < 0)
		return r;
	if (t.allow_host_network || t.allow_privileged || t.allow_directory_images || t.allow_low_ports || t.allowed_caps)
		return json_fault_set(f, EINVAL, "unprivileged.privileges", "must grant nothing: a group member has no privileges");
	return 0;
}

static int parse_tree(policy *p, yajl_val v, json_fault *f)
{
	static const char *const top[] = { "max_containers", "max_jobs", "max_sessions", "max_secrets",
					   "max_workloads", "max_pulls", "max_volumes", "max_ingest", "memory", "pids", "cpu", "bind_mounts", "privileges",
					   "images", "unprivileged", "apparmor_profile", NULL };
	static const char *const unpriv[] = { "max_containers", "max_jobs", "max_sessions", "max_secrets",
					      "max_workloads", "max_pulls", "max_volumes", "max_ingest", "memory", "pids", "cpu", "bind_mounts",
					      "privileges", "images", NULL };
	int r;
	yajl_val priv;
	if ((r = json_want(v, yajl_t_object, "(top)", f)) < 0 || (r = json_check_keys(v, "", top, "unknown key", f)) < 0 ||
	    (r = json_dup_str(v, "", "apparmor_profile", 0, &p->apparmor_profile, f)) < 0 ||
	    (r = get_tier(v, "", &p->root, f)) < 0 || (r = json_get_object(v, "", "privileges", 0, &priv, f)) < 0 ||
	    (priv && (r = get_privileges(priv, "privileges", &p->root, f)) < 0))
		return r;
	if (tier_inherit(&p->unpriv, &p->root) < 0)
		return json_fault_oom(f);
	yajl_val u;
	if ((r = json_get_object(v, "", "unprivileged", 0, &u, f)) < 0 || !u)
		return r;
	if ((r = json_check_keys(u, "unprivileged", unpriv, "unknown key", f)) < 0)
		return r;
	return (r = get_tier(u, "unprivileged", &p->unpriv, f)) < 0 ? r : no_privileges(u, f);
}

int policy_parse(policy *p, const char *path, const char *text, size_t len, cerr *err)
{
	if (strlen(text) != len)
		return cerr_set(err, EINVAL, "%s: holds a NUL byte", path);
	_cleanup_(json_freep) yajl_val v = NULL;
	int r = json_parse(text, path, &v, err);
	if (r < 0)
		return r;
	json_fault f = { 0 };
	if ((r = parse_tree(p, v, &f)) < 0)
		return cerr_set(err, f.code, "%s: %s: %s", path, f.field, f.reason);
	return (p->path = strdup(path)) ? 0 : cerr_set(err, ENOMEM, "out of memory");
}

int policy_load(policy *p, const char *path, cerr *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_file(path, POLICY_MAX_FILE, &text, &len, err);
	return r < 0 ? cerr_wrap(err, "policy") : policy_parse(p, path, text, len, err);
}
