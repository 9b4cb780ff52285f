/* Rename: a container's name changes, in memory and in its record (written
 * atomically, the old name kept on failure), and in what the others on its
 * networks find it by. Its hostname and the spec it was created with stay
 * as they were, as with podman rename. */
#include "supervisor/daemon/containers/methods/ctr_methods.h"
#include "supervisor/daemon/containers/record/ctr_publish.h"
#include "supervisor/daemon/containers/record/ctr_gen.h"
#include "supervisor/daemon/containers/record/ctr_record.h"
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/containers/methods/ctr_rename.h"
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"

#include <stdlib.h>
#include <string.h>

int sv_rename(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *name;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, d, call, params, f, SP_NAME("name", true, &name));
	if (!ctr_name_valid(name))
		return sv_invalid(call, "name", "must be letters, digits, '_', '.' or '-', starting with a letter or digit");
	ctr *other = ctr_by_name(d, c->owner, name);
	if (other == c)
		return vl_call_reply(call, NULL);
	if (other)
		return reply_name_in_use(call, other);
	char *new_name = strdup(name);
	if (!new_name)
		return sv_internal(call, "out of memory");
	_cleanup_free_ char *old = c->name;
	c->name = new_name;
	cerr err = { 0 };
	if (ctr_record_save(d, c, &err) < 0) {
		c->name = TAKE_PTR(old);
		free(new_name);
		return sv_internal_err(call, &err);
	}
	ctr_list_stale(c); /* its entry carries the name */
	CTR_FEATURES_EACH(d, renamed, d, c);
	ctr_publish(d, c, "rename", (const char *const[]){ "oldName", old, NULL });
	return vl_call_reply(call, NULL);
}
