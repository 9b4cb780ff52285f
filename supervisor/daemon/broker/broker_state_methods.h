/* broker_state_methods.c: The State methods: a party's view of its
 * session's key/value state, with compare-and-set on versions and a watch. */
#pragma once
#include "supervisor/daemon/broker/broker_int.h"

/* What method's parameters hold (BA_*). */
unsigned broker_state_wants(const char *method);
/* method (StateGet, StateSet, StateRemove, StateList or StateWatch), as m. */
int broker_state_call(bparty *m, vl_call *call, const char *method, const broker_args *a);
