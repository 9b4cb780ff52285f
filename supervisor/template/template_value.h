/* The values of --format templates (template.h): JSON from the object
 * rendered, or what a function made; the context that owns the latter,
 * with dot and the variables; and their errors, which name the action. */
#pragma once
#include "supervisor/template/template.h"
#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "common/strbuf.h"

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

/* The action an error is in, and where it goes. */
typedef struct taction {
	const char *s;
	size_t len;
	cerr *err;
} taction;

__attribute__((format(printf, 2, 3))) int tmpl_fail(const taction *a, const char *fmt, ...);

void tctx_release(tctx *c);
int tctx_set_var(tctx *c, const char *name, size_t len, tval v, cerr *err);
/* A string the context owns from now on (a strbuf's, detached). */
int tctx_keep(tctx *c, char *s, tval *out);
int tctx_keep_sb(tctx *c, strbuf *sb, tval *out);

/* As Go's text/template prints it. */
int tval_print(const tval *v, strbuf *out);
int tval_print_json(strbuf *out, yajl_val v);
/* Go's truth: false, 0, "", null, and empty arrays and maps are false. */
bool tval_truth(const tval *v);
/* A JSON string, number or bool as the plain value it is. */
tval tval_plain(const tval *v);
/* -1, 0, 1; -2 when the two cannot be compared. */
int tval_compare(const tval *a, const tval *b);
/* s as a JSON string. */
int tval_quote(strbuf *out, const char *s, size_t len);

/* The member of obj whose key is name[0..len) as above, the one spelt
 * exactly so first; NULL if none. */
yajl_val tmpl_field(yajl_val obj, const char *name, size_t len);
/* The nth such member (0: tmpl_field's), where keys differ only in case. */
yajl_val tmpl_field_nth(yajl_val obj, const char *name, size_t len, size_t nth);
