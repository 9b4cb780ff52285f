#include "service.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "crilog.h"
#include "interface.h"
#include "params.h"
#include "spec.h"
#include "varlink_wire.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define KNOWN(...) ((const char *const[]){ __VA_ARGS__, NULL })

static corrald *D(void *ud) { return ud; }

static void not_wired(vl_call *call)
{
	_cleanup_free_ char *p = vl_json_obj1("method", vl_call_method(call));
	vl_call_error(call, VL_ERR_METHOD_NOT_IMPLEMENTED, p);
}

/* ---- implemented ---- */

static void m_ping(vl_call *call, yajl_val params, void *ud)
{
	if (sp_known(call, params, KNOWN("")) < 0)
		return;
	vl_call_reply(call, NULL);
}

static void m_get_info(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = D(ud);
	if (sp_known(call, params, KNOWN("")) < 0)
		return;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return (void)vl_call_error(call, SV_ERR("InternalError"), NULL);
	yajl_gen_map_open(g);
	jg_key_str(g, "version", CORRAL_VERSION);
	jg_key_str(g, "commit", CORRAL_COMMIT);
	jg_key_int(g, "pid", getpid());
	jg_key_str(g, "stateDir", d->cfg->state_dir);
	jg_key_str(g, "socket", d->cfg->socket);
	jg_key_str(g, "cgroupParent", d->cgroup_parent ? d->cgroup_parent : "");
	jg_key_int(g, "uptimeSec", (long long)((el_now_usec() - d->started_usec) / 1000000));
	jg_key_int(g, "connections", (long long)vl_server_n_connections(d->srv));
	jg_key_int(g, "containers", 0);
	jg_key_int(g, "running", 0);
	jg_key_int(g, "images", 0);
	yajl_gen_map_close(g);
	vl_call_reply_gen(call, g);
}

int corrald_render_metrics(strbuf *out, void *data)
{
	corrald *d = data;
	metrics_set_connections(d->metrics, vl_server_n_connections(d->srv));
	return metrics_render(d->metrics, out);
}

static void m_metrics(vl_call *call, yajl_val params, void *ud)
{
	if (sp_known(call, params, KNOWN("")) < 0)
		return;
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	if (corrald_render_metrics(&sb, ud) < 0)
		return (void)vl_call_error(call, SV_ERR("InternalError"), NULL);
	_cleanup_free_ char *p = vl_json_obj1("text", sb.buf);
	if (!p)
		return (void)vl_call_error(call, SV_ERR("InternalError"), NULL);
	vl_call_reply(call, p);
}

/* ---- checked, not wired yet ---- */

static void m_create(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = D(ud);
	if (sp_known(call, params, KNOWN("spec")) < 0)
		return;
	yajl_val v = json_get(params, "spec");
	if (!v || YAJL_IS_NULL(v))
		return (void)sp_invalid(call, "spec", "required");
	ctr_spec spec;
	char field[256] = "spec";
	cerr err = { 0 };
	if (ctr_spec_parse(v, d->cfg->default_restart, d->cfg->default_stop_timeout, &spec, field,
			   sizeof(field), &err) < 0) {
		sp_invalid(call, field, cerr_msg(&err));
		cerr_clear(&err);
		return;
	}
	ctr_spec_release(&spec);
	not_wired(call);
}

static int need_id(vl_call *call, yajl_val params, const char *const *known)
{
	const char *id;
	if (sp_known(call, params, known) < 0 || sp_str(call, params, "id", true, &id) < 0)
		return -EINVAL;
	return 0;
}

static void m_start(vl_call *call, yajl_val params, void *ud)
{
	if (need_id(call, params, KNOWN("id")) == 0)
		not_wired(call);
}

static void m_stop(vl_call *call, yajl_val params, void *ud)
{
	long long t;
	if (need_id(call, params, KNOWN("id", "timeout")) == 0 &&
	    sp_int(call, params, "timeout", 0, 86400, -1, &t) == 0)
		not_wired(call);
}

static void m_kill(vl_call *call, yajl_val params, void *ud)
{
	const char *sig;
	if (need_id(call, params, KNOWN("id", "signal")) < 0 ||
	    sp_str(call, params, "signal", false, &sig) < 0)
		return;
	if (sig && ctr_parse_signal(sig) < 0)
		return (void)sp_invalid(call, "signal", "must be a signal name like SIGTERM, or a number");
	not_wired(call);
}

static void m_remove(vl_call *call, yajl_val params, void *ud)
{
	bool force;
	if (need_id(call, params, KNOWN("id", "force")) == 0 &&
	    sp_bool(call, params, "force", false, &force) == 0)
		not_wired(call);
}

static void m_inspect(vl_call *call, yajl_val params, void *ud)
{
	if (need_id(call, params, KNOWN("id")) == 0)
		not_wired(call);
}

static void m_stats(vl_call *call, yajl_val params, void *ud) { m_inspect(call, params, ud); }

static void m_list(vl_call *call, yajl_val params, void *ud)
{
	bool all;
	if (sp_known(call, params, KNOWN("all", "labels", "states")) < 0 ||
	    sp_bool(call, params, "all", false, &all) < 0)
		return;
	yajl_val l = json_get(params, "labels"), s = json_get(params, "states");
	if (l && !YAJL_IS_NULL(l)) {
		if (!YAJL_IS_OBJECT(l))
			return (void)sp_invalid(call, "labels", "must be an object of strings");
		for (size_t i = 0; i < l->u.object.len; i++)
			if (!YAJL_IS_STRING(l->u.object.values[i]))
				return (void)sp_invalid(call, "labels", "must be an object of strings");
	}
	if (s && !YAJL_IS_NULL(s)) {
		static const char *const states[] = { "created", "running", "paused", "stopped", "restarting", "removing" };
		if (!YAJL_IS_ARRAY(s))
			return (void)sp_invalid(call, "states", "must be an array of states");
		for (size_t i = 0; i < s->u.array.len; i++) {
			yajl_val e = s->u.array.values[i];
			bool ok = false;
			for (size_t j = 0; YAJL_IS_STRING(e) && j < ARRAY_SIZE(states); j++)
				ok |= streq(e->u.string, states[j]);
			if (!ok)
				return (void)sp_invalid(call, "states", "must be created, running, paused, stopped, restarting or removing");
		}
	}
	not_wired(call);
}

static void m_wait(vl_call *call, yajl_val params, void *ud)
{
	const char *cond;
	if (need_id(call, params, KNOWN("id", "condition")) < 0 ||
	    sp_str(call, params, "condition", false, &cond) < 0)
		return;
	if (cond && !streq(cond, "stopped") && !streq(cond, "removed"))
		return (void)sp_invalid(call, "condition", "must be stopped or removed");
	not_wired(call);
}

static void m_logs(vl_call *call, yajl_val params, void *ud)
{
	bool follow, ts;
	long long tail;
	const char *since;
	if (need_id(call, params, KNOWN("id", "follow", "tail", "since", "timestamps")) < 0 ||
	    sp_bool(call, params, "follow", false, &follow) < 0 ||
	    sp_bool(call, params, "timestamps", false, &ts) < 0 ||
	    sp_int(call, params, "tail", 0, 100000, -1, &tail) < 0 ||
	    sp_str(call, params, "since", false, &since) < 0)
		return;
	long long ns;
	cerr err = { 0 };
	if (since && crilog_parse_since(since, &ns, &err) < 0) {
		sp_invalid(call, "since", "must be an RFC 3339 time or seconds since the epoch");
		cerr_clear(&err);
		return;
	}
	if (follow && !vl_call_wants_more(call))
		return (void)vl_call_error(call, VL_ERR_EXPECTED_MORE, NULL);
	not_wired(call);
}

static void m_events(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = D(ud);
	const char *since, *bad;
	if (sp_known(call, params, KNOWN("since", "filters")) < 0 ||
	    sp_str(call, params, "since", false, &since) < 0)
		return;
	long long since_ns = -1; /* no replay unless asked */
	cerr err = { 0 };
	if (since && crilog_parse_since(since, &since_ns, &err) < 0) {
		cerr_clear(&err);
		return (void)sp_invalid(call, "since", "must be an RFC 3339 time or seconds since the epoch");
	}
	if (events_check_filters(json_get(params, "filters"), &bad) < 0) {
		char field[96];
		snprintf(field, sizeof(field), "filters%s%s", streq(bad, "filters") ? "" : ".",
			 streq(bad, "filters") ? "" : bad);
		return (void)sp_invalid(call, field, "filters are type, action, id and name, each a string");
	}
	if (!vl_call_wants_more(call))
		return (void)vl_call_error(call, VL_ERR_EXPECTED_MORE, NULL);
	if (events_subscribe(d->events, call, since_ns, json_get(params, "filters")) < 0)
		vl_call_error(call, SV_ERR("InternalError"), NULL);
}

static void m_exec(vl_call *call, yajl_val params, void *ud)
{
	long long t;
	if (need_id(call, params, KNOWN("id", "command", "env", "workdir", "user", "timeout")) < 0 ||
	    sp_int(call, params, "timeout", 0, 86400, 0, &t) < 0)
		return;
	yajl_val c = json_get(params, "command");
	if (!YAJL_IS_ARRAY(c) || c->u.array.len == 0)
		return (void)sp_invalid(call, "command", "must be a non-empty array of strings");
	for (size_t i = 0; i < c->u.array.len; i++)
		if (!YAJL_IS_STRING(c->u.array.values[i]))
			return (void)sp_invalid(call, "command", "must be a non-empty array of strings");
	not_wired(call);
}

static void m_image_import(vl_call *call, yajl_val params, void *ud)
{
	const char *path, *fmt, *name;
	if (sp_known(call, params, KNOWN("path", "format", "name")) < 0 ||
	    sp_str(call, params, "path", true, &path) < 0 || sp_str(call, params, "format", false, &fmt) < 0 ||
	    sp_str(call, params, "name", false, &name) < 0)
		return;
	if (path[0] != '/')
		return (void)sp_invalid(call, "path", "must be an absolute path");
	if (fmt && !streq(fmt, "auto") && !streq(fmt, "oci") && !streq(fmt, "docker"))
		return (void)sp_invalid(call, "format", "must be auto, oci or docker");
	not_wired(call);
}

static void m_image_list(vl_call *call, yajl_val params, void *ud)
{
	if (sp_known(call, params, KNOWN("names")) == 0)
		not_wired(call);
}

static void m_image_one(vl_call *call, yajl_val params, void *ud)
{
	const char *img;
	bool force;
	if (sp_known(call, params, KNOWN("image", "force")) == 0 &&
	    sp_str(call, params, "image", true, &img) == 0 && sp_bool(call, params, "force", false, &force) == 0)
		not_wired(call);
}

static void m_image_prune(vl_call *call, yajl_val params, void *ud)
{
	bool all;
	if (sp_known(call, params, KNOWN("all")) == 0 && sp_bool(call, params, "all", false, &all) == 0)
		not_wired(call);
}

static const vl_method methods[] = {
	{ "Ping", m_ping },
	{ "GetInfo", m_get_info },
	{ "Metrics", m_metrics },
	{ "ImageImport", m_image_import },
	{ "ImageList", m_image_list },
	{ "ImageInspect", m_image_one },
	{ "ImageRemove", m_image_one },
	{ "ImagePrune", m_image_prune },
	{ "CreateContainer", m_create },
	{ "Start", m_start },
	{ "Stop", m_stop },
	{ "Kill", m_kill },
	{ "Remove", m_remove },
	{ "List", m_list },
	{ "Inspect", m_inspect },
	{ "Wait", m_wait },
	{ "Logs", m_logs },
	{ "Events", m_events },
	{ "Stats", m_stats },
	{ "Exec", m_exec },
};

const vl_interface corral_supervisor_iface = {
	CORRAL_SUPERVISOR_INTERFACE, corral_supervisor_interface, methods, ARRAY_SIZE(methods),
};

bool corrald_method_mutates(const char *m)
{
	static const char *const mut[] = { "ImageImport", "ImageRemove", "ImagePrune", "CreateContainer",
					   "Start", "Stop", "Kill", "Remove", "Exec" };
	size_t n = strlen(CORRAL_SUPERVISOR_INTERFACE);
	if (strncmp(m, CORRAL_SUPERVISOR_INTERFACE, n) || m[n] != '.')
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(mut); i++)
		if (streq(m + n + 1, mut[i]))
			return true;
	return false;
}

static const char *target_of(yajl_val params)
{
	static const char *const keys[] = { "id", "image", "path" };
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		yajl_val v = json_get(params, keys[i]);
		if (YAJL_IS_STRING(v))
			return v->u.string;
	}
	yajl_val spec = json_get(params, "spec");
	yajl_val n = json_get(spec, "name");
	if (YAJL_IS_STRING(n))
		return n->u.string;
	n = json_get(spec, "image");
	return YAJL_IS_STRING(n) ? n->u.string : NULL;
}

void corrald_on_call_done(const vl_call_info *info, void *userdata)
{
	corrald *d = userdata;
	/* names clients made up must not grow the metrics without bound */
	bool unknown = info->error && (streq(info->error, VL_ERR_METHOD_NOT_FOUND) ||
				       streq(info->error, VL_ERR_INTERFACE_NOT_FOUND));
	bool denied = info->error && streq(info->error, SV_ERR("PermissionDenied"));
	metrics_rpc(d->metrics, unknown || denied ? "other" : info->method, info->error, info->usec);
	if (!denied && !corrald_method_mutates(info->method))
		return;
	cerr err = { 0 };
	if (audit_write(&d->audit, info->peer, info->method, target_of(info->params),
			info->error ? info->error : "ok", NULL, &err) < 0) {
		log_warn("%s", cerr_msg(&err));
		cerr_clear(&err);
	}
	if (denied)
		log_info("refused %s from uid %u pid %d: not root and not in group %s", info->method,
			 (unsigned)info->peer->uid, (int)info->peer->pid, d->cfg->group);
}

void corrald_on_refused(const peer_cred *peer, const char *why, void *userdata)
{
	corrald *d = userdata;
	metrics_add_refused(d->metrics, 1);
	log_warn("refused a connection from uid %u pid %d: %s", (unsigned)peer->uid, (int)peer->pid, why);
}
