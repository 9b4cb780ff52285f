/* What changes a container: start, stop, kill, restart, pause, unpause,
 * rename and remove; each 204 on success, 304 where Docker says "nothing
 * to do" (start of a running one, stop of a stopped one). */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_ctr_actions.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The container's status ("running", ...), into buf, and whether it goes
 * once stopped (run --rm) into *auto_remove when not NULL; -1 with r
 * answered when there is no such container. */
static int ctr_status_of(dk_req *r, const char *id, char *buf, size_t n, bool *auto_remove)
{
	vl_reply rep;
	yajl_val c = dk_ctr_record(r, id, &rep);
	if (!c)
		return -1;
	snprintf(buf, n, "%s", dk_str(json_get(c, "state"), "status"));
	if (auto_remove)
		*auto_remove = dk_bool(json_get(c, "config"), "autoRemove");
	vl_reply_release(&rep);
	return 0;
}

static int ctr_status(dk_req *r, const char *id, char *buf, size_t n)
{
	return ctr_status_of(r, id, buf, n, NULL);
}

static bool is_up(const char *status)
{
	return streq(status, "running") || streq(status, "paused") || streq(status, "restarting");
}

/* Call method with params (made from g, which it takes): 0, or -1 with
 * Docker's error answered. On InvalidState, conflict (when not NULL) is
 * the 409's message; on InvalidParameter about the parameter bad_param
 * (when not NULL), bad_msg is the 400's. */
static int call_or(dk_req *r, const char *method, const char *id, yajl_gen g, const char *conflict,
		   const char *bad_param, const char *bad_msg)
{
	_cleanup_json_gen_ yajl_gen owned = g;
	_cleanup_free_ char *params = dk_params_end(owned);
	if (!params) {
		dk_error(r, 500, "out of memory");
		return -1;
	}
	vl_reply rep;
	if (dk_call(r, method, params, &rep) < 0) {
		if (conflict && rep.error && strstr(rep.error, ".InvalidState"))
			dk_error(r, 409, "%s", conflict);
		else if (bad_param && rep.error && strstr(rep.error, "InvalidParameter") &&
			 streq(dk_str(rep.params, "parameter"), bad_param))
			dk_error(r, 400, "%s", bad_msg);
		else {
			dk_fail(r, &rep, id);
			return -1;
		}
		vl_reply_release(&rep);
		return -1;
	}
	vl_reply_release(&rep);
	return 0;
}

/* call_or, and 204 when it worked */
static void act_or(dk_req *r, const char *method, const char *id, yajl_gen g, const char *conflict,
		   const char *bad_param, const char *bad_msg)
{
	if (call_or(r, method, id, g, conflict, bad_param, bad_msg) == 0)
		dk_empty(r, 204);
}

static void act(dk_req *r, const char *method, const char *id, yajl_gen g, const char *conflict)
{
	act_or(r, method, id, g, conflict, NULL, NULL);
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

/* The runtime's errno texts in Go's spelling, as dockerd passes them on
 * (strerror's "No such file or directory" is Go's "no such file or
 * directory"): the docker CLI reads these words to give run's exit code,
 * 127 for a program that is not there and 126 for one it may not run.
 * Whether s held one. */
static bool go_errno_words(char *s)
{
	static const int errs[] = { ENOENT, EACCES, EISDIR, ENOTDIR };
	bool found = false;
	for (size_t i = 0; i < ARRAY_SIZE(errs); i++) {
		const char *e = strerror(errs[i]);
		size_t len = strlen(e);
		for (char *p = s; (p = strstr(p, e)); p += len) {
			*p = (char)tolower((unsigned char)*p);
			found = true;
		}
		/* the words already in Go's spelling */
		char go[64];
		snprintf(go, sizeof(go), "%s", e);
		go[0] = (char)tolower((unsigned char)go[0]);
		found = found || strstr(s, go);
	}
	return found;
}

void dk_ctr_start(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg);
	char status[32];
	bool auto_remove = false;
	if (ctr_status_of(r, id, status, sizeof(status), &auto_remove) < 0)
		return;
	if (streq(status, "running") || streq(status, "paused")) {
		dk_empty(r, 304);
		return;
	}
	_cleanup_json_gen_ yajl_gen g = dk_params_id(id);
	_cleanup_free_ char *params = dk_params_end(g);
	if (!params) {
		dk_error(r, 500, "out of memory");
		return;
	}
	vl_reply rep;
	if (dk_call(r, "Start", params, &rep) == 0) {
		vl_reply_release(&rep);
		dk_empty(r, 204);
		return;
	}
	if (!rep.error || !strstr(rep.error, ".InternalError")) {
		dk_fail(r, &rep, id);
		return;
	}
	/* the process could not start: what dockerd says, a 400 when it is
	 * the program (not there, not to be run), and with run --rm the
	 * container gone, as dockerd removes an AutoRemove one whose start
	 * failed (the CLI waits for that) */
	_cleanup_free_ char *reason = strdup(dk_str(rep.params, "reason"));
	vl_reply_release(&rep);
	if (!reason) {
		dk_error(r, 500, "out of memory");
		return;
	}
	bool program = go_errno_words(reason);
	if (auto_remove) {
		_cleanup_json_gen_ yajl_gen rg = dk_params_id(id);
		if (rg)
			jg_key_bool(rg, "force", true);
		_cleanup_free_ char *rparams = dk_params_end(rg);
		vl_reply rrep = { 0 };
		_cleanup_cerr_ cerr err = { 0 };
		/* not dk_call: r's answer is the start's, whatever this says */
		if (rparams && vl_client_call(r->vl, "io.corral.Supervisor.Remove", rparams, &rrep, &err) == 0)
			vl_reply_release(&rrep);
	}
	dk_error(r, program ? 400 : 500, "failed to start container %s: %s", id, reason);
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

/* Docker's default signal, in any of the spellings its ParseSignal takes */
static bool is_sigkill(const char *sig)
{
	if (!sig || !*sig)
		return true;
	if (!strncasecmp(sig, "SIG", 3))
		sig += 3;
	return !strcasecmp(sig, "KILL") || streq(sig, "9");
}

void dk_ctr_kill(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg), *sig = dk_query(r, "signal");
	yajl_gen g = dk_params_id(id);
	if (g && sig && *sig)
		jg_key_str(g, "signal", sig);
	char conflict[512], bad[512];
	snprintf(conflict, sizeof(conflict), "Container %s is not running", id);
	/* dockerd's words for a signal it does not know */
	snprintf(bad, sizeof(bad), "Invalid signal: %s", sig ? sig : "");
	if (call_or(r, "Kill", id, g, conflict, "signal", bad) < 0)
		return;
	/* dockerd (and podman's compat service) answer a SIGKILL once the
	 * container is down, so a kill then rm works; other signals at once.
	 * corrald's SIGKILL is a stop by the user: no restart comes between. */
	if (is_sigkill(sig)) {
		_cleanup_free_ char *params = dk_params_text("id", id);
		vl_reply rep;
		if (!params) {
			dk_error(r, 500, "out of memory");
			return;
		}
		if (dk_call(r, "Wait", params, &rep) < 0 && !(rep.error && strstr(rep.error, ".NoSuchContainer"))) {
			dk_fail(r, &rep, id); /* gone already (run --rm) is down too */
			return;
		}
		vl_reply_release(&rep);
	}
	dk_empty(r, 204);
}

void dk_ctr_pause(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg);
	char status[32], conflict[512];
	if (ctr_status(r, id, status, sizeof(status)) < 0)
		return;
	/* Docker's words for each: a paused one is not "not running" */
	snprintf(conflict, sizeof(conflict), "Container %s is %s", id,
		 streq(status, "paused") ? "already paused" : "not running");
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
