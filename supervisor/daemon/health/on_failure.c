/* kill: SIGKILL, as Kill sends it; restart: as Restart does (its stop
 * signal, then SIGKILL after its stop timeout, then a start). */
#include "supervisor/daemon/health/on_failure.h"
#include "supervisor/daemon/health/checker.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/engine/ctr_monitor.h"
#include "supervisor/daemon/containers/engine/ctr_lifecycle.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/log.h"

#include <errno.h>
#include <signal.h>

void health_on_failure(struct corrald *d, ctr *c, enum health_on_failure what)
{
	_cleanup_cerr_ cerr err = { 0 };
	if (what == HEALTH_ON_FAILURE_NONE || !ctr_alive(c) || ctr_is_starting(c) || c->restart_wanted)
		return;
	log_info("container %s is unhealthy: %s", c->name, what == HEALTH_ON_FAILURE_KILL ? "killing it" : "restarting it");
	if (what == HEALTH_ON_FAILURE_KILL) {
		if (ctr_signal(d, c, SIGKILL, false, 0, &err) < 0 && err.code != ESRCH)
			log_cerr(LOG_LVL_WARN, &err, "container %s: kill (unhealthy)", c->name);
		else
			ctr_publish(d, c, "kill", (const char *const[]){ "signal", "9", NULL });
	} else if (ctr_restart_begin(d, c, c->spec.stop_timeout, &err) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "container %s: restart (unhealthy)", c->name);
	} else { /* a restart of corrald's, as the restart policy's are counted */
		health_stop(c); /* no check of the run that is ending: it stays unhealthy */
		c->restart_count++;
		metrics_add_restarts(d->metrics, 1);
		ctr_save(d, c);
	}
}
