/* corrald_errors.c: corrald's errors in the CRI's words: kubelet decides by
 * the status code (NotFound on a removal is a success to it). */
#pragma once
#include "supervisor/cri/cri.h"

/* A corrald error reply as the CRI's status: NoSuchContainer and the
 * like are NOT_FOUND, bad parameters INVALID_ARGUMENT, refusals
 * PERMISSION_DENIED; subject names the object. c is answered. */
void cri_fail_corrald(cri_call *c, const vl_reply *rep, const char *subject);
