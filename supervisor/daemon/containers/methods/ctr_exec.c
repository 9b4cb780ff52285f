/* Exec: a command in a running container, run by the container's monitor
 * through the runtime's exec, with the container's whole confinement (see
 * monitor/exec_session.c). corrald checks the call and resolves a user name in
 * the container's /etc/passwd; then it passes the client's connection to
 * the monitor, which answers the call on it (one reply, or "more" replies
 * as output comes) or speaks Streams on it after our upgrade reply (stdin,
 * a terminal). corrald is not in the output's path; a client that hangs up
 * is seen by the monitor, which kills the command. */
#include "supervisor/daemon/containers/methods/ctr_methods.h"
#include "supervisor/daemon/core/random_id.h"
#include "supervisor/varlink/handover.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/containers/methods/ctr_exec.h"
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/daemon/containers/engine/ctr_monitor.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/api/monitor_iface.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/client.h"
#include "bundle/image_user.h"
#include "bundle/spec.h"
#include "bundle/spec_parse.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct exec_args {
	yajl_val params; /* what was checked: command, env, workdir and timeout go to the monitor as they are */
	const char *id, *user, *mode;
	bool tty, interactive, detach;
} exec_args;

/* The monitor's parameters: the call's, with the user as numbers, and how
 * the client is to be answered. */
static char *monitor_params(const exec_args *a, const char *user_ids, const char *exec_id)
{
	static const char *const passed[] = { "command", "env", "workdir", "timeout" };
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	for (size_t i = 0; i < ARRAY_SIZE(passed); i++) {
		yajl_val v = json_key(a->params, passed[i]);
		if (v && !YAJL_IS_NULL(v)) {
			jg_key(g, passed[i]);
			jg_value(g, v);
		}
	}
	if (user_ids)
		jg_key_str(g, "user", user_ids);
	jg_key_bool(g, "tty", a->tty);
	jg_key_bool(g, "interactive", a->interactive);
	jg_key_str(g, "mode", a->mode);
	if (exec_id)
		jg_key_str(g, "execId", exec_id);
	yajl_gen_map_close(g);
	return jg_finish(g, NULL);
}

/* The container's config.json, for the rootfs a user name is looked up in. */
static int load_config(const char *dir, struct oci_spec **out, cerr *err)
{
	char cfg[PATH_MAX + 16];
	snprintf(cfg, sizeof(cfg), "%s/config.json", dir);
	return spec_load(cfg, out, err);
}

/* Exec's parameters (an ExecCreate's: all but timeout and detach); the
 * rest of them (command, env) the monitor checks. */
static int check_exec(yajl_val params, bool create, bool upgrade, bool more, exec_args *a, json_fault *f)
{
	long long t;
	const char *wd;
	sp_param table[] = { SP_NAME("id", true, &a->id),
			     SP_KEY("command"),
			     SP_KEY("env"),
			     SP_STR("workdir", false, &wd),
			     SP_NAME("user", false, &a->user),
			     SP_BOOL("tty", false, &a->tty),
			     SP_BOOL("interactive", false, &a->interactive),
			     SP_INT("timeout", 0, 86400, 0, &t),
			     SP_BOOL("detach", false, &a->detach),
			     { 0 } };
	if (create) /* the table ends before its last two, Exec's alone */
		table[ARRAY_SIZE(table) - 3] = (sp_param){ 0 };
	int r = sp_dispatch(params, table, f);
	if (r < 0)
		return r;
	yajl_val cmd = json_get(params, "command");
	if (!YAJL_IS_ARRAY(cmd) || cmd->u.array.len == 0)
		return json_fault_set(f, EINVAL, "command", "must be a non-empty array of strings");
	if (wd && wd[0] != '/')
		return json_fault_set(f, EINVAL, "workdir", "must be an absolute path");
	if (a->detach && (upgrade || more || a->tty || a->interactive))
		return json_fault_set(f, EINVAL, "detach", "has no output, stdin or terminal: call it alone");
	if ((a->tty || a->interactive) && !upgrade)
		return json_fault_set(f, EINVAL, a->tty ? "tty" : "interactive",
				      "needs the call with \"upgrade\": true (Streams)");
	a->params = params;
	a->mode = upgrade ? "streams" : a->detach ? "detach" : more ? "more" : "reply";
	return 0;
}

/* Run the command of a->params (Exec's, or an ExecCreate's) in c, as a says,
 * for the client of call: the monitor answers it. */
static int exec_in(vl_call *call, corrald *d, ctr *c, const exec_args *a, ctr_exec_inst *x)
{
	if (c->status != CS_RUNNING || c->pid <= 0)
		return reply_bad_state(call, c, c->status == CS_PAUSED ? "it is paused: unpause it" : "it is not running");
	char dir[PATH_MAX], ids[48] = "";
	ctr_dir(d, c, dir, sizeof(dir));
	cerr err = { 0 };
	if (a->user) {
		/* a name is looked up in the container's own files, inside its root */
		_cleanup_spec_ struct oci_spec *s = NULL;
		_cleanup_(image_user_release) struct oci_user u = { 0 };
		if (load_config(dir, &s, &err) < 0)
			return sv_internal_err(call, &err);
		if (image_user_resolve_path(s->root_path, a->user, &u, &err) < 0)
			return sv_invalid_err(call, "user", &err);
		snprintf(ids, sizeof(ids), "%u:%u", u.uid, u.gid);
	}
	_cleanup_free_ char *mp = monitor_params(a, a->user ? ids : NULL, x ? x->id : NULL);
	if (!mp)
		return sv_internal(call, "out of memory");
	_cleanup_vl_client_ vl_client *mon = NULL;
	if (ctr_monitor_open(d, c, &mon, &err) < 0)
		return sv_internal_err(call, &err);
	int fd;
	if (x) /* once: from here on the client may get its exit code */
		x->started = true;
	if ((vl_call_wants_upgrade(call) ? vl_call_upgrade(call, NULL, &fd) : vl_call_hand_over(call, &fd)) < 0)
		return 0; /* ended: the client is gone */
	_cleanup_close_ int client = fd;
	/* oneway: should the monitor be gone by now, the client's call ends
	 * unanswered, as when a container ends under a command */
	if (vl_client_send_fd(mon, MONITOR_IFACE ".Exec", mp, VL_CALL_ONEWAY, client, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "exec in %s", c->name);
	return 0;
}

int sv_exec(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	exec_args a = { 0 };
	json_fault f = { 0 };
	if (check_exec(params, false, vl_call_wants_upgrade(call), vl_call_wants_more(call), &a, &f) < 0)
		return sv_invalid_fault(call, &f);
	ctr *c = ctr_find_for(d, a.id, vl_call_peer(call));
	if (!c)
		return sv_no_such_container(call, a.id);
	return exec_in(call, d, c, &a, NULL);
}

/* Exec instances (ExecCreate; record/ctr.h): ExecInspect reads what the
 * monitor wrote of each to DIR/execs/ID. */
static void inst_free(ctr_exec_inst *x)
{
	free(x->params);
	free(x);
}

typedef struct inst_status {
	bool known, ended;
	long pid;
	int code;
} inst_status;

static inst_status read_status(corrald *d, ctr *c, const ctr_exec_inst *x)
{
	inst_status st = { 0 };
	char dir[PATH_MAX], path[PATH_MAX + 96];
	ctr_dir(d, c, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/execs/%s", dir, x->id);
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (read_file(path, 64, &text, &len, NULL) < 0)
		return st;
	int n = sscanf(text, "%ld %d", &st.pid, &st.code);
	st.known = n >= 1;
	st.ended = n == 2;
	return st;
}

/* Started, and not running any more: its end is known, or its container's. */
static bool inst_over(corrald *d, ctr *c, const ctr_exec_inst *x)
{
	return x->started && (read_status(d, c, x).ended || !ctr_alive(c));
}

static void inst_drop(corrald *d, ctr *c, ctr_exec_inst **p)
{
	ctr_exec_inst *x = *p;
	char dir[PATH_MAX], path[PATH_MAX + 96];
	ctr_dir(d, c, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/execs/%s", dir, x->id);
	unlink(path);
	*p = x->next;
	inst_free(x);
	c->n_execs--;
}

/* Room for one more: the oldest that is over goes, else the oldest never
 * started. false: every one runs. */
static bool inst_make_room(corrald *d, ctr *c)
{
	if (c->n_execs < CTR_MAX_EXECS)
		return true;
	ctr_exec_inst **over = NULL, **idle = NULL;
	for (ctr_exec_inst **p = &c->execs; *p; p = &(*p)->next) {
		if (inst_over(d, c, *p))
			over = p;
		else if (!(*p)->started)
			idle = p;
	}
	if (!over && !idle)
		return false;
	inst_drop(d, c, over ? over : idle);
	return true;
}

/* The instance execId of a container the peer sees; NULL: none. */
static ctr_exec_inst *inst_find(corrald *d, const char *id, const peer_cred *peer, ctr **cp)
{
	for (ctr *c = d->ctrs; c; c = c->next) {
		if (!ctr_visible_to(c, peer))
			continue;
		for (ctr_exec_inst *x = c->execs; x; x = x->next)
			if (streq(x->id, id)) {
				*cp = c;
				return x;
			}
	}
	return NULL;
}


int sv_exec_create(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	exec_args a = { 0 };
	json_fault f = { 0 };
	if (check_exec(params, true, true, false, &a, &f) < 0)
		return sv_invalid_fault(call, &f);
	yajl_val env = json_key(params, "env");
	if (env && !YAJL_IS_NULL(env)) {
		bool ok = YAJL_IS_ARRAY(env);
		for (size_t i = 0; ok && i < env->u.array.len; i++) {
			yajl_val e = env->u.array.values[i];
			ok = YAJL_IS_STRING(e) && e->u.string[0] != '=' && strchr(e->u.string, '=');
		}
		if (!ok)
			return sv_invalid(call, "env", "must be an array of KEY=VALUE strings");
	}
	yajl_val cmd = json_get(params, "command");
	for (size_t i = 0; i < cmd->u.array.len; i++)
		if (!YAJL_IS_STRING(cmd->u.array.values[i]))
			return sv_invalid(call, "command", "must be a non-empty array of strings");
	ctr *c = ctr_find_for(d, a.id, vl_call_peer(call));
	if (!c)
		return sv_no_such_container(call, a.id);
	if (c->status != CS_RUNNING || c->pid <= 0)
		return reply_bad_state(call, c, c->status == CS_PAUSED ? "it is paused: unpause it" : "it is not running");
	if (!inst_make_room(d, c))
		return reply_bad_state(call, c, "it runs as many exec instances as it may keep: wait for one to end");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	ctr_exec_inst *x = calloc(1, sizeof(*x));
	if (!g || !x || jg_value(g, params) || !(x->params = jg_finish(g, NULL))) {
		free(x);
		return sv_internal(call, "out of memory");
	}
	if (random_hex(x->id, CTR_EXEC_ID_LEN / 2) < 0) {
		inst_free(x);
		return sv_internal(call, "getrandom failed");
	}
	x->next = c->execs;
	c->execs = x;
	c->n_execs++;
	_cleanup_json_gen_ yajl_gen r = json_gen_new(false);
	if (!r || yajl_gen_map_open(r) || jg_key_str(r, "execId", x->id) || yajl_gen_map_close(r))
		return sv_internal(call, NULL);
	return vl_call_reply_gen(call, r);
}

int sv_exec_start(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	ctr *c;
	const char *id;
	json_fault f = { 0 };
	bool detach;
	if (sp_dispatch(params, SP_PARAMS(SP_STR("execId", true, &id), SP_BOOL("detach", false, &detach)), &f) < 0)
		return sv_invalid_fault(call, &f);
	ctr_exec_inst *x = inst_find(d, id, vl_call_peer(call), &c);
	if (!x)
		return sv_no_such_exec(call, id);
	if (x->started)
		return sv_invalid_state(call, x->id, "started", "an exec instance runs once: create another");
	_cleanup_json_ yajl_val p = NULL;
	cerr err = { 0 };
	if (json_parse(x->params, "exec instance", &p, &err) < 0)
		return sv_internal_err(call, &err);
	exec_args a = { 0 };
	bool up = vl_call_wants_upgrade(call), more = vl_call_wants_more(call);
	if (detach && (up || more))
		return sv_invalid(call, "detach", "has no output, stdin or terminal: call it alone");
	/* detached, it has no terminal or stdin, whatever it was made with */
	if (check_exec(p, false, detach || up, more, &a, &f) < 0)
		return sv_invalid_fault(call, &f);
	if (detach) {
		a.tty = a.interactive = false;
		a.detach = true;
		a.mode = "detach";
	}
	if (c->status != CS_RUNNING || c->pid <= 0)
		return reply_bad_state(call, c, c->status == CS_PAUSED ? "it is paused: unpause it" : "it is not running");
	return exec_in(call, d, c, &a, x);
}

int sv_exec_inspect(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	ctr *c;
	const char *id;
	json_fault f = { 0 };
	if (sp_dispatch(params, SP_PARAMS(SP_STR("execId", true, &id)), &f) < 0)
		return sv_invalid_fault(call, &f);
	ctr_exec_inst *x = inst_find(d, id, vl_call_peer(call), &c);
	if (!x)
		return sv_no_such_exec(call, id);
	_cleanup_json_ yajl_val p = NULL;
	cerr err = { 0 };
	if (json_parse(x->params, "exec instance", &p, &err) < 0)
		return sv_internal_err(call, &err);
	inst_status st = x->started ? read_status(d, c, x) : (inst_status){ 0 };
	bool tty = false, interactive = false;
	yajl_val v;
	if ((v = json_key(p, "tty")) && YAJL_IS_TRUE(v))
		tty = true;
	if ((v = json_key(p, "interactive")) && YAJL_IS_TRUE(v))
		interactive = true;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "exec") || yajl_gen_map_open(g) || jg_key_str(g, "id", x->id) ||
	    jg_key_str(g, "containerId", c->id) || jg_key_bool(g, "started", x->started) ||
	    jg_key_bool(g, "running", x->started && st.known && !st.ended && ctr_alive(c)) ||
	    jg_key_int(g, "pid", st.pid) || (st.ended && jg_key_int(g, "exitCode", st.code)) ||
	    jg_key(g, "command") || jg_value(g, json_get(p, "command")) || jg_key_bool(g, "tty", tty) ||
	    jg_key_bool(g, "interactive", interactive))
		return sv_internal(call, NULL);
	static const char *const opt[] = { "env", "workdir", "user" };
	for (size_t i = 0; i < ARRAY_SIZE(opt); i++)
		if ((v = json_key(p, opt[i])) && !YAJL_IS_NULL(v) && (jg_key(g, opt[i]) || jg_value(g, v)))
			return sv_internal(call, NULL);
	if (yajl_gen_map_close(g) || yajl_gen_map_close(g))
		return sv_internal(call, NULL);
	return vl_call_reply_gen(call, g);
}

/* The monitor's ExecResize: 0, or -ENOENT (it runs no such instance),
 * -ENOTTY (no terminal), another -errno with err set. */
static int monitor_resize(corrald *d, ctr *c, const char *id, long long rows, long long cols, cerr *err)
{
	char params[160];
	snprintf(params, sizeof(params), "{\"execId\":\"%s\",\"rows\":%lld,\"cols\":%lld}", id, rows, cols);
	_cleanup_vl_client_ vl_client *mon = NULL;
	vl_reply rep;
	int r = ctr_monitor_open(d, c, &mon, err);
	if (r < 0)
		return r == -ENOENT || r == -ECONNREFUSED ? -ENOENT : r;
	if ((r = vl_client_call(mon, MONITOR_IFACE ".ExecResize", params, &rep, err)) < 0)
		return r;
	r = !rep.error ? 0 : streq(rep.error, MONITOR_IFACE ".NoTerminal") ? -ENOTTY
		: streq(rep.error, MONITOR_IFACE ".NotRunning") ? -ENOENT : cerr_set(err, EIO, "monitor: %s", rep.error);
	vl_reply_release(&rep);
	return r;
}

int sv_exec_resize(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	ctr *c;
	const char *id;
	long long rows, cols;
	json_fault f = { 0 };
	if (sp_dispatch(params,
			SP_PARAMS(SP_STR("execId", true, &id), SP_INT("rows", 1, 65535, 0, &rows),
				  SP_INT("cols", 1, 65535, 0, &cols)),
			&f) < 0)
		return sv_invalid_fault(call, &f);
	ctr_exec_inst *x = inst_find(d, id, vl_call_peer(call), &c);
	if (!x)
		return sv_no_such_exec(call, id);
	if (!x->started || !ctr_alive(c))
		return sv_invalid_state(call, x->id, x->started ? "ended" : "created", "it is not running");
	cerr err = { 0 };
	int r = monitor_resize(d, c, x->id, rows, cols, &err);
	if (r == -ENOTTY)
		return sv_invalid_state(call, x->id, "running", "it has no terminal");
	if (r == -ENOENT)
		return sv_invalid_state(call, x->id, "ended", "it is not running");
	if (r < 0)
		return sv_internal_err(call, &err);
	return vl_call_reply(call, NULL);
}
