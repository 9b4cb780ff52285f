/* The IPC broker: io.corral.Broker (supervisor/api/io.corral.Broker.varlink)
 * served by corrald on one listening socket per session container. The socket
 * a connection arrives on names the party: no guessing from pids. Routing
 * stays inside the session; the session's broker policy (ACL, rates) and
 * the bounds of the issue apply. The host takes part as the party "host"
 * through the control socket (corralctl broker ...).
 *
 * Contract shared by the sessions, state and broker work. */
#pragma once
#include <stddef.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "supervisor/varlink/server.h"

struct corrald;
struct ctr;
struct session;

/* At SessionCreate (and for each session loaded at start): its routing
 * table. At SessionRemove or expiry: every party's connections close. */
int broker_session_open(struct corrald *d, struct session *s, cerr *err);
void broker_session_close(struct corrald *d, struct session *s);
/* At a party's Create (and for each party loaded at start): its listening
 * socket, <session dir>/broker/<id>/broker.sock, made (or, from before a
 * restart, replaced) and served; *path (n bytes) gets its directory, for the
 * bundle to bind read-only at SESSION_BROKER_DIR. corrald never works inside
 * a party's namespaces or root for it. */
int broker_party_add(struct corrald *d, struct session *s, struct ctr *c, char *path, size_t n, cerr *err);
/* At a party's removal: its socket, directory and connections go. */
void broker_party_remove(struct corrald *d, struct ctr *c);
/* io.corral.Supervisor's BrokerPublish, BrokerSubscribe and BrokerRequest:
 * the operator as the party "host" (host.c). */
vl_method_fn sv_broker_publish, sv_broker_subscribe, sv_broker_request;
/* Its Prometheus series (corrald's metrics), appended to out. */
struct strbuf;
int broker_render_metrics(struct corrald *d, struct strbuf *out);
/* corrald's end: every session's broker closes, the server goes. */
void broker_shutdown(struct corrald *d);

/* What the broker does as sessions and parties come and go (main_corrald.c
 * gives it to sessions_listen). */
extern const struct session_listener broker_session_listener;
