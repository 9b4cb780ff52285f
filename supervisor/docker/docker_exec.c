/* Docker's exec: POST /containers/{id}/exec makes an instance (corrald's
 * ExecCreate), POST /exec/{id}/start runs it (ExecStart: detached, on the
 * hijacked connection as attach joins one, or, not hijacked, with its
 * output as the answer's body), GET /exec/{id}/json
 * inspects it (ExecInspect: the docker CLI reads the exit code there after
 * the stream has ended). Each is its own connection, so its own
 * corral-docker: corrald keeps the instance between them. */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_exec.h"
#include "supervisor/docker/docker_attach.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_pump.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "supervisor/varlink/streams.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ExecCreate's InvalidState is the container's: Docker's words for it. */
static void fail_ctr(dk_req *r, vl_reply *rep, const char *subject)
{
	yajl_val st = json_get(rep->params, "state");
	if (rep->error && strstr(rep->error, ".InvalidState") && YAJL_IS_STRING(st) && !streq(st->u.string, "running") &&
	    !streq(st->u.string, "paused") && !streq(st->u.string, "started")) {
		dk_error(r, 409, "Container %s is not running", subject);
		vl_reply_release(rep);
		return;
	}
	if (rep->error && strstr(rep->error, ".InvalidState") && YAJL_IS_STRING(st) && streq(st->u.string, "paused")) {
		dk_error(r, 409, "Container %s is paused, unpause the container before exec", subject);
		vl_reply_release(rep);
		return;
	}
	dk_fail(r, rep, subject);
}

void dk_exec_create(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg);
	_cleanup_json_ yajl_val b = dk_body_json(r);
	if (!b)
		return;
	yajl_val cmd = json_get(b, "Cmd"), env = json_get(b, "Env");
	if (!YAJL_IS_ARRAY(cmd) || cmd->u.array.len == 0) {
		dk_error(r, 400, "No exec command specified");
		return;
	}
	if (dk_bool(b, "Privileged")) {
		dk_error(r, 400, "corral runs no privileged exec: a command runs confined as the container is");
		return;
	}
	_cleanup_json_gen_ yajl_gen p = dk_params_id(id);
	if (!p || jg_key(p, "command") || jg_value(p, cmd) || (YAJL_IS_ARRAY(env) && env->u.array.len &&
							       (jg_key(p, "env") || jg_value(p, env)))) {
		dk_error(r, 500, "out of memory");
		return;
	}
	const char *wd = dk_str(b, "WorkingDir"), *user = dk_str(b, "User");
	if ((*wd && jg_key_str(p, "workdir", wd)) || (*user && jg_key_str(p, "user", user)) ||
	    jg_key_bool(p, "tty", dk_bool(b, "Tty")) || jg_key_bool(p, "interactive", dk_bool(b, "AttachStdin"))) {
		dk_error(r, 500, "out of memory");
		return;
	}
	_cleanup_free_ char *params = dk_params_end(p);
	vl_reply rep;
	if (!params) {
		dk_error(r, 500, "out of memory");
		return;
	}
	if (dk_call(r, "ExecCreate", params, &rep) < 0) {
		fail_ctr(r, &rep, id);
		return;
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (g)
		jg_object(g, JG_STR("Id", dk_str(rep.params, "execId")), JG_END);
	vl_reply_release(&rep);
	dk_json(r, 201, g);
}

static char *exec_params(const char *id, bool detach)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "execId", id) || (detach && jg_key_bool(g, "detach", true)))
		return NULL;
	return dk_params_end(g);
}

/* ExecInspect's exec, in rep; -1 with r answered. */
static int inspect(dk_req *r, const char *id, vl_reply *rep)
{
	_cleanup_free_ char *params = exec_params(id, false);
	if (!params) {
		dk_error(r, 500, "out of memory");
		return -1;
	}
	return dk_call_or_fail(r, "ExecInspect", params, id, rep);
}

typedef struct output_ctx {
	int fd; /* the ExecStart stream */
	bool tty;
	stream_reader rd;
} output_ctx;

/* The next frames of the command's output, each as Docker's attach frames
 * it (raw with a terminal); the body ends at its EXIT. */
static int fill_output(dk_pump *p)
{
	output_ctx *o = p->ctx;
	for (;;) {
		stream_frame f;
		int got = stream_reader_next(&o->rd, &f);
		if (got < 0)
			return -1;
		if (got > 0) {
			if (f.kind == STREAM_EXIT) {
				p->done = true;
				return 0;
			}
			if (f.kind != STREAM_STDOUT && f.kind != STREAM_STDERR)
				continue;
			if (!o->tty) {
				unsigned char h[8] = { f.kind == STREAM_STDERR ? 2 : 1, 0, 0, 0 };
				uint32_t be = htonl(f.len);
				memcpy(h + 4, &be, 4);
				if (sb_add(&p->out, h, sizeof(h)) < 0)
					return -1;
			}
			return sb_add(&p->out, f.data, f.len) < 0 ? -1 : 0;
		}
		ssize_t n = stream_reader_fill(&o->rd, o->fd);
		if (n == -EINTR)
			continue;
		if (n == -ENOMEM)
			return -1;
		if (n <= 0) { /* the stream ended without its EXIT */
			p->done = true;
			return 0;
		}
	}
}

static void release_output(dk_pump *p)
{
	output_ctx *o = p->ctx;
	stream_reader_release(&o->rd);
	close(o->fd);
}

void dk_exec_start(dk_req *r, const char *id)
{
	_cleanup_json_ yajl_val b = dk_body_json(r);
	if (!b)
		return;
	if (dk_bool(b, "Detach")) {
		_cleanup_free_ char *params = exec_params(id, true);
		vl_reply rep;
		if (!params) {
			dk_error(r, 500, "out of memory");
			return;
		}
		if (dk_call(r, "ExecStart", params, &rep) < 0) {
			fail_ctr(r, &rep, id);
			return;
		}
		vl_reply_release(&rep);
		dk_empty(r, 200);
		return;
	}
	const char *up = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Upgrade");
	bool hijack = up && *up;
	vl_reply rep;
	if (inspect(r, id, &rep) < 0)
		return;
	yajl_val x = json_get(rep.params, "exec");
	bool tty = dk_bool(x, "tty"), in = dk_bool(x, "interactive");
	vl_reply_release(&rep);
	_cleanup_free_ char *params = exec_params(id, false);
	_cleanup_cerr_ cerr err = { 0 };
	int fd = -1;
	rep = (vl_reply){ 0 };
	if (!params || vl_client_call_upgrade(r->vl, "io.corral.Supervisor.ExecStart", params, &rep, &fd, &err) < 0) {
		dk_error(r, 500, "corrald: ExecStart: %s", cerr_msg(&err));
		return;
	}
	if (rep.error) {
		fail_ctr(r, &rep, id);
		return;
	}
	vl_reply_release(&rep);
	if (hijack)
		return dk_hijack_stream(r, fd, tty, in);
	/* not hijacked (docker-modem's exec.start({hijack: false}), as
	 * testcontainers' exec): the output is the body, framed as attach
	 * frames it, until the command ends; stdin is closed */
	stream_send(fd, STREAM_CLOSE_STDIN, NULL, 0);
	dk_pump *p = dk_pump_new(r, fill_output, sizeof(output_ctx));
	if (!p) {
		close(fd);
		dk_error(r, 500, "out of memory");
		return;
	}
	output_ctx *o = p->ctx;
	o->fd = fd;
	o->tty = tty;
	stream_reader_init(&o->rd, STREAM_AT_CLIENT);
	p->release = release_output;
	dk_pump_answer(r, p, "application/vnd.docker.raw-stream");
}

void dk_exec_inspect(dk_req *r, const char *id)
{
	vl_reply rep;
	if (inspect(r, id, &rep) < 0)
		return;
	yajl_val x = json_get(rep.params, "exec"), cmd = json_get(x, "command"), code = json_get(x, "exitCode");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (g) {
		yajl_gen_map_open(g);
		jg_key_bool(g, "CanRemove", false);
		jg_key_str(g, "ContainerID", dk_str(x, "containerId"));
		jg_key_str(g, "DetachKeys", "");
		jg_key(g, "ExitCode");
		if (YAJL_IS_INTEGER(code))
			yajl_gen_integer(g, YAJL_GET_INTEGER(code));
		else
			yajl_gen_null(g);
		jg_key_str(g, "ID", dk_str(x, "id"));
		jg_key_bool(g, "OpenStderr", true);
		jg_key_bool(g, "OpenStdin", dk_bool(x, "interactive"));
		jg_key_bool(g, "OpenStdout", true);
		jg_key_bool(g, "Running", dk_bool(x, "running"));
		jg_key_int(g, "Pid", dk_int(x, "pid", 0));
		jg_key(g, "ProcessConfig");
		yajl_gen_map_open(g);
		jg_key_bool(g, "tty", dk_bool(x, "tty"));
		jg_key_str(g, "entrypoint",
			   YAJL_IS_ARRAY(cmd) && cmd->u.array.len && YAJL_IS_STRING(cmd->u.array.values[0])
				   ? cmd->u.array.values[0]->u.string
				   : "");
		jg_key(g, "arguments");
		yajl_gen_array_open(g);
		for (size_t i = 1; YAJL_IS_ARRAY(cmd) && i < cmd->u.array.len; i++)
			if (YAJL_IS_STRING(cmd->u.array.values[i]))
				jg_str(g, cmd->u.array.values[i]->u.string);
		yajl_gen_array_close(g);
		jg_key_bool(g, "privileged", false);
		jg_key_str(g, "user", dk_str(x, "user"));
		yajl_gen_map_close(g);
		yajl_gen_map_close(g);
	}
	vl_reply_release(&rep);
	dk_json(r, 200, g);
}

/* corrald's ExecResize. The docker CLI sends it just after the start,
 * and tries again on an error, as the instance may not run yet. */
void dk_exec_resize(dk_req *r, const char *id)
{
	long long h, w;
	if (dk_query_int(r, "h", 0, &h) < 0 || dk_query_int(r, "w", 0, &w) < 0 || h < 1 || w < 1 || h > 65535 ||
	    w > 65535) {
		dk_error(r, 400, "h and w must be integers from 1 to 65535");
		return;
	}
	char params[160];
	snprintf(params, sizeof(params), "{\"execId\":\"%.64s\",\"rows\":%lld,\"cols\":%lld}", id, h, w);
	if (strspn(id, "0123456789abcdef") != strlen(id)) {
		dk_error(r, 404, "No such exec instance: %s", id);
		return;
	}
	vl_reply rep;
	if (dk_call_or_fail(r, "ExecResize", params, id, &rep) < 0)
		return;
	vl_reply_release(&rep);
	dk_empty(r, 200);
}
