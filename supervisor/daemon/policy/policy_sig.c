#include "supervisor/daemon/policy/policy_sig.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sig_dir(char *buf, size_t n, const char *state_dir) { snprintf(buf, n, "%s/images/signatures", state_dir); }

void sig_path(char *buf, size_t n, const char *state_dir, const char *manifest)
{
	const char *hex = strncmp(manifest, "sha256:", 7) ? manifest : manifest + 7;
	snprintf(buf, n, "%s/images/signatures/%s.sig", state_dir, hex);
}

static bool signed_as(const char *digest, const char *manifest, char *const *repo_digests)
{
	if (!strcmp(digest, manifest))
		return true;
	for (; repo_digests && *repo_digests; repo_digests++) {
		const char *at = strrchr(*repo_digests, '@');
		if (at && !strcmp(at + 1, digest))
			return true;
	}
	return false;
}

int sig_check_image(const char *state_dir, const char *manifest, char *const *repo_digests, const char *keys_dir,
		    char key[NAME_MAX + 1], cerr *err)
{
	char path[PATH_MAX];
	sig_path(path, sizeof(path), state_dir, manifest);
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_file(path, SIG_MAX_SIZE, &text, &len, err);
	if (r == -ENOENT)
		return cerr_set(err, ENOENT, "%s is not signed", manifest);
	if (r < 0)
		return r;
	sig_doc s;
	if ((r = sig_parse(text, len, &s, err)) < 0)
		return r;
	if (!signed_as(s.digest, manifest, repo_digests)) {
		r = cerr_set(err, EKEYREJECTED, "its signature is for %s", s.digest);
		sig_doc_release(&s);
		return r;
	}
	r = sig_verify(&s, keys_dir, key, err);
	sig_doc_release(&s);
	return r;
}
