/* What a broker call failed on, as a value: set here, replied by
 * broker_reply_fault (broker_methods.c). */
#include "supervisor/daemon/broker/broker_fault.h"
#include "supervisor/varlink/call.h"

#include <stdlib.h>

void broker_fault_clear(broker_fault *f)
{
	free(f->params);
	*f = (broker_fault){ 0 };
}

int broker_fault_set(broker_fault *f, const char *error, char *params)
{
	broker_fault_clear(f);
	*f = (broker_fault){ .error = error, .params = params };
	return -1;
}

int broker_fault_named(broker_fault *f, const char *error, const char *key, const char *value)
{
	/* parameters that cannot be made are left out: the error still says it */
	return broker_fault_set(f, error, vl_json_obj1(key, value));
}

int broker_fault_invalid(broker_fault *f, const char *reason)
{
	return broker_fault_named(f, BROKER_ERR("InvalidMessage"), "reason", reason);
}

int broker_fault_oom(broker_fault *f)
{
	broker_fault_clear(f);
	f->out_of_memory = true;
	return -1;
}
