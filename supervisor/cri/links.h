/* links.c: The varlink connections to corrald (h2.h): one call on each at a
 * time, so that a pull or a stop with a grace period never holds up kubelet's
 * relist behind it. */
#pragma once
#include "supervisor/cri/h2.h"
#include "supervisor/cri/cri.h"

void cri_corrald(cri_call *c, const char *method, const char *params, unsigned flags, cri_corrald_fn fn,
		 void *data);

/* links.c: varlink connections to corrald, each the client's own: fd 3,
 * and more asked for on grants (compat/handoff.h) */
int links_new(el_loop *loop, int first, int grants, cri_links **out, cerr *err);
void links_free(cri_links *l);
void links_call(cri_links *l, const char *method, const char *params, unsigned flags, links_fn fn, void *data);
