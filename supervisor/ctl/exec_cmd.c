/* corralctl exec: the command's output as it comes, through "more"
 * replies, or through Streams with -i (our stdin) or -t (a terminal). The
 * exit code is the command's. */
#include "supervisor/ctl/attach.h"
#include "supervisor/ctl/ctl.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>

static void put(yajl_val params, const char *key, FILE *f)
{
	yajl_val v = json_get(params, key);
	if (YAJL_IS_STRING(v)) {
		fputs(v->u.string, f);
		fflush(f);
	}
}

/* "more" replies, each a piece of output, then the exit code. */
static int stream_replies(yajl_gen params)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("Exec"), params, true, &rep))
		return EXIT_CTL;
	for (;;) {
		bool last = !rep.continues;
		put(rep.params, "stdout", stdout);
		put(rep.params, "stderr", stderr);
		if (last) {
			int code = (int)ctl_int(rep.params, "exitCode", EXIT_CTL);
			if (YAJL_IS_TRUE(json_get(rep.params, "timedOut")))
				fprintf(stderr, "corralctl: exec: the command ran past its timeout and was killed\n");
			vl_reply_release(&rep);
			return code;
		}
		vl_reply_release(&rep);
		if (ctl_recv(c, M("Exec"), &rep))
			return EXIT_CTL;
	}
}

int ctl_exec_stream(yajl_gen params, bool interactive, bool tty)
{
	if (!interactive && !tty)
		return stream_replies(params);
	/* no detach keys: an exec ends with its client */
	ctl_stream_opts o = { .method = M("Exec"), .params = params, .stdin = interactive, .stdin_once = true,
			      .tty = tty, .sig_proxy = true };
	return ctl_stream(&o);
}
