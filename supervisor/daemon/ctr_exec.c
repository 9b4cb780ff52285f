/* Exec: a command in a running container, run by the container's monitor
 * through the runtime's exec, with the container's whole confinement (see
 * monitor_exec_job.c). corrald checks the call, resolves a user name in the
 * container's /etc/passwd, and relays the monitor's answer; a client that
 * hangs up closes the monitor's call, which kills the command. */
#include "supervisor/daemon/ctr_methods.h"
#include "supervisor/daemon/ctr.h"
#include "supervisor/varlink/monitor_iface.h"
#include "supervisor/varlink/params.h"
#include "supervisor/varlink/sv_errors.h"
#include "supervisor/varlink/wire.h"
#include "supervisor/daemon/service.h"
#include "supervisor/varlink/client.h"
#include "bundle/image_user.h"
#include "bundle/spec.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the monitor has the whole reply in hand once it starts to send it */
#define RELAY_RECV_MS 5000

typedef struct exec_relay {
	corrald *d;
	vl_call *call;
	vl_client *mon;
	el_source *src;
	char *id;
} exec_relay;

static void relay_free(exec_relay *r)
{
	el_remove(r->src);
	if (r->mon)
		vl_client_free(r->mon);
	free(r->id);
	free(r);
}

static void on_cancel(vl_call *call, void *data)
{
	relay_free(data); /* the monitor sees the hang-up and kills the command */
}

/* The container ended while its exec was asked for, or ran. */
static int exited(exec_relay *r)
{
	return sv_invalid_state(r->call, r->id, "exited", "it has exited");
}

/* The monitor's reply, relayed: the deferred end of the Exec call. */
static int answer(exec_relay *r, const vl_reply *rep)
{
	if (!rep->error) {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		if (g && jg_value(g, rep->params) == yajl_gen_status_ok)
			return vl_call_reply_gen(r->call, g);
	}
	if (rep->error && streq(rep->error, MONITOR_IFACE ".NotRunning"))
		return exited(r);
	yajl_val param = json_get(rep->params, "parameter");
	if (rep->error && streq(rep->error, VL_ERR_INVALID_PARAMETER) && YAJL_IS_STRING(param))
		return vl_call_invalid_parameter(r->call, param->u.string);
	return sv_internal(r->call, rep->error ? rep->error : "out of memory");
}

static void on_monitor(el_source *s, int fd, uint32_t events, void *data)
{
	exec_relay *r = data;
	vl_reply rep;
	cerr err = { 0 };
	vl_call_set_cancel(r->call, NULL, NULL);
	if (vl_client_recv(r->mon, &rep, &err) == 0) {
		answer(r, &rep);
		vl_reply_release(&rep);
	} else if (err.code != ECONNRESET) {
		sv_internal_err(r->call, &err);
	} else {
		cerr_clear(&err);
		exited(r); /* the monitor ended with the container */
	}
	relay_free(r);
}

/* The monitor's parameters: the call's, with the user as numbers. */
static char *monitor_params(yajl_val params, const char *user_ids)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	for (size_t i = 0; i < params->u.object.len; i++) {
		const char *k = params->u.object.keys[i];
		if (streq(k, "id") || streq(k, "user"))
			continue;
		jg_key(g, k);
		jg_value(g, params->u.object.values[i]);
	}
	if (user_ids)
		jg_key_str(g, "user", user_ids);
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

/* Connect to the monitor of the container in dir, and send it mp, the call's
 * parameters; the relay keeps the call, and answers it with the monitor's
 * reply. */
static int relay_start(corrald *d, const char *dir, const char *id, vl_call *call, const char *mp, cerr *err)
{
	char sock[64];
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	exec_relay *r = calloc(1, sizeof(*r));
	if (!r || !(r->id = strdup(id))) {
		free(r);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	if (dfd < 0) {
		free(r->id);
		free(r);
		return cerr_sys(err, errno, "%s", dir);
	}
	r->d = d;
	r->call = call;
	monitor_sock_path(dfd, sock, sizeof(sock));
	int rc;
	if ((rc = vl_client_connect(sock, &r->mon, err)) < 0 ||
	    (rc = vl_client_send(r->mon, MONITOR_IFACE ".Exec", mp, false, false, err)) < 0) {
		relay_free(r);
		return rc;
	}
	vl_client_set_timeout(r->mon, RELAY_RECV_MS);
	if ((rc = el_add_io(d->loop, vl_client_fd(r->mon), EPOLLIN, on_monitor, r, &r->src, err)) < 0) {
		relay_free(r);
		return rc;
	}
	vl_call_set_cancel(call, on_cancel, r);
	return 0;
}

/* Exec's parameters; the rest of them (command, env) the monitor checks. */
static int check_exec(yajl_val params, const char **id, const char **user, json_fault *f)
{
	long long t;
	const char *wd;
	int r;
	if ((r = sp_known(params, KNOWN("id", "command", "env", "workdir", "user", "timeout"), f)) < 0 ||
	    (r = sp_str(params, "id", true, id, f)) < 0 || (r = sp_int(params, "timeout", 0, 86400, 0, &t, f)) < 0 ||
	    (r = sp_str(params, "workdir", false, &wd, f)) < 0 || (r = sp_str(params, "user", false, user, f)) < 0)
		return r;
	yajl_val cmd = json_get(params, "command");
	if (!YAJL_IS_ARRAY(cmd) || cmd->u.array.len == 0)
		return json_fault_set(f, EINVAL, "command", "must be a non-empty array of strings");
	if (wd && wd[0] != '/')
		return json_fault_set(f, EINVAL, "workdir", "must be an absolute path");
	return 0;
}

int sv_exec(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *id, *user;
	json_fault f = { 0 };
	if (check_exec(params, &id, &user, &f) < 0)
		return sv_invalid_fault(call, &f);
	ctr *c = ctr_find(d, id);
	if (!c)
		return sv_no_such_container(call, id);
	if (c->status != CS_RUNNING || c->pid <= 0)
		return reply_bad_state(call, c, c->status == CS_PAUSED ? "it is paused: unpause it" : "it is not running");
	char dir[PATH_MAX], ids[48] = "";
	ctr_dir(d, c, dir, sizeof(dir));
	cerr err = { 0 };
	if (user) {
		/* a name is looked up in the container's own files, inside its root */
		_cleanup_spec_ struct oci_spec *s = NULL;
		_cleanup_(image_user_release) struct oci_user u = { 0 };
		if (load_config(dir, &s, &err) < 0)
			return sv_internal_err(call, &err);
		if (image_user_resolve_path(s->root_path, user, &u, &err) < 0)
			return sv_invalid_err(call, "user", &err);
		snprintf(ids, sizeof(ids), "%u:%u", u.uid, u.gid);
	}
	_cleanup_free_ char *mp = monitor_params(params, user ? ids : NULL);
	if (!mp)
		return sv_internal(call, "out of memory");
	if (relay_start(d, dir, c->id, call, mp, &err) < 0)
		return sv_internal_err(call, &err);
	return 0; /* the relay keeps the call */
}
