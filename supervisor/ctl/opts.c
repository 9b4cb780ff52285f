/* The option framework: GNU-order parsing of a command's table, strict
 * conversion of every argument, and --help from the table. */
#include "supervisor/ctl/opts.h"
#include "common/cli_error.h"
#include "common/cleanup.h"
#include "common/timefmt.h"
#include "common/units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int ctl_usage_error(const ctl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool named = cmd && cmd->name[0];
	char who[128];
	snprintf(who, sizeof(who), "corralctl%s%s", named ? " " : "", named ? cmd->name : "");
	cli_verror(who, NULL, fmt, ap);
	va_end(ap);
	return EXIT_CTL;
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* Digits with at most one dot: seconds since the epoch. */
static bool is_decimal(const char *s)
{
	size_t digits = strspn(s, "0123456789");
	if (s[digits] == '.')
		digits += 1 + strspn(s + digits + 1, "0123456789");
	return digits && !s[digits] && !streq(s, ".");
}

/* RFC 3339 and epoch seconds go to corrald as given; a duration becomes the
 * time that long ago. */
static int convert_time(const char *text, ctl_optval *v, const char **why)
{
	long long ns;
	*why = "must be an RFC 3339 time, seconds since the epoch, or a duration ago like 10m or 1h";
	if (rfc3339_parse(text, strlen(text), &ns) == 0 || is_decimal(text))
		return 0;
	if (parse_duration(text, &ns) < 0)
		return -EINVAL;
	char buf[RFC3339_LEN];
	free(v->owned);
	if (!(v->owned = strdup(rfc3339_ns(now_ns() - ns, buf, sizeof(buf)))))
		return -ENOMEM;
	v->str = v->owned;
	return 0;
}

bool opt_number(const char *s, int base, long long min, long long max, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, base);
	if (!*s || *end || errno || v < min || v > max)
		return false;
	*out = v;
	return true;
}

int opt_convert(ctl_opt_kind kind, const char *text, ctl_optval *v, const char **why)
{
	char *end;
	size_t bytes;
	v->str = text;
	switch (kind) {
	case OPT_FLAG:
		*why = "must be true or false";
		if (streq(text, "true") || streq(text, "false")) {
			v->num = text[0] == 't';
			return 0;
		}
		return -EINVAL;
	case OPT_STR:
	case OPT_LIST:
		return 0;
	case OPT_INT:
		*why = "must be a whole number, 0 or more";
		errno = 0;
		if (!isdigit((unsigned char)*text))
			return -EINVAL;
		v->num = strtoll(text, &end, 10);
		return *end || errno ? -EINVAL : 0;
	case OPT_FLOAT:
		*why = "must be a number, 0 or more";
		errno = 0;
		if (!isdigit((unsigned char)*text) && *text != '.')
			return -EINVAL;
		v->real = strtod(text, &end);
		/* no hex, exponents, inf or nan: a number as people write one */
		return *end || errno || !isfinite(v->real) || strpbrk(text, "xXeE") ? -EINVAL : 0;
	case OPT_SIZE:
		*why = "must be a size like 4096, 512k, 16m or 1g";
		if (parse_size(text, &bytes) < 0 || bytes > INT64_MAX)
			return -EINVAL;
		v->num = (long long)bytes;
		return 0;
	case OPT_DURATION:
		*why = "must be a duration like 90s, 10m or 1h30m, or seconds";
		return parse_duration(text, &v->num) < 0 ? -EINVAL : 0;
	case OPT_TIME:
		return convert_time(text, v, why);
	}
	return -EINVAL;
}

static const ctl_opt *find_long(const ctl_opt *t, const char *name, size_t len)
{
	for (; t && t->name; t++)
		if (strlen(t->name) == len && !strncmp(t->name, name, len))
			return t;
	return NULL;
}

static const ctl_opt *find_short(const ctl_opt *t, char c)
{
	for (; t && t->name; t++)
		if (t->shortc == c)
			return t;
	return NULL;
}

static size_t count(const ctl_opt *t)
{
	size_t n = 0;
	while (t && t[n].name)
		n++;
	return n;
}

/* Where o's value goes: the command's table first, then the globals. */
static ctl_optval *slot_of(const ctl_cmd *cmd, const ctl_opt *globals, ctl_optval *gval, ctl_args *a,
			   const ctl_opt *o)
{
	if (cmd->opts && o >= cmd->opts && o < cmd->opts + count(cmd->opts))
		return &a->val[o - cmd->opts];
	return &gval[o - globals];
}

static int set_value(const ctl_cmd *cmd, const ctl_opt *o, ctl_optval *v, const char *text, int max_list)
{
	const char *why = "";
	int r = opt_convert(o->kind, text, v, &why);
	if (r == -ENOMEM)
		return ctl_usage_error(cmd, "out of memory");
	if (r < 0)
		return ctl_usage_error(cmd, "--%s %s: %s", o->name, text, why);
	if (o->kind == OPT_LIST) {
		if (!v->list && !(v->list = calloc((size_t)max_list + 1, sizeof(char *))))
			return ctl_usage_error(cmd, "out of memory");
		v->list[v->n++] = (char *)text;
	}
	v->set = true;
	return 0;
}

/* A flag given is set; its value is 1 unless given "=false". */
static int set_flag(const ctl_cmd *cmd, const ctl_opt *o, ctl_optval *v, const char *eq)
{
	if (eq)
		return set_value(cmd, o, v, eq, 0);
	v->set = true;
	v->num = 1;
	return 0;
}

int opts_parse(const ctl_cmd *cmd, const ctl_opt *globals, ctl_optval *gval, int argc, char **argv,
	       ctl_args *out)
{
	*out = (ctl_args){ .cmd = cmd };
	out->val = calloc(count(cmd->opts) + 1, sizeof(ctl_optval));
	out->argv = calloc((size_t)argc + 1, sizeof(char *));
	if (!out->val || !out->argv)
		return ctl_usage_error(cmd, "out of memory");
	bool opts_done = false;
	for (int i = 0; i < argc; i++) {
		char *w = argv[i];
		if (opts_done || w[0] != '-' || !w[1]) {
			out->argv[out->argc++] = w;
			if (cmd->flags & CMD_OPTS_FIRST)
				opts_done = true;
			continue;
		}
		if (streq(w, "--")) {
			opts_done = true;
			continue;
		}
		if (w[1] == '-') {
			const char *name = w + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const ctl_opt *o = find_long(cmd->opts, name, len);
			if (!o)
				o = find_long(globals, name, len);
			if (!o)
				return ctl_usage_error(cmd, "unknown option --%.*s (see corralctl %s%s--help)", (int)len,
						       name, cmd->name, cmd->name[0] ? " " : "");
			ctl_optval *v = slot_of(cmd, globals, gval, out, o);
			if (o->kind == OPT_FLAG) {
				if (set_flag(cmd, o, v, eq ? eq + 1 : NULL))
					return EXIT_CTL;
				continue;
			}
			if (!eq && i + 1 >= argc)
				return ctl_usage_error(cmd, "--%s needs an argument (%s)", o->name, o->arg);
			if (set_value(cmd, o, v, eq ? eq + 1 : argv[++i], argc))
				return EXIT_CTL;
			continue;
		}
		/* a cluster of short options: -aq, -t1, -e K=V */
		for (const char *c = w + 1; *c; c++) {
			const ctl_opt *o = find_short(cmd->opts, *c);
			if (!o)
				o = find_short(globals, *c);
			if (!o)
				return ctl_usage_error(cmd, "unknown option -%c (see corralctl %s%s--help)", *c,
						       cmd->name, cmd->name[0] ? " " : "");
			ctl_optval *v = slot_of(cmd, globals, gval, out, o);
			if (o->kind == OPT_FLAG) {
				set_flag(cmd, o, v, NULL);
				continue;
			}
			if (!c[1] && i + 1 >= argc)
				return ctl_usage_error(cmd, "-%c needs an argument (%s)", *c, o->arg);
			if (set_value(cmd, o, v, c[1] ? c + 1 : argv[++i], argc))
				return EXIT_CTL;
			break;
		}
	}
	return 0;
}

int opts_check_count(const ctl_args *a)
{
	const ctl_cmd *cmd = a->cmd;
	if (a->argc >= cmd->min_args && (cmd->max_args < 0 || a->argc <= cmd->max_args))
		return 0;
	if (cmd->max_args == 0)
		return ctl_usage_error(cmd, "takes no arguments (usage: corralctl %s [OPTIONS])", cmd->name);
	return ctl_usage_error(cmd, "%s (usage: corralctl %s [OPTIONS] %s)",
			       a->argc < cmd->min_args ? "missing an argument" : "too many arguments", cmd->name,
			       cmd->usage);
}

const ctl_opt *opts_find(const ctl_cmd *cmd, const char *name) { return find_long(cmd->opts, name, strlen(name)); }

void opts_free(ctl_args *a)
{
	for (size_t i = 0; a->val && a->cmd && i < count(a->cmd->opts); i++) {
		free(a->val[i].list);
		free(a->val[i].owned);
	}
	free(a->val);
	free(a->argv);
	*a = (ctl_args){ 0 };
}

static const ctl_opt *opt_of(const ctl_args *a, const char *name)
{
	const ctl_opt *o = find_long(a->cmd->opts, name, strlen(name));
	if (!o) {
		/* a verb asked for an option its table lacks: a bug, found by any test */
		fprintf(stderr, "corralctl %s: internal error: no option --%s\n", a->cmd->name, name);
		abort();
	}
	return o;
}

const ctl_optval *opt_val(const ctl_args *a, const char *name) { return &a->val[opt_of(a, name) - a->cmd->opts]; }

bool opt_on(const ctl_args *a, const char *name)
{
	const ctl_optval *v = opt_val(a, name);
	return v->set && (opt_of(a, name)->kind != OPT_FLAG || v->num);
}

const char *opt_str(const ctl_args *a, const char *name)
{
	const ctl_optval *v = opt_val(a, name);
	return v->set ? v->str : NULL;
}

long long opt_num(const ctl_args *a, const char *name, long long dflt)
{
	const ctl_optval *v = opt_val(a, name);
	return v->set ? v->num : dflt;
}

void opts_forms(char *buf, size_t n, const ctl_opt *o)
{
	const char *arg = o->kind == OPT_FLAG ? "" : o->arg;
	if (o->shortc)
		snprintf(buf, n, "-%c, --%s%s%s", o->shortc, o->name, *arg ? " " : "", arg);
	else
		snprintf(buf, n, "    --%s%s%s", o->name, *arg ? " " : "", arg);
}

/* shadow: a table whose short letters win over t's (a command's over the
 * globals': run's -h is --hostname) */
static void help_table(FILE *f, const ctl_opt *t, const ctl_opt *shadow)
{
	for (; t && t->name; t++) {
		char forms[96];
		ctl_opt o = *t;
		if (o.shortc && find_short(shadow, o.shortc))
			o.shortc = 0;
		opts_forms(forms, sizeof(forms), &o);
		if (strlen(forms) > 28)
			fprintf(f, "  %s\n  %-28s  %s\n", forms, "", t->help);
		else
			fprintf(f, "  %-28s  %s\n", forms, t->help);
	}
}

void opts_help_table(FILE *f, const ctl_opt *t) { help_table(f, t, NULL); }

void opts_help(FILE *f, const ctl_cmd *cmd, const ctl_opt *globals)
{
	fprintf(f, "Usage: corralctl %s%s%s%s\n\n%s\n", cmd->name, count(cmd->opts) ? " [OPTIONS]" : "",
		cmd->usage[0] ? " " : "", cmd->usage, cmd->summary);
	if (count(cmd->opts)) {
		fprintf(f, "\nOptions:\n");
		help_table(f, cmd->opts, NULL);
	}
	fprintf(f, "\nGlobal options (before or after the command):\n");
	help_table(f, globals, cmd->opts);
}
