/* session_listen.c: The one listener to sessions and members, and how each
 * room file tells it: a missing listener or slot does nothing. */
#pragma once
#include "supervisor/daemon/sessions/session_int.h"

/* The listener (session_listen.c) told of what happens here. */
int session_tell_opened(struct corrald *d, session *s, cerr *err);
void session_tell_closed(struct corrald *d, session *s);
int session_tell_ctr_added(struct corrald *d, session *s, struct ctr *c, char *dir, size_t n, cerr *err);
void session_tell_ctr_removed(struct corrald *d, struct ctr *c);
int session_policy_load(const char *path, struct broker_policy **out, cerr *err);
void session_policy_free(struct broker_policy *p);
