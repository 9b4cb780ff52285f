/* corralctl attach, and run in the foreground (which attaches before it
 * starts the container, so that nothing it prints is missed). */
#include "supervisor/ctl/ctl_attach.h"
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/attach_cmd.h"
#include "supervisor/ctl/ctl_call.h"
#include "common/cleanup.h"
#include "common/detach_keys.h"
#include "common/json.h"

#include <stdio.h>
#include <string.h>

typedef struct starter {
	const char *id;
	int (*start)(const char *id);
} starter;

/* Attached: now it may start. */
static int start_attached(void *data)
{
	const starter *s = data;
	return s->start(s->id);
}

/* start: run's Start, once attached (its stdin is the container's alone:
 * its end closes the container's stdin); NULL for attach (the container's
 * stdin stays open for the next client). */
static int attach(const char *id, const ctl_run_io *io, int (*start)(const char *), bool *detached)
{
	yajl_gen params = ctl_params(id);
	/* to be started: an exited one too (start -a) takes us for its next start */
	if (!params || jg_key_bool(params, "stdin", io->interactive) || (start && jg_key_bool(params, "nextStart", true))) {
		if (params)
			yajl_gen_free(params);
		return ctl_fail("attach", "out of memory");
	}
	starter s = { id, start };
	ctl_stream_opts o = { .method = M("Attach"), .params = params, .stdin = io->interactive,
			      .stdin_once = start != NULL, .tty = io->tty, .sig_proxy = io->sig_proxy,
			      .detach_keys = io->detach_keys ? io->detach_keys : DETACH_KEYS_DEFAULT,
			      .opened = start ? start_attached : NULL, .data = &s, .wait_id = id, .detached = detached };
	return ctl_stream(&o);
}

int ctl_run_attached(const char *id, const ctl_run_io *io, int (*start)(const char *id), bool *detached)
{
	return attach(id, io, start, detached);
}

int ctl_attach_config(const char *id, ctl_run_io *io, bool *running)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("Inspect"), ctl_params(id), false, &rep))
		return EXIT_CTL;
	yajl_val container = json_get(rep.params, "container"), cfg = json_get(container, "config");
	io->tty = YAJL_IS_TRUE(json_get(cfg, "tty"));
	io->interactive = io->interactive && YAJL_IS_TRUE(json_get(cfg, "interactive"));
	if (running)
		*running = streq(ctl_str(json_get(container, "state"), "status"), "running");
	vl_reply_release(&rep);
	return 0;
}

static int v_attach(ctl_args *a)
{
	const char *id = a->argv[0];
	const ctl_optval *sig_proxy = opt_val(a, "sig-proxy");
	ctl_run_io io = { .interactive = !opt_on(a, "no-stdin"), .sig_proxy = !sig_proxy->set || opt_on(a, "sig-proxy"),
			  .detach_keys = opt_str(a, "detach-keys") };
	if (ctl_attach_config(id, &io, NULL))
		return EXIT_CTL;
	bool detached;
	return attach(id, &io, NULL, &detached);
}

static const ctl_opt attach_opts[] = {
	{ "detach-keys", 0, OPT_STR, "KEYS", "the keys that detach from it (default ctrl-p,ctrl-q; \"\": none)" },
	{ "no-stdin", 0, OPT_FLAG, "", "do not pass corralctl's stdin to it" },
	{ "sig-proxy", 0, OPT_FLAG, "", "pass the signals corralctl gets to the container (default true)" },
	{ NULL },
};

const ctl_cmd ctl_attach_cmds[] = {
	{ "attach", "CONTAINER", "Attach to a running container's stdio (ctrl-p ctrl-q detaches)", attach_opts, 1, 1, 0,
	  COMPLETE_CONTAINERS, v_attach },
	{ NULL },
};
