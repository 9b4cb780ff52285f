/* A running container's health outlives corrald: its status, failing
 * streak and log are in its record ("health", as Inspect shows them), and
 * an adopted container's checker goes on from them rather than starting
 * over (a healthy replica stays ready across a corrald restart). */
#include "supervisor/daemon/health/health_checker.h"
#include "supervisor/daemon/health/health_record.h"
#include "supervisor/daemon/health/checker.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void health_gen_record(yajl_gen g, const ctr *c)
{
	if (!c->spec.healthcheck || health_status_of(c) == HEALTH_NONE)
		return;
	jg_key(g, "health");
	health_gen(g, c);
}

static const char *str_or_empty(yajl_val o, const char *key)
{
	yajl_val v = json_key(o, key);
	return YAJL_IS_STRING(v) ? v->u.string : "";
}

/* A result of the record's log; false when it is not one. */
static bool load_result(yajl_val v, health_result *r)
{
	long long code;
	if (!YAJL_IS_OBJECT(v) || !json_int_in(json_key(v, "exitCode"), -1, 255, &code))
		return false;
	const char *out = str_or_empty(v, "output");
	if (!(r->output = health_tail_of(out, strlen(out))))
		return false;
	r->exit_code = (int)code;
	snprintf(r->start, sizeof(r->start), "%s", str_or_empty(v, "start"));
	snprintf(r->end, sizeof(r->end), "%s", str_or_empty(v, "end"));
	return true;
}

void health_load_record(ctr *c, yajl_val record)
{
	yajl_val v = json_key(record, "health"), log = json_key(v, "log");
	long long streak = 0;
	/* only a run that goes on: one that has ended starts over when started */
	if (!c->spec.healthcheck || !ctr_alive(c) || !YAJL_IS_OBJECT(v) || c->health ||
	    !json_int_in(json_key(v, "failingStreak"), 0, 1 << 20, &streak))
		return;
	const char *st = str_or_empty(v, "status");
	enum health_status status = HEALTH_NONE;
	for (int i = HEALTH_STARTING; i < HEALTH_COUNT; i++)
		if (streq(st, health_status_str[i]))
			status = i;
	health_checker *h = status == HEALTH_NONE ? NULL : calloc(1, sizeof(*h));
	if (!h)
		return;
	h->fd = -1;
	h->c = c;
	h->status = status;
	h->streak = (unsigned)streak;
	h->restored = true;
	size_t n = YAJL_IS_ARRAY(log) ? log->u.array.len : 0;
	/* the newest HEALTH_LOG_MAX, oldest first */
	for (size_t i = n > HEALTH_LOG_MAX ? n - HEALTH_LOG_MAX : 0; i < n; i++)
		h->n_log += load_result(log->u.array.values[i], &h->log[h->n_log]);
	c->health = h;
}
