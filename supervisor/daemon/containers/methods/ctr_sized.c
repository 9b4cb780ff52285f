/* List and Inspect with sizes: the containers, by id, answered once their
 * writable layers (upper/) are walked (off the loop: a container may fill
 * its layer with millions of files), as podman's ps --size does. */
#include "supervisor/daemon/containers/methods/ctr_sized.h"
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/daemon/containers/record/ctr_gen.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/core/dir_sizes.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/varlink/call.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sized_list {
	vl_call *call; /* NULL once the caller hung up */
	corrald *d;
	char **ids;
	bool one; /* Inspect's: {"container": ...}, else List's array */
} sized_list;

static void sized_list_cancelled(vl_call *call, void *data) { ((sized_list *)data)->call = NULL; }

/* sizeRw, added to the entry at the end of sb */
static int append_size(strbuf *sb, uint64_t bytes)
{
	sb->len--; /* the entry's closing brace */
	return sb_addf(sb, ",\"sizeRw\":%llu}", (unsigned long long)bytes) < 0 ? -ENOMEM : 0;
}

/* the walks are over: each container still there, with its size */
static void sizes_walked(const dir_size *sizes, size_t n, void *data)
{
	sized_list *x = data;
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	int r = sb_adds(&sb, x->one ? "{\"container\":" : "{\"containers\":[");
	bool first = true;
	for (size_t i = 0; x->call && i < n && !r; i++) {
		ctr *c = ctr_by_id(x->d, x->ids[i]);
		if (!c && x->one) { /* removed meanwhile */
			vl_call_set_cancel(x->call, NULL, NULL);
			reply_not_found(x->call, x->ids[i], &(json_fault){ 0 });
			x->call = NULL;
		}
		if (!c)
			continue;
		r = first ? 0 : sb_add(&sb, ",", 1);
		r = r ? r : ctr_append_json(c, &sb);
		r = r ? r : append_size(&sb, sizes ? sizes[i].bytes : 0);
		first = false;
	}
	if (x->call) {
		vl_call_set_cancel(x->call, NULL, NULL);
		if (r || sb_adds(&sb, x->one ? "}" : "]}"))
			sv_internal(x->call, NULL);
		else
			vl_call_reply(x->call, sb.buf);
	}
	strv_free(x->ids);
	free(x);
}

int ctr_reply_sized(vl_call *call, corrald *d, char **ids, char *const *uppers, size_t n, bool one)
{
	sized_list *x = calloc(1, sizeof(*x));
	_cleanup_cerr_ cerr err = { 0 };
	if (!x)
		cerr_set(&err, ENOMEM, "out of memory");
	if (!x || dir_sizes(d->loop, vl_call_peer(call)->uid, uppers ? uppers : (char *const[]){ NULL }, n, sizes_walked, x, &err) < 0) {
		free(x);
		strv_free(ids);
		return sv_internal_err(call, &err);
	}
	*x = (sized_list){ .call = call, .d = d, .ids = ids, .one = one };
	vl_call_set_cancel(call, sized_list_cancelled, x);
	return 0;
}

int ctr_sized_add(const corrald *d, const ctr *c, char ***ids, char ***uppers)
{
	char dir[PATH_MAX], path[PATH_MAX + 8];
	ctr_dir(d, c, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/upper", dir);
	char *id = strdup(c->id), *upper = strdup(path);
	if (!id || !upper || strv_push(ids, id) < 0 || (id = NULL, strv_push(uppers, upper) < 0)) {
		free(id);
		free(upper);
		return -ENOMEM;
	}
	return 0;
}
