/* local_call.c: Local calls: corrald calling its own methods as a peer would,
 * through the same handlers, checks and audit, with no connection. */
#pragma once
#include "supervisor/varlink/server.h"

/* Call method (qualified) of s's interfaces as peer; *out is the call, to
 * abandon, until done has run. */
int vl_local_call(vl_server *s, const peer_cred *peer, const char *method, const char *params_json, vl_local_fn done,
		  void *data, vl_local **out, cerr *err);
/* Let go of a call whose done has not run, and it never will: a kept
 * call's cancel hook runs, as when a peer hangs up. */
void vl_local_abandon(vl_local *l);
/* A local call's error as one line: "CreateContainer: NoSuchImage: image:
 * no such image" (the parameter and reason the error gave, or its
 * parameters as JSON); NULL when out of memory. */
char *vl_local_error_text(const char *method, const char *error, yajl_val params);
