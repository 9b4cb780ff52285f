/* The ADD of a further network (net_extra.h) into a running container's
 * pinned namespace: at each start after eth0 (net_extras_start,
 * net_attach.h), and for NetworkConnect while it runs. */
#pragma once
#include "supervisor/daemon/network/net_attach.h"
#include "common/error.h"
#include "supervisor/daemon/network/net_extra.h"

struct corrald;

/* r: 0 (attached and recorded) or -errno with err. */
typedef void (*net_connect_fn)(struct corrald *d, int r, const cerr *err, void *data);
/* ADD e into c's namespace, record it (network-<ifname>.json) and tell
 * its network's members c's names there; done runs once, from the loop,
 * unless an error is returned. A container gone (or no longer running)
 * by then has the ADD undone, and done hears -ESRCH. */
int net_connect_running(struct corrald *d, ctr *c, const net_extra *e, net_connect_fn done, void *data, cerr *err);

/* Each further attachment c's spec does not name: ADD them one after
 * another once eth0 is attached, then say start (net_connect.c). */
void net_extras_start(ctr *c);
