/* Credentials documents (containers-auth.json, dockerconfigjson) merged
 * into one for a pull, and wiped once used. */
#include "supervisor/daemon/pulls/pull.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void pull_free_auths(yajl_val *docs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_wipe(docs[i]);
		yajl_tree_free(docs[i]);
	}
	free(docs);
}

/* docs' "auths" as one document, a registry's first entry winning (the
 * order of imagePullSecrets); *out NULL when docs hold none. */
int pull_merge_auths(yajl_val *docs, size_t n, char **out, cerr *err)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	size_t entries = 0;
	int bad = !g || yajl_gen_map_open(g) || jg_key(g, "auths") || yajl_gen_map_open(g);
	for (size_t k = 0; !bad && k < n; k++) {
		yajl_val a = json_get(docs[k], "auths");
		for (size_t i = 0; !bad && i < a->u.object.len; i++) {
			bool taken = false;
			for (size_t j = 0; j < k && !taken; j++)
				taken = json_get(json_get(docs[j], "auths"), a->u.object.keys[i]) != NULL;
			if (!taken)
				bad = jg_key(g, a->u.object.keys[i]) || jg_value(g, a->u.object.values[i]);
			entries += !taken;
		}
	}
	bad = bad || yajl_gen_map_close(g) || yajl_gen_map_close(g);
	const unsigned char *buf = NULL;
	size_t len = 0;
	if (!bad && yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok && entries)
		bad = !(*out = strndup((const char *)buf, len));
	if (buf)
		explicit_bzero((void *)buf, len);
	return bad ? cerr_set(err, ENOMEM, "out of memory") : 0;
}
