/* Go's text/template, as docker's and podman's --format take it, over
 * parsed JSON:
 *   {{.State.Status}}  {{json .Config}}  {{index .Labels "app"}}  {{join .Command " "}}
 *   {{range $k, $v := .Labels}}{{$k}}={{$v}} {{end}}  {{if eq .State.Status "running"}}..{{else}}..{{end}}
 *   {{with .State}}{{.Pid}}{{end}}  {{len .Mounts}}  {{printf "%-10s" .Name | upper}}
 * and the functions of template_funcs.h. A missing field is an error, but
 * null in the test of an if, a with or a range (Go's nil map entry).
 * Field names match JSON keys whatever their case, and "_" does not count,
 * so {{.State.ExitCode}} finds state.exitCode; where two keys match (State
 * and state), the one spelt as written goes first, and a path that is not
 * in it is looked for in the other. Text outside the actions is
 * copied, with \t and \n read as a tab and a newline. A format that starts
 * with "table " is printed as a table: a header row, then columns aligned. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "common/strbuf.h"

/* A column's title in a table's header, where the field's own name in
 * capitals is not what podman prints: { "ID", "CONTAINER ID" }. */
typedef struct tmpl_title {
	const char *field, *title;
} tmpl_title;

/* Whether fmt is "table" or "table ..."; *body is what follows. */
bool tmpl_is_table(const char *fmt, const char **body);
/* Render fmt against v onto out. With header, each action writes its
 * column's title instead (titles may be NULL; v is not read). -EINVAL and
 * err on a format this subset does not know, or a field v lacks. */
int tmpl_render(const char *fmt, yajl_val v, bool header, const tmpl_title *titles, strbuf *out, cerr *err);
