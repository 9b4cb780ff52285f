/* The record frees a container without calling up into the engine: these
 * slots let go of what the engine hangs on it. */
#include "supervisor/daemon/containers/engine/engine_hooks.h"
#include "supervisor/daemon/containers/engine/ctr_lifecycle.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"

/* corrald's exit: a Restart or a Checkpoint that waits goes unanswered */
static void shutdown_calls(struct ctr *c)
{
	ctr_restart_drop(c);
	ctr_checkpoint_drop(c);
}

const ctr_feature engine_container_hooks = {
	.name = "engine",
	.end = { .freed = ctr_spawn_abandon, .shutdown = shutdown_calls },
};
