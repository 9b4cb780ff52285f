/* A network's id. corrald keeps neither an id nor a creation time for a
 * network: its conflist is its whole record, and one that a user wrote or
 * edited is as good as one corrald made (the file's mtime would change the
 * id at each edit). So the id is derived from the name alone: stable
 * across restarts and edits, with nothing stored. A network removed and
 * made again under its name gets its id again; Docker's clients look
 * networks up by name (compose) or by the Id they were just given, so none
 * relies on it changing. */
#include "supervisor/daemon/network/net_id.h"
#include "common/libcrypto.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int net_id(const char *name, char out[NET_ID_LEN + 1], cerr *err)
{
	const struct libcrypto *ssl = libcrypto(err);
	if (!ssl)
		return -err->code;
	/* a prefix of corral's own, so that no other digest of the bare name
	 * (an image's, a blob's) is taken for a network's */
	char text[64 + NET_NAME_MAX + 1];
	int n = snprintf(text, sizeof(text), "corral network\n%s", name);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	if (!ssl->digest(text, n < (int)sizeof(text) ? (size_t)n : sizeof(text) - 1, md, &len, ssl->sha256(), NULL) ||
	    len * 2 != NET_ID_LEN)
		return cerr_set(err, EIO, "network %s: SHA-256 failed", name);
	for (unsigned i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}
