/* broker_server.c: The broker's server and its tables: one listening socket
 * per party (the socket names the party), a routing table per session, and
 * the pump that feeds backlogged streams as their connections drain. */
#pragma once
#include "supervisor/daemon/broker/broker_int.h"

broker *broker_of(struct corrald *d);
