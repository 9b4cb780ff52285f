/* What changes a container: start, stop, kill, restart, pause, unpause,
 * rename and remove; each 204 on success, 304 where Docker says "nothing
 * to do" (start of a running one, stop of a stopped one). */
#include "supervisor/docker/dk.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <string.h>

/* The container's status ("running", ...), into buf; -1 with r answered
 * when there is no such container. */
static int ctr_status(dk_req *r, const char *id, char *buf, size_t n)
{
	vl_reply rep;
	if (dk_ctr_record(r, id, &rep) < 0)
		return -1;
	snprintf(buf, n, "%s", dk_str(json_get(json_get(rep.params, "container"), "state"), "status"));
	vl_reply_release(&rep);
	return 0;
}

static bool is_up(const char *status)
{
	return streq(status, "running") || streq(status, "paused") || streq(status, "restarting");
}

/* Call method with params (made from g, which it takes); 204, or Docker's error. On
 * InvalidState, conflict (when not NULL) is the 409's message. */
static void act(dk_req *r, const char *method, const char *id, yajl_gen g, const char *conflict)
{
	_cleanup_json_gen_ yajl_gen owned = g;
	_cleanup_free_ char *params = dk_params_end(owned);
	if (!params) {
		dk_error(r, 500, "out of memory");
		return;
	}
	vl_reply rep;
	if (dk_call(r, method, params, &rep) < 0) {
		if (conflict && rep.error && strstr(rep.error, ".InvalidState")) {
			dk_error(r, 409, "%s", conflict);
			vl_reply_release(&rep);
			return;
		}
		dk_fail(r, &rep, id);
		return;
	}
	vl_reply_release(&rep);
	dk_empty(r, 204);
}

/* ?t=N (Docker's stop timeout, seconds; -1 is the container's own) into
 * the params; -1 with r answered when it is no number. */
static int add_timeout(dk_req *r, yajl_gen g)
{
	long long t;
	const char *key = dk_query(r, "t") ? "t" : "timeout";
	if (dk_query_int(r, key, -1, &t) < 0) {
		dk_error(r, 400, "invalid value for %s: %s", key, dk_query(r, key));
		return -1;
	}
	if (t >= 0)
		jg_key_int(g, "timeout", t);
	return 0;
}

void dk_ctr_start(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg);
	char status[32];
	if (ctr_status(r, id, status, sizeof(status)) < 0)
		return;
	if (streq(status, "running") || streq(status, "paused")) {
		dk_empty(r, 304);
		return;
	}
	act(r, "Start", id, dk_params_id(id), NULL);
}

void dk_ctr_stop(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg);
	char status[32];
	if (ctr_status(r, id, status, sizeof(status)) < 0)
		return;
	if (!is_up(status)) {
		dk_empty(r, 304);
		return;
	}
	_cleanup_json_gen_ yajl_gen g = dk_params_id(id);
	if (add_timeout(r, g) < 0)
		return;
	act(r, "Stop", id, TAKE_PTR(g), NULL);
}

void dk_ctr_restart(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg);
	_cleanup_json_gen_ yajl_gen g = dk_params_id(id);
	if (add_timeout(r, g) < 0)
		return;
	act(r, "Restart", id, TAKE_PTR(g), NULL);
}

void dk_ctr_kill(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg), *sig = dk_query(r, "signal");
	yajl_gen g = dk_params_id(id);
	if (g && sig && *sig)
		jg_key_str(g, "signal", sig);
	char conflict[512];
	snprintf(conflict, sizeof(conflict), "Container %s is not running", id);
	act(r, "Kill", id, g, conflict);
}

void dk_ctr_pause(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg);
	char conflict[512];
	snprintf(conflict, sizeof(conflict), "Container %s is not running", id);
	act(r, "Pause", id, dk_params_id(id), conflict);
}

void dk_ctr_unpause(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg);
	char conflict[512];
	snprintf(conflict, sizeof(conflict), "Container %s is not paused", id);
	act(r, "Unpause", id, dk_params_id(id), conflict);
}

void dk_ctr_rename(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg), *name = dk_query(r, "name");
	if (!name || !*name) {
		dk_error(r, 400, "name is required");
		return;
	}
	yajl_gen g = dk_params_id(id);
	if (g)
		jg_key_str(g, "name", dk_ctr_name(name));
	act(r, "Rename", id, g, NULL);
}

void dk_ctr_remove(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg);
	bool force = dk_query_bool(r, "force", false);
	yajl_gen g = dk_params_id(id);
	if (g && force)
		jg_key_bool(g, "force", true);
	if (g && dk_query_bool(r, "v", false)) /* docker rm -v: its anonymous volumes */
		jg_key_bool(g, "volumes", true);
	char conflict[512];
	snprintf(conflict, sizeof(conflict),
		 "You cannot remove a running container %s. Stop the container before attempting removal or force "
		 "remove",
		 id);
	act(r, "Remove", id, g, conflict);
}
