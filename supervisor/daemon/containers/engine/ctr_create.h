/* CreateContainer's steps (ctr_create.c), for its verb and for a session's
 * member. */
#pragma once
#include "common/json_get.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/varlink/server.h"

/* The spec parsed into c (f says what is wrong: the caller answers). */
int ctr_parse_spec(struct corrald *d, yajl_val spec, ctr *c, json_fault *f);
/* The container made from c (taken), its upper directory taken from
 * upper_from unless it is NULL: *made once it is known (the caller
 * answers), else NULL and the reply given is returned. */
int ctr_create_parsed(vl_call *call, struct corrald *d, ctr *c, const char *upper_from, ctr **made);
/* CreateContainer's reply: its id and name. */
int ctr_reply_created(vl_call *call, const ctr *c);
