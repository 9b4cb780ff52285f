/* Docker's JSON progress stream, a line at a time into a pump: what
 * `docker pull` and `docker push` draw. */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_progress.h"
#include "supervisor/docker/docker_pump.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dk_put_line(dk_pump *p, yajl_gen g) { dk_pump_put_json(p, g, "\r\n"); }

void dk_put_status(dk_pump *p, const char *status, const char *id)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	jg_object(g, JG_STR("status", status), JG_STR_SET("id", id), JG_END);
	dk_put_line(p, g);
}

void dk_put_error(dk_pump *p, const char *msg)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	jg_object(g, JG_OBJECT("errorDetail"), JG_STR("message", msg), JG_CLOSE, JG_STR("error", msg), JG_END);
	dk_put_line(p, g);
}

void dk_put_progress(dk_pump *p, const char *status, const char *digest, long long done, long long total)
{
	const char *colon = strchr(digest, ':');
	char id[16];
	snprintf(id, sizeof(id), "%.12s", colon ? colon + 1 : digest);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	jg_object(g, JG_STR("status", status), JG_OBJECT("progressDetail"), JG_INT("current", done),
		     JG_INT("total", total), JG_CLOSE, JG_STR("id", id), JG_END);
	dk_put_line(p, g);
}

/* One reply of the relayed call, as lines; the last one says what was done. */
static void job_put(dk_pump *p, dk_relay *j, vl_reply *rep)
{
	if (rep->error) {
		const char *reason = dk_str(rep->params, "reason");
		char msg[1400];
		snprintf(msg, sizeof(msg), "%s %s: %s", j->verb, j->ref, *reason ? reason : rep->error);
		dk_put_error(p, msg);
		p->done = true;
		return;
	}
	if (json_get(rep->params, "progress"))
		j->progress(p, json_get(rep->params, "progress"));
	if (rep->continues)
		return;
	j->done(p, j, rep->params);
	p->done = true;
}

static int job_fill(dk_pump *p)
{
	dk_relay *j = p->ctx;
	if (!p->started) {
		p->started = true;
		job_put(p, j, &j->first);
		vl_reply_release(&j->first);
		return 0;
	}
	vl_reply rep = { 0 };
	_cleanup_cerr_ cerr e = { 0 };
	if (dk_pump_await(p) < 0)
		return -1; /* the client hung up: so does the relay */
	if (vl_client_recv(p->vl, &rep, &e) < 0) {
		dk_put_error(p, cerr_msg(&e));
		p->done = true;
		return 0;
	}
	job_put(p, j, &rep);
	vl_reply_release(&rep);
	return 0;
}

static void job_release(dk_pump *p)
{
	dk_relay *j = p->ctx;
	vl_reply_release(&j->first);
}

dk_pump *dk_relay_new(dk_req *r)
{
	dk_pump *p = dk_pump_new(r, job_fill, sizeof(dk_relay));
	if (!p) {
		dk_error(r, 500, "out of memory");
		return NULL;
	}
	p->release = job_release;
	return p;
}

void dk_relay_free(dk_pump *p)
{
	job_release(p);
	sb_release(&p->out);
	free(p);
}

int dk_relay_call(dk_req *r, dk_pump *p, const char *method, const char *params, const char *subject)
{
	dk_relay *j = p->ctx;
	char full[64];
	snprintf(full, sizeof(full), "io.corral.Supervisor.%s", method);
	_cleanup_cerr_ cerr e = { 0 };
	if (!params || vl_client_send(r->vl, full, params, true, false, &e) < 0 ||
	    vl_client_recv(r->vl, &j->first, &e) < 0) {
		dk_error(r, 500, "corrald: %s: %s", method, params ? cerr_msg(&e) : "out of memory");
		dk_relay_free(p);
		return -1;
	}
	if (j->first.error) {
		dk_fail(r, &j->first, subject); /* releases it */
		sb_release(&p->out);
		free(p);
		return -1;
	}
	return 0;
}
