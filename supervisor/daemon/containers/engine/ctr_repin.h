/* ctr_repin.c: A container's bind sources pinned again where a host
 * restart took their pins (dir/binds/<i>), or where a source was deleted
 * (and perhaps made anew), so that a restart policy, or a start, brings it
 * back with its paths as Docker's would: each source resolved again from
 * the spec as its owner gave it, and admitted as at Create (as its owner,
 * under the policy's allowed prefixes), then mounted where its bundle
 * looks. Root's here and now; a member's opened as the member (its gid and
 * groups as it created it) by a child the loop hears from. */
#pragma once
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_done.h"

/* Once a member's are pinned, or could not be: c found again by its id
 * (NULL when it went meanwhile), and err saying why not (err->code 0:
 * pinned). done is the start's, handed on. */
typedef void (*ctr_repin_resume)(struct corrald *d, ctr *c, ctr_done *done, cerr *err);

/* 0: root's are pinned again; 1: a member's are being opened, and resume
 * runs from the loop (c->repinning meanwhile); -errno with err, and
 * nothing mounted. */
int ctr_repin(struct corrald *d, ctr *c, ctr_done *done, ctr_repin_resume resume, cerr *err);
