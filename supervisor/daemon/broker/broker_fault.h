/* broker_fault.c: What a broker call failed on, as a value: the error and
 * its parameters, which the routing, the gate, the requests and the state
 * fill, and only a method replies (broker_reply_fault, broker_methods.h). */
#pragma once
#include <stdbool.h>

#define BROKER_ERR(name) "io.corral.Broker." name

typedef struct broker_fault {
	const char *error;   /* io.corral.Broker.*, or varlink's InvalidParameter */
	char *params;        /* its parameters as a JSON object; NULL: none */
	bool out_of_memory;  /* nothing can be said: the call is hung up */
} broker_fault;

void broker_fault_clear(broker_fault *f);
#define _cleanup_broker_fault_ __attribute__((cleanup(broker_fault_clear)))

/* Each sets f (cleared first) and returns -1, so that a caller can
 * `return broker_fault_set(f, ...)`. */
/* error with params (JSON object text, taken; NULL: none). */
int broker_fault_set(broker_fault *f, const char *error, char *params);
/* error{key: value}: NoSuchKey{key}, NoServer{topic}, InvalidParameter{parameter}... */
int broker_fault_named(broker_fault *f, const char *error, const char *key, const char *value);
/* InvalidMessage{reason}. */
int broker_fault_invalid(broker_fault *f, const char *reason);
int broker_fault_oom(broker_fault *f);
