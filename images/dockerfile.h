/* A Dockerfile, parsed as Docker's reference has it: parser directives,
 * comments, line continuations, instructions and their flags, exec and
 * shell forms. Pure: nothing is expanded (df_expand.h), read or run here.
 * Heredocs (RUN <<EOF) are not supported. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"

#define DF_MAX_TEXT (1u << 20)       /* bytes of a Dockerfile */
#define DF_MAX_INSTRS 10000u         /* instructions of one */
#define DF_MAX_INSTR_LEN (64u << 10) /* bytes of one instruction, continuations joined */

typedef enum df_kind {
	DF_FROM,
	DF_RUN,
	DF_COPY,
	DF_ADD,
	DF_ENV,
	DF_ARG,
	DF_WORKDIR,
	DF_USER,
	DF_CMD,
	DF_ENTRYPOINT,
	DF_EXPOSE,
	DF_VOLUME,
	DF_LABEL,
	DF_HEALTHCHECK,
	DF_STOPSIGNAL,
	DF_ONBUILD,
	DF_SHELL,
	DF_MAINTAINER,
} df_kind;

typedef struct df_instr {
	df_kind kind;
	unsigned line; /* the line the instruction starts on, 1-based */
	/* after the keyword, flags too, as written: continuations joined (the
	 * escape char and newline removed, the next line's indentation kept),
	 * comment lines inside them dropped, trimmed */
	char *text;
	/* the leading --name=value (or --name) flags, as written, checked
	 * against the instruction's own; NULL-terminated, never NULL */
	char **flags;
	/* RUN/CMD/ENTRYPOINT/SHELL/VOLUME/COPY/ADD/HEALTHCHECK CMD given as a
	 * JSON array of strings */
	bool exec_form;
	/* NULL-terminated, never NULL, nothing expanded:
	 *   exec form: the array's strings, unescaped;
	 *   RUN/CMD/ENTRYPOINT shell form: one, the command as written (none
	 *     for a CMD or ENTRYPOINT with nothing after it);
	 *   ENV/LABEL/ARG: one a pair, "key=rawvalue", the value still quoted
	 *     as written ("ENV key value with spaces" is "key=value with
	 *     spaces"); an ARG with no default: "key";
	 *   HEALTHCHECK: "NONE", or its CMD's args (exec_form as they were);
	 *   WORKDIR/USER/STOPSIGNAL/MAINTAINER: one, the whole text after any
	 *     flags, as Docker takes it ("WORKDIR /a b" is "/a b");
	 *   ONBUILD: one, the trigger as written;
	 *   FROM/COPY/ADD/VOLUME/EXPOSE: the words (df_split_words), quotes kept */
	char **args;
	/* ONBUILD: the instruction it carries (never ONBUILD, FROM or
	 * MAINTAINER); NULL otherwise */
	struct df_instr *trigger;
} df_instr;

typedef struct dockerfile {
	char escape;  /* '\\' or '`' (# escape=) */
	char *syntax; /* # syntax=, or NULL: corral ignores it, the caller says so */
	df_instr *instrs;
	size_t n;
} dockerfile;

/* Parse text (len bytes; it need not end in a NUL). On error -EINVAL (or
 * -EFBIG, -ENOMEM), df empty, and err "NAME:LINE: what is wrong":
 *   "Dockerfile:3: unknown instruction: FORM",
 *   "Dockerfile:1: FROM requires one argument",
 *   "Dockerfile:5: no FROM before RUN" (only ARG may come before it),
 *   "Dockerfile:2: COPY requires at least two arguments",
 *   "Dockerfile:4: unknown flag: --x",
 *   "the Dockerfile has no instructions".
 * name replaces "Dockerfile" in them (NULL: "Dockerfile"). Bounded by
 * DF_MAX_TEXT, DF_MAX_INSTRS and DF_MAX_INSTR_LEN. */
int dockerfile_parse(const char *text, size_t len, const char *name, dockerfile *df, cerr *err);
void dockerfile_release(dockerfile *df);
