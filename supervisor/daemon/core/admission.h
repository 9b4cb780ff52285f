/* Admission of new connections on corrald's sockets, per peer uid, before
 * anything is spent on them (no corral-docker started, no connection
 * state made): a token bucket of connections a second for each non-root
 * uid, one set for each socket (corrald.conf connect-rate-per-uid and
 * connect-rate-burst, docker-connect-rate-per-uid and its burst). A uid past it is refused at once; its refusals are counted,
 * and logged and audited at most once a second for each socket; so are
 * refusals for the caps of open connections, which a member at its cap
 * could otherwise have written to the log a thousand times a second. */
#pragma once
#include "supervisor/daemon/core/uid_rate.h"
#include "supervisor/varlink/peer.h"

struct corrald;
/* NULL admits peer's new connection on the socket named by where
 * ("varlink", "docker"), whose buckets are rates; else why it is refused. */
const char *admission_check(struct corrald *d, uid_rates *rates, const peer_cred *peer, const char *where);
/* peer's new connection was refused for a cap of open connections (why):
 * counted, and logged and audited (TooManyConnections) as a rate's
 * refusals are, at most once a second for each uid and socket. */
void admission_capped(struct corrald *d, uid_rates *rates, const peer_cred *peer, const char *where, const char *why);
/* vl_server_config.admit_peer for the control socket; userdata the corrald. */
const char *corrald_admit_peer(const peer_cred *peer, void *userdata);
