/* Health checks in a container's life: they run while it runs. */
#include "supervisor/daemon/health/health.h"
#include "supervisor/daemon/health/checker.h"
#include "supervisor/daemon/health/health_checker.h"
#include "supervisor/daemon/health/health_record.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "common/json.h"

static void ended(struct corrald *d, ctr *c) { health_stop(c); }

static void gen_state(yajl_gen g, const ctr *c)
{
	if (!c->spec.healthcheck)
		return;
	jg_key(g, "health");
	health_gen(g, c);
}

const ctr_feature health_container_hooks = {
	.name = "health",
	.start = { .running = health_start },
	.end = { .ended = ended, .freed = health_free },
	.inspect = { .state_keys = gen_state, .version = health_version },
	.record = { .gen = health_gen_record, .load = health_load_record },
};
