/* A container's attachment to its CNI network. Start: the monitor reports
 * "created PID" (monitor_iface.h), net_attach runs ADD against
 * /proc/PID/ns/net, writes the result to the container's network.json, and
 * then tells the monitor "start"; a failure (its DEL already run) is kept
 * as the Start's error and the monitor told to give up. net_detach runs
 * DEL from network.json, after a corrald restart too; it runs on every end
 * (ctr_ended) and at removal, and is idempotent. */
#pragma once
#include "supervisor/daemon/network/net_globals.h"
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include "common/error.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/network/cni.h"

#define NET_FILE "network.json"
#define NET_IFNAME "eth0"
/* eth0 and up to 15 further networks (net_extra.h) */
#define NET_ATTACH_MAX 16

/* Begin the ADD (once a DEL of the same container is over); the monitor
 * hears "start" or "abort" when it ends. */
void net_attach(struct corrald *d, ctr *c, pid_t pid);
/* c's monitor is abandoned: its ADD, if it still waits for a DEL, is off. */
void net_attach_cancel(const ctr *c);
/* ... and an ADD under way is killed: its DEL runs, then the pin goes. */
void net_attach_abandon(struct corrald *d, ctr *c);
/* DEL what network.json and each further network's network-ethN.json
 * say, in the background; each record goes once its DEL succeeds. Nothing
 * to do without them. */
void net_detach(struct corrald *d, ctr *c);
typedef struct net_record {
	char *conf, *result;
	char *netns; /* as the ADD had it: a container's pin, a session's own */
	char network[NAME_MAX + 1], ifname[16]; /* "" / eth0 in an old record */
	cni_port *ports;
	size_t n_ports;
	cni_summary sum;
} net_record;
/* What a record is written from: the attachment's network, namespace and
 * ports, and its ADD's config and result (JSON text). */
typedef struct net_record_of {
	const char *network, *netns;
	const char *ifname; /* NULL: NET_IFNAME */
	const cni_port *ports;
	size_t n_ports;
	const char *conf, *result;
} net_record_of;
bool net_del_under_way(const struct corrald *d, const char *id);
/* id is a container's with an attachment of its own (network.json). */
bool net_attached(struct corrald *d, const char *id);
/* Each record in networks/pending whose DEL is not under way DELed again:
 * at start, and after a DEL failed (a plugin killed, say); one whose
 * container is attached again is dropped (the DEL to come covers it). */
void net_redo_dels(struct corrald *d);
/* The next of those tries, after a backoff (1 s, doubling to 60 s). */
void net_retry_dels_later(struct corrald *d);
/* ... of id's interface ifname. */
bool net_del_if_under_way(const struct corrald *d, const char *id, const char *ifname);
/* ... or its record waits to be DELed again: ifname is not to be attached
 * anew, as that DEL would take it. */
bool net_del_if_waits(const struct corrald *d, const char *id, const char *ifname);
/* DEL what the record at path says (*rec: what it held), in the
 * background; the record goes once the DEL succeeds; then done (may be
 * NULL) hears how it went. */
typedef void (*net_del_done_fn)(struct corrald *d, int r, const cerr *err, void *data);
int net_del_record(struct corrald *d, const char *id, const char *path, net_record *rec, net_del_done_fn done,
		   void *data, cerr *err);
/* Before an ADD of id that is no container's (a session's): the DEL of
 * its last attachment, waiting to be tried again, runs first, as a start
 * runs its container's (the later try would take the new attachment).
 * A DEL of id under way is waited for likewise. 0: none waits; 1: done
 * will hear how it went; < 0: it could not start. */
int net_dels_first(struct corrald *d, const char *id, net_del_done_fn done, void *data, cerr *err);
/* Move the record at path aside (pending/) and DEL it; its interface's
 * names go from its network. */
int net_detach_record(struct corrald *d, ctr *c, const char *path, net_del_done_fn done, void *data, cerr *err);

/* What net_attach.c and net_reconcile.c hold, freed at exit (once no CNI
 * run that could still use it is under way). */
void net_pending_free_all(net_globals *ns);
