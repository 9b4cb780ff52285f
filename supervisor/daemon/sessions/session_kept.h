/* session_kept.c: A session's state that outlives it (rmState false): kept
 * for its owner alone. */
#pragma once
#include "supervisor/daemon/sessions/session_int.h"

/* session_kept.c: a state kept past its session (rmState false) is its
 * owner's. leave: the session in dir ended keeping its state (its
 * session.json becomes kept.json). claim: before x opens its state, a
 * kept state of another owner (or of none on record) is removed. */
void session_kept_leave(const char *dir);
int session_kept_claim(const session_x *x, cerr *err);
/* The owner dir's record (file: session.json, or kept.json) names; -1
 * when none says. */
long long session_record_owner(const char *dir, const char *file);
