#include "supervisor/api/sv_errors.h"
#include "supervisor/varlink/call.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>

/* error with {k[0]: v[0], ...} (n pairs); with no parameters when they
 * cannot be made. */
static int error_with(vl_call *call, const char *error, size_t n, const char *const *kv)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	int r = !g || yajl_gen_map_open(g);
	for (size_t i = 0; !r && i < n; i++)
		r = jg_key_str(g, kv[2 * i], kv[2 * i + 1]);
	_cleanup_free_ char *p = r || yajl_gen_map_close(g) ? NULL : jg_finish(g, NULL);
	return vl_call_error(call, error, p);
}

int sv_invalid(vl_call *call, const char *parameter, const char *reason)
{
	return error_with(call, SV_ERR("InvalidParameter"), 2,
			  (const char *const[]){ "parameter", parameter, "reason", reason });
}

int sv_invalid_err(vl_call *call, const char *parameter, cerr *err)
{
	int r = sv_invalid(call, parameter, cerr_msg(err));
	cerr_clear(err);
	return r;
}

int sv_invalid_fault(vl_call *call, const json_fault *f)
{
	if (f->code == ENOMEM)
		return sv_internal(call, f->reason);
	return sv_invalid(call, f->field, f->reason);
}

int sv_internal(vl_call *call, const char *reason)
{
	if (!reason)
		return vl_call_error(call, SV_ERR("InternalError"), NULL);
	return error_with(call, SV_ERR("InternalError"), 1, (const char *const[]){ "reason", reason });
}

int sv_internal_err(vl_call *call, cerr *err)
{
	if (err->code == EUSERS) { /* a member at its helpers' bound (loop/child.h): its own calls' doing */
		int r = sv_policy_violation(call, "helpers", "helpers-per-member", cerr_msg(err));
		cerr_clear(err);
		return r;
	}
	/* a full disk is the caller's to hear of as such: nothing was lost,
	 * and the same call works once there is room */
	char full[1024];
	bool disk = err->code == ENOSPC || err->code == EDQUOT;
	if (disk)
		snprintf(full, sizeof(full), "%s (the disk is full: free space there, then call again)", cerr_msg(err));
	int r = sv_internal(call, disk ? full : cerr_msg(err));
	cerr_clear(err);
	return r;
}

int sv_invalid_state(vl_call *call, const char *id, const char *state, const char *reason)
{
	return error_with(call, SV_ERR("InvalidState"), 3,
			  (const char *const[]){ "id", id, "state", state, "reason", reason });
}

int sv_no_such_container(vl_call *call, const char *id)
{
	return error_with(call, SV_ERR("NoSuchContainer"), 1, (const char *const[]){ "id", id });
}

int sv_no_such_exec(vl_call *call, const char *id)
{
	return error_with(call, SV_ERR("NoSuchExec"), 1, (const char *const[]){ "id", id });
}

int sv_no_such_image(vl_call *call, const char *ref)
{
	return error_with(call, SV_ERR("NoSuchImage"), 1, (const char *const[]){ "image", ref });
}

int sv_no_such_secret(vl_call *call, const char *name)
{
	return error_with(call, SV_ERR("NoSuchSecret"), 1, (const char *const[]){ "name", name });
}

int sv_secret_exists(vl_call *call, const char *name)
{
	return error_with(call, SV_ERR("SecretExists"), 1, (const char *const[]){ "name", name });
}

int sv_no_such_volume(vl_call *call, const char *name)
{
	return error_with(call, SV_ERR("NoSuchVolume"), 1, (const char *const[]){ "name", name });
}

int sv_volume_exists(vl_call *call, const char *name)
{
	return error_with(call, SV_ERR("VolumeExists"), 1, (const char *const[]){ "name", name });
}

int sv_no_such_network(vl_call *call, const char *name)
{
	return error_with(call, SV_ERR("NoSuchNetwork"), 1, (const char *const[]){ "name", name });
}

int sv_no_such_workload(vl_call *call, const char *name)
{
	return error_with(call, SV_ERR("NoSuchWorkload"), 1, (const char *const[]){ "name", name });
}

int sv_no_such_session(vl_call *call, const char *name)
{
	return error_with(call, SV_ERR("NoSuchSession"), 1, (const char *const[]){ "name", name });
}

int sv_session_exists(vl_call *call, const char *name)
{
	return error_with(call, SV_ERR("SessionExists"), 1, (const char *const[]){ "name", name });
}

int sv_name_in_use(vl_call *call, const char *name, const char *id)
{
	return error_with(call, SV_ERR("NameInUse"), id ? 2 : 1, (const char *const[]){ "name", name, "id", id });
}

int sv_permission_denied(vl_call *call, const char *reason)
{
	return error_with(call, SV_ERR("PermissionDenied"), 1, (const char *const[]){ "reason", reason });
}

int sv_policy_violation(vl_call *call, const char *field, const char *limit, const char *reason)
{
	return error_with(call, SV_ERR("PolicyViolation"), 3,
			  (const char *const[]){ "field", field, "limit", limit, "reason", reason });
}

static const struct {
	const char *no_such, *key, *exists;
} objects[] = {
	[SV_CONTAINER] = { SV_ERR("NoSuchContainer"), "id", NULL },
	[SV_EXEC] = { SV_ERR("NoSuchExec"), "id", NULL },
	[SV_IMAGE] = { SV_ERR("NoSuchImage"), "image", NULL },
	[SV_SECRET] = { SV_ERR("NoSuchSecret"), "name", SV_ERR("SecretExists") },
	[SV_VOLUME] = { SV_ERR("NoSuchVolume"), "name", SV_ERR("VolumeExists") },
	[SV_NETWORK] = { SV_ERR("NoSuchNetwork"), "name", NULL },
	[SV_WORKLOAD] = { SV_ERR("NoSuchWorkload"), "name", NULL },
	[SV_SESSION] = { SV_ERR("NoSuchSession"), "name", SV_ERR("SessionExists") },
};

int sv_reply_fault(vl_call *call, sv_fault *f)
{
	const char *reason = f->reason.msg;
	int r;
	switch (f->kind) {
	case SV_FAULT_INVALID:
		r = sv_invalid(call, f->field ? f->field : "", cerr_msg(&f->reason));
		break;
	case SV_FAULT_INTERNAL:
		r = reason ? sv_internal_err(call, &f->reason) : sv_internal(call, NULL);
		break;
	case SV_FAULT_DENIED:
		r = sv_permission_denied(call, cerr_msg(&f->reason));
		break;
	case SV_FAULT_NO_SUCH:
		r = error_with(call, objects[f->object].no_such, 1,
			       (const char *const[]){ objects[f->object].key, f->name ? f->name : "" });
		break;
	case SV_FAULT_EXISTS:
		r = objects[f->object].exists
			    ? error_with(call, objects[f->object].exists, 1, (const char *const[]){ "name", f->name ? f->name : "" })
			    : sv_internal(call, NULL);
		break;
	case SV_FAULT_NAME_IN_USE:
		r = sv_name_in_use(call, f->name ? f->name : "", f->id);
		break;
	case SV_FAULT_BAD_STATE:
		r = sv_invalid_state(call, f->id ? f->id : "", f->state ? f->state : "", cerr_msg(&f->reason));
		break;
	case SV_FAULT_POLICY:
		r = sv_policy_violation(call, f->field ? f->field : "", f->limit ? f->limit : "", cerr_msg(&f->reason));
		break;
	default:
		r = sv_internal(call, NULL);
	}
	sv_fault_clear(f);
	return r;
}
