/* broker_message_methods.c: Publish and Request as any party calls them,
 * through its own socket's table (broker_methods.c) or the host's
 * (host.c), and the reply of what a broker call failed on. */
#pragma once
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/daemon/broker/args.h"

/* Publish and Request, as m (a party, or the host). */
int broker_publish_call(bparty *m, vl_call *call, const broker_args *a);
int broker_request_call(bparty *m, vl_call *call, const broker_args *a);
/* The reply for what f says failed (f is cleared): its error, or, when
 * memory ran out, the call hung up. */
int broker_reply_fault(vl_call *call, broker_fault *f);
/* In a method handler: check params into a, or answer what was wrong. */
#define BROKER_PARSE(call, params, want, a)                                                                           \
	do {                                                                                                          \
		_cleanup_broker_fault_ broker_fault f_ = { 0 };                                                       \
		size_t n_;                                                                                            \
		const char *t_ = vl_call_text(call, &n_);                                                             \
		if (broker_args_parse(t_, n_, params, want, a, &f_) < 0)                                              \
			return broker_reply_fault(call, &f_);                                                         \
	} while (0)
