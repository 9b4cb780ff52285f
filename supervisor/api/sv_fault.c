/* A call's fault as a value: set here, replied by sv_reply_fault. */
#include "supervisor/api/sv_fault.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void sv_fault_clear(sv_fault *f)
{
	free(f->field);
	free(f->name);
	free(f->id);
	free(f->state);
	free(f->limit);
	cerr_clear(&f->reason);
	*f = (sv_fault){ 0 };
}

/* a copy of s, or NULL for NULL; a copy that fails leaves the parameter
 * out of the reply, which still names the error */
static char *copy(const char *s) { return s ? strdup(s) : NULL; }

static int set(sv_fault *f, sv_fault_kind kind, const char *reason)
{
	sv_fault_clear(f);
	f->kind = kind;
	if (reason)
		cerr_set(&f->reason, EINVAL, "%s", reason);
	return -1;
}

static int take(sv_fault *f, sv_fault_kind kind, cerr *err)
{
	sv_fault_clear(f);
	f->kind = kind;
	f->reason = *err;
	*err = (cerr){ 0 };
	if (!f->reason.msg)
		cerr_set(&f->reason, EIO, "unknown error");
	return -1;
}

int sv_fault_invalid(sv_fault *f, const char *field, const char *reason)
{
	set(f, SV_FAULT_INVALID, reason);
	f->field = copy(field);
	return -1;
}

int sv_fault_invalid_err(sv_fault *f, const char *field, cerr *err)
{
	take(f, SV_FAULT_INVALID, err);
	f->field = copy(field);
	return -1;
}

int sv_fault_json(sv_fault *f, const json_fault *jf)
{
	if (jf->code == ENOMEM)
		return sv_fault_internal(f, jf->reason);
	return sv_fault_invalid(f, jf->field, jf->reason);
}

int sv_fault_internal(sv_fault *f, const char *reason) { return set(f, SV_FAULT_INTERNAL, reason); }

int sv_fault_internal_err(sv_fault *f, cerr *err) { return take(f, SV_FAULT_INTERNAL, err); }

int sv_fault_denied(sv_fault *f, const char *reason) { return set(f, SV_FAULT_DENIED, reason); }

int sv_fault_no_such(sv_fault *f, sv_object object, const char *name)
{
	set(f, SV_FAULT_NO_SUCH, NULL);
	f->object = object;
	f->name = copy(name);
	return -1;
}

int sv_fault_exists(sv_fault *f, sv_object object, const char *name)
{
	set(f, SV_FAULT_EXISTS, NULL);
	f->object = object;
	f->name = copy(name);
	return -1;
}

int sv_fault_name_in_use(sv_fault *f, const char *name, const char *id)
{
	set(f, SV_FAULT_NAME_IN_USE, NULL);
	f->name = copy(name);
	f->id = copy(id);
	return -1;
}

int sv_fault_bad_state(sv_fault *f, const char *id, const char *state, const char *reason)
{
	set(f, SV_FAULT_BAD_STATE, reason);
	f->id = copy(id);
	f->state = copy(state);
	return -1;
}

int sv_fault_policy(sv_fault *f, const char *field, const char *limit, const char *reason)
{
	set(f, SV_FAULT_POLICY, reason);
	f->field = copy(field);
	f->limit = copy(limit);
	return -1;
}

int sv_fault_move(sv_fault *dst, sv_fault *src)
{
	sv_fault_clear(dst);
	*dst = *src;
	*src = (sv_fault){ 0 };
	return -1;
}
