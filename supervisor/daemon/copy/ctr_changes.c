/* Changes: what a container changed in its filesystem, as docker diff and
 * podman diff list it. corral-copy walks the container's upper directory
 * against its image's layer directories (supervisor/copy/changes.c):
 * corrald reads no file of the container's. */
#include "supervisor/daemon/copy/ctr_copy.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/copy/ctr_changes.h"
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/loop/child.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"
#include "images/image.h"
#include "images/store.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CHANGES_MAX_OUTPUT (16u << 20) /* a path a line: some 200000 changes */

typedef struct changes_run {
	vl_call *call; /* NULL once the caller hung up */
} changes_run;

static void caller_gone(vl_call *c, void *data)
{
	((changes_run *)data)->call = NULL;
}

static void on_listed(const el_child_result *r, void *data)
{
	changes_run *j = data;
	vl_call *call = j->call;
	free(j);
	if (!call)
		return;
	vl_call_set_cancel(call, NULL, NULL);
	if (r->code != 0 || r->truncated) {
		const strbuf *e = &r->out[1];
		(void)sv_internal(call, r->truncated ? "more changes than corrald lists"
						    : e->len ? e->buf : "corral-copy failed");
		return;
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key(g, "changes");
	yajl_gen_array_open(g);
	for (const char *l = r->out[0].buf; l && *l;) {
		size_t n = strcspn(l, "\n");
		if (n > 2 && l[1] == ' ') {
			yajl_gen_map_open(g);
			jg_key(g, "path");
			jg_text(g, l + 2, n - 2);
			jg_key_str(g, "kind", l[0] == 'A' ? "added" : l[0] == 'D' ? "deleted" : "changed");
			yajl_gen_map_close(g);
		}
		l += n + (l[n] == '\n');
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	(void)vl_call_reply_gen(call, g);
}

/* The image's layer directories, bottom first. */
static char **lower_dirs(corrald *d, const char *manifest, cerr *err)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_(image_handle_free) img_handle h = { 0 };
	if (store_open_nowait(&s, d->cfg->state_dir, err) < 0 || image_load(&s, manifest, &h, err) < 0)
		return NULL;
	char **v = calloc(1, sizeof(*v));
	for (size_t i = 0; v && i < h.cfg.n_diff_ids; i++)
		if (strv_push(&v, store_layer_path(&s, h.cfg.diff_ids[i])) < 0)
			strv_free(v), v = NULL;
	if (!v)
		cerr_set(err, ENOMEM, "out of memory");
	return v;
}

int sv_changes(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, d, call, params, f);
	char upper[PATH_MAX + 8];
	const char *why = ctr_upper_dir(d, c, upper, sizeof(upper));
	if (why)
		return reply_bad_state(call, c, why);
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_strv_ char **lowers = lower_dirs(d, c->image_manifest, &err);
	if (!lowers)
		return sv_internal_err(call, &err);
	_cleanup_strv_ char **argv = NULL;
	if (strv_push(&argv, strdup(d->copy_bin)) < 0 || strv_push(&argv, strdup("changes")) < 0 ||
	    strv_push(&argv, strdup(upper)) < 0)
		return sv_internal(call, "out of memory");
	for (size_t i = 0; lowers[i]; i++)
		if (strv_push(&argv, strdup(lowers[i])) < 0)
			return sv_internal(call, "out of memory");
	changes_run *j = calloc(1, sizeof(*j));
	if (!j)
		return sv_internal(call, "out of memory");
	j->call = call;
	el_child_opts o = { .path = d->copy_bin, .argv = argv, .fd3 = -1, .max_output = CHANGES_MAX_OUTPUT,
			    .member = vl_call_peer(call)->uid };
	el_child *ch;
	if (el_child_run(d->loop, &o, on_listed, j, &ch, &err) < 0) {
		free(j);
		return sv_internal_err(call, &err);
	}
	vl_call_set_cancel(call, caller_gone, j);
	return 0; /* on_listed answers */
}
