/* A container's transitions (ctr_lifecycle.c): Start, its end, removal,
 * Restart and the end of a Checkpoint's dump. */
#pragma once
#include <stdbool.h>
#include "common/error.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_done.h"

/* Say "go" to its standby monitor, or a fresh one. Returns once it is
 * said; done (if any) is held, and told when the monitor reports. */
int ctr_start(struct corrald *d, ctr *c, ctr_done *done, cerr *err);
/* A start a user asked for (Start, Restart): the restart policy begins
 * afresh. On an error done is not held, and the caller answers. */
int ctr_start_by_user(struct corrald *d, ctr *c, ctr_done *done, cerr *err);
/* A start (a policy's, or one that went on later) that could not be made:
 * c back as it was, why kept (state.startError), done told (NULL: logged) */
void ctr_start_not_made(struct corrald *d, ctr *c, ctr_done *done, cerr *err);

/* Its monitor is gone: read exit.json, answer waiters, publish "die", then
 * restart it (after the policy's backoff) or finish a pending removal. */
void ctr_ended(struct corrald *d, ctr *c);
/* Remove a container that is not running (dir, record, events). */
int ctr_remove_now(struct corrald *d, ctr *c, cerr *err);
/* Remove c now, or once SIGKILL has ended it, or once its start has
 * reported and it is killed then (a forced Remove, a session's end). A
 * monitor that takes no SIGKILL is killed itself (ctr_monitor_kill); an
 * error, and c as it was, when that fails too. */
int ctr_remove_forced(struct corrald *d, ctr *c, cerr *err);

/* A restart waiting on its backoff is called off (true), as a Stop or a
 * removal does; false when none waits. */
bool ctr_restart_cancel_backoff(struct corrald *d, ctr *c);
/* Stop a running container to start it again once it has ended (a
 * Restart without its client: hold its completion in c->restart_done). */
int ctr_restart_begin(struct corrald *d, ctr *c, unsigned timeout, cerr *err);
/* It has ended, with a Restart waiting: start it, telling the Restart's
 * completion once it runs (or why it did not). */
void ctr_restart_resume(struct corrald *d, ctr *c);
/* A Stop or a removal came first: the waiting Restart (if any) is told
 * InvalidState and why, and the container stays down. */
void ctr_restart_call_off(ctr *c, const char *why);
/* Let go of a waiting Restart without answering it (corrald's exit). */
void ctr_restart_drop(ctr *c);

/* Dumped and ended (or left running): record it, and publish it. */
void ctr_checkpoint_dumped(struct corrald *d, ctr *c, bool leave_running);
/* It has ended: a Checkpoint whose dump ended it is told now. */
void ctr_checkpoint_ended(struct corrald *d, ctr *c);
/* It has ended while a dump that an earlier corrald began may have run:
 * checkpointed if that dump is whole. */
void ctr_checkpoint_orphan_ended(struct corrald *d, ctr *c);
/* Let go of that Checkpoint without answering it (corrald's exit). */
void ctr_checkpoint_drop(ctr *c);
/* Its monitor reported: the restore it started is over (ok: it runs). */
void ctr_restore_reported(struct corrald *d, ctr *c, bool ok);
