/* The idle timeout, and how a session ends. One timer per session, set for
 * when it would be idle past its timeout if nothing happened meanwhile:
 * when it fires, a running member or newer activity (session_touch) sets it
 * again for what is left; else the session expires. */
#include "supervisor/daemon/sessions/session_int.h"
#include "supervisor/daemon/sessions/session_listen.h"
#include "supervisor/daemon/sessions/session_idle.h"
#include "supervisor/daemon/sessions/session_net.h"
#include "supervisor/daemon/sessions/session_record.h"
#include "supervisor/daemon/containers/engine/ctr_lifecycle.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <stdio.h>
#include <string.h>

static void on_idle(el_source *src, void *data);

static void arm_in(corrald *d, session *s, uint64_t usec)
{
	session_x *x = sx_of(s);
	_cleanup_cerr_ cerr err = { 0 };
	if (x->idle_timer && el_timer_set(x->idle_timer, usec, false) == 0)
		return;
	el_remove(x->idle_timer);
	x->idle_timer = NULL;
	if (el_add_timer(d->loop, usec, false, on_idle, s, &x->idle_timer, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "session %s: its idle timer", s->name);
}

void session_idle_arm(corrald *d, session *s)
{
	if (s->idle_timeout_usec)
		arm_in(d, s, s->idle_timeout_usec);
}

static void on_idle(el_source *src, void *data)
{
	session *s = data;
	corrald *d = sx_of(s)->d;
	(void)src;
	uint64_t now = mono_usec(), idle = now - s->last_active_usec;
	if (session_first_ctr(d, s, true)) {
		s->last_active_usec = now; /* busy: idle at the earliest a timeout after its last member ends */
		return arm_in(d, s, s->idle_timeout_usec);
	}
	if (idle < s->idle_timeout_usec)
		return arm_in(d, s, s->idle_timeout_usec - idle);
	log_info("session %s: idle for %llus: it expires", s->name, (unsigned long long)(idle / 1000000));
	session_end(d, s, true);
}

void session_end(corrald *d, session *s, bool expired)
{
	session_x *x = sx_of(s);
	session_unlink(d, s); /* no new member from now on */
	el_remove(x->idle_timer);
	x->idle_timer = NULL;
	for (ctr *c = d->ctrs, *next; c; c = next) {
		next = c->next; /* a member not running is freed at once */
		if (!session_holds(s, c))
			continue;
		_cleanup_cerr_ cerr err = { 0 };
		if (ctr_remove_forced(d, c, &err) < 0)
			log_cerr(LOG_LVL_WARN, &err, "session %s: its member %s", s->name, c->name);
	}
	session_tell_closed(d, s);
	events_publish(d->events, EV_OWNER(sx_of(s)->owner), "session", expired ? "expired" : "remove", s->name,
		       s->name, NULL, 0);
	session_net_detach_and_release(d, s, s->rm_state); /* removed or expired alike */
	session_x_free(x);
}
