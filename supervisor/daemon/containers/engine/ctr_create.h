/* CreateContainer's steps (ctr_create.c), for its verb and for a
 * checkpoint's import. */
#pragma once
#include "common/json_get.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/api/sv_fault.h"
#include "supervisor/varlink/server.h"

/* The spec parsed into c (f says what is wrong: the caller answers). */
int ctr_parse_spec(struct corrald *d, yajl_val cspec_json, ctr *c, json_fault *f);
/* The container made from c (taken) for peer, its upper directory taken
 * from upper_from unless it is NULL: *made once it is known; else -1, *made
 * NULL, and *fault says what failed. The caller checked c's labels
 * (labels_check_reserved). */
int ctr_create_parsed(struct corrald *d, const peer_cred *peer, ctr *c, const char *upper_from, ctr **made,
		      sv_fault *fault);
