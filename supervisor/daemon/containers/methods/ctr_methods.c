#include "supervisor/daemon/containers/methods/ctr_methods.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/daemon/containers/methods/ctr_logs.h"
#include "supervisor/daemon/containers/methods/ctr_sized.h"
#include "supervisor/daemon/containers/engine/ctr_prune.h"
#include "supervisor/daemon/containers/engine/ctr_bundle.h"
#include "supervisor/logs/crilog.h"
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_publish.h"
#include "supervisor/daemon/containers/record/ctr_gen.h"
#include "supervisor/daemon/containers/record/ctr_record.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/containers/engine/ctr_lifecycle.h"
#include "supervisor/daemon/containers/engine/ctr_monitor.h"
#include "supervisor/daemon/containers/engine/ctr_freeze.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/containers/record/ctr_waiters.h"
#include "supervisor/daemon/containers/record/img_source.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/api/sv_reply.h"
#include "supervisor/varlink/wire.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/core/dir_sizes.h"
#include "supervisor/daemon/containers/engine/fastpath.h"
#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/daemon/containers/record/ctr_stats.h"
#include "cgroups/cgroups.h"
#include "common/signals.h"
#include "common/timefmt.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

/* Stop's answer for a container that was not running: nothing killed it. */
static int reply_stopped(vl_call *call, const ctr *c)
{
	char p[64];
	snprintf(p, sizeof(p), "{\"exitCode\":%d,\"killed\":false}", c->has_exit ? c->exit_code : 0);
	return vl_call_reply(call, p);
}

/* Kill's answer when the monitor found its container gone: it has exited,
 * though its end has not reached us yet. */
static int reply_gone(vl_call *call, const ctr *c)
{
	return sv_invalid_state(call, c->id, ctr_status_str[CS_EXITED], "it is not running");
}

/* Wait's answer once it has ended, and Stop's (killed: the stop signal did
 * not end it in time). */
static int reply_wait_over(vl_call *call, const ctr *c)
{
	char p[96];
	snprintf(p, sizeof(p), "{\"exitCode\":%d,\"oomKilled\":%s}", c->exit_code, c->oom_killed ? "true" : "false");
	return vl_call_reply(call, p);
}

static int reply_stop_over(vl_call *call, const ctr *c)
{
	char p[96];
	snprintf(p, sizeof(p), "{\"exitCode\":%d,\"killed\":%s}", c->exit_code, c->stop_killed ? "true" : "false");
	return vl_call_reply(call, p);
}

/* The call waits for the container, which answers it once (ctr_add_waiter). */
static int wait_for(ctr *c, vl_call *call, int kind)
{
	ctr_done *done = reply_when_done(call, kind == WAIT_STOP ? reply_stop_over : kind == WAIT_REMOVE ? NULL : reply_wait_over);
	if (!done)
		return sv_internal(call, "out of memory");
	ctr_add_waiter(c, done, kind);
	return 0;
}

unsigned ctr_stop_timeout(const ctr *c, long long asked)
{
	return asked < 0 ? c->spec.stop_timeout : (unsigned)asked;
}

int sv_stop(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	CTR_STOP_TARGET(c, timeout, d, call, params);
	ctr_restart_call_off(c, "a Stop came: it stays stopped");
	if (ctr_is_restarting(c)) {
		/* a crash-looping container is often in this window: stop what
		 * the restart starts, as soon as it reports */
		c->stopped_by_user = true;
		c->stop_pending = true;
		c->stop_pending_timeout = timeout;
		c->stop_said = true; /* its kill is sent once the restart reports */
		ctr_record_save(d, c, NULL);
		return wait_for(c, call, WAIT_STOP);
	}
	if (ctr_is_starting(c))
		return reply_bad_state(call, c, "it is starting");
	ctr_restart_cancel_backoff(d, c);
	if (!ctr_alive(c))
		return reply_stopped(call, c);
	c->stopped_by_user = true;
	ctr_record_save(d, c, NULL);
	_cleanup_cerr_ cerr err = { 0 };
	if (ctr_signal(d, c, c->spec.stop_signal, true, timeout, &err) < 0) {
		if (err.code != ESRCH)
			return sv_internal_err(call, &err);
		/* it is ending anyway */
	}
	ctr_thaw_signalled(d, c);
	ctr_publish_stopping(d, c);
	return wait_for(c, call, WAIT_STOP);
}

int sv_kill(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *sigs;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, d, call, params, f, SP_NAME("signal", false, &sigs));
	int sig = sigs ? signal_parse(sigs) : SIGKILL;
	if (sig < 0)
		return sv_invalid(call, "signal", "must be a signal name like SIGTERM, or a number");
	if (ctr_is_starting(c))
		return reply_bad_state(call, c, "it is starting");
	if (ctr_restart_cancel_backoff(d, c))
		return vl_call_reply(call, NULL);
	if (!ctr_alive(c))
		return reply_bad_state(call, c, "it is not running");
	if (sig == SIGKILL || sig == SIGTERM || sig == SIGINT || sig == c->spec.stop_signal) {
		c->stopped_by_user = true;
		ctr_record_save(d, c, NULL);
	}
	_cleanup_cerr_ cerr err = { 0 };
	if (ctr_signal(d, c, sig, false, 0, &err) < 0) {
		if (err.code != ESRCH)
			return sv_internal_err(call, &err);
		return reply_gone(call, c);
	}
	ctr_thaw_signalled(d, c);
	ctr_publish_kill(d, c, sig, 0);
	return vl_call_reply(call, NULL);
}

int sv_remove(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	bool force, volumes;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, d, call, params, f, SP_BOOL("force", false, &force), SP_BOOL("volumes", false, &volumes));
	/* the removal follows its start's report, or its exit */
	bool follows = ctr_is_starting(c) || ctr_alive(c) || c->status == CS_REMOVING;
	if (follows && !force)
		return reply_bad_state(call, c, ctr_is_starting(c) ? "it is starting" : "stop it first, or force");
	_cleanup_cerr_ cerr err = { 0 };
	c->remove_volumes |= volumes;
	if (ctr_remove_forced(d, c, &err) < 0)
		return sv_internal_err(call, &err);
	return follows ? wait_for(c, call, WAIT_REMOVE) : vl_call_reply(call, NULL);
}

int sv_container_prune(vl_call *call, yajl_val params, void *ud)
{
	json_fault f = { 0 };
	prune_filter pf;
	if (sp_known(params, SP_PARAMS(SP_KEY("until"), SP_KEY("labels"), SP_KEY("labelsNot")), &f) < 0 ||
	    prune_filter_parse(params, &pf, &f) < 0)
		return sv_invalid_fault(call, &f);
	_cleanup_strv_ char **removed = NULL;
	_cleanup_json_gen_ yajl_gen g = sv_reply_open();
	if (!g || ctr_prune_stopped(ud, vl_call_peer(call), &pf, &removed) < 0)
		return sv_internal(call, "out of memory");
	jg_key_strv(g, "removed", removed);
	return sv_reply_close(call, g);
}

static bool labels_match(const ctr *c, yajl_val want)
{
	for (size_t i = 0; YAJL_IS_OBJECT(want) && i < want->u.object.len; i++) {
		bool ok = false;
		for (char **l = c->spec.labels; l && l[0] && l[1] && !ok; l += 2)
			ok = streq(l[0], want->u.object.keys[i]) && streq(l[1], want->u.object.values[i]->u.string);
		if (!ok)
			return false;
	}
	return true;
}

static bool state_match(const ctr *c, yajl_val states, bool all)
{
	if (!YAJL_IS_ARRAY(states) || states->u.array.len == 0)
		return all || ctr_alive(c) || c->status == CS_RESTARTING;
	for (size_t i = 0; i < states->u.array.len; i++)
		if (streq(states->u.array.values[i]->u.string, ctr_status_str[c->status]))
			return true;
	return false;
}

/* List's filters: labels, an object of strings; states, an array of states. */
static int check_list_filters(yajl_val labels, yajl_val states, json_fault *f)
{
	static const char strings[] = "must be an object of strings";
	if (labels && !YAJL_IS_OBJECT(labels))
		return json_fault_set(f, EINVAL, "labels", "%s", strings);
	for (size_t i = 0; labels && i < labels->u.object.len; i++) {
		if (!YAJL_IS_STRING(labels->u.object.values[i]))
			return json_fault_set(f, EINVAL, "labels", "%s", strings);
		if (json_name_check(labels->u.object.keys[i], JSON_NAME_MAX, JSON_KEY, "labels", f) < 0)
			return -EINVAL;
	}
	if (states && !YAJL_IS_ARRAY(states))
		return json_fault_set(f, EINVAL, "states", "must be an array of states");
	for (size_t i = 0; states && i < states->u.array.len; i++) {
		yajl_val e = states->u.array.values[i];
		bool ok = false;
		for (int j = 0; YAJL_IS_STRING(e) && j < CS_COUNT; j++)
			ok |= streq(e->u.string, ctr_status_str[j]);
		if (!ok)
			return json_fault_set(f, EINVAL, "states",
					      "must be created, running, paused, exited, restarting or removing");
	}
	return 0;
}

int sv_list(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	bool all, size;
	json_fault f = { 0 };
	yajl_val l = json_key(params, "labels"), s = json_key(params, "states");
	if (sp_dispatch(params,
			SP_PARAMS(SP_BOOL("all", false, &all), SP_KEY("labels"), SP_KEY("states"), SP_BOOL("size", false, &size)),
			&f) < 0 ||
	    check_list_filters(l, s, &f) < 0)
		return sv_invalid_fault(call, &f);
	/* each entry from its cache: List stays cheap with many containers;
	 * with sizes, the entries come once the layers are walked */
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	_cleanup_strv_ char **ids = NULL, **uppers = NULL;
	size_t n = 0;
	int r = sb_adds(&sb, "{\"containers\":[");
	for (ctr *c = d->ctrs; c && !r; c = c->next)
		if (ctr_visible_to(c, vl_call_peer(call)) && labels_match(c, l) && state_match(c, s, all)) {
			if (size)
				r = ctr_sized_add(d, c, &ids, &uppers);
			else
				r = (n ? sb_add(&sb, ",", 1) : 0) || ctr_append_json(c, &sb);
			n++;
		}
	if (!r && size)
		return ctr_reply_sized(call, d, TAKE_PTR(ids), uppers, n, false);
	if (r || (r = sb_adds(&sb, "]}")))
		return sv_internal(call, NULL);
	return vl_call_reply(call, sb.buf);
}

int sv_inspect(vl_call *call, yajl_val params, void *ud)
{
	json_fault f = { 0 };
	bool size;
	CTR_METHOD_TARGET(c, ud, call, params, f, SP_BOOL("size", false, &size));
	if (size) {
		_cleanup_strv_ char **ids = NULL, **uppers = NULL;
		if (ctr_sized_add(ud, c, &ids, &uppers) < 0)
			return sv_internal(call, NULL);
		return ctr_reply_sized(call, ud, TAKE_PTR(ids), uppers, 1, true);
	}
	_cleanup_json_gen_ yajl_gen g = sv_reply_open();
	if (!g)
		return sv_internal(call, NULL);
	jg_key(g, "container");
	ctr_gen(g, c);
	return sv_reply_close(call, g);
}

int sv_wait(vl_call *call, yajl_val params, void *ud)
{
	const char *cond;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, ud, call, params, f, SP_STR("condition", false, &cond));
	if (cond && !streq(cond, "stopped") && !streq(cond, "removed"))
		return sv_invalid(call, "condition", "must be stopped or removed");
	if (cond && streq(cond, "removed"))
		return wait_for(c, call, WAIT_REMOVED);
	if (c->status == CS_EXITED) {
		char p[96];
		snprintf(p, sizeof(p), "{\"exitCode\":%d,\"oomKilled\":%s}", c->exit_code, c->oom_killed ? "true" : "false");
		return vl_call_reply(call, p);
	}
	return wait_for(c, call, WAIT_STOPPED);
}

/* The history in one reply: what Logs answers without more. */
static int reply_history(vl_call *call, const char *path, const crilog_read_opts *o)
{
	_cleanup_free_ char *history = NULL;
	cerr err = { 0 };
	int r = logs_read_all(path, o, &history, &err);
	if (r == -E2BIG)
		return sv_invalid_err(call, "tail", &err);
	if (r < 0)
		return sv_internal_err(call, &err);
	return vl_call_reply(call, history);
}

int sv_logs(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	bool follow, ts;
	long long tail;
	const char *since, *until;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, d, call, params, f, SP_BOOL("follow", false, &follow), SP_BOOL("timestamps", false, &ts),
			  SP_INT("tail", 0, 100000, -1, &tail), SP_STR("since", false, &since), SP_STR("until", false, &until));
	long long ns = 0, until_ns = 0;
	if (since && crilog_parse_since(since, &ns, NULL) < 0)
		return sv_invalid(call, "since", CRILOG_SINCE_WORDS);
	if (until && crilog_parse_since(until, &until_ns, NULL) < 0)
		return sv_invalid(call, "until", CRILOG_SINCE_WORDS);
	if (until_ns && until_ns <= crilog_now_ns())
		follow = false; /* nothing written from now on is before until */
	if (follow && !vl_call_wants_more(call))
		return vl_call_error(call, VL_ERR_EXPECTED_MORE, NULL);
	char dir[PATH_MAX], path[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	crilog_path_of(dir, c->spec.log_path, 0, path);
	crilog_read_opts o = { .since_ns = ns, .until_ns = until_ns, .tail = tail, .keep = ctr_log_files(d, c) };
	if (!vl_call_wants_more(call))
		return reply_history(call, path, &o);
	/* a container that is not running has no more to say: history only */
	bool live = ctr_alive(c) || c->status == CS_CREATED || c->status == CS_RESTARTING;
	/* each stream may hold LOGS_STREAM_QUEUE of corrald's memory */
	uid_t uid = vl_call_peer(call)->uid;
	if (uid != 0 && logs_streams_of(uid) >= LOGS_STREAMS_PER_MEMBER) {
		char why[128];
		snprintf(why, sizeof(why), "uid %u has %u log streams open, the most one member may", (unsigned)uid,
			 LOGS_STREAMS_PER_MEMBER);
		return sv_policy_violation(call, "follow", "log-streams=" LOGS_STREAMS_PER_MEMBER_STR, why);
	}
	logs_stream *s;
	cerr err = { 0 };
	if (logs_stream_start(d->loop, call, path, &o, follow && live, &s, &err) < 0)
		return sv_internal_err(call, &err);
	if (s)
		logs_stream_follow(c, s);
	return 0; /* the stream keeps the call */
}

int sv_stats(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, d, call, params, f);
	if (!ctr_alive(c))
		return reply_bad_state(call, c, "it is not running");
	const char *mount;
	char cgp[PATH_MAX], dir[PATH_MAX];
	if (cg_find_mount(&mount) < 0)
		return sv_internal(call, "no cgroup2 mount");
	ctr_cgroup_path(d, c, cgp, sizeof(cgp));
	snprintf(dir, sizeof(dir), "%s%s", mount, cgp);
	_cleanup_json_gen_ yajl_gen g = sv_reply_open();
	if (!g)
		return sv_internal(call, NULL);
	jg_key(g, "stats");
	/* a session's container on the session's CNI network counts its
	 * interfaces, one on another's network that one's (as Docker's) */
	bool counted = c->spec.network == CTR_NET_CNI || c->spec.network == CTR_NET_CONTAINER || c->spec.session_dns;
	ctr_stats_gen(g, dir, c->id, counted ? c->pid : 0);
	return sv_reply_close(call, g);
}

/* Its log moved away by the one who rotates it (kubelet, which named the
 * path): the monitor writes a new file there. */
int sv_reopen_log(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, d, call, params, f);
	if (!ctr_alive(c))
		return sv_invalid_state(call, c->name, ctr_status_str[c->status], "it is not running");
	_cleanup_vl_client_ vl_client *mon = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	vl_reply rep;
	if (ctr_monitor_open(d, c, &mon, &err) < 0)
		return sv_invalid_state(call, c->name, "ended", "its monitor has gone");
	if (vl_client_call(mon, MONITOR_IFACE ".ReopenLog", NULL, &rep, &err) < 0)
		return sv_internal_err(call, &err);
	bool failed = rep.error != NULL;
	vl_reply_release(&rep);
	if (failed)
		return sv_internal(call, "its monitor could not open the log again");
	return vl_call_reply(call, NULL);
}
