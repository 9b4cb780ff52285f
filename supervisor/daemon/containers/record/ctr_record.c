/* record.json: a container's record, written atomically and read back at start (older records' snake_case keys too). */
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/spec/ctr_spec_net.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_record.h"
#include "supervisor/daemon/containers/record/ctr_gen.h"
#include "supervisor/daemon/spec/healthcheck.h"
#include "supervisor/daemon/containers/record/ctr_waiters.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "runtime/cgroup_path.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"
#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static yajl_gen record_gen(const ctr *c)
{
	yajl_gen g = json_gen_new(false);
	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	jg_key_str(g, "id", c->id);
	jg_key_str(g, "name", c->name);
	jg_key_str(g, "image", c->image);
	jg_key_str(g, "imageDigest", c->image_digest ? c->image_digest : "");
	if (c->image_manifest)
		jg_key_str(g, "imageManifest", c->image_manifest);
	jg_key_str(g, "created", c->created);
	ctr_gen_command(g, c);
	if (c->spec.n_ports) {
		jg_key(g, "publishedPorts");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < c->spec.n_ports; i++)
			yajl_gen_integer(g, c->spec.ports[i].host_port);
		yajl_gen_array_close(g);
	}
	jg_key(g, "spec");
	ctr_gen_spec(g, c);
	jg_key_str(g, "status", ctr_status_str[c->status]);
	jg_key_int(g, "pid", c->pid);
	jg_key_bool(g, "hasExit", c->has_exit);
	jg_key_int(g, "exitCode", c->exit_code);
	ctr_gen_last_run(g, c);
	jg_key_int(g, "restartsSinceReset", c->rs.restarts);
	jg_key_bool(g, "stoppedByUser", c->stopped_by_user);
	jg_key_bool(g, "hasRun", c->has_run);
	if (c->checkpointed)
		jg_key_bool(g, "checkpointed", true);
	if (c->checkpointing)
		jg_key_bool(g, "checkpointing", true);
	jg_key_int(g, "owner", (long long)c->owner);
	if (c->owner) {
		jg_key_int(g, "ownerGid", (long long)c->owner_gid);
		jg_key(g, "ownerGroups");
		yajl_gen_array_open(g);
		for (unsigned i = 0; i < c->n_owner_groups; i++)
			yajl_gen_integer(g, c->owner_groups[i]);
		yajl_gen_array_close(g);
	}
	if (c->pin_sources)
		jg_key_strv(g, "pinSources", c->pin_sources);
	if (c->spec.n_secrets) { /* what each of spec.secrets was bound to at Create */
		jg_key(g, "secretIds");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < c->spec.n_secrets; i++)
			jg_str(g, c->spec.secrets[i].id ? c->spec.secrets[i].id : "");
		yajl_gen_array_close(g);
	}
	jg_key_int(g, "stopSignal", c->spec.stop_signal); /* the image's is not in the spec */
	if (c->spec.healthcheck) { /* the effective check: the image's is not in the spec */
		jg_key(g, "healthcheck");
		health_check_gen(g, c->spec.healthcheck);
	}
	CTR_FEATURES_EACH(c->d, record.gen, g, c);
	yajl_gen_map_close(g);
	return g;
}

int ctr_record_begin(const corrald *d, const ctr *c, wfa_pending *p, cerr *err)
{
	_cleanup_json_gen_ yajl_gen g = record_gen(c);
	size_t n;
	_cleanup_free_ char *text = g ? jg_finish(g, &n) : NULL;
	if (!text)
		return cerr_set(err, ENOMEM, "out of memory");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s/" CTR_RECORD_FILE, d->containers_dir, c->id);
	/* a spare directory holds its temporary file (fastpath.c) */
	return wfa_begin_ex(p, path, text, n, CTR_RECORD_MODE, WFA_PREMADE, err);
}

int ctr_record_save(const corrald *d, const ctr *c, cerr *err)
{
	_cleanup_json_gen_ yajl_gen g = record_gen(c);
	if (!g)
		return cerr_set(err, ENOMEM, "out of memory");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s/" CTR_RECORD_FILE, d->containers_dir, c->id);
	/* The first save syncs the directory (config.json's entry with it) and
	 * its parent; later ones rename over a durable record, which a crash
	 * leaves old or new. */
	bool first = access(path, F_OK) < 0;
	int r = jg_write_file(g, path, CTR_RECORD_MODE, first ? 0 : WFA_NO_DIRSYNC, err);
	if (r == 0 && first)
		fsync_dir(d->containers_dir);
	return r;
}

/* older records spell some keys in snake_case */
static yajl_val value_of(yajl_val o, const char *key) { return json_get_camel(o, key); }

static const char *str_of(yajl_val o, const char *key)
{
	yajl_val v = value_of(o, key);
	return YAJL_IS_STRING(v) ? v->u.string : "";
}

static long long int_of(yajl_val o, const char *key)
{
	long long x = 0;
	json_int_in(value_of(o, key), -1, 1ll << 40, &x);
	return x;
}

static bool bool_of(yajl_val o, const char *key) { return YAJL_IS_TRUE(value_of(o, key)); }

static int load_command(ctr *c, yajl_val a)
{
	for (size_t i = 0; YAJL_IS_ARRAY(a) && i < a->u.array.len; i++) {
		yajl_val s = a->u.array.values[i];
		char *copy = strdup(YAJL_IS_STRING(s) ? s->u.string : "");
		if (!copy || strv_push(&c->command, copy) < 0) {
			free(copy);
			return -ENOMEM;
		}
	}
	return 0;
}

int ctr_record_load(corrald *d, const char *dir, ctr **out, cerr *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" CTR_RECORD_FILE, dir);
	_cleanup_json_ yajl_val v = NULL;
	int r = json_parse_file_at(AT_FDCWD, path, 1 << 20, &v, err);
	if (r < 0)
		return r;
	const char *id = str_of(v, "id");
	if (strlen(id) != CTR_ID_LEN || !*str_of(v, "name"))
		return cerr_set(err, EINVAL, "%s: bad id or name", path);
	_cleanup_(ctr_freep) ctr *c = ctr_new(d);
	if (!c)
		return cerr_set(err, ENOMEM, "out of memory");
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->name = strdup(str_of(v, "name"));
	c->image = strdup(str_of(v, "image"));
	c->image_digest = strdup(str_of(v, "imageDigest"));
	if (*str_of(v, "imageManifest"))
		c->image_manifest = strdup(str_of(v, "imageManifest"));
	snprintf(c->created, sizeof(c->created), "%s", str_of(v, "created"));
	yajl_val cspec_json = value_of(v, "spec");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (g && !jg_value(g, cspec_json))
		c->spec_json = jg_finish(g, NULL);
	if (!c->name || !c->image || !c->image_digest || !c->spec_json)
		return cerr_set(err, ENOMEM, "out of memory");
	json_fault f = JSON_FAULT_CHAIN(err); /* "field: reason" */
	if ((r = ctr_spec_parse(cspec_json, d->cfg->default_restart, d->cfg->default_stop_timeout, &c->spec, &f)) < 0 ||
	    (r = ctr_spec_default_network(&c->spec, d->cfg->default_network, &f)) < 0 ||
	    ((r = CTR_FEATURES_FIRST(d, create.complete_spec, d, &c->spec, (uid_t)int_of(v, "owner"), &f)) < 0 &&
	     r != -ENOENT))
		return cerr_wrap(err, "%s", path);
	if (load_command(c, value_of(v, "command")) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	yajl_val hp = value_of(v, "publishedPorts"); /* the host ports corrald picked */
	for (size_t i = 0; YAJL_IS_ARRAY(hp) && i < hp->u.array.len && i < c->spec.n_ports; i++) {
		long long port;
		if (!c->spec.ports[i].host_port && json_int_in(hp->u.array.values[i], 1, 65535, &port))
			c->spec.ports[i].host_port = (uint16_t)port;
	}
	long long stop_signal;
	if (json_int_in(value_of(v, "stopSignal"), 1, SIGRTMAX, &stop_signal))
		c->spec.stop_signal = (int)stop_signal;
	yajl_val hc = value_of(v, "healthcheck");
	health_check *eff = NULL;
	if (hc && (r = health_check_parse(hc, "healthcheck", &eff, &f)) < 0)
		return cerr_wrap(err, "%s", path);
	if (eff) {
		health_check_free(c->spec.healthcheck);
		c->spec.healthcheck = eff;
	}
	const char *st = str_of(v, "status");
	c->status = CS_EXITED;
	for (int i = 0; i < CS_COUNT; i++)
		if (streq(st, ctr_status_str[i]))
			c->status = i;
	c->pid = (pid_t)int_of(v, "pid");
	c->has_exit = bool_of(v, "hasExit");
	c->exit_code = (int)int_of(v, "exitCode");
	c->signal = (int)int_of(v, "signal");
	c->oom_killed = bool_of(v, "oomKilled");
	snprintf(c->started_at, sizeof(c->started_at), "%s", str_of(v, "startedAt"));
	snprintf(c->finished_at, sizeof(c->finished_at), "%s", str_of(v, "finishedAt"));
	snprintf(c->end_reason, sizeof(c->end_reason), "%s", str_of(v, "endReason"));
	free(c->start_error);
	c->start_error = *str_of(v, "startError") ? strdup(str_of(v, "startError")) : NULL;
	c->restart_count = (unsigned)int_of(v, "restartCount");
	restart_tally_init(&c->rs);
	c->rs.restarts = (unsigned)int_of(v, "restartsSinceReset");
	c->stopped_by_user = bool_of(v, "stoppedByUser");
	c->has_run = bool_of(v, "hasRun");
	c->checkpointed = bool_of(v, "checkpointed");
	c->checkpointing = bool_of(v, "checkpointing");
	c->owner = (uid_t)int_of(v, "owner");
	yajl_val pinned = value_of(v, "pinSources"); /* absent in records from before */
	for (size_t i = 0; YAJL_IS_ARRAY(pinned) && i < pinned->u.array.len; i++) {
		yajl_val s = pinned->u.array.values[i];
		if (!YAJL_IS_STRING(s))
			return cerr_set(err, EINVAL, "pinSources[%zu]: not a string", i);
		char *src = strdup(s->u.string);
		if (!src || strv_push(&c->pin_sources, src) < 0) {
			free(src);
			return cerr_set(err, ENOMEM, "out of memory");
		}
	}
	/* absent in records from before: nogroup, and no other */
	yajl_val gid = value_of(v, "ownerGid"), groups = value_of(v, "ownerGroups");
	c->owner_gid = YAJL_IS_INTEGER(gid) ? (gid_t)YAJL_GET_INTEGER(gid) : 65534;
	size_t ng = YAJL_IS_ARRAY(groups) ? groups->u.array.len : 0;
	if (ng > PEER_MAX_GROUPS)
		ng = PEER_MAX_GROUPS;
	if (ng && !(c->owner_groups = calloc(ng, sizeof(gid_t))))
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < ng; i++)
		if (YAJL_IS_INTEGER(groups->u.array.values[i]))
			c->owner_groups[c->n_owner_groups++] = (gid_t)YAJL_GET_INTEGER(groups->u.array.values[i]);
	yajl_val ids = value_of(v, "secretIds"); /* absent in records from before */
	for (size_t i = 0; YAJL_IS_ARRAY(ids) && i < ids->u.array.len && i < c->spec.n_secrets; i++) {
		yajl_val sid = ids->u.array.values[i];
		if (YAJL_IS_STRING(sid) && *sid->u.string && !(c->spec.secrets[i].id = strdup(sid->u.string)))
			return cerr_set(err, ENOMEM, "out of memory");
	}
	CTR_FEATURES_EACH(d, record.load, c, v);
	*out = TAKE_PTR(c);
	return 0;
}

void ctr_save(corrald *d, ctr *c)
{
	cerr err = { 0 };
	if (ctr_record_save(d, c, &err) < 0)
		log_cerr(LOG_LVL_ERROR, &err, "container %s", c->id);
	ctr_update_gauges(d);
}
