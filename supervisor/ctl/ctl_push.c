/* corralctl push (image push), as podman's: its progress on stderr. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One progress reply: a line once a blob is in the repository. */
static void show_progress(yajl_val p, void *ctx)
{
	const char *blob = ctl_str(p, "blob"), *state = ctl_str(p, "state");
	const char *hex = strncmp(blob, "sha256:", 7) ? blob : blob + 7;
	if (streq(state, "pushed"))
		fprintf(stderr, "Copying blob %.12s done\n", hex);
	else if (streq(state, "exists"))
		fprintf(stderr, "Copying blob %.12s skipped: already exists\n", hex);
	else if (streq(state, "mounted"))
		fprintf(stderr, "Copying blob %.12s mounted from %s\n", hex, ctl_str(p, "from"));
}

static int v_push(ctl_args *a)
{
	const char *image = a->argv[0], *dest = a->argv[1], *digestfile = opt_str(a, "digestfile");
	bool quiet = opt_on(a, "quiet");
	_cleanup_json_gen_ yajl_gen g = ctl_params(NULL);
	if (!g || jg_key_str(g, "image", image) || (dest && jg_key_str(g, "destination", dest)))
		return ctl_fail("push", "out of memory");
	vl_reply rep;
	if (ctl_call_progress(M("ImagePush"), TAKE_PTR(g), quiet ? NULL : "Getting image source signatures\n",
			      quiet ? NULL : show_progress, NULL, &rep))
		return EXIT_CTL;
	if (!quiet)
		fprintf(stderr, "Writing manifest to image destination\n");
	int rc = 0;
	if (ctl_json) {
		ctl_print_json(rep.params);
	} else if (digestfile) {
		FILE *f = fopen(digestfile, "we");
		if (!f || fputs(ctl_str(rep.params, "digest"), f) < 0)
			rc = ctl_failf("push: --digestfile %s: %m", digestfile);
		if (f && fclose(f) != 0 && !rc)
			rc = ctl_failf("push: --digestfile %s: %m", digestfile);
	}
	vl_reply_release(&rep);
	return rc;
}

static const ctl_opt push_opts[] = {
	{ "digestfile", 0, OPT_STR, "FILE", "write the pushed manifest's digest to FILE" },
	{ "quiet", 'q', OPT_FLAG, "", "print no progress" },
	{ NULL },
};

const ctl_cmd ctl_push_cmds[] = {
	{ "push", "IMAGE [DESTINATION]",
	  "Push an image to a registry: DESTINATION is REGISTRY/NAME[:TAG], else IMAGE's name (also: image push)",
	  push_opts, 1, 2, 0, COMPLETE_IMAGES, v_push },
	{ NULL },
};
