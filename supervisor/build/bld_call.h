/* bld_call.c: corrald's methods as the build calls them: over its varlink
 * socket, as the caller, whose identity corrald reads from the socket. */
#pragma once
#include "supervisor/build/bld.h"

/* bld_call.c: corrald's methods, as the caller. */
int bld_call(bld *b, const char *method, const char *params, vl_reply *rep, cerr *err);
/* The params {key: value} as text (to free), or NULL. */
char *bld_params_of(const char *key, const char *value);
/* A fresh connection for a call that upgrades (CopyTo, CopyFrom). */
int bld_connect(bld *b, vl_client **out, cerr *err);
/* The error reply as one line (the reason, the parameter): err set,
 * -ENOENT for NoSuchImage, else -EINVAL. */
int bld_call_failed(const char *method, const vl_reply *rep, cerr *err);
/* Remove a container, reporting nothing: what is left goes with it. */
void bld_remove(bld *b, const char *id);
