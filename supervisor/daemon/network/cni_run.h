/* A conflist run from corrald's loop, one plugin at a time through
 * el_child (child.h), never blocking it: ADD in order, each given the one
 * before's result; DEL in reverse, each given the ADD's result, going on
 * past errors (it is how leftovers go, and it is idempotent); CHECK in
 * order; VERSION of each. An ADD that fails runs the DEL of the whole list
 * before it reports, so a failed ADD leaves nothing. */
#pragma once
#include "supervisor/daemon/network/cni.h"
#include "supervisor/loop/eventloop.h"

enum cni_cmd { CNI_ADD, CNI_DEL, CNI_CHECK, CNI_VERSION };

/* r is 0 or -errno; err the one-line reason when r < 0; result the ADD's
 * final result text (NULL otherwise). */
typedef void (*cni_done_fn)(int r, const char *result, const cerr *err, void *data);

typedef struct cni_run cni_run;
/* Where runs go: the loop they run from, and every run under way (for the
 * drain at corrald's exit). */
typedef struct cni_runner {
	el_loop *loop;
	cni_run *live;
	bool cutting; /* the drain cuts what is left: no run starts */
} cni_runner;
/* list_text: the conflist; prev_result: the ADD result for DEL and CHECK
 * (NULL: none). Everything is copied. */
int cni_run_start(cni_runner *rn, enum cni_cmd cmd, const char *list_text, const char *prev_result, const cni_args *a,
		  cni_done_fn done, void *data, cni_run **out, cerr *err);
/* The caller goes: done and data are replaced (done may be NULL), and an
 * ADD is killed (so its DEL runs); a DEL goes on to its end. */
void cni_run_detach(cni_run *r, cni_done_fn done, void *data);
/* At corrald's exit: let the runs under way (a DEL at a container's end)
 * finish, for up to timeout_ms, then cut the rest short; from then on
 * cni_run_start refuses (ECANCELED), so that what a cut run's owner does
 * next (an ADD after its DEL) starts no plugin while corrald leaves. */
void cni_run_drain(cni_runner *rn, int timeout_ms);
