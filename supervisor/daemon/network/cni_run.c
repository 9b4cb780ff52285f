/* A conflist's plugins run one after another from the loop. */
#include "supervisor/daemon/network/cni_run.h"
#include "supervisor/daemon/network/cni_result.h"
#include "supervisor/daemon/network/cni_conf.h"
#include "supervisor/loop/child.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/monotonic.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char *const cmd_names[] = { "ADD", "DEL", "CHECK", "VERSION" };

struct cni_run {
	struct cni_run *next_live, **prev_live; /* every run under way */
	el_loop *loop;
	enum cni_cmd cmd;
	bool undoing; /* an ADD failed: its DEL runs */
	bool cancelled; /* an ADD whose caller went: no plugin after this one */
	bool cut;       /* corrald's exit: its plugin killed, nothing after it */
	bool retried;   /* a plugin's ADD run again after losing a race (chain_race) */
	yajl_val list, prev;
	char *prev_text;
	char *id, *netns, *ifname, *path, *ip, *mac, *portmap_env_path;
	cni_port *ports;
	size_t n_ports, i, n;
	el_child *child;
	cerr err; /* the first error */
	cni_done_fn done;
	void *data;
};

static void run_free(cni_run *r)
{
	if (r->prev_live) {
		*r->prev_live = r->next_live;
		if (r->next_live)
			r->next_live->prev_live = r->prev_live;
	}
	if (r->list)
		yajl_tree_free(r->list);
	if (r->prev)
		yajl_tree_free(r->prev);
	free(r->prev_text);
	free(r->id), free(r->netns), free(r->ifname), free(r->path), free(r->ip), free(r->mac), free(r->portmap_env_path), free(r->ports);
	cerr_clear(&r->err);
	free(r);
}

static cni_args args_of(const cni_run *r)
{
	return (cni_args){ .container_id = r->id, .netns = r->netns, .ifname = r->ifname, .path = r->path,
			   .ip = r->ip[0] ? r->ip : NULL, .mac = r->mac[0] ? r->mac : NULL, .ports = r->ports, .n_ports = r->n_ports,
			   .portmap_env_path = r->portmap_env_path[0] ? r->portmap_env_path : NULL };
}

static enum cni_cmd cmd_now(const cni_run *r) { return r->undoing ? CNI_DEL : r->cmd; }
static bool reverse(const cni_run *r) { return cmd_now(r) == CNI_DEL; }
static size_t plugin_index(const cni_run *r) { return reverse(r) ? r->n - 1 - r->i : r->i; }

static void next(cni_run *r);
static void finish(cni_run *r);

/* corrald's exit cut it: its owner hears so, as of any failure */
static void cut_short(cni_run *r)
{
	if (!r->err.code)
		cerr_set(&r->err, ECANCELED, "CNI %s of network %s: cut short by corrald's exit", cmd_names[cmd_now(r)],
			 cni_list_name(r->list));
	finish(r);
}

static void finish(cni_run *r)
{
	int code = r->err.code ? -r->err.code : 0;
	if (r->done) {
		_cleanup_free_ char *text = NULL;
		if (!code && r->cmd == CNI_ADD && r->prev)
			text = r->prev_text ? strdup(r->prev_text) : NULL;
		r->done(code, text, &r->err, r->data);
	}
	run_free(r);
}

/* A step failed: keep the first error; an ADD turns into its DEL. */
static void failed(cni_run *r, cerr *e)
{
	cerr_keep_first(&r->err, e);
	if (r->cmd == CNI_ADD && !r->undoing) {
		r->undoing = true;
		r->i = 0;
		return next(r);
	}
	r->i++;
	next(r);
}

static int exec_plugin(cni_run *r, cerr *err);

/* Two ADDs at once on a host without the plugins' iptables chains yet:
 * each plugin checks for a chain, then makes it, and the loser fails with
 * "File exists" (containernetworking-plugins 1.1). Its second try finds
 * the chain; nothing of the failed try was made before it. */
static bool chain_race(const el_child_result *res)
{
	for (int k = 0; k < 2; k++) {
		const char *b = res->out[k].buf;
		size_t n = res->out[k].len;
		if (b && memmem(b, n, "iptables", 8) && memmem(b, n, "(File exists)", 13))
			return true;
	}
	return false;
}

static void on_plugin_done(const el_child_result *res, void *data)
{
	cni_run *r = data;
	r->child = NULL;
	if (r->cut)
		return cut_short(r);
	const char *type = cni_plugin_type(cni_list_plugin(r->list, plugin_index(r)));
	cerr e = { 0 };
	if (r->cancelled && !r->undoing) {
		cerr_set(&e, ECANCELED, "CNI plugin %s: cancelled", type);
		return failed(r, &e);
	}
	if (res->code != 0 && cmd_now(r) == CNI_ADD && !r->retried && chain_race(res)) {
		r->retried = true;
		if (exec_plugin(r, &e) == 0)
			return;
		return failed(r, &e);
	}
	if (res->code != 0) {
		cni_plugin_error(type, res->code, &res->out[0], &res->out[1], &e);
		return failed(r, &e);
	}
	if (res->truncated) {
		cerr_set(&e, EFBIG, "CNI plugin %s: its output is over %d bytes", type, CNI_MAX_OUTPUT);
		return failed(r, &e);
	}
	enum cni_cmd c = cmd_now(r);
	if (c == CNI_ADD) {
		yajl_val v = NULL;
		_cleanup_free_ char *text = strndup(res->out[0].buf ? res->out[0].buf : "", res->out[0].len);
		if (!text || cni_result_parse(text, type, &v, &e) < 0) {
			if (!text)
				cerr_set(&e, ENOMEM, "out of memory");
			return failed(r, &e);
		}
		if (r->prev)
			yajl_tree_free(r->prev);
		free(r->prev_text);
		r->prev = v;
		r->prev_text = TAKE_PTR(text);
	} else if (c == CNI_VERSION) {
		const char *ver = YAJL_GET_STRING(json_key(r->list, "cniVersion"));
		_cleanup_free_ char *text = strndup(res->out[0].buf ? res->out[0].buf : "", res->out[0].len);
		if (!text || cni_version_check(text, type, ver, &e) < 0) {
			if (!text)
				cerr_set(&e, ENOMEM, "out of memory");
			return failed(r, &e);
		}
	}
	r->i++;
	next(r);
}

static int exec_plugin(cni_run *r, cerr *err)
{
	size_t k = plugin_index(r);
	const char *type = cni_plugin_type(cni_list_plugin(r->list, k));
	char bin[PATH_MAX];
	int rc = cni_find_plugin(r->path, type, bin, sizeof(bin), err);
	if (rc < 0)
		return rc;
	cni_args a = args_of(r);
	if (!streq(type, "portmap"))
		a.portmap_env_path = NULL;
	_cleanup_free_ char *conf = NULL;
	size_t len = 0;
	if (cmd_now(r) == CNI_VERSION) {
		if (asprintf(&conf, "{\"cniVersion\":\"%s\"}", YAJL_GET_STRING(json_key(r->list, "cniVersion"))) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		len = strlen(conf);
	} else if (!(conf = cni_plugin_conf(r->list, k, r->prev, &a, &len, err))) {
		return -err->code;
	}
	_cleanup_strv_ char **env = NULL;
	if (cni_env(cmd_names[cmd_now(r)], &a, &env) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	char *argv[] = { (char *)type, NULL };
	el_child_opts o = { .path = bin, .argv = argv, .fd3 = SPAWN_NULL, .max_output = CNI_MAX_OUTPUT,
			    .envp = env, .input = conf, .input_len = len, .ends_with_loop = true };
	rc = el_child_run(r->loop, &o, on_plugin_done, r, &r->child, err);
	return rc < 0 ? cerr_wrap(err, "CNI plugin %s", type) : 0;
}

static void next(cni_run *r)
{
	while (r->i < r->n) {
		_cleanup_cerr_ cerr e = { 0 };
		if (exec_plugin(r, &e) == 0)
			return;
		if (!r->err.code) {
			r->err = e;
			e = (cerr){ 0 };
		}
		if (r->cmd == CNI_ADD && !r->undoing) {
			r->undoing = true;
			r->i = 0;
			continue;
		}
		r->i++;
	}
	finish(r);
}

static int dup_str(char **dst, const char *s)
{
	*dst = strdup(s ? s : "");
	return *dst ? 0 : -ENOMEM;
}

int cni_run_start(cni_runner *rn, enum cni_cmd cmd, const char *list_text, const char *prev_result, const cni_args *a,
		  cni_done_fn done, void *data, cni_run **out, cerr *err)
{
	if (rn->cutting)
		return cerr_set(err, ECANCELED, "CNI %s: not started: corrald is exiting", cmd_names[cmd]);
	cni_run *r = calloc(1, sizeof(*r));
	if (!r)
		return cerr_set(err, ENOMEM, "out of memory");
	*r = (cni_run){ .loop = rn->loop, .cmd = cmd, .done = done, .data = data };
	int rc = cni_conflist_parse(list_text, "network config", &r->list, err);
	if (rc == 0 && prev_result && (rc = json_parse(prev_result, "network result", &r->prev, err)) == 0 &&
	    !(r->prev_text = strdup(prev_result)))
		rc = cerr_set(err, ENOMEM, "out of memory");
	if (rc == 0 && (dup_str(&r->id, a->container_id) < 0 || dup_str(&r->netns, a->netns) < 0 ||
			dup_str(&r->ifname, a->ifname) < 0 || dup_str(&r->path, a->path) < 0 ||
			dup_str(&r->ip, a->ip) < 0 || dup_str(&r->mac, a->mac) < 0 ||
			dup_str(&r->portmap_env_path, a->portmap_env_path) < 0))
		rc = cerr_set(err, ENOMEM, "out of memory");
	if (rc == 0 && a->n_ports) {
		if (!(r->ports = calloc(a->n_ports, sizeof(*r->ports))))
			rc = cerr_set(err, ENOMEM, "out of memory");
		else
			memcpy(r->ports, a->ports, a->n_ports * sizeof(*r->ports));
		r->n_ports = a->n_ports;
	}
	if (rc < 0) {
		run_free(r);
		return rc;
	}
	r->n = cni_list_len(r->list);
	r->next_live = rn->live;
	if (rn->live)
		rn->live->prev_live = &r->next_live;
	r->prev_live = &rn->live;
	rn->live = r;
	if (out)
		*out = r;
	next(r); /* done may run at once, when nothing could be exec'd */
	return 0;
}

void cni_run_detach(cni_run *r, cni_done_fn done, void *data)
{
	r->done = done;
	r->data = data;
	r->cancelled = true;
	if (r->child && cmd_now(r) != CNI_DEL)
		el_child_kill(r->child);
}

void cni_run_drain(cni_runner *rn, int timeout_ms)
{
	uint64_t end = mono_usec() + (uint64_t)timeout_ms * 1000;
	while (rn->live && mono_usec() < end)
		if (el_run_once(rn->loop, 100) < 0)
			break;
	/* what did not finish: its plugin killed, the rest not run (no DEL of
	 * a cut ADD either), and its owner told, so that it holds it no more */
	rn->cutting = true;
	for (cni_run *r = rn->live, *next_r; r; r = next_r) {
		next_r = r->next_live;
		log_warn("CNI %s of network %s for %s: cut short by corrald's exit", cmd_names[cmd_now(r)],
			 cni_list_name(r->list), r->id);
		r->cut = true;
		if (r->child)
			el_child_kill(r->child);
	}
	for (cni_run *r; (r = rn->live) && !r->child;)
		cut_short(r);
	/* each killed plugin's end ends its run (on_plugin_done); one whose
	 * end never comes is left, not freed under its child's callback */
	for (int i = 0; rn->live && i < 50; i++)
		if (el_run_once(rn->loop, 100) < 0)
			break;
}
