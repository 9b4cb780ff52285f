/* The fast path of Create and Start: what corrald keeps ready, and why.
 *
 * Create makes a container directory, a bundle and a record; Start has a
 * corral-monitor create and start the container. Three things are made
 * ahead so that neither waits on work that can be done before it is asked:
 *
 * 1. Spare container directories, under <state-dir>/spare: rootfs/, upper/
 *    and work/, and the empty files Create and the monitor would make
 *    (config.json's and record.json's temporary files, ctr.log). Create
 *    renames one into place rather than make seven inodes. Refilled while a
 *    Start waits on its monitor. On this host's ext4 the gain is within
 *    the noise (run -d against `corral run -d`: 1.12 and 1.30 without,
 *    1.19 and 1.19 with): it pays only where making an inode is slow.
 * 2. A standby monitor: CreateContainer spawns the container's monitor as
 *    it begins, so that its exec and dynamic linking overlap the rest of
 *    Create. "prep" (Create's end: the bundle is complete) has it load the
 *    bundle while the client is on its way to Start, which then only says
 *    "go" (ctr_spawn.h). A standby unused for MONITOR_STANDBY_MS ends on
 *    its own. Without it a create+start costs about 1 ms more: run -d
 *    against `corral run -d` 1.30 and 1.29 without, 1.19 and 1.19 with;
 *    create + start as two clients 1.51 and 1.45 without, 1.28 and 1.32
 *    with.
 * 3. The lean monitor: once the container runs, corral-monitor execs
 *    corral-monitor-lean (static, no runtime libraries) for the steady
 *    state, after corrald has its report, so that exec does not take the
 *    CPU corrald wakes on (0.8 ms to 0.02 ms from report to wake-up).
 *    RSS per container 1.72 MB to 0.93 MB. (supervisor/monitor/monitor.c)
 *
 * Figures: median ratios of 41 alternating rounds of the supervisor bench
 * (tests/bench/supervisor.sh), twice, with each trick turned off in turn,
 * on the 2-core build host (2026-11-22; about 7.5 ms a `corral run -d`). */
#pragma once
#include "common/error.h"

struct corrald;
struct ctr;

/* Spawn c's monitor on standby (best effort: Start spawns one otherwise). */
void fastpath_standby(struct corrald *d, struct ctr *c);
/* The bundle is complete: the standby monitor may load it. */
void fastpath_standby_prep(struct ctr *c);

#define SPARE_DIRS 2 /* kept ready */

/* Clear what an earlier corrald left in spare/, and make the first spares. */
int fastpath_init(struct corrald *d, cerr *err);
/* A new container directory at dir: a spare renamed there, else a plain
 * mkdir. 0 or -errno. */
int fastpath_dir_take(struct corrald *d, const char *dir);
/* A container without an overlay (a directory image) has no use for the
 * spare's rootfs/, upper/ and work/: remove them. */
void fastpath_dir_unneeded(const char *dir);
/* Make spares until there are SPARE_DIRS; best effort. */
void fastpath_dir_refill(struct corrald *d);
/* Remove the spares (at shutdown). */
void fastpath_clear(struct corrald *d);
