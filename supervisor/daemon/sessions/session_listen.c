/* The one listener to sessions and members (session.h), and how each room
 * file tells it: a missing listener or slot does nothing. */
#include "supervisor/daemon/sessions/session_int.h"
#include "supervisor/daemon/sessions/session_listen.h"

static const session_listener *listener;

void sessions_listen(const session_listener *l) { listener = l; }

int session_tell_opened(struct corrald *d, session *s, cerr *err)
{
	return listener && listener->opened ? listener->opened(d, s, err) : 0;
}

void session_tell_closed(struct corrald *d, session *s)
{
	if (listener && listener->closed)
		listener->closed(d, s);
}

int session_tell_ctr_added(struct corrald *d, session *s, struct ctr *c, char *dir, size_t n, cerr *err)
{
	dir[0] = '\0';
	return listener && listener->ctr_added ? listener->ctr_added(d, s, c, dir, n, err) : 0;
}

void session_tell_ctr_removed(struct corrald *d, struct ctr *c)
{
	if (listener && listener->ctr_removed)
		listener->ctr_removed(d, c);
}

int session_policy_load(const char *path, struct broker_policy **out, cerr *err)
{
	*out = NULL;
	return listener && listener->policy_load ? listener->policy_load(path, out, err) : 0;
}

void session_policy_free(struct broker_policy *p)
{
	if (p && listener && listener->policy_free)
		listener->policy_free(p);
}
