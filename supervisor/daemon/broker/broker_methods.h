/* broker_methods.c: io.corral.Broker, as its parties call it: the socket the call
 * came in on names the party (vl_call_listener_tag), then the call's
 * parameters. */
#pragma once
#include "supervisor/daemon/broker/broker_int.h"

/* Publish served from its text (vl_server_add_raw): every message's path. */
int broker_publish_text(vl_call *call, const char *params, size_t len, void *userdata);
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
