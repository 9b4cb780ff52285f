#include "supervisor/daemon/health/checker.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/host/host_info.h"
#include "supervisor/daemon/core/admission.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/core/store_gate.h"
#include "supervisor/daemon/core/events_methods.h"
#include "supervisor/daemon/readiness/readiness.h"
#include "supervisor/daemon/service.h"
#include "supervisor/daemon/network/net_metrics.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "supervisor/api/interface.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/api/sv_reply.h"
#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/methods/ctr_logs.h"
#include "supervisor/daemon/copy/ctr_copy.h"
#include "supervisor/daemon/copy/ctr_changes.h"
#include "supervisor/daemon/build/commit_methods.h"
#include "supervisor/daemon/build/build_method.h"
#include "supervisor/daemon/build/cache_methods.h"
#include "supervisor/daemon/copy/ckpt_methods.h"
#include "supervisor/daemon/containers/methods/ctr_methods.h"
#include "supervisor/daemon/containers/methods/ctr_checkpoint.h"
#include "supervisor/daemon/containers/methods/ctr_top.h"
#include "supervisor/daemon/containers/methods/ctr_rename.h"
#include "supervisor/daemon/containers/methods/ctr_pause.h"
#include "supervisor/daemon/containers/methods/ctr_attach.h"
#include "supervisor/daemon/containers/methods/ctr_exec.h"
#include "supervisor/daemon/containers/methods/ctr_update.h"
#include "supervisor/daemon/containers/methods/ctr_run_methods.h"
#include "supervisor/daemon/images/img_methods.h"
#include "supervisor/daemon/images/img_prune.h"
#include "supervisor/daemon/images/img_remove.h"
#include "supervisor/daemon/images/img_archive.h"
#include "supervisor/daemon/images/img_tag.h"
#include "supervisor/daemon/images/img_inspect.h"
#include "supervisor/daemon/images/img_list.h"
#include "supervisor/daemon/images/images.h"
#include "supervisor/daemon/pulls/pull_methods.h"
#include "supervisor/daemon/pulls/push_methods.h"
#include "supervisor/daemon/jobs/job_methods.h"
#include "supervisor/daemon/policy/policy_methods.h"
#include "supervisor/daemon/secrets/methods.h"
#include "supervisor/daemon/secrets/secrets_methods.h"
#include "supervisor/daemon/volumes/volumes.h"
#include "supervisor/daemon/network/net_methods.h"
#include "supervisor/daemon/network/net_conn_methods.h"
#include "supervisor/daemon/sessions/session_methods.h"
#include "supervisor/daemon/sessions/session_state_methods.h"
#include "supervisor/daemon/workloads/wl_loop.h"
#include "supervisor/daemon/workloads/wl_metrics.h"
#include "supervisor/daemon/workloads/wl_methods.h"
#include "supervisor/daemon/broker/broker.h"
#include "supervisor/daemon/stream/stream.h"
#include "supervisor/varlink/wire.h"
#include "common/monotonic.h"
#include "common/version.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static corrald *D(void *ud) { return ud; }

static int m_ping(vl_call *call, yajl_val params, void *ud)
{
	SV_NO_PARAMS(call, params);
	return vl_call_reply(call, NULL);
}

static int m_get_info(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = D(ud);
	SV_NO_PARAMS(call, params);
	_cleanup_json_gen_ yajl_gen g = sv_reply_open();
	if (!g)
		return sv_internal(call, NULL);
	jg_key_str(g, "version", CORRAL_VERSION);
	jg_key_str(g, "commit", corral_commit);
	jg_key_int(g, "pid", getpid());
	jg_key_str(g, "stateDir", d->cfg->state_dir);
	jg_key_str(g, "socket", d->cfg->socket);
	jg_key_str(g, "cgroupParent", d->cgroup_parent ? d->cgroup_parent : "");
	jg_key_int(g, "uptimeSec", (long long)((mono_usec() - d->started_usec) / 1000000));
	jg_key_int(g, "connections", (long long)vl_server_n_connections(d->srv));
	jg_key_int(g, "containers", (long long)ctr_count(d, -1));
	jg_key_int(g, "running", (long long)ctr_count(d, CS_RUNNING));
	size_t n_images = 0;
	corrald_update_image_gauges(d, &n_images);
	jg_key_int(g, "images", (long long)n_images);
	jg_key(g, "host");
	yajl_gen_map_open(g);
	host_info_gen(d, g);
	jg_key(g, "containerStates");
	yajl_gen_map_open(g);
	static const struct { const char *name; int status; } states[] = {
		{ "created", CS_CREATED }, { "running", CS_RUNNING }, { "paused", CS_PAUSED }, { "exited", CS_EXITED },
	};
	for (size_t i = 0; i < ARRAY_SIZE(states); i++)
		jg_key_int(g, states[i].name, (long long)ctr_count(d, states[i].status));
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	return sv_reply_close(call, g);
}

int corrald_render_metrics(strbuf *out, void *data)
{
	corrald *d = data;
	corrald_update_image_gauges(d, NULL);
	ctr_update_gauges(d);
	metrics_set_connections(d->metrics, vl_server_n_connections(d->srv));
	metrics_set_log_streams(d->metrics, logs_streams_open());
	int r = metrics_render(d->metrics, out);
	r = r < 0 ? r : net_metrics_render(d, out);
	r = r < 0 ? r : health_metrics_render(d, out);
	r = r < 0 ? r : broker_render_metrics(d, out);
	return r < 0 ? r : wl_render_metrics(d, out);
}

static int m_metrics(vl_call *call, yajl_val params, void *ud)
{
	SV_NO_PARAMS(call, params);
	/* the series name every user's sessions and workloads: root's to read */
	if (owner_is_member(vl_call_peer(call)))
		return sv_permission_denied(call, "the metrics describe every user's objects: only root reads them");
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	if (corrald_render_metrics(&sb, ud) < 0)
		return sv_internal(call, NULL);
	_cleanup_free_ char *p = vl_json_obj1("text", sb.buf);
	if (!p)
		return sv_internal(call, NULL);
	return vl_call_reply(call, p);
}

/* The methods that read the image store as corrald's loop does, never
 * waiting for its lock: while a gc holds it whole, each waits the gc out
 * (store_gate.h) rather than fail "busy". */
#define STORE_GATED(fn) \
	static int gated_##fn(vl_call *call, yajl_val params, void *ud) \
	{ \
		_cleanup_sv_fault_ sv_fault f = { 0 }; \
		int r = store_gate_park(ud, call, fn, &f); \
		return r < 0 ? sv_reply_fault(call, &f) : r > 0 ? 0 : fn(call, params, ud); \
	}
STORE_GATED(sv_image_list)
STORE_GATED(sv_image_inspect)
STORE_GATED(sv_image_history)
STORE_GATED(sv_image_tag)
STORE_GATED(sv_container_commit)
STORE_GATED(sv_image_commit)
STORE_GATED(sv_build_cache_get)
STORE_GATED(sv_build)
STORE_GATED(sv_image_save)
STORE_GATED(sv_image_remove)
STORE_GATED(sv_image_prune)
STORE_GATED(sv_image_sign)
STORE_GATED(sv_image_verify)
STORE_GATED(sv_policy_show)
STORE_GATED(sv_create)
STORE_GATED(sv_system_prune)
STORE_GATED(sv_changes)

static const vl_method methods[] = {
	{ "Ping", m_ping },
	{ "GetInfo", m_get_info },
	{ "Metrics", m_metrics },
	{ "Health", sv_health },
	{ "ImageImport", sv_image_import },
	{ "ImagePull", sv_image_pull },
	{ "ImagePush", sv_image_push },
	{ "Login", sv_login },
	{ "Logout", sv_logout },
	{ "ImageList", gated_sv_image_list },
	{ "ImageInspect", gated_sv_image_inspect },
	{ "ImageHistory", gated_sv_image_history },
	{ "ImageTag", gated_sv_image_tag },
	{ "ContainerCommit", gated_sv_container_commit },
	{ "ImageCommit", gated_sv_image_commit },
	{ "BuildCacheGet", gated_sv_build_cache_get },
	{ "BuildCachePrune", sv_build_cache_prune },
	{ "Build", gated_sv_build },
	{ "ImageLoad", sv_image_load },
	{ "ImageSave", gated_sv_image_save },
	{ "ImageRemove", gated_sv_image_remove },
	{ "ImagePrune", gated_sv_image_prune },
	{ "ImageSign", gated_sv_image_sign },
	{ "ImageVerify", gated_sv_image_verify },
	{ "PolicyShow", gated_sv_policy_show },
	{ "CreateContainer", gated_sv_create },
	{ "Start", sv_start },
	{ "Stop", sv_stop },
	{ "Kill", sv_kill },
	{ "Remove", sv_remove },
	{ "List", sv_list },
	{ "Inspect", sv_inspect },
	{ "Wait", sv_wait },
	{ "Logs", sv_logs },
	{ "ReopenLog", sv_reopen_log },
	{ "Update", sv_update },
	{ "Events", sv_events },
	{ "Stats", sv_stats },
	{ "Exec", sv_exec },
	{ "ExecCreate", sv_exec_create },
	{ "ExecStart", sv_exec_start },
	{ "ExecInspect", sv_exec_inspect },
	{ "ExecResize", sv_exec_resize },
	{ "Attach", sv_attach },
	{ "StreamPrepare", sv_stream_prepare },
	{ "Restart", sv_restart },
	{ "Pause", sv_pause },
	{ "Unpause", sv_unpause },
	{ "Checkpoint", sv_checkpoint },
	{ "Restore", sv_restore },
	{ "CheckpointExport", sv_checkpoint_export },
	{ "CheckpointImport", sv_checkpoint_import },
	{ "Top", sv_top },
	{ "Port", sv_port },
	{ "Rename", sv_rename },
	{ "ContainerPrune", sv_container_prune },
	{ "SystemPrune", gated_sv_system_prune },
	{ "CopyFrom", sv_copy_from },
	{ "CopyTo", sv_copy_to },
	{ "Export", sv_export },
	{ "Changes", gated_sv_changes },
	{ "JobSubmit", sv_job_submit },
	{ "JobBatch", sv_job_batch },
	{ "JobList", sv_job_list },
	{ "JobInspect", sv_job_inspect },
	{ "JobWait", sv_job_wait },
	{ "JobCancel", sv_job_cancel },
	{ "JobLogs", sv_job_logs },
	{ "SecretCreate", sv_secret_create },
	{ "SecretList", sv_secret_list },
	{ "SecretRemove", sv_secret_remove },
	{ "VolumeCreate", sv_volume_create },
	{ "VolumeList", sv_volume_list },
	{ "VolumeInspect", sv_volume_inspect },
	{ "VolumeRemove", sv_volume_remove },
	{ "VolumePrune", sv_volume_prune },
	{ "NetworkCreate", sv_network_create },
	{ "NetworkList", sv_network_list },
	{ "NetworkInspect", sv_network_inspect },
	{ "NetworkRemove", sv_network_remove },
	{ "NetworkConnect", sv_network_connect },
	{ "NetworkDisconnect", sv_network_disconnect },
	{ "SessionCreate", sv_session_create },
	{ "SessionList", sv_session_list },
	{ "SessionInspect", sv_session_inspect },
	{ "SessionRemove", sv_session_remove },
	{ "SessionStop", sv_session_stop },
	{ "BrokerPublish", sv_broker_publish },
	{ "BrokerSubscribe", sv_broker_subscribe },
	{ "BrokerRequest", sv_broker_request },
	{ "SessionStateGet", sv_session_state_get },
	{ "SessionStateSet", sv_session_state_set },
	{ "SessionStateRemove", sv_session_state_remove },
	{ "SessionStateList", sv_session_state_list },
	{ "WorkloadApply", sv_workload_apply },
	{ "WorkloadList", sv_workload_list },
	{ "WorkloadInspect", sv_workload_inspect },
	{ "WorkloadDelete", sv_workload_delete },
};

const vl_interface corral_supervisor_iface = {
	CORRAL_SUPERVISOR_INTERFACE, corral_supervisor_interface, methods, ARRAY_SIZE(methods),
};

bool corrald_method_mutates(const char *m)
{
	static const char *const mut[] = { "ImageImport", "ImagePull", "ImagePush", "Login", "Logout", "ImageRemove", "ImagePrune", "ImageSign", "CreateContainer",
					   "ContainerCommit", "ImageCommit", "BuildCachePrune", "Build",
					   "Start", "Stop", "Kill", "Remove", "Exec", "ExecCreate", "ExecStart", "Attach", "StreamPrepare", "Restart", "Pause", "Unpause",
					   "Rename", "ContainerPrune", "SystemPrune", "CopyTo",
					   "JobSubmit", "JobBatch", "JobCancel", "SecretCreate", "SecretRemove",
					   "NetworkCreate", "NetworkRemove", "SessionCreate", "SessionRemove",
					   "SessionStateSet", "SessionStateRemove", "BrokerPublish", "BrokerRequest",
					   "WorkloadApply", "WorkloadDelete", "VolumeCreate", "VolumeRemove",
					   "VolumePrune" };
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
	static const char *const keys[] = { "id", "image", "path", "name" /* a secret's */, "session", "reference",
					    "registry", "execId" };
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		yajl_val v = json_get(params, keys[i]);
		if (YAJL_IS_STRING(v))
			return v->u.string;
	}
	yajl_val cspec_json = json_get(params, "spec");
	yajl_val n = json_get(cspec_json, "name");
	if (YAJL_IS_STRING(n))
		return n->u.string;
	n = json_get(cspec_json, "image");
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
		log_cerr(LOG_LVL_WARN, &err, NULL);
	}
	/* a peer outside the group, or a member asking for what only root may */
	if (denied)
		log_info("refused %s from uid %u pid %d: permission denied (group %s)", info->method,
			 (unsigned)info->peer->uid, (int)info->peer->pid, d->cfg->group);
}

void corrald_on_refused(const peer_cred *peer, const char *why, void *userdata)
{
	corrald *d = userdata;
	admission_capped(d, &d->connect_rates, peer, "varlink", why);
}
