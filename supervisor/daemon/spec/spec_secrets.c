#include "supervisor/daemon/spec/spec_secrets.h"
#include "common/cleanup.h"
#include "common/safepath.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool secret_name_valid(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len > SECRET_NAME_MAX || !isalnum((unsigned char)n[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && !strchr("_.-", n[i]))
			return false;
	return true;
}

bool secret_ref_valid(const char *ref)
{
	size_t len = strcspn(ref, "@"); /* the owner's part is the store's to read */
	char name[SECRET_NAME_MAX + 1];
	if (len > SECRET_NAME_MAX)
		return false;
	memcpy(name, ref, len);
	name[len] = '\0';
	return secret_name_valid(name);
}

void secrets_spec_release(ctr_spec *s)
{
	for (size_t i = 0; i < s->n_secrets; i++) {
		free(s->secrets[i].name);
		free(s->secrets[i].target);
		free(s->secrets[i].id);
	}
	free(s->secrets);
	s->secrets = NULL;
	s->n_secrets = 0;
}

/* target: absolute, or a file name under /run/secrets. */
static int get_target(yajl_val m, const char *path, ctr_secret *cs, json_fault *f)
{
	const char *t;
	char field[JSON_PATH_MAX];
	int r = json_get_str(m, path, "target", JSON_BOUNDED, &t, f);
	if (r < 0)
		return r;
	if (!t) /* its name without a member's @UID */
		r = asprintf(&cs->target, SECRETS_DIR_IN_CTR "/%.*s", (int)strcspn(cs->name, "@"), cs->name);
	else if (t[0] == '/')
		r = (cs->target = strdup(t)) ? 0 : -1;
	else if (secret_name_valid(t))
		r = asprintf(&cs->target, SECRETS_DIR_IN_CTR "/%s", t);
	else
		return json_fault_set(f, EINVAL, json_path(field, path, "target"),
				      "must be an absolute path, or a file name under " SECRETS_DIR_IN_CTR);
	if (r < 0)
		return json_fault_oom(f);
	if (!path_is_clean_absolute(cs->target) || streq(cs->target, "/") || streq(cs->target, SECRETS_DIR_IN_CTR))
		return json_fault_set(f, EINVAL, json_path(field, path, "target"),
				      "must be a file's absolute path without \".\" or \"..\"");
	const char *under = SECRETS_DIR_IN_CTR "/";
	if (!strncmp(cs->target, under, strlen(under)) && strchr(cs->target + strlen(under), '/'))
		return json_fault_set(f, EINVAL, json_path(field, path, "target"),
				      "under " SECRETS_DIR_IN_CTR " a file name only, no subdirectory");
	return 0;
}

static int get_one(yajl_val m, const char *path, ctr_secret *cs, json_fault *f)
{
	static const char *const keys[] = { "name", "target", "uid", "mode", "mask", NULL };
	char field[JSON_PATH_MAX];
	int r;
	if ((r = json_want(m, yajl_t_object, path, f)) < 0 ||
	    (r = json_check_keys(m, path, keys, "unknown field", f)) < 0 ||
	    (r = json_dup_str(m, path, "name", JSON_REQUIRED | JSON_BOUNDED, &cs->name, f)) < 0)
		return r;
	if (!secret_ref_valid(cs->name))
		return json_fault_set(f, EINVAL, json_path(field, path, "name"),
				      "must be 1-%d letters, digits, '_', '.' or '-', starting with a letter or digit "
				      "(and root's @UID for a member's)",
				      SECRET_NAME_MAX);
	if ((r = get_target(m, path, cs, f)) < 0)
		return r;
	long long v;
	bool given;
	if (json_get_int_in(m, path, "uid", 0, 0, 4294967294ll, &v, &given, f) < 0)
		return json_fault_reword(f, "must be a uid from 0 to 4294967294");
	cs->uid = given ? v : -1;
	if (json_get_int_in(m, path, "mode", 0, 0, 0777, &v, &given, f) < 0)
		return json_fault_reword(f, "must be a file mode from 0 to 0777 (a number: 256 is 0400)");
	cs->mode = given ? (unsigned)v : 0400;
	if (json_get_bool(m, path, "mask", 0, &cs->mask, NULL, f) < 0)
		return json_fault_reword(f, "must be a boolean");
	return 0;
}

int secrets_spec_parse(yajl_val cspec_json, ctr_spec *s, json_fault *f)
{
	yajl_val v;
	int r = json_get_array(cspec_json, "spec", "secrets", 0, SECRETS_PER_CTR_MAX, &v, f);
	if (r < 0 || !v)
		return r;
	if (!(s->secrets = calloc(v->u.array.len + 1, sizeof(*s->secrets))))
		return json_fault_oom(f);
	for (size_t i = 0; i < v->u.array.len; i++) {
		char path[JSON_PATH_MAX];
		json_path_idx(path, "spec.secrets", i);
		ctr_secret *cs = &s->secrets[s->n_secrets++];
		if ((r = get_one(v->u.array.values[i], path, cs, f)) < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			if (streq(s->secrets[j].target, cs->target))
				return json_fault_set(f, EINVAL, path, "delivers to %s, as spec.secrets[%zu] does", cs->target, j);
	}
	return 0;
}
