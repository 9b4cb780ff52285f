#include "supervisor/loop/eventloop.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

enum el_kind { EL_IO, EL_TIMER, EL_SIGNAL, EL_CHILD };

struct el_source {
	el_loop *loop;
	enum el_kind kind;
	int fd;
	bool owns_fd;
	bool dead;
	uint32_t events;
	pid_t pid;
	sigset_t mask;
	union {
		el_io_fn io;
		el_timer_fn timer;
		el_signal_fn sig;
		el_child_fn child;
	} fn;
	void *data;
	el_source *next_dead;
	el_source *prev, *next; /* all live sources, so el_free can close them */
};

struct el_loop {
	int epfd;
	bool stop;
	int exit_code;
	size_t n_sources;
	el_source *dead; /* removed during a batch, freed after it */
	el_source *live;
	int depth;       /* >0 while dispatching */
	el_post *posts;  /* el_post_queue's, for the end of the turn */
	size_t member_max;
	struct el_member { uid_t uid; size_t n; } *members; /* those with any at work */
	size_t n_members;
};

int el_new(el_loop **out, cerr *err)
{
	el_loop *l = calloc(1, sizeof(*l));
	if (!l)
		return cerr_set(err, ENOMEM, "event loop: out of memory");
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		int e = errno;
		free(l);
		return cerr_sys(err, e, "event loop: epoll_create1");
	}
	*out = l;
	return 0;
}

static void source_free(el_source *s)
{
	if (s->owns_fd && s->fd >= 0)
		close(s->fd);
	if (s->kind == EL_SIGNAL)
		sigprocmask(SIG_UNBLOCK, &s->mask, NULL);
	free(s);
}

static void flush_dead(el_loop *l)
{
	while (l->dead) {
		el_source *s = l->dead;
		l->dead = s->next_dead;
		source_free(s);
	}
}

void el_free(el_loop *l)
{
	if (!l)
		return;
	while (l->live)
		el_remove(l->live);
	flush_dead(l);
	close(l->epfd);
	free(l->members);
	free(l);
}

static int add_source(el_loop *l, enum el_kind kind, int fd, bool owns, uint32_t events,
		      void *data, el_source **out, cerr *err)
{
	el_source *s = calloc(1, sizeof(*s));
	if (!s) {
		if (owns)
			close(fd);
		return cerr_set(err, ENOMEM, "event loop: out of memory");
	}
	s->loop = l;
	s->kind = kind;
	s->fd = fd;
	s->owns_fd = owns;
	s->events = events;
	s->data = data;
	struct epoll_event ev = { .events = events, .data.ptr = s };
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = errno;
		source_free(s);
		return cerr_sys(err, e, "event loop: watch fd %d", fd);
	}
	l->n_sources++;
	s->next = l->live;
	if (l->live)
		l->live->prev = s;
	l->live = s;
	*out = s;
	return 0;
}

int el_add_io(el_loop *l, int fd, uint32_t events, el_io_fn fn, void *data,
	      el_source **out, cerr *err)
{
	el_source *s;
	int r = add_source(l, EL_IO, fd, false, events, data, &s, err);
	if (r < 0)
		return r;
	s->fn.io = fn;
	if (out)
		*out = s;
	return 0;
}

int el_io_set_events(el_source *s, uint32_t events)
{
	if (s->dead || s->events == events)
		return 0;
	struct epoll_event ev = { .events = events, .data.ptr = s };
	if (epoll_ctl(s->loop->epfd, EPOLL_CTL_MOD, s->fd, &ev) < 0)
		return -errno;
	s->events = events;
	return 0;
}


int el_timer_set(el_source *s, uint64_t usec, bool periodic)
{
	struct itimerspec its = { 0 };
	its.it_value.tv_sec = (time_t)(usec / 1000000);
	its.it_value.tv_nsec = (long)(usec % 1000000) * 1000;
	if (periodic)
		its.it_interval = its.it_value;
	return timerfd_settime(s->fd, 0, &its, NULL) < 0 ? -errno : 0;
}

int el_add_timer(el_loop *l, uint64_t usec, bool periodic, el_timer_fn fn, void *data,
		 el_source **out, cerr *err)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return cerr_sys(err, errno, "event loop: timerfd_create");
	el_source *s;
	int r = add_source(l, EL_TIMER, fd, true, EPOLLIN, data, &s, err);
	if (r < 0)
		return r;
	s->fn.timer = fn;
	if (usec && (r = el_timer_set(s, usec, periodic)) < 0) {
		el_remove(s);
		return cerr_sys(err, -r, "event loop: timerfd_settime");
	}
	if (out)
		*out = s;
	return 0;
}

int el_add_signals(el_loop *l, const int *sigs, size_t n, el_signal_fn fn, void *data,
		   el_source **out, cerr *err)
{
	sigset_t mask;
	sigemptyset(&mask);
	for (size_t i = 0; i < n; i++)
		sigaddset(&mask, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return cerr_sys(err, errno, "event loop: block signals");
	int fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		sigprocmask(SIG_UNBLOCK, &mask, NULL);
		return cerr_sys(err, e, "event loop: signalfd");
	}
	el_source *s;
	int r = add_source(l, EL_SIGNAL, fd, true, EPOLLIN, data, &s, err);
	if (r < 0)
		return r;
	s->mask = mask;
	s->fn.sig = fn;
	if (out)
		*out = s;
	return 0;
}

int el_add_pidfd(el_loop *l, int pidfd, pid_t pid, el_child_fn fn, void *data,
		 el_source **out, cerr *err)
{
	el_source *s;
	int r = add_source(l, EL_CHILD, pidfd, true, EPOLLIN, data, &s, err);
	if (r < 0)
		return r;
	s->pid = pid;
	s->fn.child = fn;
	if (out)
		*out = s;
	return 0;
}

int el_add_child(el_loop *l, pid_t pid, el_child_fn fn, void *data, el_source **out, cerr *err)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return cerr_sys(err, errno, "event loop: pidfd_open %d", (int)pid);
	return el_add_pidfd(l, fd, pid, fn, data, out, err);
}

void el_remove(el_source *s)
{
	if (!s || s->dead)
		return;
	el_loop *l = s->loop;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, s->fd, NULL);
	s->dead = true;
	l->n_sources--;
	if (s->prev)
		s->prev->next = s->next;
	else
		l->live = s->next;
	if (s->next)
		s->next->prev = s->prev;
	if (l->depth > 0) {
		s->next_dead = l->dead;
		l->dead = s;
	} else {
		source_free(s);
	}
}

el_loop *el_source_loop(const el_source *s) { return s->loop; }
size_t el_n_sources(const el_loop *l) { return l->n_sources; }

static void dispatch(el_source *s, uint32_t events)
{
	switch (s->kind) {
	case EL_IO:
		s->fn.io(s, s->fd, events, s->data);
		break;
	case EL_TIMER: {
		uint64_t n;
		if (read(s->fd, &n, sizeof(n)) == sizeof(n))
			s->fn.timer(s, s->data);
		break;
	}
	case EL_SIGNAL: {
		struct signalfd_siginfo si;
		while (!s->dead && read(s->fd, &si, sizeof(si)) == sizeof(si))
			s->fn.sig(s, &si, s->data);
		break;
	}
	case EL_CHILD: {
		siginfo_t si = { 0 };
		if (waitid((idtype_t)P_PIDFD, (id_t)s->fd, &si, WEXITED | WNOHANG) < 0) {
			/* not our child (or already reaped): report exit unknown */
			memset(&si, 0, sizeof(si));
			si.si_pid = s->pid;
			si.si_code = CLD_EXITED;
			si.si_status = 255;
		} else if (si.si_pid == 0) {
			return; /* spurious */
		}
		/* a pidfd stays readable after exit: stop watching before the callback */
		epoll_ctl(s->loop->epfd, EPOLL_CTL_DEL, s->fd, NULL);
		s->fn.child(s, s->pid, &si, s->data);
		break;
	}
	}
}

void el_post_queue(el_loop *l, el_post *p)
{
	if (p->queued)
		return;
	p->queued = true;
	p->next = l->posts;
	l->posts = p;
}

void el_post_cancel(el_loop *l, el_post *p)
{
	if (!p->queued)
		return;
	for (el_post **pp = &l->posts; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	p->queued = false;
}

static void run_posts(el_loop *l)
{
	while (l->posts) {
		el_post *p = l->posts;
		l->posts = p->next;
		p->queued = false;
		p->fn(p);
	}
}

int el_run_once(el_loop *l, int timeout_ms)
{
	struct epoll_event evs[64];
	run_posts(l); /* any queued outside a turn: none waits for an event */
	int n = epoll_wait(l->epfd, evs, (int)ARRAY_SIZE(evs), timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	l->depth++;
	for (int i = 0; i < n; i++) {
		el_source *s = evs[i].data.ptr;
		if (!s->dead)
			dispatch(s, evs[i].events);
	}
	run_posts(l);
	l->depth--;
	if (l->depth == 0)
		flush_dead(l);
	return n;
}

int el_run(el_loop *l)
{
	l->stop = false;
	while (!l->stop) {
		int r = el_run_once(l, -1);
		if (r < 0)
			return r;
	}
	return l->exit_code;
}

void el_exit(el_loop *l, int code)
{
	l->stop = true;
	l->exit_code = code;
}

void el_set_member_max(el_loop *l, size_t max) { l->member_max = max; }
size_t el_member_max(const el_loop *l) { return l->member_max; }

static struct el_member *member_of(const el_loop *l, uid_t uid)
{
	for (size_t i = 0; i < l->n_members; i++)
		if (l->members[i].uid == uid)
			return &l->members[i];
	return NULL;
}

bool el_member_room(const el_loop *l, uid_t uid)
{
	const struct el_member *m = member_of(l, uid);
	return !l->member_max || !m || m->n < l->member_max;
}

int el_member_take(el_loop *l, uid_t uid)
{
	struct el_member *m = member_of(l, uid);
	if (m) {
		m->n++;
		return 0;
	}
	if (!(m = realloc(l->members, (l->n_members + 1) * sizeof(*m))))
		return -ENOMEM;
	l->members = m;
	l->members[l->n_members++] = (struct el_member){ .uid = uid, .n = 1 };
	return 0;
}

void el_member_give(el_loop *l, uid_t uid)
{
	struct el_member *m = member_of(l, uid);
	if (m && !--m->n) /* the last one moves into its place */
		*m = l->members[--l->n_members];
}
