/* corralctl's policy verbs: policy show; image sign and image verify.
 * image sign has corral-sign make and sign cosign's simple signing payload
 * for the image's manifest digest, here, on the client, and hands corrald
 * the detached signature: the private key never leaves. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_spawn.h"
#include "supervisor/ctl/ctl_call.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int show_policy(yajl_val reply)
{
	if (!ctl_json && !ctl_format) {
		yajl_val src = json_get(reply, "source");
		printf("# %s\n", YAJL_IS_STRING(src) ? src->u.string : "the built-in policy (no --policy)");
	}
	return ctl_print_json(json_get(reply, "policy"));
}

static int v_policy_show(ctl_args *a) { return ctl_call_show(M("PolicyShow"), "{}", show_policy); }

/* corral-sign's signature document for ref's manifest digest, read from
 * its stdout (bounded); NULL after saying why. */
/* a signature document is a few hundred bytes; corrald takes 64 KiB */
#define SIGNATURE_MAX (64u << 10)

static char *sign_with(const char *keyfile, const char *ref, const char *digest)
{
	char bin[PATH_MAX];
	if (ctl_sibling("corral-sign", bin))
		return NULL;
	char *argv[] = { bin, (char *)keyfile, (char *)ref, (char *)digest, NULL };
	int fd;
	pid_t pid;
	if (ctl_spawn_piped("image sign", argv, false, &fd, &pid))
		return NULL;
	_cleanup_free_ char *out = NULL;
	size_t len = 0;
	_cleanup_cerr_ cerr err = { 0 };
	int r = read_fd(fd, "corral-sign's output", SIGNATURE_MAX, &out, &len, &err);
	close(fd);
	if (ctl_reap("image sign: corral-sign", pid, true))
		return NULL;
	if (r < 0) {
		ctl_failf("image sign: %s", cerr_msg(&err));
		return NULL;
	}
	return len ? TAKE_PTR(out) : (ctl_failf("image sign: corral-sign printed nothing"), NULL);
}

static int v_image_sign(ctl_args *a)
{
	const char *keyfile = a->argv[0], *ref = a->argv[1];
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	yajl_gen p = ctl_params(NULL);
	if (p && jg_key_str(p, "image", ref)) {
		yajl_gen_free(p);
		p = NULL;
	}
	if (ctl_call_gen(&c, M("ImageInspect"), p, false, &rep))
		return EXIT_CTL;
	_cleanup_free_ char *doc = sign_with(keyfile, ref, ctl_str(json_get(rep.params, "image"), "manifestDigest"));
	vl_reply_release(&rep);
	if (!doc)
		return EXIT_CTL;
	p = ctl_params(NULL);
	if (!p || jg_key_str(p, "image", ref) || jg_key_str(p, "signature", doc)) {
		if (p)
			yajl_gen_free(p);
		return ctl_fail("image sign", "out of memory");
	}
	if (ctl_call_gen(&c, M("ImageSign"), p, false, &rep))
		return EXIT_CTL;
	printf("signed %s (%s)\n", ref, ctl_str(rep.params, "manifestDigest"));
	vl_reply_release(&rep);
	return 0;
}

static int v_image_verify(ctl_args *a)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	yajl_gen p = ctl_params(NULL);
	if (p && jg_key_str(p, "image", a->argv[0])) {
		yajl_gen_free(p);
		p = NULL;
	}
	if (ctl_call_gen(&c, M("ImageVerify"), p, false, &rep))
		return EXIT_CTL;
	int r = 0;
	if (ctl_json)
		r = ctl_print_json(rep.params);
	else
		printf("%s (%s): verified by %s\n", a->argv[0], ctl_str(rep.params, "manifestDigest"),
		       ctl_str(rep.params, "key"));
	vl_reply_release(&rep);
	return r;
}

static const ctl_opt no_opts[] = { { NULL } };

const ctl_cmd ctl_policy_cmds[] = {
	{ "policy show", "", "Print the policy in force, every default filled in", no_opts, 0, 0, 0, COMPLETE_NONE,
	  v_policy_show },
	{ "image sign", "KEY IMAGE",
	  "Sign an image's manifest digest with a PEM Ed25519 private key; corrald keeps the signature", no_opts, 2, 2,
	  0, COMPLETE_FILES, v_image_sign },
	{ "image verify", "IMAGE", "Check an image's signature against corrald's trusted keys", no_opts, 1, 1, 0,
	  COMPLETE_IMAGES, v_image_verify },
	{ NULL },
};
