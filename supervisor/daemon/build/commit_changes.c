/* commit_changes.h */
#include "supervisor/daemon/build/commit_changes.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <stdlib.h>

int commit_patch(struct corrald *d, const peer_cred *peer, const char *parent, yajl_val config, yajl_val changes,
		 char **out, cerr *err)
{
	*out = NULL;
	if (changes && YAJL_GET_ARRAY(changes)->len)
		return cerr_set(err, ENOTSUP, "changes are not read yet");
	if (!config)
		return 0;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || jg_value(g, config) < 0 || !(*out = jg_finish(g, NULL)))
		return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}
