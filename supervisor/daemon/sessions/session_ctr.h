/* What a container that is a container of a session (spec.session) gets from
 * it: the session's namespaces in place of its own (and so no network of
 * its own), the broker socket, an /etc/hosts naming every member at the
 * session's address; and how its coming and going reaches the session. */
#pragma once
#include <stddef.h>
#include "common/json_get.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/varlink/peer.h"

struct bundle_in;

struct corrald;
struct session;

/* After the spec is parsed (Create, and a record's load): spec.session as
 * the container's owner names it (session_for) becomes the session's own
 * name; a container of a session that shares net has its network,
 * none of its own (spec.network given is an error). -ENOENT: no such
 * session (f unset). */
int session_ctr_spec(struct corrald *d, ctr_spec *s, uid_t owner, json_fault *f);
/* Create: whether peer may put a member in the session spec names. */
bool session_ctr_visible(struct corrald *d, const ctr_spec *s, const peer_cred *peer);
/* The hostname of a member's bundle: the session's, when it shares uts. */
const char *session_ctr_hostname(struct corrald *d, const ctr *c);
/* Create: the broker directory's path on the host (n bytes; "" with none). */
int session_ctr_add(struct corrald *d, ctr *c, char *broker_dir, size_t n, cerr *err);
/* Its /etc/hosts and every other member's: the session's address with
 * every member's name. With gone, c is leaving. */
void session_ctr_names(struct corrald *d, const ctr *c, bool gone);
/* Removal: its broker socket and its name go. */
void session_ctr_remove(struct corrald *d, ctr *c);
/* Its end: the session's idle clock starts again. */
void session_ctr_ended(struct corrald *d, const ctr *c);
/* corrald's start, once the containers are adopted: their broker sockets. */
void sessions_adopt_ctrs(struct corrald *d);
/* The bundle: the namespace of this type ("network", "ipc", "uts") of the
 * member's session that it joins: 1 with its path; else 0. */
int session_ns_join(const struct bundle_in *in, const char *type, char *path, size_t n);
