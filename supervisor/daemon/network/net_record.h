/* net_record.c: A network record (network.json, network-IF.json, or a pending
 * copy): an attachment's config and result as text, the ports it published
 * and its namespace; what a DEL or a CHECK needs, after a corrald restart
 * too; and where records and pins are. */
#pragma once
#include "supervisor/daemon/network/net_attach.h"

/* network.json (or a pending copy): what a DEL or a CHECK needs
 * (net_record.c). */
int net_record_read(const char *path, net_record *rec, cerr *err);
void net_record_release(net_record *rec);
/* A NULL result is written as null and read as NULL: the record of an ADD
 * cut short, whose DEL has no result to give (net_reconcile.c). */
int net_record_write(const char *path, const net_record_of *rec, cerr *err);
/* c's eth0 attachment: its spec's network and ports, in the pinned
 * namespace pin (net_pin_path). */
net_record_of net_record_of_ctr(const ctr *c, const char *pin, const char *conf, const char *result);
/* <state>/networks/netns/<id>: its pinned namespace (netns_pin.h). */
void net_pin_path(const struct corrald *d, const char *id, char *buf, size_t n);
/* <state>/networks/pending/<id>.json (eth0's; <id>.<ifname>.json a further
 * one's, or any of an id with a dot, a session's): a record whose DEL is
 * under way, or failed (net_redo_dels runs it again). */
void net_pending_path(const struct corrald *d, const char *id, const char *ifname, char *buf, size_t n);
/* Move the record at path to pend (a net_pending_path): -errno, and it
 * stays where it was, if it cannot be moved. */
int net_record_set_aside(const char *path, const char *pend);
/* Write a record at pend (a net_pending_path), its directory made first. */
int net_record_write_pending(const char *pend, const net_record_of *rec, cerr *err);
/* eth0 .. eth15: an attachment's interface. */
bool net_ifname_ok(const char *ifname);
/* containers/<id>/network.json (ifname eth0 or NULL) or network-IF.json. */
void net_record_path(const struct corrald *d, const ctr *c, const char *ifname, char *buf, size_t n);
