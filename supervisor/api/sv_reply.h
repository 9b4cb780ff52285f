/* A method's reply of one JSON object, built in place: sv_reply_open gives
 * the generator with the object open, the method adds its keys, and
 * sv_reply_close closes the object and answers the call. */
#pragma once
#include "supervisor/varlink/server.h"
#include <yajl/yajl_gen.h>

/* A generator with the reply's object open; NULL when out of memory. */
yajl_gen sv_reply_open(void);
/* Close g's object and reply with it; g stays the caller's. NULL (out of
 * memory): InternalError. */
int sv_reply_close(vl_call *call, yajl_gen g);
