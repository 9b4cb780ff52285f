/* Talking to a container's corral-monitor on its monitor.sock. */
#pragma once
#include <stdbool.h>
#include "common/error.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/varlink/client.h"

/* Keep a connection to the monitor; its end (EOF) is the container's end,
 * which ctr_ended() then accounts for. */
int ctr_monitor_watch(struct corrald *d, ctr *c, cerr *err);
/* Ask the monitor to signal (stop: then SIGKILL after timeout). ESRCH when
 * the container is not running. */
int ctr_signal(struct corrald *d, ctr *c, int sig, bool stop, unsigned timeout, cerr *err);
/* A connection to c's monitor, on which to pass it a client's socket
 * (vl_client_send_fd, oneway): the monitor serves that client from then on.
 * The connect and each reply wait 5 s at the most. */
int ctr_monitor_open(struct corrald *d, ctr *c, vl_client **out, cerr *err);
/* Kill c's monitor itself (a forced removal through a monitor that took no
 * call): its end is then the container's, which ctr_ended() accounts for,
 * killing what still runs in it. ESRCH when it has ended already (its
 * exit is on its way); ENOTCONN when corrald holds no connection to it. */
int ctr_monitor_kill(ctr *c, cerr *err);
