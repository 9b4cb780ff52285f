/* Exec: a command in a running container, run by the container's monitor
 * through the runtime's exec, with the container's whole confinement (see
 * monitor/exec_job.c). corrald checks the call and resolves a user name in
 * the container's /etc/passwd; then it passes the client's connection to
 * the monitor, which answers the call on it (one reply, or "more" replies
 * as output comes) or speaks Streams on it after our upgrade reply (stdin,
 * a terminal). corrald is not in the output's path; a client that hangs up
 * is seen by the monitor, which kills the command. */
#include "supervisor/daemon/containers/methods/ctr_methods.h"
#include "supervisor/daemon/containers/record/ctr_reply.h"
#include "supervisor/daemon/containers/engine/ctr_monitor.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/api/monitor_iface.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/client.h"
#include "bundle/image_user.h"
#include "bundle/spec.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

typedef struct exec_args {
	const char *id, *user, *mode;
	bool tty, interactive, detach;
} exec_args;

/* The monitor's parameters: the call's, with the user as numbers, and how
 * the client is to be answered. */
static char *monitor_params(yajl_val params, const exec_args *a, const char *user_ids)
{
	static const char *const passed[] = { "command", "env", "workdir", "timeout" };
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	for (size_t i = 0; i < ARRAY_SIZE(passed); i++) {
		yajl_val v = json_member(params, passed[i]);
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

/* Exec's parameters; the rest of them (command, env) the monitor checks. */
static int check_exec(yajl_val params, bool upgrade, bool more, exec_args *a, json_fault *f)
{
	long long t;
	const char *wd;
	int r;
	if ((r = sp_known(params, KNOWN("id", "command", "env", "workdir", "user", "timeout", "tty", "interactive", "detach"),
			  f)) < 0 ||
	    (r = sp_name(params, "id", true, &a->id, f)) < 0 || (r = sp_int(params, "timeout", 0, 86400, 0, &t, f)) < 0 ||
	    (r = sp_str(params, "workdir", false, &wd, f)) < 0 || (r = sp_name(params, "user", false, &a->user, f)) < 0 ||
	    (r = sp_bool(params, "tty", false, &a->tty, f)) < 0 ||
	    (r = sp_bool(params, "interactive", false, &a->interactive, f)) < 0 ||
	    (r = sp_bool(params, "detach", false, &a->detach, f)) < 0)
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
	a->mode = upgrade ? "streams" : a->detach ? "detach" : more ? "more" : "reply";
	return 0;
}

int sv_exec(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	exec_args a = { 0 };
	json_fault f = { 0 };
	if (check_exec(params, vl_call_wants_upgrade(call), vl_call_wants_more(call), &a, &f) < 0)
		return sv_invalid_fault(call, &f);
	ctr *c = ctr_find_for(d, a.id, vl_call_peer(call));
	if (!c)
		return sv_no_such_container(call, a.id);
	if (c->status != CS_RUNNING || c->pid <= 0)
		return reply_bad_state(call, c, c->status == CS_PAUSED ? "it is paused: unpause it" : "it is not running");
	char dir[PATH_MAX], ids[48] = "";
	ctr_dir(d, c, dir, sizeof(dir));
	cerr err = { 0 };
	if (a.user) {
		/* a name is looked up in the container's own files, inside its root */
		_cleanup_spec_ struct oci_spec *s = NULL;
		_cleanup_(image_user_release) struct oci_user u = { 0 };
		if (load_config(dir, &s, &err) < 0)
			return sv_internal_err(call, &err);
		if (image_user_resolve_path(s->root_path, a.user, &u, &err) < 0)
			return sv_invalid_err(call, "user", &err);
		snprintf(ids, sizeof(ids), "%u:%u", u.uid, u.gid);
	}
	_cleanup_free_ char *mp = monitor_params(params, &a, a.user ? ids : NULL);
	if (!mp)
		return sv_internal(call, "out of memory");
	_cleanup_vl_client_ vl_client *mon = NULL;
	if (ctr_monitor_open(d, c, &mon, &err) < 0)
		return sv_internal_err(call, &err);
	int fd;
	if ((vl_call_wants_upgrade(call) ? vl_call_upgrade(call, NULL, &fd) : vl_call_hand_over(call, &fd)) < 0)
		return 0; /* ended: the client is gone */
	_cleanup_close_ int client = fd;
	/* oneway: should the monitor be gone by now, the client's call ends
	 * unanswered, as when a container ends under a command */
	if (vl_client_send_fd(mon, MONITOR_IFACE ".Exec", mp, VL_CALL_ONEWAY, client, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "exec in %s", c->name);
	return 0;
}
