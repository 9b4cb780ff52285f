/* Between the parser's files (not for the rest of corrald): one logical
 * line into an instruction, and the shapes of its arguments. */
#pragma once
#include "images/dockerfile.h"

/* line: continuations joined and trimmed; its keyword, flags and args into
 * in (left empty on error). err has no "Dockerfile:LINE: " yet. */
int df_instr_parse(const char *line, unsigned lineno, char escape, df_instr *in, cerr *err);
void df_instr_release(df_instr *in);

/* The keyword, upper case: "RUN". */
const char *df_kind_name(df_kind k);
