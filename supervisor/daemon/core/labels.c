#include "supervisor/daemon/core/labels.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/core/owner.h"

#include <errno.h>
#include <string.h>

const char *labels_get(char *const *kv, const char *key)
{
	for (char *const *l = kv; l && l[0] && l[1]; l += 2)
		if (!strcmp(l[0], key))
			return l[1];
	return NULL;
}

int labels_check_reserved(const vl_call *call, char *const *kv, const char *field, json_fault *f)
{
	if (!owner_is_member(vl_call_peer(call)) || vl_call_is_local(call))
		return 0;
	for (char *const *l = kv; l && l[0] && l[1]; l += 2)
		if (!strncmp(l[0], LABEL_RESERVED_PREFIX, strlen(LABEL_RESERVED_PREFIX))) {
			char p[JSON_PATH_MAX];
			return json_fault_set(f, EINVAL, json_path(p, field, l[0]),
					      LABEL_RESERVED_PREFIX " labels are corrald's own: only root may set them");
		}
	return 0;
}
