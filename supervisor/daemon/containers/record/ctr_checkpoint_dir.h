/* Where a container's checkpoint lies: containers/<id>/checkpoint, which
 * criu dumps into (Checkpoint) and a monitor restores from (Restore). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"
#include "supervisor/daemon/containers/record/ctr.h"

#define CTR_CHECKPOINT_DIR "checkpoint" /* in containers/<id>/ */

/* containers/<id>/checkpoint */
void ctr_checkpoint_path(const struct corrald *d, const ctr *c, char *buf, size_t n);
/* Whether it has a checkpoint to restore (or export). */
bool ctr_has_checkpoint(const struct corrald *d, const ctr *c);
/* A checkpoint there goes (to the trash): criu writes into a fresh one, and
 * a restored one is spent. */
int ctr_checkpoint_clear(struct corrald *d, const ctr *c, cerr *err);
