/* corralctl exec: the command's output as it comes, through "more"
 * replies, or through Streams with -i (our stdin) or -t (a terminal); -d
 * leaves it running. The exit code is the command's. */
#include "supervisor/ctl/attach.h"
#include "supervisor/ctl/ctl.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>

static char *exec_params(const ctl_exec_req *r)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	jg_key_str(g, "id", r->id);
	jg_key(g, "command");
	yajl_gen_array_open(g);
	for (int i = 0; i < r->n_command; i++)
		jg_str(g, r->command[i]);
	yajl_gen_array_close(g);
	if (r->env) {
		jg_key(g, "env");
		yajl_gen_array_open(g);
		for (char **e = r->env; *e; e++)
			jg_str(g, *e);
		yajl_gen_array_close(g);
	}
	if (r->workdir)
		jg_key_str(g, "workdir", r->workdir);
	if (r->user)
		jg_key_str(g, "user", r->user);
	if (r->tty)
		jg_key_bool(g, "tty", true);
	if (r->interactive)
		jg_key_bool(g, "interactive", true);
	if (r->detach)
		jg_key_bool(g, "detach", true);
	yajl_gen_map_close(g);
	return jg_finish(g, NULL);
}

static void put(yajl_val params, const char *key, FILE *f)
{
	yajl_val v = json_get(params, key);
	if (YAJL_IS_STRING(v)) {
		fputs(v->u.string, f);
		fflush(f);
	}
}

/* "more" replies, each a piece of output, then the exit code. */
static int stream_replies(const char *params)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call(&c, M("Exec"), params, true, &rep))
		return 125;
	cerr err = { 0 };
	for (;;) {
		bool last = !rep.continues;
		put(rep.params, "stdout", stdout);
		put(rep.params, "stderr", stderr);
		if (last) {
			long long code = 125;
			json_int_in(json_get(rep.params, "exitCode"), 0, 255, &code);
			if (YAJL_IS_TRUE(json_get(rep.params, "timedOut")))
				fprintf(stderr, "corralctl: exec: the command ran past its timeout and was killed\n");
			vl_reply_release(&rep);
			return (int)code;
		}
		vl_reply_release(&rep);
		if (vl_client_recv(c, &rep, &err) < 0) {
			fprintf(stderr, "corralctl: exec: %s\n", cerr_msg(&err));
			cerr_clear(&err);
			return 125;
		}
		if (rep.error) {
			ctl_print_call_error(M("Exec"), &rep);
			vl_reply_release(&rep);
			return 125;
		}
	}
}

int ctl_exec_run(const ctl_exec_req *r)
{
	_cleanup_free_ char *params = exec_params(r);
	if (!params)
		return ctl_fail("exec", "out of memory"), 125;
	_cleanup_vl_client_ vl_client *c = NULL;
	ctl_timeout_ms = -1; /* an exec takes as long as it takes */
	if (r->detach) {
		vl_reply rep;
		if (ctl_call(&c, M("Exec"), params, false, &rep))
			return 125;
		printf("%s\n", ctl_str(rep.params, "id"));
		vl_reply_release(&rep);
		return 0;
	}
	if (!r->interactive && !r->tty)
		return stream_replies(params);
	cerr err = { 0 };
	if (vl_client_connect(ctl_sock, &c, &err) < 0) {
		fprintf(stderr, "corralctl: connect %s: %s\n", ctl_sock, cerr_msg(&err));
		cerr_clear(&err);
		return 125;
	}
	ctl_stream_opts o = { .method = M("Exec"), .params = params, .stdin = r->interactive, .stdin_once = true,
			      .tty = r->tty, .sig_proxy = true };
	return ctl_stream(c, &o);
}
