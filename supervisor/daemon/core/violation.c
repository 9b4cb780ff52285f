#include "supervisor/daemon/core/violation.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/api/interface.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>

void policy_audit_refusal(corrald *d, const peer_cred *peer, const char *method, const policy_violation *v)
{
	_cleanup_free_ char *detail = NULL;
	cerr err = { 0 };
	_cleanup_free_ char *full = NULL;
	if (asprintf(&detail, "policy: field=%s limit=%s reason=%s", v->field, v->limit, v->reason) < 0)
		detail = NULL;
	if (asprintf(&full, CORRAL_SUPERVISOR_INTERFACE ".%s", method) < 0)
		full = NULL;
	if (audit_write(&d->audit, peer, full ? full : method, v->field, "PolicyViolation", detail, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, NULL);
	log_info("refused %s from uid %u pid %d: %s: %s (%s)", method, (unsigned)peer->uid, (int)peer->pid, v->field,
		 v->reason, v->limit);
}

sv_fault *policy_fault(corrald *d, const peer_cred *peer, const char *method, const policy_violation *v, sv_fault *f)
{
	policy_audit_refusal(d, peer, method, v);
	sv_fault_policy(f, v->field, v->limit, v->reason);
	return f;
}

int policy_violation_set(policy_violation *v, const char *field, const char *limit, const char *fmt, ...)
{
	snprintf(v->field, sizeof(v->field), "%s", field);
	snprintf(v->limit, sizeof(v->limit), "%s", limit);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
	return POLICY_REFUSED;
}
