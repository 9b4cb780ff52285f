/* Image signatures: cosign's simple signing payload
 *   {"critical": {"identity": {"docker-reference": REF},
 *                 "image": {"docker-manifest-digest": "sha256:..."},
 *                 "type": "cosign container image signature"}, "optional": null}
 * and its signature, kept as {"payload": base64, "signature": base64}:
 * Ed25519 over the payload's bytes (as cosign sign-blob does with an
 * Ed25519 key, and corral-sign), or ECDSA over their SHA-256 (cosign's
 * default P-256 key, as cosign stores it in a registry). Checked with
 * OpenSSL against every PEM public key in a directory. */
#pragma once
#include <limits.h>
#include <stddef.h>
#include "common/error.h"

#define SIG_PAYLOAD_TYPE "cosign container image signature"
#define SIG_MAX_SIZE (64u << 10)
#define SIG_MAX_KEYS 256 /* files looked at in trusted_keys */
#define SIG_MAX_SIG 256  /* bytes of one signature: Ed25519's 64, an ECDSA DER's about 72 */

typedef struct sig_doc {
	unsigned char *payload;
	size_t payload_len;
	unsigned char sig[SIG_MAX_SIG];
	size_t sig_len;
	char digest[72]; /* the payload's docker-manifest-digest */
	char identity[512]; /* its docker-reference, "" when it has none */
} sig_doc;

void sig_doc_release(sig_doc *s);
/* -EBADMSG with a one-line reason when text is no signature. */
int sig_parse(const char *text, size_t len, sig_doc *out, cerr *err);
/* 0 when a key of keys_dir verifies s (its file name in key); -EKEYREJECTED
 * when none does. */
int sig_verify(const sig_doc *s, const char *keys_dir, char key[NAME_MAX + 1], cerr *err);
