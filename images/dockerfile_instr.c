/* One instruction: its keyword, its flags (checked against its own), and
 * its arguments in the shape its kind takes. */
#include "images/dockerfile_instr.h"
#include "images/dockerfile_args.h"
#include "images/df_expand.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const kind_names[] = {
	[DF_FROM] = "FROM",
	[DF_RUN] = "RUN",
	[DF_COPY] = "COPY",
	[DF_ADD] = "ADD",
	[DF_ENV] = "ENV",
	[DF_ARG] = "ARG",
	[DF_WORKDIR] = "WORKDIR",
	[DF_USER] = "USER",
	[DF_CMD] = "CMD",
	[DF_ENTRYPOINT] = "ENTRYPOINT",
	[DF_EXPOSE] = "EXPOSE",
	[DF_VOLUME] = "VOLUME",
	[DF_LABEL] = "LABEL",
	[DF_HEALTHCHECK] = "HEALTHCHECK",
	[DF_STOPSIGNAL] = "STOPSIGNAL",
	[DF_ONBUILD] = "ONBUILD",
	[DF_SHELL] = "SHELL",
	[DF_MAINTAINER] = "MAINTAINER",
};

const char *df_kind_name(df_kind k)
{
	return (size_t)k < ARRAY_SIZE(kind_names) ? kind_names[k] : "?";
}

typedef struct flag_spec {
	const char *name;
	bool boolean; /* --link, --link=true, --link=false */
	bool repeats; /* --mount, once a mount */
} flag_spec;

#define FLAG(n, ...) { .name = n, __VA_ARGS__ }
static const flag_spec from_flags[] = { FLAG("platform"), FLAG(NULL) };
static const flag_spec run_flags[] = { FLAG("network"), FLAG("mount", .repeats = true), FLAG(NULL) };
static const flag_spec copy_flags[] = {
	FLAG("from"), FLAG("chown"), FLAG("chmod"), FLAG("link", .boolean = true), FLAG(NULL),
};
/* ADD has no --from in Docker: it reads the context or a URL */
static const flag_spec add_flags[] = { FLAG("chown"), FLAG("chmod"), FLAG("link", .boolean = true), FLAG(NULL) };
static const flag_spec health_flags[] = {
	FLAG("interval"), FLAG("timeout"), FLAG("start-period"), FLAG("retries"), FLAG("start-interval"), FLAG(NULL),
};
static const flag_spec no_flags[] = { FLAG(NULL) };
#undef FLAG

static const flag_spec *flags_of(df_kind k)
{
	switch (k) {
	case DF_FROM:
		return from_flags;
	case DF_RUN:
		return run_flags;
	case DF_COPY:
		return copy_flags;
	case DF_ADD:
		return add_flags;
	case DF_HEALTHCHECK:
		return health_flags;
	default:
		return no_flags;
	}
}

/* One flag word ("--name=value" or "--name") against the kind's; seen
 * marks those given already (a bit each). */
static int check_flag(const char *word, df_kind kind, unsigned *seen, cerr *err)
{
	const char *name = word + 2, *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name);
	const flag_spec *f = flags_of(kind);
	unsigned i;
	for (i = 0; f[i].name; i++)
		if (strlen(f[i].name) == n && !strncmp(f[i].name, name, n))
			break;
	if (!f[i].name)
		return cerr_set(err, EINVAL, "unknown flag: --%.*s", (int)(n > 64 ? 64 : n), name);
	if (!f[i].repeats && (*seen & 1u << i))
		return cerr_set(err, EINVAL, "duplicate flag specified: --%s", f[i].name);
	*seen |= 1u << i;
	if (!eq && !f[i].boolean)
		return cerr_set(err, EINVAL, "missing a value on flag: --%s", f[i].name);
	if (eq && f[i].boolean && strcmp(eq + 1, "true") && strcmp(eq + 1, "false"))
		return cerr_set(err, EINVAL, "expecting boolean value for flag --%s, not: %.64s", f[i].name, eq + 1);
	return 0;
}

/* The leading words that start with "--", up to a bare "--" (taken too)
 * or the first that does not; *rest goes past them. */
static int take_flags(const char **rest, char escape, df_instr *in, cerr *err)
{
	const char *p = *rest;
	unsigned seen = 0;
	for (;;) {
		while (df_is_space(*p))
			p++;
		if (p[0] != '-' || p[1] != '-')
			break;
		size_t n = df_word_len(p, escape);
		if (n == 2) {
			p += 2;
			break;
		}
		char *word = strndup(p, n);
		if (!word || strv_push(&in->flags, word) < 0) {
			free(word);
			return cerr_set(err, ENOMEM, "out of memory");
		}
		int r = check_flag(word, in->kind, &seen, err);
		if (r < 0)
			return r;
		p += n;
	}
	while (df_is_space(*p))
		p++;
	*rest = p;
	return 0;
}

static int words(const char *rest, char escape, df_instr *in, cerr *err)
{
	strv_free(in->args);
	in->args = NULL;
	return df_split_words(rest, escape, &in->args, err);
}

static int at_least(const df_instr *in, size_t n, cerr *err)
{
	if (strv_length(in->args) >= n)
		return 0;
	if (n == 1)
		return cerr_set(err, EINVAL, "%s requires at least one argument", df_kind_name(in->kind));
	return cerr_set(err, EINVAL, "%s requires at least two arguments", df_kind_name(in->kind));
}

/* The exec form when rest is a JSON array of strings, else the command as
 * written (nothing for an empty one). */
static int exec_or_shell(const char *rest, df_instr *in, cerr *err)
{
	int r = df_args_json(rest, in, err);
	if (r != 0)
		return r < 0 ? r : 0;
	return *rest ? df_args_one(rest, in, err) : 0;
}

/* COPY, ADD and VOLUME: a JSON array, else the words. */
static int exec_or_words(const char *rest, char escape, df_instr *in, cerr *err)
{
	int r = df_args_json(rest, in, err);
	if (r != 0)
		return r < 0 ? r : 0;
	return words(rest, escape, in, err);
}

static int volume_args(const char *rest, char escape, df_instr *in, cerr *err)
{
	int r = exec_or_words(rest, escape, in, err);
	if (r < 0 || (r = at_least(in, 1, err)) < 0)
		return r;
	for (char **a = in->args; *a; a++) {
		const char *s = *a;
		while (df_is_space(*s))
			s++;
		if (!*s)
			return cerr_set(err, EINVAL, "VOLUME specified can not be an empty string");
	}
	return 0;
}

static int arg_args(const char *rest, char escape, df_instr *in, cerr *err)
{
	int r = words(rest, escape, in, err);
	if (r < 0 || (r = at_least(in, 1, err)) < 0)
		return r;
	for (char **a = in->args; *a; a++)
		if ((*a)[0] == '=')
			return cerr_set(err, EINVAL, "ARG names can not be blank");
	return 0;
}

/* The trigger is an instruction of its own, checked as one; ONBUILD
 * ONBUILD, FROM and MAINTAINER are refused as Docker refuses them. */
static int onbuild_args(const char *rest, unsigned lineno, char escape, df_instr *in, cerr *err)
{
	size_t k = 0;
	while (rest[k] && !df_is_space(rest[k]))
		k++;
	if (!k)
		return cerr_set(err, EINVAL, "ONBUILD requires at least one argument");
	if (k == 7 && !strncasecmp(rest, "ONBUILD", k))
		return cerr_set(err, EINVAL, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
	if ((k == 4 && !strncasecmp(rest, "FROM", k)) || (k == 10 && !strncasecmp(rest, "MAINTAINER", k)))
		return cerr_set(err, EINVAL, "%s isn't allowed as an ONBUILD trigger", k == 4 ? "FROM" : "MAINTAINER");
	int r = df_args_one(rest, in, err);
	if (r < 0)
		return r;
	in->trigger = calloc(1, sizeof(*in->trigger));
	if (!in->trigger)
		return cerr_set(err, ENOMEM, "out of memory");
	return df_instr_parse(rest, lineno, escape, in->trigger, err);
}

static int parse_args(const char *rest, unsigned lineno, char escape, df_instr *in, cerr *err)
{
	int r;
	const char *kw = df_kind_name(in->kind);
	switch (in->kind) {
	case DF_FROM:
		return df_args_from(rest, escape, in, err);
	case DF_RUN:
		if ((r = exec_or_shell(rest, in, err)) < 0)
			return r;
		return at_least(in, 1, err);
	case DF_CMD:
	case DF_ENTRYPOINT:
		return exec_or_shell(rest, in, err);
	case DF_SHELL:
		if ((r = df_args_json(rest, in, err)) < 0)
			return r;
		if (!*rest || (r == 1 && !in->args[0]))
			return at_least(in, 1, err);
		return r ? 0 : cerr_set(err, EINVAL, "SHELL requires the arguments to be in JSON form");
	case DF_COPY:
	case DF_ADD:
		if ((r = exec_or_words(rest, escape, in, err)) < 0)
			return r;
		return at_least(in, 2, err);
	case DF_VOLUME:
		return volume_args(rest, escape, in, err);
	case DF_EXPOSE:
		if ((r = words(rest, escape, in, err)) < 0)
			return r;
		return at_least(in, 1, err);
	case DF_ENV:
	case DF_LABEL:
		return df_args_pairs(rest, escape, kw, in, err);
	case DF_ARG:
		return arg_args(rest, escape, in, err);
	case DF_WORKDIR:
	case DF_USER:
	case DF_STOPSIGNAL:
	case DF_MAINTAINER:
		if (!*rest)
			return cerr_set(err, EINVAL, "%s requires exactly one argument", kw);
		return df_args_one(rest, in, err);
	case DF_HEALTHCHECK:
		return df_args_healthcheck(rest, in, err);
	case DF_ONBUILD:
		return onbuild_args(rest, lineno, escape, in, err);
	}
	return cerr_set(err, EINVAL, "unknown instruction kind %d", (int)in->kind);
}

int df_instr_parse(const char *line, unsigned lineno, char escape, df_instr *in, cerr *err)
{
	*in = (df_instr){ .line = lineno };
	while (df_is_space(*line))
		line++;
	size_t k = 0;
	while (line[k] && !df_is_space(line[k]))
		k++;
	size_t i;
	for (i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (strlen(kind_names[i]) == k && !strncasecmp(kind_names[i], line, k))
			break;
	if (i == ARRAY_SIZE(kind_names))
		return cerr_set(err, EINVAL, "unknown instruction: %.*s", (int)(k > 64 ? 64 : k), line);
	in->kind = (df_kind)i;
	const char *rest = line + k;
	while (df_is_space(*rest))
		rest++;
	/* line ends trimmed (the caller's), so rest is the text as it stands */
	in->text = strdup(rest);
	in->flags = calloc(1, sizeof(char *));
	in->args = calloc(1, sizeof(char *));
	if (!in->text || !in->flags || !in->args) {
		df_instr_release(in);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	int r = take_flags(&rest, escape, in, err);
	if (r >= 0)
		r = parse_args(rest, lineno, escape, in, err);
	if (r >= 0 && !in->args)
		r = cerr_set(err, ENOMEM, "out of memory");
	if (r < 0)
		df_instr_release(in);
	return r;
}

void df_instr_release(df_instr *in)
{
	free(in->text);
	strv_free(in->flags);
	strv_free(in->args);
	if (in->trigger) {
		df_instr_release(in->trigger);
		free(in->trigger);
	}
	*in = (df_instr){ 0 };
}
