/* TEMPORARY, until the broker's server (branch broker17) lands: weak
 * definitions of broker.h's hooks so that corrald links; the broker's
 * strong ones replace them at link time. Removed once merged. */
#include "supervisor/daemon/broker/broker.h"

#include <errno.h>

__attribute__((weak)) int broker_session_open(struct corrald *d, struct session *s, cerr *err)
{
	(void)d, (void)s, (void)err;
	return 0;
}

__attribute__((weak)) void broker_session_close(struct corrald *d, struct session *s) { (void)d, (void)s; }

__attribute__((weak)) int broker_member_add(struct corrald *d, struct session *s, struct ctr *c, char *path, size_t n,
					    cerr *err)
{
	(void)d, (void)s, (void)c, (void)err;
	if (n)
		path[0] = '\0';
	return 0;
}

__attribute__((weak)) void broker_member_remove(struct corrald *d, struct ctr *c) { (void)d, (void)c; }
