/* session_record.c: Sessions in memory and in session.json: lookup,
 * membership, visibility, the record, and the Session object of the
 * interface. */
#pragma once
#include "supervisor/daemon/sessions/session_int.h"

bool session_name_valid(const char *name);
/* "net,ipc,uts,pid" (any order, no repeats) into SESSION_SHARE_* bits. */
int session_share_parse(const char *text, unsigned *out);
void session_gen_share(yajl_gen g, unsigned share);
/* A new owner's session_x: its dir's path (<state>/sessions/<name>, a
 * member's <name>@<uid>) and its CNI id, nothing made. */
session_x *session_x_new(struct corrald *d, uid_t owner, const char *name);
/* Whether a CNI container id is a live session's attachment (network
 * reconcile must not free its lease). */
bool session_holds_cni_id(struct corrald *d, const char *cni_id);
/* Whether a session of that name is there, whoever's */
bool session_named_elsewhere(struct corrald *d, const char *name);
/* Whether c is a member of s: its spec.session names s as c's owner names it */
bool session_holds(const session *s, const struct ctr *c);
void session_x_free(session_x *x);
int session_save(const session *s, cerr *err);
/* Copy the --broker-policy file into the session's directory: corrald
 * reads the copy, also after a restart. */
int session_policy_copy(const session_x *x, cerr *err);
/* Opens its state and policy; links it into d->sessions. */
int session_open(struct corrald *d, session_x *x, cerr *err);
/* Unlinks it from d->sessions. */
void session_unlink(struct corrald *d, session *s);
/* Running, restarting or starting: a session with one is not idle, and
 * ends only by force, after its start is over. */
bool session_ctr_busy(const struct ctr *c);
struct ctr *session_first_ctr(struct corrald *d, const session *s, bool running_only);
int session_gen(yajl_gen g, struct corrald *d, const session *s, const peer_cred *peer);
