/* Group names resolve through NSS; kept apart so that a binary checking
 * peers by id alone (corral-monitor-lean) links no NSS code. */
#include "supervisor/varlink/peer.h"
#include "supervisor/varlink/peer_group.h"

#include <errno.h>
#include <grp.h>
#include <stddef.h>

int peer_group_lookup(const char *name, gid_t *gid)
{
	char buf[16384];
	struct group gr, *res = NULL;
	int r = getgrnam_r(name, &gr, buf, sizeof(buf), &res);
	if (r != 0)
		return -r;
	if (!res)
		return -ENOENT;
	*gid = res->gr_gid;
	return 0;
}
