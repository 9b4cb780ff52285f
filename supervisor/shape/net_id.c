/* A network's Docker Id. corrald keeps neither an id nor a creation time
 * for a network: its conflist is its whole record, and one that a user
 * wrote or edited is as good as one corrald made (the file's mtime would
 * change the Id at each edit). So the Id is derived from the name alone:
 * stable across restarts and edits, the same in corral-docker and in
 * corralctl, with nothing stored. A network removed and made again under
 * its name gets its Id again; Docker's clients look networks up by name
 * (compose) or by the Id they were just given, so none relies on it
 * changing. */
#include "supervisor/shape/shape.h"
#include "supervisor/shape/sha256.h"

#include <stdio.h>
#include <string.h>

void dk_net_id(const char *name, char out[DK_NET_ID_LEN + 1])
{
	/* a prefix of corral's own, so that no other digest of the bare name
	 * (an image's, a volume's) is taken for a network's */
	static const char domain[] = "corral network\n";
	unsigned char md[DK_SHA256_LEN];
	char text[sizeof(domain) + 256]; /* a network's name has 64 at most (netconf.h) */
	int n = snprintf(text, sizeof(text), "%s%s", domain, name);
	dk_sha256(text, n < (int)sizeof(text) ? (size_t)n : sizeof(text) - 1, md);
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

bool dk_net_id_hex(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= DK_NET_ID_LEN && strspn(s, "0123456789abcdef") == n;
}
