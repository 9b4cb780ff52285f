/* session_record.c: Sessions in memory and in session.json: lookup,
 * membership, visibility, the record, and the Session object of the
 * interface. */
#pragma once
#include "supervisor/daemon/sessions/session_int.h"

bool session_name_valid(const char *name);
/* "net,ipc,uts,pid" (any order, no repeats) into SESSION_SHARE_* bits. */
int session_share_parse(const char *text, unsigned *out);
void session_gen_share(yajl_gen g, unsigned share);
/* A new session_x, its dir made, nothing else. */
session_x *session_x_new(struct corrald *d, const char *name);
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
