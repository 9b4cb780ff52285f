/* session_net.c: A session's network namespace on its CNI network: one ADD at
 * SessionCreate, recorded in <dir>/network.json (the network's net_ns), one
 * DEL when the session ends. */
#pragma once
#include "supervisor/daemon/sessions/session_ctr.h"
#include "supervisor/daemon/sessions/session_int.h"

/* DEL its attachment, in the background, keeping its namespaces */
void session_net_detach(struct corrald *d, session *s);
/* Whether it has one: it shares net, and its network (or corrald's
 * default-network) is a CNI network, not none, loopback or host (then its
 * members have lo alone). */
bool session_net_cni(const struct corrald *d, const session *s);
/* ADD ns/net to its network, in the background; done runs once it is over. */
int session_net_attach(struct corrald *d, session *s, session_net_done_fn done, void *data, cerr *err);
/* A load's, for a create that corrald's death cut short before its ADD was
 * recorded: a DEL of whatever that ADD made first; a failure is logged. */
int session_net_attach_again(struct corrald *d, session *s, cerr *err);
/* From network.json after a restart: its address, for the members' names. */
void session_net_load(session *s);
/* Namespaces made again (a reboot): DEL the attachment on record, then ADD. */
int session_net_reattach(struct corrald *d, session *s, cerr *err);
/* DEL, in the background; network.json goes once it is over, and then the
 * namespaces (the DEL needs ns/net) and, with drop_dir, the directory. */
void session_net_detach_and_release(struct corrald *d, session *s, bool drop_dir);

