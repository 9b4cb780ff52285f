/* system info (and info) and system df, as podman prints them: what corrald
 * says of itself and the host, and what images and containers take. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/ctl_system.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/human.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/varlink/client.h"

#include <stdio.h>
#include <string.h>


/* "key  value" lines, as info always printed them (scripts read its
 * columns); a nested object's members indented under "key:" */
static void print_tree(yajl_val v, int depth)
{
	for (size_t i = 0; YAJL_IS_OBJECT(v) && i < v->u.object.len; i++) {
		yajl_val x = v->u.object.values[i];
		const char *k = v->u.object.keys[i];
		if (YAJL_IS_OBJECT(x)) {
			printf("%*s%s:\n", depth * 2, "", k);
			print_tree(x, depth + 1);
			continue;
		}
		_cleanup_free_ char *s = YAJL_IS_STRING(x) ? strdup(x->u.string) : ctl_to_json(x, false);
		printf("%*s%-*s %s\n", depth * 2, "", 14 + (depth ? 4 : 0), k, s ? s : "");
	}
}

int ctl_show_info(yajl_val p)
{
	if (ctl_json)
		return ctl_print_json(p);
	print_tree(p, 0);
	return 0;
}

/* ---- df ---- */

typedef struct df_row {
	long long total, active, size, reclaimable;
} df_row;

static bool image_used(yajl_val ctrs, const char *id)
{
	for (size_t i = 0; YAJL_IS_ARRAY(ctrs) && i < ctrs->u.array.len; i++)
		if (streq(ctl_str(ctrs->u.array.values[i], "imageDigest"), id))
			return true;
	return false;
}

static void df_images(yajl_val imgs, yajl_val ctrs, df_row *r)
{
	for (size_t i = 0; YAJL_IS_ARRAY(imgs) && i < imgs->u.array.len; i++) {
		yajl_val im = imgs->u.array.values[i];
		long long size = ctl_int(im, "size", 0);
		bool used = image_used(ctrs, ctl_str(im, "id"));
		r->total++, r->size += size;
		if (used)
			r->active++;
		else
			r->reclaimable += size;
	}
}

static void df_containers(yajl_val ctrs, df_row *r)
{
	for (size_t i = 0; YAJL_IS_ARRAY(ctrs) && i < ctrs->u.array.len; i++) {
		yajl_val c = ctrs->u.array.values[i];
		const char *st = ctl_str(json_get(c, "state"), "status");
		long long size = ctl_int(c, "sizeRw", 0);
		bool active = streq(st, "running") || streq(st, "paused");
		r->total++, r->size += size;
		if (active)
			r->active++;
		else
			r->reclaimable += size;
	}
}

int ctl_system_df(ctl_args *a)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply imgs = { 0 }, ctrs = { 0 };
	int r = ctl_call(&c, M("ImageList"), NULL, false, &imgs);
	if (r)
		return r;
	if ((r = ctl_call(&c, M("List"), "{\"all\":true,\"size\":true}", false, &ctrs))) {
		vl_reply_release(&imgs);
		return r;
	}
	yajl_val il = json_get(imgs.params, "images"), cl = json_get(ctrs.params, "containers");
	df_row im = { 0 }, ct = { 0 };
	df_images(il, cl, &im);
	df_containers(cl, &ct);
	if (ctl_json) {
		printf("[{\"type\":\"images\",\"total\":%lld,\"active\":%lld,\"size\":%lld,\"reclaimable\":%lld},"
		       "{\"type\":\"containers\",\"total\":%lld,\"active\":%lld,\"size\":%lld,\"reclaimable\":%lld}]\n",
		       im.total, im.active, im.size, im.reclaimable, ct.total, ct.active, ct.size, ct.reclaimable);
	} else {
		_cleanup_table_ ctl_table t = { 0 };
		char a1[160], a2[160], s1[32], s2[32], r1[32], r2[32];
		snprintf(a1, sizeof(a1), "Images\t%lld\t%lld\t%s\t%s (%lld%%)", im.total, im.active,
			 human_size(im.size, s1, sizeof(s1)), human_size(im.reclaimable, r1, sizeof(r1)),
			 im.size ? im.reclaimable * 100 / im.size : 0);
		snprintf(a2, sizeof(a2), "Containers\t%lld\t%lld\t%s\t%s (%lld%%)", ct.total, ct.active,
			 human_size(ct.size, s2, sizeof(s2)), human_size(ct.reclaimable, r2, sizeof(r2)),
			 ct.size ? ct.reclaimable * 100 / ct.size : 0);
		if (table_add_line(&t, "TYPE\tTOTAL\tACTIVE\tSIZE\tRECLAIMABLE") < 0 || table_add_line(&t, a1) < 0 ||
		    table_add_line(&t, a2) < 0)
			r = ctl_fail("system df", "out of memory");
		else
			table_print(stdout, &t);
	}
	vl_reply_release(&imgs);
	vl_reply_release(&ctrs);
	return r;
}
