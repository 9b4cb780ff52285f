/* The pipelines inside a template's actions (template.h): fields, literals,
 * variables, ( ), | and the functions --format knows. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "common/strbuf.h"

/* A value: JSON from the object rendered, or one a function made. */
typedef struct tval {
	enum { TV_JSON, TV_STR, TV_NUM, TV_BOOL } kind;
	yajl_val json; /* TV_JSON; NULL is JSON's null */
	const char *str;
	size_t len;
	double num;
	bool b;
} tval;

#define TMPL_MAX_VARS 16

typedef struct tvar {
	char name[32]; /* "$" for the root */
	tval v;
} tvar;

/* What a pipeline is evaluated in: dot, the variables in scope, and the
 * strings made so far (freed with the context). */
typedef struct tctx {
	tval dot;
	tvar vars[TMPL_MAX_VARS];
	size_t n_vars;
	char **made;
	size_t n_made, cap_made;
} tctx;

void tctx_release(tctx *c);
int tctx_set_var(tctx *c, const char *name, size_t len, tval v, cerr *err);

/* Evaluate the pipeline s[0..len); lenient: a missing field is null rather
 * than an error (the test of an if or a with). */
int tmpl_eval(tctx *c, const char *s, size_t len, bool lenient, tval *out, cerr *err);
/* As Go's text/template prints it. */
int tval_print(const tval *v, strbuf *out);
/* Go's truth: false, 0, "", null, and empty arrays and maps are false. */
bool tval_truth(const tval *v);
