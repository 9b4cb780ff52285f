/* Image signatures: cosign's simple signing payload
 *   {"critical": {"identity": {"docker-reference": REF},
 *                 "image": {"docker-manifest-digest": "sha256:..."},
 *                 "type": "cosign container image signature"}, "optional": null}
 * signed with Ed25519 (the payload's bytes, as cosign sign-blob does with an
 * Ed25519 key), kept as {"payload": base64, "signature": base64} in
 * <state-dir>/images/signatures/<hex of the manifest digest>.sig. Checked
 * with OpenSSL against every PEM public key in the trusted_keys directory. */
#pragma once
#include <limits.h>
#include <stddef.h>
#include "common/error.h"

#define SIG_PAYLOAD_TYPE "cosign container image signature"
#define SIG_MAX_SIZE (64u << 10)
#define SIG_MAX_KEYS 256 /* files looked at in trusted_keys */

typedef struct sig_doc {
	unsigned char *payload;
	size_t payload_len;
	unsigned char sig[64];
	char digest[72]; /* the payload's docker-manifest-digest */
} sig_doc;

void sig_doc_release(sig_doc *s);
/* -EBADMSG with a one-line reason when text is no signature. */
int sig_parse(const char *text, size_t len, sig_doc *out, cerr *err);
/* 0 when a key of keys_dir verifies s (its file name in key); -EKEYREJECTED
 * when none does. */
int sig_verify(const sig_doc *s, const char *keys_dir, char key[NAME_MAX + 1], cerr *err);
/* <state_dir>/images/signatures, and the file of manifest in it. */
void sig_dir(char *buf, size_t n, const char *state_dir);
void sig_path(char *buf, size_t n, const char *state_dir, const char *manifest);
/* Read and check the signature of manifest: 0, -ENOENT (unsigned),
 * -EBADMSG, -EKEYREJECTED; err says which. */
int sig_check_image(const char *state_dir, const char *manifest, const char *keys_dir, char key[NAME_MAX + 1],
		    cerr *err);
