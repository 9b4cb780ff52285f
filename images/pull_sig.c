/* A pulled image's cosign signature, as cosign keeps it in a registry:
 * the manifest at tag sha256-<hex of the signed digest>.sig, whose layers
 * are simple signing payloads (application/vnd.dev.cosign.simplesigning.
 * v1+json) with the signature in the annotation
 * dev.cosignproject.cosign/signature. One that names the digest pulled and
 * the repository, and that a trusted key verifies, is enough. */
#include "images/pull_sig.h"
#include "images/digest.h"
#include "images/signature.h"
#include "common/base64.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MT_SIMPLESIGNING "application/vnd.dev.cosign.simplesigning.v1+json"
#define COSIGN_ANNOTATION "dev.cosignproject.cosign/signature"
#define SIG_LAYERS_MAX 64

/* One layer of the signature manifest, checked: its payload (fetched and
 * hashed) and signature as {"payload", "signature"} in *doc. */
static int layer_doc(reg_client *c, const char *endpoint, const char *path, yajl_val l, char **doc, cerr *err)
{
	yajl_val mt = json_get(l, "mediaType"), dg = json_get(l, "digest");
	yajl_val sg = json_get(json_get(l, "annotations"), COSIGN_ANNOTATION);
	if (!YAJL_IS_STRING(mt) || strcmp(mt->u.string, MT_SIMPLESIGNING) || !YAJL_IS_STRING(dg) ||
	    !digest_valid(dg->u.string) || !YAJL_IS_STRING(sg) || strpbrk(sg->u.string, "\"\\"))
		return cerr_set(err, EINVAL, "not a simple signing layer");
	reg_resp resp = { 0 };
	int r = reg_get_blob(c, endpoint, path, dg->u.string, SIG_MAX_SIZE, &resp, err);
	if (r < 0)
		return r;
	char got[DIGEST_STR_LEN];
	if ((r = digest_buf(resp.body, resp.len, got, err)) == 0 && strcmp(got, dg->u.string))
		r = cerr_set(err, EBADMSG, "payload %s: digest mismatch", dg->u.string);
	_cleanup_free_ char *p64 = r == 0 ? base64_encode(resp.body, resp.len) : NULL;
	reg_resp_free(&resp);
	if (r < 0)
		return r;
	if (!p64 || asprintf(doc, "{\"payload\":\"%s\",\"signature\":\"%s\"}", p64, sg->u.string) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}

int pull_verify_signature(reg_client *c, const char *endpoint, const char *path, const char *repo,
			  const char *digest, const char *keys_dir, char **doc_out, cerr *err)
{
	char tag[DIGEST_STR_LEN + 8];
	snprintf(tag, sizeof(tag), "sha256-%s.sig", digest_hex(digest));
	reg_resp resp = { 0 };
	int r = reg_get_manifest(c, endpoint, path, tag, 1u << 20, &resp, err);
	if (r == -ENOENT)
		return cerr_set(err, EKEYREJECTED, "%s is not signed: no cosign signature (tag %s)", digest, tag);
	if (r < 0)
		return cerr_wrap(err, "signature");
	_cleanup_json_ yajl_val m = NULL;
	_cleanup_free_ char *body = resp.body;
	resp.body = NULL;
	reg_resp_free(&resp);
	if (json_parse(body, "signature manifest", &m, err) < 0)
		return r = -EBADMSG;
	yajl_val layers = json_get(m, "layers");
	const char *why = "it has no simple signing layer";
	char whybuf[256];
	for (size_t i = 0; YAJL_IS_ARRAY(layers) && i < layers->u.array.len && i < SIG_LAYERS_MAX; i++) {
		_cleanup_free_ char *doc = NULL;
		_cleanup_cerr_ cerr e = { 0 };
		sig_doc s;
		char key[NAME_MAX + 1];
		if (layer_doc(c, endpoint, path, layers->u.array.values[i], &doc, &e) < 0 ||
		    sig_parse(doc, strlen(doc), &s, &e) < 0) {
			snprintf(whybuf, sizeof(whybuf), "%s", cerr_msg(&e));
			why = whybuf;
			continue;
		}
		if (strcmp(s.digest, digest) || (s.identity[0] && strcmp(s.identity, repo))) {
			snprintf(whybuf, sizeof(whybuf), "a signature of %.80s as %.200s", s.digest, s.identity);
			why = whybuf;
		} else if (sig_verify(&s, keys_dir, key, &e) == 0) {
			log_info("%s: signed, verified with %s", digest, key);
			sig_doc_release(&s);
			*doc_out = TAKE_PTR(doc);
			return 0;
		} else {
			snprintf(whybuf, sizeof(whybuf), "%s", cerr_msg(&e));
			why = whybuf;
		}
		sig_doc_release(&s);
	}
	return cerr_set(err, EKEYREJECTED, "%s: no cosign signature verifies: %s", digest, why);
}
