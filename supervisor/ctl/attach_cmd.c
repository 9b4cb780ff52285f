/* corralctl attach, and run in the foreground (which attaches before it
 * starts the container, so that nothing it prints is missed). */
#include "supervisor/ctl/attach.h"
#include "supervisor/ctl/ctl.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <getopt.h>
#include <string.h>
#include <stdio.h>

static char *attach_params(const char *id, bool in)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "id", id) || jg_key_bool(g, "stdin", in) ||
	    yajl_gen_map_close(g))
		return NULL;
	return jg_finish(g, NULL);
}

/* opened: run's Start (its stdin is the container's alone: its end closes
 * the container's stdin); NULL for attach (it stays open for the next). */
static int attach(const char *id, const ctl_run_io *io, int (*opened)(void *), bool wait)
{
	_cleanup_free_ char *params = attach_params(id, io->interactive);
	if (!params)
		return ctl_fail("attach", "out of memory"), 125;
	_cleanup_vl_client_ vl_client *c = NULL;
	cerr err = { 0 };
	if (vl_client_connect(ctl_sock, &c, &err) < 0) {
		fprintf(stderr, "corralctl: connect %s: %s\n", ctl_sock, cerr_msg(&err));
		cerr_clear(&err);
		return 125;
	}
	ctl_stream_opts o = { .method = M("Attach"), .params = params, .stdin = io->interactive,
			      .stdin_once = opened != NULL, .tty = io->tty,
			      .sig_proxy = io->sig_proxy,
			      .detach_keys = io->detach_keys ? io->detach_keys : CTL_DETACH_KEYS_DEFAULT,
			      .opened = opened, .data = (void *)id, .wait_id = wait ? id : NULL };
	return ctl_stream(c, &o);
}

/* Attached: now it may start. */
static int start(void *data)
{
	_cleanup_free_ char *p = ctl_obj_id("id", data);
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (!p || ctl_call(&c, M("Start"), p, false, &rep))
		return 125;
	vl_reply_release(&rep);
	return 0;
}

int ctl_run_attached(const char *id, const ctl_run_io *io)
{
	return attach(id, io, start, true);
}

bool ctl_bool_arg(const char *opt, const char *arg, bool *out)
{
	if (!arg || !strcmp(arg, "true"))
		return *out = true;
	if (!strcmp(arg, "false"))
		return !(*out = false);
	fprintf(stderr, "corralctl: %s=%s: takes true or false\n", opt, arg);
	return false;
}

int ctl_attach(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "detach-keys", 1, NULL, 'k' }, { "no-stdin", 0, NULL, 'n' }, { "sig-proxy", 2, NULL, 's' }, { 0 },
	};
	ctl_run_io io = { .interactive = true, .sig_proxy = true };
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "+", longs, NULL)) != -1) {
		switch (o) {
		case 'k': io.detach_keys = optarg; break;
		case 'n': io.interactive = false; break;
		case 's':
			if (!ctl_bool_arg("--sig-proxy", optarg, &io.sig_proxy))
				return 125;
			break;
		default: return 125;
		}
	}
	if (argc - optind != 1)
		return ctl_fail("attach", "expected [OPTIONS] CONTAINER"), 125;
	const char *id = argv[optind];
	/* a terminal if the container has one: its spec says */
	_cleanup_free_ char *p = ctl_obj_id("id", id);
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (!p || ctl_call(&c, M("Inspect"), p, false, &rep))
		return 125;
	yajl_val cfg = json_get(json_get(rep.params, "container"), "config");
	io.tty = YAJL_IS_TRUE(json_get(cfg, "tty"));
	/* stdin goes only to a container that keeps it open */
	io.interactive = io.interactive && YAJL_IS_TRUE(json_get(cfg, "interactive"));
	vl_reply_release(&rep);
	return attach(id, &io, NULL, true);
}
