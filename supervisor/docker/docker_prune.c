/* The answer every prune gives (containers, images, networks, volumes and
 * the build cache), in one shape. */
#include "supervisor/docker/docker_prune.h"
#include "supervisor/docker/docker_answer.h"
#include "supervisor/shape/words.h"
#include "common/cleanup.h"
#include "common/json.h"
#include <stdlib.h>

void dk_reply_pruned(dk_req *r, const char *key, const char *const *gone, dk_gen_pruned *item, long long reclaimed)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	int bad = !g || yajl_gen_map_open(g) || jg_key(g, key);
	if (!bad && (!gone || !*gone))
		bad = yajl_gen_null(g);
	else if (!bad) {
		bad = yajl_gen_array_open(g);
		for (const char *const *s = gone; !bad && *s; s++)
			bad = item ? item(g, *s) : jg_str(g, *s);
		bad = bad || yajl_gen_array_close(g);
	}
	if (bad || (reclaimed >= 0 && jg_key_int(g, "SpaceReclaimed", reclaimed)) || yajl_gen_map_close(g)) {
		dk_error(r, 500, "out of memory");
		return;
	}
	dk_json(r, 200, g);
}

void dk_reply_removed(dk_req *r, const char *key, const vl_reply *rep, dk_gen_pruned *item)
{
	yajl_val removed = json_get(rep->params, "removed");
	size_t n = YAJL_IS_ARRAY(removed) ? removed->u.array.len : 0, k = 0;
	_cleanup_free_ const char **gone = calloc(n + 1, sizeof(*gone)); /* the reply's strings, borrowed */
	if (!gone) {
		dk_error(r, 500, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (YAJL_IS_STRING(removed->u.array.values[i]))
			gone[k++] = removed->u.array.values[i]->u.string;
	dk_reply_pruned(r, key, gone, item, dk_int(rep->params, "reclaimedBytes", 0));
}
