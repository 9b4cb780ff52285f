/* The functions --format templates call (template.h): json, index, join,
 * upper, lower, len, printf, print, println, eq, ne, lt, le, gt, ge, and,
 * or, not. */
#pragma once
#include "supervisor/template/template_value.h"

/* fn(a[0..n)) into *out; an error names the action. */
int tmpl_call(const taction *k, tctx *c, const char *fn, size_t fl, const tval *a, size_t n, tval *out);
