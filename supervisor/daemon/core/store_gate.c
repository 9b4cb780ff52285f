#include "supervisor/daemon/core/store_gate.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/core/corrald.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

struct parked {
	vl_call *call; /* NULL: resume(data) is what waits */
	vl_method_fn *method;
	void (*resume)(void *data);
	void *data;
	struct parked *next, **prev;
};

/* one store per corrald */
static unsigned gcs;
static struct parked *parked;

void store_gate_gc_begin(void) { gcs++; }

static void unlink_parked(struct parked *p)
{
	*p->prev = p->next;
	if (p->next)
		p->next->prev = p->prev;
}

static void on_cancel(vl_call *call, void *data)
{
	(void)call;
	unlink_parked(data);
	free(data);
}

void store_gate_gc_end(corrald *d)
{
	if (gcs && --gcs)
		return;
	/* the list taken first: a method may park its call again (a gc
	 * begun meanwhile) */
	struct parked *all = parked;
	parked = NULL;
	if (all)
		all->prev = &all;
	while (all) {
		struct parked *p = all;
		unlink_parked(p);
		if (p->call) {
			vl_call_set_cancel(p->call, NULL, NULL);
			(void)p->method(p->call, vl_call_params(p->call), d);
		} else {
			p->resume(p->data);
		}
		free(p);
	}
}

/* A gc holds the store's lock now, rather than waiting for it behind a
 * pull's (then the store still serves every reader: a stalled pull holds
 * up nobody) */
static bool gc_holds_store(const corrald *d)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/images/lock", d->cfg->state_dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	bool held = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd); /* and with it the shared lock taken */
	return held;
}

static struct parked *park(struct parked how)
{
	struct parked *p = malloc(sizeof(*p));
	if (!p)
		return NULL;
	*p = how;
	p->next = parked;
	p->prev = &parked;
	if (parked)
		parked->prev = &p->next;
	parked = p;
	return p;
}

int store_gate_park(corrald *d, vl_call *call, vl_method_fn *method, sv_fault *f)
{
	if (!gcs || !gc_holds_store(d))
		return 0;
	struct parked *p = park((struct parked){ .call = call, .method = method });
	if (!p)
		return sv_fault_internal(f, "out of memory");
	vl_call_set_cancel(call, on_cancel, p);
	return 1;
}

int store_gate_wait(corrald *d, void (*resume)(void *data), void *data)
{
	if (!gcs || !gc_holds_store(d))
		return 0;
	return park((struct parked){ .resume = resume, .data = data }) ? 1 : -ENOMEM;
}
