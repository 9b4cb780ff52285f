/* broker_methods.c: io.corral.Broker, as its parties call it: the socket the call
 * came in on names the party (vl_call_listener_tag), then the call's
 * parameters. */
#pragma once
#include "supervisor/daemon/broker/broker_int.h"

/* Publish served from its text (vl_server_add_raw): every message's path. */
int broker_publish_text(vl_call *call, const char *params, size_t len, void *userdata);
