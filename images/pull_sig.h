/* The cosign signature of a pull (pull_sig.c). */
#pragma once
#include "common/error.h"
#include "images/registry/registry_client.h"

/* Fetch the cosign signature of digest (in repository path at endpoint)
 * and verify it with a key of keys_dir; it must name digest and, when it
 * names one, repo (DOMAIN/PATH). *doc: the verified signature as the store
 * keeps it ({"payload", "signature"}). -EKEYREJECTED when none verifies. */
int pull_verify_signature(reg_client *c, const char *endpoint, const char *path, const char *repo,
			  const char *digest, const char *keys_dir, char **doc, cerr *err);
