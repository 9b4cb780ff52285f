/* supervisor/daemon/build: the Dockerfile parser (dockerfile*.c), word
 * expansion (df_expand.c) and COPY's globs (df_match.c); the
 * .dockerignore is images_df_ignore.c's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"
#include "common/strbuf.h"
#include "common/strv.h"
#include "images/df_expand.h"
#include "images/df_ignore.h"
#include "images/dockerfile_instr.h"

static dockerfile parse_ok(const char *text)
{
	dockerfile df;
	_cleanup_cerr_ cerr err = { 0 };
	if (dockerfile_parse(text, strlen(text), NULL, &df, &err) < 0)
		fail_msg("%s: %s", text, cerr_msg(&err));
	return df;
}

static void expect_error_named(const char *text, size_t len, const char *name, const char *msg)
{
	dockerfile df;
	_cleanup_cerr_ cerr err = { 0 };
	if (dockerfile_parse(text, len, name, &df, &err) == 0)
		fail_msg("accepted: %.200s", text);
	if (strcmp(cerr_msg(&err), msg))
		fail_msg("%.200s\n  got:  %s\n  want: %s", text, cerr_msg(&err), msg);
	assert_int_equal(df.n, 0); /* nothing left behind */
	assert_null(df.instrs);
}

static void expect_error(const char *text, const char *msg) { expect_error_named(text, strlen(text), NULL, msg); }

static void vassert_strv(char **v, va_list ap)
{
	size_t i = 0;
	for (const char *s; (s = va_arg(ap, const char *)); i++) {
		if (!v[i])
			fail_msg("element %zu missing, want [%s]", i, s);
		if (strcmp(v[i], s))
			fail_msg("element %zu: got [%s], want [%s]", i, v[i], s);
	}
	if (v[i])
		fail_msg("element %zu: unexpected [%s]", i, v[i]);
}

/* v holds exactly the strings after it, up to NULL */
static void assert_strv(char **v, ...)
{
	va_list ap;
	va_start(ap, v);
	vassert_strv(v, ap);
	va_end(ap);
}

/* the instruction's form, and its args: the strings after exec, up to NULL */
static void assert_form(const df_instr *in, int exec, ...) /* int: va_start after a bool is undefined */
{
	assert_int_equal(in->exec_form, exec);
	va_list ap;
	va_start(ap, exec);
	vassert_strv(in->args, ap);
	va_end(ap);
}

static void test_every_kind(void **state)
{
	static const struct {
		df_kind kind;
		const char *line, *args; /* the args, joined with '|' */
	} each[] = {
		{ DF_ARG, "ARG BASE=alpine", "BASE=alpine" },
		{ DF_FROM, "FROM ${BASE} AS build", "${BASE}|AS|build" },
		{ DF_MAINTAINER, "MAINTAINER Jane Doe <j@d.io>", "Jane Doe <j@d.io>" },
		{ DF_RUN, "RUN echo hi && ls", "echo hi && ls" },
		{ DF_COPY, "COPY a b", "a|b" },
		{ DF_ADD, "ADD http://x/y.tgz /opt/", "http://x/y.tgz|/opt/" },
		{ DF_ENV, "ENV A=1", "A=1" },
		{ DF_WORKDIR, "WORKDIR /app dir", "/app dir" }, /* one, as Docker takes it */
		{ DF_USER, "USER app:app", "app:app" },
		{ DF_CMD, "CMD [\"run\", \"--fast\"]", "run|--fast" }, /* not a flag: CMD has none */
		{ DF_ENTRYPOINT, "ENTRYPOINT [\"/init\"]", "/init" },
		{ DF_EXPOSE, "EXPOSE 80/tcp 443", "80/tcp|443" },
		{ DF_VOLUME, "VOLUME /data", "/data" },
		{ DF_LABEL, "LABEL version=\"1.0\"", "version=\"1.0\"" },
		{ DF_HEALTHCHECK, "HEALTHCHECK NONE", "NONE" },
		{ DF_STOPSIGNAL, "STOPSIGNAL SIGTERM", "SIGTERM" },
		{ DF_ONBUILD, "ONBUILD RUN make", "RUN make" },
		{ DF_SHELL, "shell [\"/bin/bash\", \"-c\"]", "/bin/bash|-c" },
	};
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(each); i++)
		sb_addf(&sb, "%s\n", each[i].line);
	dockerfile df = parse_ok(sb.buf);
	assert_int_equal(df.n, ARRAY_SIZE(each));
	assert_int_equal(df.escape, '\\');
	assert_null(df.syntax);
	for (size_t i = 0; i < df.n; i++) {
		const df_instr *in = &df.instrs[i];
		const char *name = df_kind_name(each[i].kind);
		assert_int_equal(in->kind, each[i].kind);
		assert_int_equal(in->line, i + 1);
		assert_true(!strncasecmp(each[i].line, name, strlen(name)) && each[i].line[strlen(name)] == ' ');
		assert_string_equal(in->text, each[i].line + strlen(name) + 1);
		assert_strv(in->flags, NULL);
		assert_int_equal(in->trigger != NULL, in->kind == DF_ONBUILD);
		assert_int_equal(in->exec_form, in->kind == DF_CMD || in->kind == DF_ENTRYPOINT || in->kind == DF_SHELL);
		_cleanup_free_ char *args = strv_join(in->args, "|");
		assert_string_equal(args, each[i].args);
	}
	dockerfile_release(&df);
	assert_null(df.instrs);
}

static void test_directives(void **state)
{
	dockerfile df = parse_ok("# syntax=docker/dockerfile:1.7\n#ESCAPE = ` \n"
				 "FROM mcr.microsoft.com/windows\nRUN dir c:\\windows && `\n"
				 "    echo done\n# escape=\\\nCOPY a` b c\n");
	assert_int_equal(df.escape, '`');
	assert_string_equal(df.syntax, "docker/dockerfile:1.7");
	assert_int_equal(df.n, 3);
	assert_string_equal(df.instrs[1].text, "dir c:\\windows &&     echo done"); /* '\\' kept as written */
	assert_int_equal(df.instrs[1].line, 4);
	assert_strv(df.instrs[2].args, "a` b", "c", NULL); /* the escape char keeps its space */
	dockerfile_release(&df);
	/* after a comment, a blank line or an unknown directive: only a comment */
	static const char *const not_directives[] = {
		"# a comment\n# escape=`\nFROM a\nRUN a \\\n b\n",
		"\n# escape=`\nFROM a\nRUN a \\\n b\n",
		"# foo=bar\n# escape=`\nFROM a\nRUN a \\\n b\n",
		"FROM a\n# escape=`\nRUN a \\\n b\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(not_directives); i++) {
		df = parse_ok(not_directives[i]);
		assert_int_equal(df.escape, '\\');
		assert_string_equal(df.instrs[1].text, "a  b");
		dockerfile_release(&df);
	}
}

static void test_continuations(void **state)
{
	dockerfile df = parse_ok("\xef\xbb\xbf" "FROM a\r\nRUN apt-get update && \\  \r\n"
				 "# a comment inside\r\n  # an indented one\r\n\r\n"
				 "    apt-get install -y x \\\r\n\t \r\n    && rm -rf /var/lib/apt   \r\n"
				 "   \r\n  # between instructions\n  env  A=\"x # not a comment\"\n"
				 "RUN echo \\\n");
	assert_int_equal(df.n, 4);
	assert_int_equal(df.instrs[1].line, 2);
	assert_string_equal(df.instrs[1].text, "apt-get update &&     apt-get install -y x     && rm -rf /var/lib/apt");
	assert_int_equal(df.instrs[2].kind, DF_ENV);
	assert_int_equal(df.instrs[2].line, 11);
	assert_strv(df.instrs[2].args, "A=\"x # not a comment\"", NULL);
	assert_int_equal(df.instrs[3].line, 12);
	assert_strv(df.instrs[3].args, "echo", NULL); /* a continuation at the end */
	dockerfile_release(&df);
}

static void test_exec_and_shell_forms(void **state)
{
	dockerfile df = parse_ok("FROM a\nRUN [\"echo\", \"a b\", \"\\u00e9\\n\\\"q\\\"\"]\n"
				 "RUN [ \"echo\", 'x' ]\nCMD [\"a\" /* c */]\nENTRYPOINT exec /init --flag\n"
				 "CMD\nCMD []\nVOLUME [\"/a\", \"/b c\"]\nVOLUME /a \"/b c\"\n"
				 "COPY [\"a b\", \"/dst/\"]\n"
				 "HEALTHCHECK --interval=5s --retries=3 CMD [\"curl\", \"-f\", \"http://x/\"]\n"
				 "HEALTHCHECK cmd curl -f http://x/ || exit 1\n");
	df_instr *in = df.instrs;
	assert_form(&in[1], true, "echo", "a b", "\xc3\xa9\n\"q\"", NULL);
	assert_form(&in[2], false, "[ \"echo\", 'x' ]", NULL);  /* not JSON: the shell form */
	assert_form(&in[3], false, "[\"a\" /* c */]", NULL); /* Go's JSON has no comments */
	assert_form(&in[4], false, "exec /init --flag", NULL);
	assert_strv(in[5].args, NULL);
	assert_form(&in[6], true, NULL);
	assert_form(&in[7], true, "/a", "/b c", NULL);
	assert_form(&in[8], false, "/a", "\"/b c\"", NULL);
	assert_form(&in[9], true, "a b", "/dst/", NULL);
	assert_strv(in[10].flags, "--interval=5s", "--retries=3", NULL);
	assert_form(&in[10], true, "curl", "-f", "http://x/", NULL);
	assert_string_equal(in[10].text, "--interval=5s --retries=3 CMD [\"curl\", \"-f\", \"http://x/\"]");
	assert_form(&in[11], false, "curl -f http://x/ || exit 1", NULL);
	dockerfile_release(&df);
}

static void test_env_label_arg(void **state)
{
	dockerfile df = parse_ok("ARG VERSION\nARG A=1 B=\"two words\"\nFROM base:$VERSION\n"
				 "ARG VERSION\nENV PATH=/opt/bin:$PATH HOME='/root' MSG=\"a b\" EMPTY=\n"
				 "ENV key value with  spaces\nENV multi=a\\ b \\\n    next=c\n"
				 "LABEL \"com.example.vendor\"=\"ACME\" desc=\"x=y\"\n"
				 "LABEL legacy \"quoted value\"\n");
	df_instr *in = df.instrs;
	assert_strv(in[0].args, "VERSION", NULL);
	assert_strv(in[1].args, "A=1", "B=\"two words\"", NULL);
	assert_int_equal(in[2].kind, DF_FROM);
	assert_strv(in[4].args, "PATH=/opt/bin:$PATH", "HOME='/root'", "MSG=\"a b\"", "EMPTY=", NULL);
	assert_strv(in[5].args, "key=value with  spaces", NULL);
	assert_strv(in[6].args, "multi=a\\ b", "next=c", NULL);
	assert_strv(in[7].args, "\"com.example.vendor\"=\"ACME\"", "desc=\"x=y\"", NULL);
	assert_strv(in[8].args, "legacy=\"quoted value\"", NULL);
	dockerfile_release(&df);
}

static void test_from_and_flags(void **state)
{
	dockerfile df = parse_ok("from --platform=$BUILDPLATFORM golang:1.22 as Build-1\n"
				 "RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=\"a b\" "
				 "--network=none go build ./...\n"
				 "COPY --from=Build-1 --chown=1000:1000 --chmod=0755 --link /out/app /usr/bin/\n"
				 "ADD --link=false -- --weird-name /dst\nFROM scratch\n");
	df_instr *in = df.instrs;
	assert_int_equal(in[0].kind, DF_FROM);
	assert_strv(in[0].flags, "--platform=$BUILDPLATFORM", NULL);
	assert_strv(in[0].args, "golang:1.22", "as", "Build-1", NULL);
	assert_strv(in[1].flags, "--mount=type=cache,target=/root/.cache", "--mount=type=secret,id=\"a b\"",
		    "--network=none", NULL);
	assert_strv(in[1].args, "go build ./...", NULL);
	assert_strv(in[2].flags, "--from=Build-1", "--chown=1000:1000", "--chmod=0755", "--link", NULL);
	assert_strv(in[2].args, "/out/app", "/usr/bin/", NULL);
	assert_strv(in[3].flags, "--link=false", NULL); /* "--" ends the flags */
	assert_strv(in[3].args, "--weird-name", "/dst", NULL);
	assert_strv(in[4].args, "scratch", NULL);
	dockerfile_release(&df);
}

static void test_onbuild_and_healthcheck(void **state)
{
	dockerfile df = parse_ok("FROM a\nONBUILD COPY --from=x . /app\nonbuild run [\"make\", \"all\"]\n"
				 "HEALTHCHECK --start-period=1m --start-interval=2s --timeout=3s CMD curl -f x\n"
				 "healthcheck none\n");
	df_instr *in = df.instrs;
	assert_strv(in[1].args, "COPY --from=x . /app", NULL);
	assert_int_equal(in[1].trigger->kind, DF_COPY);
	assert_int_equal(in[1].trigger->line, 2);
	assert_strv(in[1].trigger->flags, "--from=x", NULL);
	assert_strv(in[1].trigger->args, ".", "/app", NULL);
	assert_null(in[1].trigger->trigger);
	assert_int_equal(in[2].trigger->kind, DF_RUN);
	assert_form(in[2].trigger, true, "make", "all", NULL);
	assert_strv(in[3].flags, "--start-period=1m", "--start-interval=2s", "--timeout=3s", NULL);
	assert_form(&in[3], false, "curl -f x", NULL);
	assert_strv(in[4].args, "NONE", NULL);
	dockerfile_release(&df);
}

static void test_error_messages(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "FROM a\n\n# c\nFORM b\n", "Dockerfile:4: unknown instruction: FORM" },
		{ "# only\n\nRUN echo\nFROM a\n", "Dockerfile:3: no FROM before RUN" },
		{ "ARG a\nENV b=1\n", "Dockerfile:2: no FROM before ENV" },
		{ "", "the Dockerfile has no instructions" },
		{ "\n  \n# nothing\n", "the Dockerfile has no instructions" },
		{ "# syntax=x\n", "the Dockerfile has no instructions" },
		{ "ARG a\n", "the Dockerfile has no FROM instruction" },
		{ "FROM a\nRUN\n", "Dockerfile:2: RUN requires at least one argument" },
		{ "FROM a\nWORKDIR\n", "Dockerfile:2: WORKDIR requires exactly one argument" },
		{ "FROM a\nUSER  \n", "Dockerfile:2: USER requires exactly one argument" },
		{ "FROM a\nEXPOSE\n", "Dockerfile:2: EXPOSE requires at least one argument" },
		{ "FROM a\nVOLUME\n", "Dockerfile:2: VOLUME requires at least one argument" },
		/* directives */
		{ "# escape=`\n# Escape=\\\nFROM a\n", "Dockerfile:2: only one escape parser directive can be used" },
		{ "# syntax=a\n# syntax=b\nFROM a\n", "Dockerfile:2: only one syntax parser directive can be used" },
		{ "# escape=x\nFROM a\n", "Dockerfile:1: invalid escape token 'x' does not match ` or \\" },
		/* exec and shell forms */
		{ "FROM a\nRUN [1, \"a\"]\n",
		  "Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only" },
		{ "FROM a\nCMD [\"a\\u0000b\"]\n", "Dockerfile:2: a JSON string holds a NUL (\\u0000)" },
		{ "FROM a\nSHELL /bin/sh -c\n", "Dockerfile:2: SHELL requires the arguments to be in JSON form" },
		{ "FROM a\nSHELL []\n", "Dockerfile:2: SHELL requires at least one argument" },
		{ "FROM a\nRUN []\n", "Dockerfile:2: RUN requires at least one argument" },
		{ "FROM a\nVOLUME [\"\"]\n", "Dockerfile:2: VOLUME specified can not be an empty string" },
		/* ENV, LABEL, ARG */
		{ "FROM a\nENV\n", "Dockerfile:2: ENV requires at least one argument" },
		{ "FROM a\nENV onlykey\n", "Dockerfile:2: ENV must have two arguments" },
		{ "FROM a\nENV a=1 b\n", "Dockerfile:2: Syntax error - can't find = in \"b\". Must be of the form: name=value" },
		{ "FROM a\nENV =x\n", "Dockerfile:2: ENV names can not be blank" },
		{ "FROM a\nLABEL\n", "Dockerfile:2: LABEL requires at least one argument" },
		{ "ARG =1\nFROM a\n", "Dockerfile:1: ARG names can not be blank" },
		{ "ARG\nFROM a\n", "Dockerfile:1: ARG requires at least one argument" },
		/* FROM, flags, COPY */
		{ "FROM\n", "Dockerfile:1: FROM requires one argument" },
		{ "FROM a b\n", "Dockerfile:1: FROM requires either one or three arguments: FROM image [AS name]" },
		{ "FROM a AS b c\n", "Dockerfile:1: FROM requires either one or three arguments: FROM image [AS name]" },
		{ "FROM a AS 1st\n", "Dockerfile:1: invalid name for build stage: \"1st\", name can't start with a "
				     "number or contain symbols" },
		{ "FROM --platform a\n", "Dockerfile:1: missing a value on flag: --platform" },
		{ "FROM a\nRUN --x=1 echo\n", "Dockerfile:2: unknown flag: --x" },
		{ "FROM a\nRUN --security=insecure echo\n", "Dockerfile:2: unknown flag: --security" },
		{ "FROM a\nENV --x A=1\n", "Dockerfile:2: unknown flag: --x" },
		{ "FROM a\nADD --from=b a b\n", "Dockerfile:2: unknown flag: --from" },
		{ "FROM a\nCOPY --from=a --from=b a b\n", "Dockerfile:2: duplicate flag specified: --from" },
		{ "FROM a\nCOPY --link=maybe a b\n", "Dockerfile:2: expecting boolean value for flag --link, not: maybe" },
		{ "FROM a\nCOPY a\n", "Dockerfile:2: COPY requires at least two arguments" },
		{ "FROM a\nADD [\"a\"]\n", "Dockerfile:2: ADD requires at least two arguments" },
		{ "FROM a\n\nCOPY --chown=1 x\n", "Dockerfile:3: COPY requires at least two arguments" },
		/* ONBUILD, HEALTHCHECK */
		{ "FROM a\nONBUILD ONBUILD RUN x\n", "Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed" },
		{ "FROM a\nONBUILD from b\n", "Dockerfile:2: FROM isn't allowed as an ONBUILD trigger" },
		{ "FROM a\nONBUILD MAINTAINER me\n", "Dockerfile:2: MAINTAINER isn't allowed as an ONBUILD trigger" },
		{ "FROM a\nONBUILD\n", "Dockerfile:2: ONBUILD requires at least one argument" },
		{ "FROM a\nONBUILD FORM x\n", "Dockerfile:2: unknown instruction: FORM" },
		{ "FROM a\nONBUILD COPY x\n", "Dockerfile:2: COPY requires at least two arguments" },
		{ "FROM a\nHEALTHCHECK\n", "Dockerfile:2: HEALTHCHECK requires at least one argument" },
		{ "FROM a\nHEALTHCHECK NONE x\n", "Dockerfile:2: HEALTHCHECK NONE takes no arguments" },
		{ "FROM a\nHEALTHCHECK CURL x\n", "Dockerfile:2: Unknown type \"CURL\" in HEALTHCHECK (try CMD)" },
		{ "FROM a\nHEALTHCHECK CMD\n", "Dockerfile:2: Missing command after HEALTHCHECK CMD" },
		{ "FROM a\nHEALTHCHECK CMD []\n", "Dockerfile:2: Missing command after HEALTHCHECK CMD" },
		{ "FROM a\nHEALTHCHECK --bogus=1 CMD x\n", "Dockerfile:2: unknown flag: --bogus" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		expect_error(bad[i].text, bad[i].msg);
	expect_error_named("FROM a\nFORM b\n", 14, "Containerfile", "Containerfile:2: unknown instruction: FORM");
	expect_error_named("", 0, "Containerfile", "the Containerfile has no instructions");
	expect_error_named("FROM a\nRUN a\0b\n", 14, NULL, "Dockerfile:2: holds a NUL byte");
	/* text need not end in a NUL: only len bytes are read */
	dockerfile df;
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(dockerfile_parse("FROM a\nRUN x", 7, NULL, &df, &err), 0);
	assert_int_equal(df.n, 1);
	dockerfile_release(&df);
}

static void test_bounds(void **state)
{
	_cleanup_free_ char *big = malloc(DF_MAX_TEXT + 2);
	memset(big, ' ', DF_MAX_TEXT + 1);
	memcpy(big, "FROM a\n#", 8);
	expect_error_named(big, DF_MAX_TEXT + 1, NULL, "the Dockerfile is larger than 1 MiB (1048577 bytes)");
	/* 64 KiB joined from continuation lines is the limit */
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "FROM a\nRUN ");
	for (int i = 0; i < 1023; i++)
		sb_adds(&sb, "echo 123456789012345678901234567890123456789012345678901234567 \\\n");
	sb_adds(&sb, "x\n");
	dockerfile df = parse_ok(sb.buf);
	assert_int_equal(strlen(df.instrs[1].text), 1023 * 63 + 1);
	dockerfile_release(&df);
	sb_adds(&sb, "RUN ");
	for (int i = 0; i < 1041; i++)
		sb_adds(&sb, "echo 123456789012345678901234567890123456789012345678901234567 \\\n");
	sb_adds(&sb, "x\n");
	expect_error(sb.buf, "Dockerfile:1026: instruction longer than 64 KiB");
	/* 10000 instructions, not one more */
	sb_reset(&sb);
	sb_adds(&sb, "FROM a\n");
	for (int i = 1; i < 10000; i++)
		sb_adds(&sb, "USER u\n");
	df = parse_ok(sb.buf);
	assert_int_equal(df.n, 10000);
	assert_int_equal(df.instrs[9999].line, 10000);
	dockerfile_release(&df);
	sb_adds(&sb, "# fine\nUSER u\n");
	expect_error(sb.buf, "Dockerfile:10002: more than 10000 instructions");
}

static const char *vars(const char *name, void *ctx)
{
	static const char *const kv[] = { "a", "A", "empty", "", "sp", "x y", "nested", "${a}", "x_1", "X1", NULL };
	for (size_t i = 0; kv[i]; i += 2)
		if (!strcmp(kv[i], name))
			return kv[i + 1];
	return ctx && !strcmp(name, "big") ? ctx : NULL;
}

static void test_expand(void **state)
{
	static const struct {
		const char *word, *want;
	} good[] = {
		{ "plain", "plain" }, { "$a", "A" }, { "${a}", "A" }, { "x${a}y$a", "xAyA" }, { "$x_1.", "X1." },
		{ "$unset|${unset}", "|" }, { "'$a \"q\"'", "$a \"q\"" }, { "\"$a ${sp}\"", "A x y" },
		{ "\\$a", "$a" }, { "a\\ b", "a b" }, { "a\\'b", "a'b" }, { "\"\\\"\\$a\\\\\"", "\"$a\\" },
		{ "\"\\x\"", "\\x" }, { "'\\x'", "\\x" }, { "abc\\", "abc" }, { "\"it's\"", "it's" },
		{ "${a:-d}", "A" }, { "${unset:-d}", "d" }, { "${empty:-d}", "d" }, { "${empty-d}", "" },
		{ "${unset-d}", "d" }, { "${a:+alt}", "alt" }, { "${unset:+alt}", "" }, { "${empty:+alt}", "" },
		{ "${empty+alt}", "alt" }, { "${unset:-${a}}", "A" }, { "${u1:-${u2:-deep $a}}", "deep A" },
		{ "${a:+\"q $a\"}", "q A" }, { "${unset:-a\\}b}", "a}b" }, { "${unset:-'}'}", "}" },
		{ "${a:?}", "A" }, { "$", "$" }, { "a$", "a$" }, { "$/x", "$/x" }, { "$1$@$$", "" },
		{ "${nested}", "${a}" }, /* values are not expanded again */
		{ "", "" },
		/* from here on, with # escape=` */
		{ "a`$b``c`", "a$b`c" }, { "c:\\dir `$a", "c:\\dir $a" }, { "\"`\"`$a\"", "\"$a" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		_cleanup_free_ char *out = NULL;
		_cleanup_cerr_ cerr err = { 0 };
		char escape = i < ARRAY_SIZE(good) - 3 ? '\\' : '`';
		if (df_expand(good[i].word, escape, vars, NULL, &out, &err) < 0)
			fail_msg("%s: %s", good[i].word, cerr_msg(&err));
		if (strcmp(out, good[i].want))
			fail_msg("%s: got [%s], want [%s]", good[i].word, out, good[i].want);
	}
	static const struct {
		const char *word, *msg;
	} bad[] = {
		{ "${", "syntax error: missing '}'" }, { "${a", "syntax error: missing '}'" },
		{ "${a:", "syntax error: missing '}'" }, { "${a:-x", "syntax error: missing '}'" },
		{ "${}", "syntax error: bad substitution" }, { "${:a}", "syntax error: bad substitution" },
		{ "${{a}}", "syntax error: bad substitution" }, { "${u:?}", "u: is not allowed to be unset" },
		{ "${empty:?}", "empty: is not allowed to be empty" }, { "${u?}", "u: is not allowed to be unset" },
		{ "${u:?need u}", "u: need u" }, { "${a#x}", "unsupported modifier (#) in substitution" },
		{ "${a:=x}", "unsupported modifier (=) in substitution" }, { "${a/x/y}", "unsupported modifier (/) in substitution" },
		{ "'abc", "unexpected end of statement while looking for matching single-quote" },
		{ "a\"bc", "unexpected end of statement while looking for matching double-quote" },
		{ "\"abc\\\"", "unexpected end of statement while looking for matching double-quote" },
		{ "${u:-'x}", "unexpected end of statement while looking for matching single-quote" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *out = (char *)"untouched";
		_cleanup_cerr_ cerr err = { 0 };
		if (df_expand(bad[i].word, '\\', vars, NULL, &out, &err) == 0)
			fail_msg("accepted %s", bad[i].word);
		assert_null(out);
		if (strcmp(cerr_msg(&err), bad[i].msg))
			fail_msg("%s: got [%s], want [%s]", bad[i].word, cerr_msg(&err), bad[i].msg);
	}
	/* bounds: nesting, and what a word may grow to */
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 65; i++)
		sb_adds(&sb, "${u:-");
	for (int i = 0; i < 65; i++)
		sb_adds(&sb, "}");
	_cleanup_cerr_ cerr err = { 0 };
	char *out = NULL;
	assert_true(df_expand(sb.buf, '\\', vars, NULL, &out, &err) < 0);
	assert_string_equal(cerr_msg(&err), "syntax error: substitutions nested deeper than 64");
	_cleanup_free_ char *big = malloc(600 << 10);
	memset(big, 'b', (600 << 10) - 1);
	big[(600 << 10) - 1] = '\0';
	assert_int_equal(df_expand("$big", '\\', vars, big, &out, &err), 0);
	assert_int_equal(strlen(out), (600 << 10) - 1);
	free(out);
	assert_true(df_expand("$big$big", '\\', vars, big, &out, &err) < 0);
	assert_string_equal(cerr_msg(&err), "expansion longer than 1 MiB");
	assert_int_equal(df_expand("$a", '\\', NULL, NULL, &out, &err), 0); /* no lookup: nothing set */
	assert_string_equal(out, "");
	free(out);
}

static void test_split_words(void **state)
{
	_cleanup_cerr_ cerr err = { 0 };
	char **w = NULL;
	assert_int_equal(df_split_words("  a \"b c\"\t'd  e'f g\\ h \"x\\\" y\" `z ` ", '\\', &w, &err), 0);
	assert_strv(w, "a", "\"b c\"", "'d  e'f", "g\\ h", "\"x\\\" y\"", "`z", "`", NULL);
	strv_free(w);
	assert_int_equal(df_split_words("`z ` 'a\\' b", '`', &w, &err), 0);
	assert_strv(w, "`z", "` 'a\\'", "b", NULL); /* an escaped space joins the words */
	strv_free(w);
	assert_int_equal(df_split_words(" \t ", '\\', &w, &err), 0);
	assert_strv(w, NULL);
	strv_free(w);
	assert_int_equal(df_split_words("a \"unterminated b", '\\', &w, &err), 0);
	assert_strv(w, "a", "\"unterminated b", NULL);
	strv_free(w);
	assert_int_equal(df_word_len("ab\\ c d", '\\'), 5);
}

static void test_glob(void **state)
{
	static const struct {
		const char *pattern, *path;
		bool match;
	} cases[] = {
		{ "*.txt", "a.txt", true }, { "*.txt", "d/a.txt", false }, { "*/a.txt", "d/a.txt", true },
		{ "a?c", "abc", true }, { "a?c", "a/c", false }, { "?", "\xc3\xa9", true }, { "[a-c]x", "bx", true },
		{ "[!a-c]x", "bx", false }, { "[^a-c]x", "dx", true }, { "[!a-c]x", "dx", true },
		{ "[a-z]", "/", false }, { "[^a]", "/", false }, { "[\\]]", "]", true }, { "\\*", "*", true },
		{ "\\*", "a", false }, { "a*b*c", "axxbyyc", true }, { "a*b*c", "axxbyy", false }, { "a*", "a/b", false },
		{ "*", "", true }, { "", "", true }, { "abc", "abc", true }, { "ab", "abc", false },
		{ "a/*/c", "a/b/c", true }, { "a/*/c", "a/b/d/c", false }, { "*c", "abc", true },
		{ "[α-ω]", "\xce\xb2", true }, { "*x*", "xx", true }, { "[", "[", false }, { "a\\", "a", false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (df_glob_match(cases[i].pattern, cases[i].path) != cases[i].match)
			fail_msg("%s vs %s: want %d", cases[i].pattern, cases[i].path, cases[i].match);
	static const char *const bad[] = { "[", "[]", "[]a]", "a\\", "[a-]", "[z", "x*[", "[\\", "[-a]" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (df_glob_valid(bad[i]))
			fail_msg("%s taken as valid", bad[i]);
	static const char *const good[] = { "", "*", "a*b", "[\\]]", "[!x]", "\\*", "**/x", "[a-z0-9]" };
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		if (!df_glob_valid(good[i]))
			fail_msg("%s taken as invalid", good[i]);
	assert_true(df_glob_has_magic("src/*.c"));
	assert_true(df_glob_has_magic("a\\ b"));
	assert_false(df_glob_has_magic("src/main.c"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind),
		cmocka_unit_test(test_directives),
		cmocka_unit_test(test_continuations),
		cmocka_unit_test(test_exec_and_shell_forms),
		cmocka_unit_test(test_env_label_arg),
		cmocka_unit_test(test_from_and_flags),
		cmocka_unit_test(test_onbuild_and_healthcheck),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_split_words),
		cmocka_unit_test(test_glob),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
