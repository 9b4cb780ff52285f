/* Checkpoint and Restore (ctr_checkpoint.c): a running container dumped
 * through criu into its directory's checkpoint/, and made again from it. */
#pragma once
#include "supervisor/daemon/containers/ctr.h"
#include "supervisor/varlink/server.h"

#define CTR_CHECKPOINT_DIR "checkpoint" /* in containers/<id>/ */

/* containers/<id>/checkpoint */
void ctr_checkpoint_path(const struct corrald *d, const ctr *c, char *buf, size_t n);
int sv_checkpoint(vl_call *call, yajl_val params, void *ud);
int sv_restore(vl_call *call, yajl_val params, void *ud);
/* It has ended: a Checkpoint whose dump ended it is answered now. */
void ctr_checkpoint_ended(struct corrald *d, ctr *c);
/* It has ended while a dump that an earlier corrald began may have run:
 * checkpointed if that dump is whole. */
void ctr_checkpoint_orphan_ended(struct corrald *d, ctr *c);
/* Let go of that Checkpoint without answering it (corrald's exit). */
void ctr_checkpoint_drop(ctr *c);
/* Its monitor reported: the restore it started is over (ok: it runs). */
void ctr_restore_reported(struct corrald *d, ctr *c, bool ok);
/* Whether it has a checkpoint to restore (or export). */
bool ctr_has_checkpoint(const struct corrald *d, const ctr *c);

