/* CreateContainer's steps (ctr_create.c), for its verb and for a
 * checkpoint's import. */
#pragma once
#include "common/json_get.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_done.h"
#include "supervisor/api/sv_fault.h"
#include "supervisor/varlink/server.h"

/* The spec parsed into c (f says what is wrong: the caller answers). */
int ctr_parse_spec(struct corrald *d, yajl_val cspec_json, ctr *c, json_fault *f);
/* Make the container of c (taken) for peer's call of method (what the
 * audit log names a refusal), its upper directory taken from upper_from
 * unless it is NULL. done is told once (ctr_done.h): with
 * the container once it is known, or with what failed; now, or later from
 * the loop when a member's bind sources are opened first. The caller
 * checked c's labels (labels_check_reserved). */
void ctr_create(struct corrald *d, const peer_cred *peer, const char *method, ctr *c, const char *upper_from,
		ctr_done *done);
