/* The Container object of the interface, and List's cached copy of it. */
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/spec/ctr_spec_net.h"
#include "supervisor/daemon/containers/record/ctr.h"
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ctr_gen_spec(yajl_gen g, const ctr *c)
{
	ctr *m = (ctr *)c; /* the cache is not part of the value */
	if (!m->spec_tree && m->spec_json) {
		_cleanup_cerr_ cerr err = { 0 };
		json_parse(m->spec_json, "spec", &m->spec_tree, &err);
	}
	return m->spec_tree ? jg_value(g, m->spec_tree) : (int)yajl_gen_null(g);
}

void ctr_gen_command(yajl_gen g, const ctr *c)
{
	if (!c->command)
		return;
	jg_key(g, "command");
	yajl_gen_array_open(g);
	for (char **a = c->command; *a; a++)
		jg_str(g, *a);
	yajl_gen_array_close(g);
}

void ctr_gen_last_run(yajl_gen g, const ctr *c)
{
	jg_key_int(g, "signal", c->signal);
	jg_key_bool(g, "oomKilled", c->oom_killed);
	jg_key_str(g, "startedAt", c->started_at);
	jg_key_str(g, "finishedAt", c->finished_at);
	if (c->end_reason[0])
		jg_key_str(g, "endReason", c->end_reason);
	if (c->start_error)
		jg_key_str(g, "startError", c->start_error);
	jg_key_int(g, "restartCount", c->restart_count);
}

int ctr_gen(yajl_gen g, const ctr *c)
{
	yajl_gen_map_open(g);
	jg_key_str(g, "id", c->id);
	jg_key_str(g, "name", c->name);
	jg_key_int(g, "owner", (long long)c->owner);
	jg_key_str(g, "image", c->image);
	jg_key_str(g, "imageDigest", c->image_digest ? c->image_digest : "");
	jg_key_str(g, "created", c->created);
	ctr_gen_command(g, c);
	cni_ports_gen(g, "ports", c->spec.ports, c->spec.n_ports);
	jg_key(g, "labels");
	yajl_gen_map_open(g);
	for (char **l = c->spec.labels; l && l[0] && l[1]; l += 2)
		jg_key_str(g, l[0], l[1]);
	yajl_gen_map_close(g);
	jg_key(g, "config");
	ctr_gen_spec(g, c);
	jg_key(g, "state");
	yajl_gen_map_open(g);
	jg_key_str(g, "status", ctr_status_str[c->status]);
	jg_key_int(g, "pid", ctr_alive(c) ? c->pid : 0);
	jg_key(g, "exitCode");
	c->has_exit ? yajl_gen_integer(g, c->exit_code) : yajl_gen_null(g);
	ctr_gen_last_run(g, c);
	jg_key_bool(g, "checkpointed", c->checkpointed);
	CTR_FEATURES_EACH(c->d, inspect.state_keys, g, c);
	yajl_gen_map_close(g);
	CTR_FEATURES_EACH(c->d, inspect.top_keys, g, c->d, c);
	return yajl_gen_map_close(g);
}

static void list_key_of(const ctr *c, struct ctr_list_key *k)
{
	memset(k, 0, sizeof(*k)); /* padding too: the key is compared with memcmp */
	k->status = (int)c->status;
	k->pid = ctr_alive(c) ? (int)c->pid : 0;
	k->has_exit = c->has_exit;
	k->exit_code = c->exit_code;
	k->signal = c->signal;
	k->oom_killed = c->oom_killed;
	k->checkpointed = c->checkpointed;
	k->restart_count = c->restart_count;
	const ctr_service *s = c->d ? c->d->containers : NULL;
	for (size_t i = 0; s && i < s->n_features; i++)
		if (s->features[i]->inspect.version)
			k->features += s->features[i]->inspect.version(c);
	/* same sizes: a plain copy (no printf on List's path) */
	_Static_assert(sizeof(k->started_at) == sizeof(c->started_at), "started_at");
	_Static_assert(sizeof(k->finished_at) == sizeof(c->finished_at), "finished_at");
	memcpy(k->started_at, c->started_at, sizeof(k->started_at));
	memcpy(k->finished_at, c->finished_at, sizeof(k->finished_at));
}

void ctr_list_stale(ctr *c)
{
	free(c->list_json);
	c->list_json = NULL;
}

int ctr_append_json(ctr *c, strbuf *sb)
{
	struct ctr_list_key k;
	list_key_of(c, &k);
	if (!c->list_json || memcmp(&k, &c->list_key, sizeof(k))) {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		if (!g || ctr_gen(g, c))
			return -ENOMEM;
		size_t n;
		char *text = jg_finish(g, &n);
		if (!text)
			return -ENOMEM;
		free(c->list_json);
		c->list_json = text;
		c->list_len = n;
		c->list_key = k;
	}
	return sb_add(sb, c->list_json, c->list_len);
}
