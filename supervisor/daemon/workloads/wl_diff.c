/* What an apply would change, for WorkloadApply's answer and `corralctl
 * diff`: per workload, create, scale, update (a rollout) or unchanged, and
 * for an update the paths of the canonical JSON that differ, old -> new. */
#include "supervisor/daemon/workloads/wl_diff.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"

#include <stdio.h>
#include <string.h>

#define DIFF_VALUE_MAX 80

static void text_of(yajl_val v, char *buf, size_t n)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	_cleanup_free_ char *t = v && g && !jg_value(g, v) ? jg_finish(g, NULL) : NULL;
	if (!t) {
		snprintf(buf, n, "(none)");
		return;
	}
	if (strlen(t) > DIFF_VALUE_MAX)
		snprintf(buf, n, "%.*s...", DIFF_VALUE_MAX - 3, t);
	else
		snprintf(buf, n, "%s", t);
}

static bool same(yajl_val a, yajl_val b)
{
	_cleanup_json_gen_ yajl_gen ga = json_gen_new(false), gb = json_gen_new(false);
	_cleanup_free_ char *ta = a && ga && !jg_value(ga, a) ? jg_finish(ga, NULL) : NULL;
	_cleanup_free_ char *tb = b && gb && !jg_value(gb, b) ? jg_finish(gb, NULL) : NULL;
	return (!ta && !tb) || (ta && tb && streq(ta, tb));
}

static void note(wl_diff *d, const char *path, yajl_val a, yajl_val b)
{
	if (d->n == WL_DIFF_MAX) {
		d->more++;
		return;
	}
	char x[DIFF_VALUE_MAX + 8], y[DIFF_VALUE_MAX + 8];
	text_of(a, x, sizeof(x));
	text_of(b, y, sizeof(y));
	snprintf(d->lines[d->n++], sizeof(d->lines[0]), "%s: %s -> %s", path, x, y);
}

static void walk(wl_diff *d, const char *path, yajl_val a, yajl_val b, int depth)
{
	char p[JSON_PATH_MAX];
	if (depth < 16 && YAJL_IS_OBJECT(a) && YAJL_IS_OBJECT(b)) {
		for (size_t i = 0; i < a->u.object.len; i++)
			walk(d, json_path(p, path, a->u.object.keys[i]), a->u.object.values[i],
			     json_key(b, a->u.object.keys[i]), depth + 1);
		for (size_t i = 0; i < b->u.object.len; i++)
			if (!json_key(a, b->u.object.keys[i]))
				note(d, json_path(p, path, b->u.object.keys[i]), NULL, b->u.object.values[i]);
		return;
	}
	if (depth < 16 && YAJL_IS_ARRAY(a) && YAJL_IS_ARRAY(b) && a->u.array.len == b->u.array.len) {
		for (size_t i = 0; i < a->u.array.len; i++)
			walk(d, json_path_idx(p, path, i), a->u.array.values[i], b->u.array.values[i], depth + 1);
		return;
	}
	if (!same(a, b))
		note(d, path, a, b);
}

void wl_diff_trees(yajl_val old, yajl_val new, wl_diff *d)
{
	*d = (wl_diff){ 0 };
	walk(d, "", old, new, 0);
}
