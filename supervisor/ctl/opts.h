/* corralctl's one option framework: a table per command, parsed GNU style
 * (options anywhere, "--" ends them), with --help and bash completion
 * generated from the same tables. */
#pragma once
#include <stdbool.h>
#include <stdio.h>

typedef enum ctl_opt_kind {
	OPT_FLAG,     /* no argument; --flag=true|false also works */
	OPT_STR,      /* a string, the last one given wins */
	OPT_INT,      /* a whole number, 0 or more */
	OPT_FLOAT,    /* a decimal number, 0 or more */
	OPT_SIZE,     /* bytes: 4096, 16m, 1GiB */
	OPT_DURATION, /* 90s, 10m, 1h30m, 500ms, or bare seconds */
	OPT_TIME,     /* a point in time: RFC 3339, seconds since the epoch, or a duration ago */
	OPT_LIST,     /* a string that may be given many times; every value kept */
} ctl_opt_kind;

typedef struct ctl_opt {
	const char *name; /* the long form, without "--" */
	char shortc;      /* the short form, or 0 */
	ctl_opt_kind kind;
	const char *arg;  /* the argument's name in --help, e.g. "SECONDS" */
	const char *help;
} ctl_opt;

typedef struct ctl_optval {
	bool set;
	const char *str; /* the text given (the last one, for a list); OPT_TIME:
			  * RFC 3339 or seconds since the epoch, as corrald takes it */
	long long num;   /* OPT_INT; OPT_SIZE: bytes; OPT_DURATION: nanoseconds */
	double real;     /* OPT_FLOAT */
	char **list;     /* OPT_LIST: every value in order, NULL-terminated */
	size_t n;
	char *owned; /* what str points to when the parser made it */
} ctl_optval;

/* What positional arguments complete to in bash. */
typedef enum ctl_complete { COMPLETE_NONE, COMPLETE_CONTAINERS, COMPLETE_IMAGES, COMPLETE_FILES } ctl_complete;

/* Options end at the command's first argument (run IMAGE CMD..., exec). */
#define CMD_OPTS_FIRST 1u
/* Left out of the command list in --help. */
#define CMD_HIDDEN 2u
/* Prints through --format (its table has "format"), so it takes --json,
 * and --format before the command too. */
#define CMD_FORMAT 4u
/* The --format entry of such a command's table. */
#define CTL_OPT_FORMAT \
	{ "format", 0, OPT_STR, "FORMAT", "json, table, or a Go template such as '{{.ID}}\\t{{.Names}}'" }

struct ctl_args;
typedef struct ctl_cmd {
	const char *name;    /* "stop", or two words: "image ls" */
	const char *usage;   /* the arguments: "CONTAINER..." */
	const char *summary; /* one line, for the command list and --help */
	const ctl_opt *opts; /* ended by { NULL }; may be NULL */
	int min_args, max_args; /* max_args -1: any number */
	unsigned flags;
	ctl_complete complete;
	int (*run)(struct ctl_args *a);
} ctl_cmd;

typedef struct ctl_args {
	const ctl_cmd *cmd;
	ctl_optval *val; /* one per entry of cmd->opts */
	char **argv;     /* the arguments, options taken out */
	int argc;
} ctl_args;

/* The exit codes, as podman's: corral's own error, cannot invoke, not found. */
#define EXIT_CTL 125
#define EXIT_CANNOT_INVOKE 126
#define EXIT_NOT_FOUND 127

/* Parse argv (the words after the command's name) against cmd's table and
 * then globals (read into gval, one per entry; may be NULL). Returns 0, or
 * EXIT_CTL after printing one line that says what was wrong. */
int opts_parse(const ctl_cmd *cmd, const ctl_opt *globals, ctl_optval *gval, int argc, char **argv,
	       ctl_args *out);
/* Whether the command got as many arguments as it takes; else EXIT_CTL
 * after a usage line. Apart from parsing, so that --help needs none. */
int opts_check_count(const ctl_args *a);
/* The entry of cmd's table named name, or NULL. */
const ctl_opt *opts_find(const ctl_cmd *cmd, const char *name);
void opts_free(ctl_args *a);
static inline void opts_freep(ctl_args *a) { opts_free(a); }
#define _cleanup_ctl_args_ __attribute__((cleanup(opts_freep)))

/* A value by its option's long name; the name must be in the table. */
const ctl_optval *opt_val(const ctl_args *a, const char *name);
/* Given, and for a flag not given "=false". */
bool opt_on(const ctl_args *a, const char *name);
/* NULL when not given. */
const char *opt_str(const ctl_args *a, const char *name);
/* dflt when not given. */
long long opt_num(const ctl_args *a, const char *name, long long dflt);

/* One argument of a kind into v; 0, or -EINVAL with *why set to what it
 * must be. */
int opt_convert(ctl_opt_kind kind, const char *text, ctl_optval *v, const char **why);
/* All of s a whole number in base, from min to max: true with *out. The
 * parts of an option's value (--ulimit nofile=1024:4096, --secret's uid=). */
bool opt_number(const char *s, int base, long long min, long long max, long long *out);

/* "corralctl NAME: MESSAGE" and EXIT_CTL. */
int ctl_usage_error(const ctl_cmd *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The command's --help, from its table (and the globals'). */
void opts_help(FILE *f, const ctl_cmd *cmd, const ctl_opt *globals);
/* A table's options, one a line, with their help. */
void opts_help_table(FILE *f, const ctl_opt *t);
/* An option's forms for help and completion: "-t, --time SECONDS". */
void opts_forms(char *buf, size_t n, const ctl_opt *o);
