/* output.c: What a listing prints: one JSON array, each row through a
 * --format template, or a table. */
#pragma once
#include "supervisor/ctl/ctl.h"

/* Output (output.c). items printed as one JSON array (--json, --format
 * json); or each of rows (items when NULL) through --format, or through
 * dflt, a template ("table ..." for a table), when there is no --format.
 * With no dflt either, items print as JSON. */
int ctl_output(yajl_val items, yajl_val rows, const char *dflt, const tmpl_title *titles);
/* v as indented JSON; 0 or EXIT_CTL. */
int ctl_print_json(yajl_val v);
/* "reclaimed 1.2MB", from a prune's reclaimedBytes. */
void ctl_print_reclaimed(yajl_val reply);
/* ctl_output of what two generators hold, each an open array (closed here). */
int ctl_output_gen(yajl_gen items, yajl_gen rows, const char *dflt, const tmpl_title *titles);
