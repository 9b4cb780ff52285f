#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "supervisor/loop/eventloop.h"
#include "common/monotonic.h"

static int timer_hits;
static void on_timer(el_source *s, void *data)
{
	timer_hits++;
	if (timer_hits == 3)
		el_exit(el_source_loop(s), 42);
}

static void test_periodic_timer_and_exit_code(void **state)
{
	_cleanup_el_ el_loop *l = NULL;
	cerr err = { 0 };
	assert_int_equal(el_new(&l, &err), 0);
	el_source *t;
	timer_hits = 0;
	uint64_t t0 = mono_usec();
	assert_int_equal(el_add_timer(l, 2000, true, on_timer, NULL, &t, &err), 0);
	assert_int_equal(el_run(l), 42);
	assert_int_equal(timer_hits, 3);
	assert_true(mono_usec() - t0 >= 6000);
	el_remove(t);
	assert_int_equal(el_n_sources(l), 0);
}

struct pair { el_source *a, *b; int a_hits, b_hits; int fds[2]; };

/* a's callback removes b, which is also ready in the same batch: b must not run */
static void on_a(el_source *s, int fd, uint32_t ev, void *data)
{
	struct pair *p = data;
	p->a_hits++;
	el_remove(p->b);
	el_remove(s);
}
static void on_b(el_source *s, int fd, uint32_t ev, void *data)
{
	struct pair *p = data;
	p->b_hits++;
	el_remove(p->a);
	el_remove(s);
}

static void test_remove_during_batch(void **state)
{
	_cleanup_el_ el_loop *l = NULL;
	cerr err = { 0 };
	assert_int_equal(el_new(&l, &err), 0);
	struct pair p = { 0 };
	int x[2], y[2];
	assert_int_equal(pipe2(x, O_CLOEXEC), 0);
	assert_int_equal(pipe2(y, O_CLOEXEC), 0);
	assert_int_equal(write(x[1], "a", 1), 1);
	assert_int_equal(write(y[1], "b", 1), 1);
	assert_int_equal(el_add_io(l, x[0], EPOLLIN, on_a, &p, &p.a, &err), 0);
	assert_int_equal(el_add_io(l, y[0], EPOLLIN, on_b, &p, &p.b, &err), 0);
	assert_int_equal(el_run_once(l, 100), 2);
	assert_int_equal(p.a_hits + p.b_hits, 1);
	assert_int_equal(el_n_sources(l), 0);
	close(x[0]); close(x[1]); close(y[0]); close(y[1]);
}

/* Posts run at the end of the turn, after every event of it; once however
 * often queued; not when cancelled; one queued by a post in the same turn. */
struct posts {
	el_loop *l;
	el_post p, q, cancelled;
	int p_runs, q_runs, cancelled_runs, events;
	int p_after; /* events seen when p ran */
};
static void on_p(el_post *pp)
{
	struct posts *t = (struct posts *)(void *)((char *)pp - offsetof(struct posts, p));
	t->p_runs++;
	t->p_after = t->events;
	el_post_queue(t->l, &t->q);
}
static void on_q(el_post *pq)
{
	struct posts *t = (struct posts *)(void *)((char *)pq - offsetof(struct posts, q));
	t->q_runs++;
}
static void on_cancelled(el_post *pc)
{
	struct posts *t = (struct posts *)(void *)((char *)pc - offsetof(struct posts, cancelled));
	t->cancelled_runs++;
}
static void on_event(el_source *s, int fd, uint32_t ev, void *data)
{
	struct posts *t = data;
	char c;
	assert_int_equal(read(fd, &c, 1), 1);
	t->events++;
	el_post_queue(t->l, &t->p);
	el_post_queue(t->l, &t->p);
	el_post_queue(t->l, &t->cancelled);
	el_post_cancel(t->l, &t->cancelled);
}

static void test_posts(void **state)
{
	_cleanup_el_ el_loop *l = NULL;
	cerr err = { 0 };
	assert_int_equal(el_new(&l, &err), 0);
	struct posts t = { .l = l, .p.fn = on_p, .q.fn = on_q, .cancelled.fn = on_cancelled };
	int x[2], y[2];
	assert_int_equal(pipe2(x, O_CLOEXEC), 0);
	assert_int_equal(pipe2(y, O_CLOEXEC), 0);
	assert_int_equal(write(x[1], "a", 1), 1);
	assert_int_equal(write(y[1], "b", 1), 1);
	el_source *a, *b;
	assert_int_equal(el_add_io(l, x[0], EPOLLIN, on_event, &t, &a, &err), 0);
	assert_int_equal(el_add_io(l, y[0], EPOLLIN, on_event, &t, &b, &err), 0);
	assert_int_equal(el_run_once(l, 100), 2);
	assert_int_equal(t.events, 2);
	assert_int_equal(t.p_runs, 1);
	assert_int_equal(t.p_after, 2);
	assert_int_equal(t.q_runs, 1);
	assert_int_equal(t.cancelled_runs, 0);
	/* queued outside a turn: run before the next wait, which then times out */
	el_post_queue(l, &t.q);
	assert_int_equal(el_run_once(l, 0), 0);
	assert_int_equal(t.q_runs, 2);
	el_remove(a);
	el_remove(b);
	close(x[0]); close(x[1]); close(y[0]); close(y[1]);
}

static int got_sig;
static void on_sig(el_source *s, const struct signalfd_siginfo *si, void *data)
{
	got_sig = (int)si->ssi_signo;
	el_exit(el_source_loop(s), 0);
}

static void test_signalfd(void **state)
{
	_cleanup_el_ el_loop *l = NULL;
	cerr err = { 0 };
	assert_int_equal(el_new(&l, &err), 0);
	int sigs[] = { SIGUSR1 };
	assert_int_equal(el_add_signals(l, sigs, 1, on_sig, NULL, NULL, &err), 0);
	raise(SIGUSR1);
	assert_int_equal(el_run(l), 0);
	assert_int_equal(got_sig, SIGUSR1);
}

static int child_status = -1;
static void on_child(el_source *s, pid_t pid, const siginfo_t *si, void *data)
{
	child_status = si->si_code == CLD_EXITED ? si->si_status : 1000 + si->si_status;
	el_remove(s);
	el_exit(el_source_loop(s), 0);
}

static void test_pidfd_child_reaped(void **state)
{
	_cleanup_el_ el_loop *l = NULL;
	cerr err = { 0 };
	assert_int_equal(el_new(&l, &err), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(7);
	assert_int_equal(el_add_child(l, pid, on_child, NULL, NULL, &err), 0);
	assert_int_equal(el_run(l), 0);
	assert_int_equal(child_status, 7);
	/* reaped by the loop: no zombie left */
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_free_closes_owned(void **state)
{
	el_loop *l = NULL;
	cerr err = { 0 };
	assert_int_equal(el_new(&l, &err), 0);
	el_source *t;
	assert_int_equal(el_add_timer(l, 0, false, on_timer, NULL, &t, &err), 0);
	int fds_before = 0;
	for (int fd = 0; fd < 1024; fd++)
		fds_before += fcntl(fd, F_GETFD) >= 0;
	el_free(l);
	int fds_after = 0;
	for (int fd = 0; fd < 1024; fd++)
		fds_after += fcntl(fd, F_GETFD) >= 0;
	assert_int_equal(fds_before - fds_after, 2); /* epoll + timerfd */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periodic_timer_and_exit_code),
		cmocka_unit_test(test_remove_during_batch),
		cmocka_unit_test(test_posts),
		cmocka_unit_test(test_signalfd),
		cmocka_unit_test(test_pidfd_child_reaped),
		cmocka_unit_test(test_free_closes_owned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
