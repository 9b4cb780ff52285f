/* The shapes of an instruction's arguments, read as BuildKit's parser
 * reads them (its messages too, where Docker users know them). */
#include "images/dockerfile_instr.h"
#include "images/dockerfile_args.h"
#include "images/df_expand.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int oom(cerr *err) { return cerr_set(err, ENOMEM, "out of memory"); }

/* Take s into in->args (freed on failure). */
static int push_arg(df_instr *in, char *s, cerr *err)
{
	if (!s || strv_push(&in->args, s) < 0) {
		free(s);
		return oom(err);
	}
	return 0;
}

/* yajl takes comments, Go's JSON (and so Docker) does not: outside its
 * strings, JSON holds no '/'. */
static bool has_comment(const char *s)
{
	bool in_string = false;
	for (; *s; s++) {
		if (in_string && *s == '\\' && s[1])
			s++;
		else if (*s == '"')
			in_string = !in_string;
		else if (!in_string && *s == '/')
			return true;
	}
	return false;
}

int df_args_json(const char *rest, df_instr *in, cerr *err)
{
	if (rest[0] != '[' || has_comment(rest))
		return 0;
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr jerr = { 0 };
	int r = json_parse(rest, NULL, &v, &jerr);
	if (r == -EILSEQ)
		return cerr_set(err, EINVAL, "a JSON string holds a NUL (\\u0000)");
	if (r < 0 || !YAJL_IS_ARRAY(v))
		return 0; /* not JSON: Docker runs it as a shell command */
	for (size_t i = 0; i < v->u.array.len; i++)
		if (!YAJL_IS_STRING(v->u.array.values[i]))
			return cerr_set(err, EINVAL, "when using JSON array syntax, arrays must be comprised of strings only");
	_cleanup_strv_ char **args = calloc(v->u.array.len + 1, sizeof(char *));
	if (!args)
		return oom(err);
	for (size_t i = 0; i < v->u.array.len; i++)
		if (!(args[i] = strdup(v->u.array.values[i]->u.string)))
			return oom(err);
	strv_free(in->args);
	in->args = TAKE_PTR(args);
	in->exec_form = true;
	return 1;
}

/* The legacy form, "ENV key value with spaces": the key is the first run of
 * non-space, the value all after the space that follows it. */
static int legacy_pair(const char *rest, const char *kw, df_instr *in, cerr *err)
{
	size_t k = 0;
	while (rest[k] && !df_is_space(rest[k]))
		k++;
	const char *value = rest + k;
	while (df_is_space(*value))
		value++;
	if (!*value)
		return cerr_set(err, EINVAL, "%s must have two arguments", kw);
	char *pair = NULL;
	if (asprintf(&pair, "%.*s=%s", (int)k, rest, value) < 0)
		return oom(err);
	return push_arg(in, pair, err);
}

int df_args_pairs(const char *rest, char escape, const char *kw, df_instr *in, cerr *err)
{
	_cleanup_strv_ char **words = NULL;
	int r = df_split_words(rest, escape, &words, err);
	if (r < 0)
		return r;
	if (!words[0])
		return cerr_set(err, EINVAL, "%s requires at least one argument", kw);
	/* a space before any '=': the legacy form */
	if (!strchr(words[0], '='))
		return legacy_pair(rest, kw, in, err);
	for (char **w = words; *w; w++) {
		if (!strchr(*w, '='))
			return cerr_set(err, EINVAL, "Syntax error - can't find = in \"%.256s\". Must be of the form: name=value",
					*w);
		if ((*w)[0] == '=')
			return cerr_set(err, EINVAL, "%s names can not be blank", kw);
	}
	strv_free(in->args);
	in->args = TAKE_PTR(words);
	return 0;
}

/* A stage's name: a letter, then letters, digits, '-', '_' and '.' (any
 * case: Docker compares names in lower case). */
static bool stage_name_valid(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

int df_args_from(const char *rest, char escape, df_instr *in, cerr *err)
{
	_cleanup_strv_ char **words = NULL;
	int r = df_split_words(rest, escape, &words, err);
	if (r < 0)
		return r;
	size_t n = strv_length(words);
	if (n == 0)
		return cerr_set(err, EINVAL, "FROM requires one argument");
	if (n != 1 && !(n == 3 && !strcasecmp(words[1], "AS")))
		return cerr_set(err, EINVAL, "FROM requires either one or three arguments: FROM image [AS name]");
	if (n == 3 && !stage_name_valid(words[2]))
		return cerr_set(err, EINVAL,
				"invalid name for build stage: \"%.256s\", name can't start with a number or contain symbols",
				words[2]);
	strv_free(in->args);
	in->args = TAKE_PTR(words);
	return 0;
}

int df_args_healthcheck(const char *rest, df_instr *in, cerr *err)
{
	size_t k = 0;
	while (rest[k] && !df_is_space(rest[k]))
		k++;
	const char *after = rest + k;
	while (df_is_space(*after))
		after++;
	if (k == 0)
		return cerr_set(err, EINVAL, "HEALTHCHECK requires at least one argument");
	if (k == 4 && !strncasecmp(rest, "NONE", 4)) {
		if (*after)
			return cerr_set(err, EINVAL, "HEALTHCHECK NONE takes no arguments");
		return push_arg(in, strdup("NONE"), err);
	}
	if (k != 3 || strncasecmp(rest, "CMD", 3))
		return cerr_set(err, EINVAL, "Unknown type \"%.*s\" in HEALTHCHECK (try CMD)", (int)(k > 64 ? 64 : k), rest);
	int r = df_args_json(after, in, err);
	if (r < 0)
		return r;
	if (r == 0 && *after)
		r = push_arg(in, strdup(after), err);
	if (r < 0)
		return r;
	if (!in->args[0])
		return cerr_set(err, EINVAL, "Missing command after HEALTHCHECK CMD");
	return 0;
}

int df_args_one(const char *rest, df_instr *in, cerr *err) { return push_arg(in, strdup(rest), err); }
