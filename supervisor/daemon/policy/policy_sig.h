/* Where the store keeps an image's signature (images/signature.h says what
 * one is): <state-dir>/images/signatures/<hex of the manifest digest>.sig,
 * written by ImageSign, or by a pull that verified the registry's cosign
 * signature. Checked against the trusted_keys directory. */
#pragma once
#include <limits.h>
#include <stddef.h>
#include "common/error.h"
#include "images/signature.h"

/* <state_dir>/images/signatures, and the file of manifest in it. */
void sig_dir(char *buf, size_t n, const char *state_dir);
void sig_path(char *buf, size_t n, const char *state_dir, const char *manifest);
/* Read and check the signature of manifest: 0, -ENOENT (unsigned),
 * -EBADMSG, -EKEYREJECTED; err says which. A signature of one of
 * repo_digests (REPO@DIGEST: the index it was pulled as) is its too. */
int sig_check_image(const char *state_dir, const char *manifest, char *const *repo_digests, const char *keys_dir,
		    char key[NAME_MAX + 1],
		    cerr *err);
