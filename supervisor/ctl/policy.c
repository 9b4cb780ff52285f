/* corralctl's policy verbs: policy show; image sign and image verify.
 * image sign makes cosign's simple signing payload for the image's manifest
 * digest, signs it with an Ed25519 key (OpenSSL) here, on the client, and
 * hands corrald the detached signature: the private key never leaves. */
#include "supervisor/ctl/ctl.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int show_policy(yajl_val reply)
{
	if (!ctl_json && !ctl_format) {
		yajl_val src = json_get(reply, "source");
		printf("# %s\n", YAJL_IS_STRING(src) ? src->u.string : "the built-in policy (no --policy)");
	}
	return ctl_print_json(json_get(reply, "policy"));
}

static int v_policy_show(ctl_args *a) { return ctl_call_show(M("PolicyShow"), "{}", show_policy); }

static char *base64(const unsigned char *b, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);
	if (out)
		EVP_EncodeBlock((unsigned char *)out, b, (int)n);
	return out;
}

/* cosign's simple signing payload for digest, as ref names it. */
static char *payload_of(const char *ref, const char *digest, size_t *len)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "critical") || yajl_gen_map_open(g) || jg_key(g, "identity") ||
	    yajl_gen_map_open(g) || jg_key_str(g, "docker-reference", ref) || yajl_gen_map_close(g) ||
	    jg_key(g, "image") || yajl_gen_map_open(g) || jg_key_str(g, "docker-manifest-digest", digest) ||
	    yajl_gen_map_close(g) || jg_key_str(g, "type", "cosign container image signature") ||
	    yajl_gen_map_close(g) || jg_key(g, "optional") || yajl_gen_null(g) || yajl_gen_map_close(g))
		return NULL;
	return jg_finish(g, len);
}

static EVP_PKEY *read_key(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		ctl_failf("image sign: %s: %s", path, strerror(errno));
		return NULL;
	}
	EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!k || EVP_PKEY_id(k) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(k);
		ctl_failf("image sign: %s: not a PEM Ed25519 private key (openssl genpkey -algorithm ed25519)", path);
		return NULL;
	}
	return k;
}

/* The signature document of payload: {"payload": b64, "signature": b64}. */
static char *sign_doc(EVP_PKEY *k, const char *payload, size_t len)
{
	unsigned char sig[64];
	size_t n = sizeof(sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) == 1 &&
		  EVP_DigestSign(ctx, sig, &n, (const unsigned char *)payload, len) == 1;
	EVP_MD_CTX_free(ctx);
	_cleanup_free_ char *p64 = ok ? base64((const unsigned char *)payload, len) : NULL;
	_cleanup_free_ char *s64 = ok ? base64(sig, n) : NULL;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!p64 || !s64 || !g || yajl_gen_map_open(g) || jg_key_str(g, "payload", p64) ||
	    jg_key_str(g, "signature", s64) || yajl_gen_map_close(g))
		return NULL;
	return jg_finish(g, NULL);
}

static int v_image_sign(ctl_args *a)
{
	const char *keyfile = a->argv[0], *ref = a->argv[1];
	EVP_PKEY *k = read_key(keyfile);
	if (!k)
		return EXIT_CTL;
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	yajl_gen p = ctl_params(NULL);
	if (p && jg_key_str(p, "image", ref)) {
		yajl_gen_free(p);
		p = NULL;
	}
	if (ctl_call_gen(&c, M("ImageInspect"), p, false, &rep)) {
		EVP_PKEY_free(k);
		return EXIT_CTL;
	}
	size_t len;
	_cleanup_free_ char *payload = payload_of(ref, ctl_str(json_get(rep.params, "image"), "manifestDigest"), &len);
	vl_reply_release(&rep);
	_cleanup_free_ char *doc = payload ? sign_doc(k, payload, len) : NULL;
	EVP_PKEY_free(k);
	p = doc ? ctl_params(NULL) : NULL;
	if (!p || jg_key_str(p, "image", ref) || jg_key_str(p, "signature", doc)) {
		if (p)
			yajl_gen_free(p);
		return ctl_fail("image sign", "could not sign (out of memory, or OpenSSL refused the key)");
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
