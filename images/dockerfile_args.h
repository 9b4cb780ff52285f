/* dockerfile_args.c: The shapes of an instruction's arguments, read as
 * BuildKit's parser reads them (its messages too, where Docker users know
 * them). */
#pragma once
#include "images/dockerfile_instr.h"

/* The arguments after the keyword and flags (rest, trimmed), each shape as
 * Docker's parser reads it; kw names the instruction in errors.
 *
 * 1: rest is a JSON array of strings, now in->args with exec_form set;
 * 0: it is not one (the caller takes the shell form); <0: an array of
 * something else, which Docker refuses rather than run it as a command. */
int df_args_json(const char *rest, df_instr *in, cerr *err);
/* ENV and LABEL: key=value pairs, or the legacy "key value...". */
int df_args_pairs(const char *rest, char escape, const char *kw, df_instr *in, cerr *err);
/* FROM image [AS name]. */
int df_args_from(const char *rest, char escape, df_instr *in, cerr *err);
/* HEALTHCHECK NONE, or HEALTHCHECK CMD in either form. */
int df_args_healthcheck(const char *rest, df_instr *in, cerr *err);
/* The whole of rest as the one argument. */
int df_args_one(const char *rest, df_instr *in, cerr *err);
