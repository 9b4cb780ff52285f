/* broker_state.c: The State methods: a party's view of its session's
 * key/value state, with compare-and-set on versions and a watch. */
#pragma once
#include "supervisor/daemon/broker/broker_int.h"

/* broker_state.c: the State methods, for any party */
unsigned broker_state_wants(const char *method);
int broker_state_call(bparty *m, vl_call *call, const char *method, const broker_args *a);
