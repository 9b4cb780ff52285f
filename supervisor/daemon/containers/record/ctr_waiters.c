/* Calls waiting on a container (Wait, Stop, Remove) and log follows: kept
 * on the container, answered or ended when it ends or goes. */
#include "supervisor/daemon/containers/record/ctr_waiters.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/core/corrald.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static void waiter_unlink(ctr *c, ctr_waiter *w)
{
	for (ctr_waiter **p = &c->waiters; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			break;
		}
}

static void on_waiter_cancel(vl_call *call, void *data)
{
	ctr_waiter *w = data;
	waiter_unlink(w->c, w);
	free(w);
}

int ctr_add_waiter(ctr *c, vl_call *call, int kind)
{
	ctr_waiter *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->call = call;
	w->kind = kind;
	w->c = c;
	w->next = c->waiters;
	c->waiters = w;
	vl_call_set_cancel(call, on_waiter_cancel, w);
	return 0;
}

static void reply_exit(vl_call *call, const ctr *c, bool stop)
{
	char p[96];
	if (stop) /* killed: the stop signal did not end it in time */
		snprintf(p, sizeof(p), "{\"exitCode\":%d,\"killed\":%s}", c->exit_code,
			 c->stop_killed ? "true" : "false");
	else
		snprintf(p, sizeof(p), "{\"exitCode\":%d,\"oomKilled\":%s}", c->exit_code,
			 c->oom_killed ? "true" : "false");
	vl_call_reply(call, p);
}

/* Answer the waiters of kinds in mask. */
void ctr_wake(ctr *c, unsigned mask)
{
	ctr_waiter **p = &c->waiters;
	while (*p) {
		ctr_waiter *w = *p;
		if (!(mask & (1u << w->kind))) {
			p = &w->next;
			continue;
		}
		*p = w->next;
		vl_call_set_cancel(w->call, NULL, NULL);
		if (w->kind == WAIT_REMOVE)
			vl_call_reply(w->call, NULL);
		else
			reply_exit(w->call, c, w->kind == WAIT_STOP);
		free(w);
	}
}

static void on_follow_done(void *data)
{
	ctr_follow *f = data;
	for (ctr_follow **p = &f->c->follows; *p; p = &(*p)->next)
		if (*p == f) {
			*p = f->next;
			break;
		}
	free(f);
}

void ctr_add_follow(ctr *c, logs_stream *s)
{
	ctr_follow *f = calloc(1, sizeof(*f));
	if (!f)
		return logs_stream_end(s);
	f->s = s;
	f->c = c;
	f->next = c->follows;
	c->follows = f;
	logs_stream_on_free(s, on_follow_done, f);
}

void ctr_end_follows(ctr *c)
{
	while (c->follows)
		logs_stream_end(c->follows->s); /* unlinks itself */
}

void ctr_drop_waiters(ctr *c)
{
	for (ctr_waiter *w = c->waiters, *nw; w; w = nw) {
		nw = w->next;
		vl_call_set_cancel(w->call, NULL, NULL);
		free(w);
	}
	c->waiters = NULL;
	for (ctr_follow *f = c->follows, *nf; f; f = nf) {
		nf = f->next;
		logs_stream_on_free(f->s, NULL, NULL);
		free(f);
	}
	c->follows = NULL;
}
