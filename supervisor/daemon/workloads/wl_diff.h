/* Where two canonical workloads differ (wl_diff.c). */
#pragma once
#include <stddef.h>
#include <yajl/yajl_tree.h>
#include "common/json_get.h"

#define WL_DIFF_MAX 32

typedef struct wl_diff {
	char lines[WL_DIFF_MAX][JSON_PATH_MAX + 200]; /* "template.containers[0].spec.image: \"a\" -> \"b\"" */
	size_t n, more;
} wl_diff;

void wl_diff_trees(yajl_val old, yajl_val new, wl_diff *d);
