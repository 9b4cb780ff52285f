/* The pipelines inside a template's actions (template.h): fields,
 * variables, literals, ( ), and | into the functions of template_funcs.h. */
#pragma once
#include "supervisor/template/template_value.h"

/* Evaluate the pipeline s[0..len); lenient: a missing field is null rather
 * than an error (the test of an if, a with or a range). */
int tmpl_eval(tctx *c, const char *s, size_t len, bool lenient, tval *out, cerr *err);
