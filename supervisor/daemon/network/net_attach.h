/* A container's attachment to its CNI network. Start: the monitor reports
 * "created PID" (monitor_iface.h), net_attach runs ADD against
 * /proc/PID/ns/net, writes the result to the container's network.json, and
 * then tells the monitor "start"; a failure (its DEL already run) is kept
 * as the Start's error and the monitor told to give up. net_detach runs
 * DEL from network.json, after a corrald restart too; it runs on every end
 * (ctr_ended) and at removal, and is idempotent. */
#pragma once
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include "common/error.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/network/cni.h"

#define NET_FILE "network.json"
#define NET_IFNAME "eth0"

/* Begin the ADD (once a DEL of the same container is over); the monitor
 * hears "start" or "abort" when it ends. */
void net_attach(struct corrald *d, ctr *c, pid_t pid);
/* c's monitor is abandoned: its ADD, if it still waits for a DEL, is off. */
void net_attach_cancel(const ctr *c);
/* ... and an ADD under way is killed: its DEL runs, then the pin goes. */
void net_attach_abandon(struct corrald *d, ctr *c);
/* DEL what network.json says, in the background; network.json goes once
 * it succeeds. Nothing to do without one. */
void net_detach(struct corrald *d, ctr *c);
typedef struct net_record {
	char *conf, *result;
	cni_port *ports;
	size_t n_ports;
	cni_summary sum;
} net_record;
/* network.json (or a pending copy): what a DEL or a CHECK needs
 * (net_record.c). */
int net_record_read(const char *path, net_record *rec, cerr *err);
void net_record_release(net_record *rec);
/* What a record is written from: the attachment's network, namespace and
 * ports, and its ADD's config and result (JSON text). */
typedef struct net_record_of {
	const char *network, *netns;
	const cni_port *ports;
	size_t n_ports;
	const char *conf, *result;
} net_record_of;
int net_record_write(const char *path, const net_record_of *rec, cerr *err);
/* <state>/networks/netns/<id>: its pinned namespace (netns_pin.h). */
void net_pin_path(const struct corrald *d, const char *id, char *buf, size_t n);
/* <state>/networks/pending/<id>.json: a record whose DEL is under way, or
 * failed; net_reconcile finishes it after a restart. */
void net_pending_path(const struct corrald *d, const char *id, char *buf, size_t n);
bool net_del_under_way(const struct corrald *d, const char *id);
/* DEL what the record at path says (sum: its address), in the background;
 * the record goes once the DEL succeeds. */
int net_del_record(struct corrald *d, const char *id, const char *path, cni_summary *sum, cerr *err);
/* "networks": {NAME: {ipAddress, macAddress, gateway, interface}} of
 * network.json, for Inspect; nothing when it has none. */
void net_gen_inspect(yajl_gen g, const struct corrald *d, const ctr *c);
