#include "supervisor/daemon/ctr_methods.h"
#include "supervisor/daemon/ctr_bundle.h"
#include "supervisor/logs/crilog.h"
#include "supervisor/daemon/ctr.h"
#include "supervisor/daemon/ctr_ended.h"
#include "supervisor/daemon/ctr_monitor.h"
#include "supervisor/daemon/ctr_spawn.h"
#include "supervisor/daemon/ctr_waiters.h"
#include "supervisor/daemon/img_source.h"
#include "supervisor/varlink/params.h"
#include "supervisor/daemon/service.h"
#include "supervisor/daemon/fastpath.h"
#include "supervisor/daemon/ctr_spec.h"
#include "cgroups/cgroups.h"
#include "common/timefmt.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/log.h"
#include "runtime/state.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#define KNOWN(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void no_such(vl_call *call, const char *ref)
{
	_cleanup_free_ char *p = vl_json_obj1("id", ref);
	vl_call_error(call, SV_ERR("NoSuchContainer"), p);
}

static void bad_state(vl_call *call, const ctr *c, const char *reason)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return (void)vl_call_error(call, SV_ERR("InvalidState"), NULL);
	yajl_gen_map_open(g);
	jg_key_str(g, "id", c->id);
	jg_key_str(g, "state", ctr_status_str[c->status]);
	jg_key_str(g, "reason", reason);
	yajl_gen_map_close(g);
	_cleanup_free_ char *p = jg_finish(g, NULL);
	vl_call_error(call, SV_ERR("InvalidState"), p);
}

static void internal(vl_call *call, cerr *err)
{
	_cleanup_free_ char *p = vl_json_obj1("reason", cerr_msg(err));
	cerr_clear(err);
	vl_call_error(call, SV_ERR("InternalError"), p);
}

/* The container the call names by "id", or NULL (the call is then over). */
static ctr *get(corrald *d, vl_call *call, yajl_val params, const char *const *known)
{
	const char *id;
	if (sp_known(call, params, known) < 0 || sp_str(call, params, "id", true, &id) < 0)
		return NULL;
	ctr *c = ctr_find(d, id);
	if (!c)
		no_such(call, id);
	return c;
}

static void new_id(char id[CTR_ID_LEN + 1])
{
	unsigned char b[CTR_ID_LEN / 2];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)random();
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(id + 2 * i, 3, "%02x", b[i]);
}

void sv_create(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	if (sp_known(call, params, KNOWN("spec")) < 0)
		return;
	yajl_val v = json_get(params, "spec");
	if (!v || YAJL_IS_NULL(v))
		return (void)sp_invalid(call, "spec", "required");
	char field[256] = "spec";
	cerr err = { 0 };
	_cleanup_free_ ctr *c = calloc(1, sizeof(*c));
	if (!c)
		return (void)vl_call_error(call, SV_ERR("InternalError"), NULL);
	c->mon_fd = -1;
	c->d = d;
	if (ctr_spec_parse(v, d->cfg->default_restart, d->cfg->default_stop_timeout, &c->spec, field, sizeof(field),
			   &err) < 0) {
		sp_invalid(call, field, cerr_msg(&err));
		cerr_clear(&err);
		return;
	}
	for (size_t i = 0; i < c->spec.n_mounts; i++) {
		struct stat st;
		if (stat(c->spec.mounts[i].source, &st) < 0) {
			snprintf(field, sizeof(field), "spec.mounts[%zu].source", i);
			char why[PATH_MAX + 64];
			snprintf(why, sizeof(why), "%s: %s", c->spec.mounts[i].source, strerror(errno));
			ctr_spec_release(&c->spec);
			return (void)sp_invalid(call, field, why);
		}
	}
	if (c->spec.name) {
		ctr *other = ctr_by_name(d, c->spec.name);
		if (other) {
			_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
			_cleanup_free_ char *p = NULL;
			if (g && !yajl_gen_map_open(g) && !jg_key_str(g, "name", c->spec.name) &&
			    !jg_key_str(g, "id", other->id) && !yajl_gen_map_close(g))
				p = jg_finish(g, NULL);
			ctr_spec_release(&c->spec);
			return (void)vl_call_error(call, SV_ERR("NameInUse"), p);
		}
	}
	new_id(c->id);
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	int r = fastpath_dir_take(d, dir);
	if (r < 0) {
		ctr_spec_release(&c->spec);
		cerr_sys(&err, -r, "%s", dir);
		return internal(call, &err);
	}
	fastpath_standby(d, c); /* its exec overlaps the rest of Create */
	image_ref img;
	if (imagesrc_resolve(d->cfg->state_dir, c->spec.image, dir, &img, &err) < 0) {
		int code = err.code;
		_cleanup_free_ char *p = vl_json_obj1("image", c->spec.image);
		ctr_spawn_abandon(c);
		ctr_spec_release(&c->spec);
		rm_rf(dir);
		if (code == ENOENT) {
			cerr_clear(&err);
			return (void)vl_call_error(call, SV_ERR("NoSuchImage"), p);
		}
		return internal(call, &err);
	}
	if (img.shared)
		fastpath_dir_unneeded(dir);
	c->name = c->spec.name ? strdup(c->spec.name) : strndup(c->id, 12);
	c->image = strdup(c->spec.image);
	c->image_digest = strdup(img.id);
	c->image_manifest = img.manifest ? strdup(img.manifest) : NULL;
	rfc3339_ns(0, c->created, sizeof(c->created));
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (g && !jg_value(g, v))
		c->spec_json = jg_finish(g, NULL);
	const char *bad = NULL;
	r = -ENOMEM;
	c->status = CS_CREATED;
	wfa_pending rec = WFA_PENDING_INIT;
	if (!c->name || !c->image || !c->image_digest || !c->spec_json || (img.manifest && !c->image_manifest))
		cerr_set(&err, ENOMEM, "out of memory");
	else if ((r = ctr_record_begin(d, c, &rec, &err)) == 0) {
		/* the record is written while config.json is made; both are
		 * synced at once, then renamed, config.json first, so that a
		 * record always has its bundle */
		bundle_in in = { .id = c->id, .hostname = c->name, .spec = &c->spec, .image = &img,
				 .cgroup_parent = d->cgroup_parent };
		wfa_pending cfg = WFA_PENDING_INIT;
		if ((r = bundle_write(dir, &in, &bad, &cfg, &err)) == 0 &&
		    (r = wfa_commit_all((wfa_pending *const[]){ &cfg, &rec }, 2, &err)) == 0) {
			fastpath_standby_prep(c); /* it loads the bundle while the directories sync */
			if ((r = fsync_dirs((const char *const[]){ dir, d->containers_dir }, 2)) < 0)
				cerr_sys(&err, -r, "%s", dir);
		}
		wfa_abort(&cfg);
		wfa_abort(&rec);
	}
	image_ref_release(&img);
	if (r < 0) {
		ctr_spawn_abandon(c);
		imagesrc_release(dir);
		rm_rf(dir);
		if (bad) {
			sp_invalid(call, bad, cerr_msg(&err));
			cerr_clear(&err);
		} else {
			internal(call, &err);
		}
		ctr_free(TAKE_PTR(c));
		return;
	}
	restart_state_init(&c->rs);
	c->next = d->ctrs;
	d->ctrs = c;
	ctr *made = TAKE_PTR(c);
	events_publish(d->events, "container", "create", made->id, made->name,
		       (const char *const[]){ "image", made->image, NULL }, 0);
	ctr_update_gauges(d);
	_cleanup_json_gen_ yajl_gen o = json_gen_new(false);
	if (!o)
		return (void)vl_call_error(call, SV_ERR("InternalError"), NULL);
	yajl_gen_map_open(o);
	jg_key_str(o, "id", made->id);
	jg_key_str(o, "name", made->name);
	yajl_gen_map_close(o);
	vl_call_reply_gen(call, o);
}

void sv_start(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	ctr *c = get(ud, call, params, KNOWN("id"));
	if (!c)
		return;
	if (c->status == CS_RUNNING || c->status == CS_REMOVING)
		return bad_state(call, c, "it is already running");
	if (ctr_is_starting(c))
		return bad_state(call, c, "it is starting");
	if (c->restart_timer) {
		el_remove(c->restart_timer);
		c->restart_timer = NULL;
	}
	c->stopped_by_user = false;
	restart_state_init(&c->rs);
	cerr err = { 0 };
	if (ctr_start(d, c, call, &err) < 0) {
		c->status = c->has_run ? CS_EXITED : CS_CREATED;
		ctr_record_save(d, c, NULL);
		return internal(call, &err);
	}
	fastpath_dir_refill(d); /* while the monitor creates the container */
}

static void reply_code(vl_call *call, int code)
{
	char p[32];
	snprintf(p, sizeof(p), "{\"exitCode\":%d}", code);
	vl_call_reply(call, p);
}

/* A restart waiting on its backoff is simply called off. */
static bool cancel_restart(corrald *d, ctr *c)
{
	if (c->status != CS_RESTARTING)
		return false;
	el_remove(c->restart_timer);
	c->restart_timer = NULL;
	c->status = CS_EXITED;
	c->stopped_by_user = true;
	ctr_record_save(d, c, NULL);
	ctr_update_gauges(d);
	return true;
}

void sv_stop(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	long long t;
	ctr *c = get(ud, call, params, KNOWN("id", "timeout"));
	if (!c || sp_int(call, params, "timeout", 0, 86400, -1, &t) < 0)
		return;
	unsigned timeout = t < 0 ? c->spec.stop_timeout : (unsigned)t;
	if (ctr_is_restarting(c)) {
		/* a crash-looping container is often in this window: stop what
		 * the restart starts, as soon as it reports */
		c->stopped_by_user = true;
		c->stop_pending = true;
		c->stop_pending_timeout = timeout;
		ctr_record_save(d, c, NULL);
		events_publish(d->events, "container", "stop", c->id, c->name, NULL, 0);
		return ctr_add_waiter(c, call, WAIT_STOP);
	}
	if (ctr_is_starting(c))
		return bad_state(call, c, "it is starting");
	cancel_restart(d, c);
	if (c->status != CS_RUNNING)
		return reply_code(call, c->has_exit ? c->exit_code : 0);
	c->stopped_by_user = true;
	ctr_record_save(d, c, NULL);
	cerr err = { 0 };
	if (ctr_signal(d, c, c->spec.stop_signal, true, timeout, &err) < 0) {
		if (err.code != ESRCH)
			return internal(call, &err);
		cerr_clear(&err); /* it is ending anyway */
	}
	events_publish(d->events, "container", "stop", c->id, c->name, NULL, 0);
	ctr_add_waiter(c, call, WAIT_STOP);
}

void sv_kill(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *sigs;
	ctr *c = get(ud, call, params, KNOWN("id", "signal"));
	if (!c || sp_str(call, params, "signal", false, &sigs) < 0)
		return;
	int sig = sigs ? ctr_parse_signal(sigs) : SIGKILL;
	if (sig < 0)
		return (void)sp_invalid(call, "signal", "must be a signal name like SIGTERM, or a number");
	if (ctr_is_starting(c))
		return bad_state(call, c, "it is starting");
	if (cancel_restart(d, c))
		return (void)vl_call_reply(call, NULL);
	if (c->status != CS_RUNNING)
		return bad_state(call, c, "it is not running");
	if (sig == SIGKILL || sig == SIGTERM || sig == SIGINT || sig == c->spec.stop_signal) {
		c->stopped_by_user = true;
		ctr_record_save(d, c, NULL);
	}
	cerr err = { 0 };
	if (ctr_signal(d, c, sig, false, 0, &err) < 0) {
		if (err.code == ESRCH) {
			cerr_clear(&err);
			return bad_state(call, c, "it is not running");
		}
		return internal(call, &err);
	}
	char n[16];
	snprintf(n, sizeof(n), "%d", sig);
	events_publish(d->events, "container", "kill", c->id, c->name, (const char *const[]){ "signal", n, NULL }, 0);
	vl_call_reply(call, NULL);
}

void sv_remove(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	bool force;
	ctr *c = get(ud, call, params, KNOWN("id", "force"));
	if (!c || sp_bool(call, params, "force", false, &force) < 0)
		return;
	if (ctr_is_starting(c))
		return bad_state(call, c, "it is starting");
	cancel_restart(d, c);
	cerr err = { 0 };
	if (c->status == CS_RUNNING || c->status == CS_REMOVING) {
		if (!force)
			return bad_state(call, c, "stop it first, or force");
		c->status = CS_REMOVING;
		c->stopped_by_user = true;
		ctr_record_save(d, c, NULL);
		if (ctr_signal(d, c, SIGKILL, false, 0, &err) < 0)
			cerr_clear(&err); /* ending anyway: the removal follows the exit */
		ctr_add_waiter(c, call, WAIT_REMOVE);
		return;
	}
	if (ctr_remove_now(d, c, &err) < 0)
		return internal(call, &err);
	vl_call_reply(call, NULL);
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
		return all || c->status == CS_RUNNING || c->status == CS_RESTARTING;
	for (size_t i = 0; i < states->u.array.len; i++)
		if (streq(states->u.array.values[i]->u.string, ctr_status_str[c->status]))
			return true;
	return false;
}

void sv_list(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	bool all;
	if (sp_known(call, params, KNOWN("all", "labels", "states")) < 0 || sp_bool(call, params, "all", false, &all) < 0)
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
		if (!YAJL_IS_ARRAY(s))
			return (void)sp_invalid(call, "states", "must be an array of states");
		for (size_t i = 0; i < s->u.array.len; i++) {
			yajl_val e = s->u.array.values[i];
			bool ok = false;
			for (int j = 0; YAJL_IS_STRING(e) && j < CS_COUNT; j++)
				ok |= streq(e->u.string, ctr_status_str[j]);
			if (!ok)
				return (void)sp_invalid(call, "states", "must be created, running, exited, restarting or removing");
		}
	}
	/* each entry from its cache: List stays cheap with many containers */
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	int r = sb_adds(&sb, "{\"containers\":[");
	bool first = true;
	for (ctr *c = d->ctrs; c && !r; c = c->next)
		if (labels_match(c, l) && state_match(c, s, all)) {
			r = first ? 0 : sb_add(&sb, ",", 1);
			r = r ? r : ctr_append_json(c, &sb);
			first = false;
		}
	if (r || (r = sb_adds(&sb, "]}")))
		return (void)vl_call_error(call, SV_ERR("InternalError"), NULL);
	vl_call_reply(call, sb.buf);
}

void sv_inspect(vl_call *call, yajl_val params, void *ud)
{
	ctr *c = get(ud, call, params, KNOWN("id"));
	if (!c)
		return;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return (void)vl_call_error(call, SV_ERR("InternalError"), NULL);
	yajl_gen_map_open(g);
	jg_key(g, "container");
	ctr_gen(g, c);
	yajl_gen_map_close(g);
	vl_call_reply_gen(call, g);
}

void sv_wait(vl_call *call, yajl_val params, void *ud)
{
	const char *cond;
	ctr *c = get(ud, call, params, KNOWN("id", "condition"));
	if (!c || sp_str(call, params, "condition", false, &cond) < 0)
		return;
	if (cond && !streq(cond, "stopped") && !streq(cond, "removed"))
		return (void)sp_invalid(call, "condition", "must be stopped or removed");
	if (cond && streq(cond, "removed"))
		return ctr_add_waiter(c, call, WAIT_REMOVED);
	if (c->status == CS_EXITED) {
		char p[96];
		snprintf(p, sizeof(p), "{\"exitCode\":%d,\"oomKilled\":%s}", c->exit_code, c->oom_killed ? "true" : "false");
		return (void)vl_call_reply(call, p);
	}
	ctr_add_waiter(c, call, WAIT_STOPPED);
}

void sv_logs(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	bool follow, ts;
	long long tail;
	const char *since;
	ctr *c = get(ud, call, params, KNOWN("id", "follow", "tail", "since", "timestamps"));
	if (!c || sp_bool(call, params, "follow", false, &follow) < 0 ||
	    sp_bool(call, params, "timestamps", false, &ts) < 0 || sp_int(call, params, "tail", 0, 100000, -1, &tail) < 0 ||
	    sp_str(call, params, "since", false, &since) < 0)
		return;
	long long ns = 0;
	cerr err = { 0 };
	if (since && crilog_parse_since(since, &ns, &err) < 0) {
		cerr_clear(&err);
		return (void)sp_invalid(call, "since", "must be an RFC 3339 time or seconds since the epoch");
	}
	if (follow && !vl_call_wants_more(call))
		return (void)vl_call_error(call, "org.varlink.service.ExpectedMore", NULL);
	char path[PATH_MAX];
	ctr_dir(d, c, path, sizeof(path));
	strncat(path, "/" CRILOG_FILE, sizeof(path) - strlen(path) - 1);
	crilog_read_opts o = { .since_ns = ns, .tail = tail, .keep = d->cfg->log_max_files };
	bool live = c->status == CS_RUNNING || c->status == CS_CREATED || c->status == CS_RESTARTING;
	logs_stream *s = NULL;
	/* a container that is not running has no more to say: history only */
	if (logs_serve(d->loop, call, path, &o, follow && live, &s) == 0 && s)
		ctr_add_follow(c, s);
}

static long long cg_value(const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	char line[512];
	long long sum = -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			if (!strncmp(line, "max", 3))
				return -1;
			return strtoll(line, NULL, 10);
		}
		/* "usage_usec N" lines, or io.stat's "maj:min rbytes=N wbytes=N ..." */
		size_t k = strlen(key);
		for (char *p = strstr(line, key); p; p = strstr(p + 1, key))
			if ((p == line || p[-1] == ' ') && (p[k] == ' ' || p[k] == '=')) {
				sum = (sum < 0 ? 0 : sum) + strtoll(p + k + 1, NULL, 10);
				break;
			}
	}
	return sum;
}

static long long count_lines(const char *dir, const char *file)
{
	char path[PATH_MAX], line[64];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	long long n = 0;
	while (f && fgets(line, sizeof(line), f))
		n++;
	return f ? n : -1;
}

void sv_stats(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	ctr *c = get(ud, call, params, KNOWN("id"));
	if (!c)
		return;
	if (c->status != CS_RUNNING)
		return bad_state(call, c, "it is not running");
	const char *mount;
	char dir[PATH_MAX];
	if (cg_find_mount(&mount) < 0)
		return (void)vl_call_error(call, SV_ERR("InternalError"), NULL);
	snprintf(dir, sizeof(dir), "%s%s/%s", mount, streq(d->cgroup_parent, "/") ? "" : d->cgroup_parent, c->id);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return (void)vl_call_error(call, SV_ERR("InternalError"), NULL);
	long long v;
#define KV(k, x) (v = (x), jg_key_int(g, k, v < 0 ? 0 : v))
#define KVN(k, x) (v = (x), jg_key(g, k), v < 0 ? yajl_gen_null(g) : yajl_gen_integer(g, v))
	yajl_gen_map_open(g);
	jg_key(g, "stats");
	yajl_gen_map_open(g);
	jg_key_str(g, "id", c->id);
	KV("cpuUsageUsec", cg_value(dir, "cpu.stat", "usage_usec"));
	KV("memoryBytes", cg_value(dir, "memory.current", NULL));
	KVN("memoryLimit", cg_value(dir, "memory.max", NULL));
	long long np = cg_value(dir, "pids.current", NULL);
	if (np < 0)
		np = count_lines(dir, "cgroup.procs");
	KV("pids", np);
	KVN("pidsLimit", cg_value(dir, "pids.max", NULL));
	KV("ioReadBytes", cg_value(dir, "io.stat", "rbytes"));
	KV("ioWriteBytes", cg_value(dir, "io.stat", "wbytes"));
	KV("oomKills", cg_value(dir, "memory.events", "oom_kill"));
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
#undef KV
#undef KVN
	vl_call_reply_gen(call, g);
}
