/* supervisor/daemon/workloads/wl_plan.c: what the loop does about the
 * replicas it finds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include "supervisor/daemon/workloads/wl_plan.h"

#define NEW "aaaaaaaaaa"
#define OLD "bbbbbbbbbb"

static wl_replica rep(const char *name, const char *hash, enum wl_rstate st)
{
	wl_replica r = { .st = st };
	snprintf(r.name, sizeof(r.name), "%s", name);
	snprintf(r.hash, sizeof(r.hash), "%s", hash);
	return r;
}

typedef struct counted {
	size_t creates, removes, drift, n;
	const char *removed[16];
} counted;

static counted plan(unsigned replicas, const wl_replica *r, size_t n)
{
	wl_action a[16];
	counted c = { 0 };
	c.drift = wl_plan(replicas, NEW, r, n, a, 16, &c.n);
	for (size_t i = 0; i < c.n; i++) {
		if (a[i].kind == WA_CREATE)
			c.creates++;
		else
			c.removed[c.removes++] = a[i].replica->name;
	}
	return c;
}

static void test_converged_needs_nothing(void **state)
{
	wl_replica r[] = { rep("a", NEW, WR_READY), rep("b", NEW, WR_READY) };
	counted c = plan(2, r, 2);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.drift, 0);
}

static void test_missing_are_made(void **state)
{
	wl_replica r[] = { rep("a", NEW, WR_READY) };
	counted c = plan(3, r, 1);
	assert_int_equal(c.creates, 2);
	assert_int_equal(c.removes, 0);
	assert_int_equal(c.drift, 2);
	c = plan(5, NULL, 0);
	assert_int_equal(c.creates, 5);
}

static void test_broken_are_replaced(void **state)
{
	wl_replica r[] = { rep("a", NEW, WR_READY), rep("b", NEW, WR_BROKEN), rep("c", NEW, WR_READY) };
	counted c = plan(3, r, 3);
	assert_int_equal(c.removes, 1);
	assert_string_equal(c.removed[0], "b");
	assert_int_equal(c.creates, 1);
}

/* one being made is neither removed (its members are not all there yet)
 * nor made again */
static void test_creating_counts(void **state)
{
	wl_replica r[] = { rep("a", NEW, WR_READY), rep("b", NEW, WR_BROKEN) };
	r[1].creating = true;
	counted c = plan(2, r, 2);
	assert_int_equal(c.n, 0);
	r[1].creating = false;
	r[1].removing = true; /* one going counts no more: a new one comes */
	c = plan(2, r, 2);
	assert_int_equal(c.creates, 1);
	assert_int_equal(c.removes, 0);
}

static void test_extra_go_least_ready_first(void **state)
{
	wl_replica r[] = { rep("a", NEW, WR_READY), rep("b", NEW, WR_PENDING), rep("c", NEW, WR_READY),
			   rep("d", NEW, WR_READY) };
	counted c = plan(2, r, 4);
	assert_int_equal(c.removes, 2);
	assert_int_equal(c.creates, 0);
	assert_string_equal(c.removed[0], "b"); /* pending before ready */
	assert_string_equal(c.removed[1], "d"); /* then the last listed */
	c = plan(0, r, 4);
	assert_int_equal(c.removes, 4);
}

static void test_extra_outdated_first(void **state)
{
	wl_replica r[] = { rep("a", NEW, WR_READY), rep("b", OLD, WR_READY), rep("c", NEW, WR_READY) };
	counted c = plan(2, r, 3);
	assert_int_equal(c.removes, 1);
	assert_string_equal(c.removed[0], "b");
}

/* maxUnavailable 1: one outdated replica goes only while all are ready */
static void test_rollout_one_at_a_time(void **state)
{
	wl_replica r[] = { rep("a", OLD, WR_READY), rep("b", OLD, WR_READY), rep("c", OLD, WR_READY) };
	counted c = plan(3, r, 3);
	assert_int_equal(c.removes, 1);
	assert_int_equal(c.creates, 0);
	assert_int_equal(c.drift, 6); /* three to go, three to come */
	/* its replacement is being made: nothing else goes meanwhile */
	wl_replica s[] = { rep("b", OLD, WR_READY), rep("c", OLD, WR_READY), rep("n1", NEW, WR_PENDING) };
	c = plan(3, s, 3);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.drift, 4);
	/* ready: the next outdated one goes */
	s[2].st = WR_READY;
	c = plan(3, s, 3);
	assert_int_equal(c.removes, 1);
	assert_string_equal(c.removed[0], "b");
	/* an outdated one not ready holds the rollout too */
	wl_replica u[] = { rep("b", OLD, WR_PENDING), rep("n1", NEW, WR_READY), rep("n2", NEW, WR_READY) };
	c = plan(3, u, 3);
	assert_int_equal(c.n, 0);
}

static void test_actions_bounded(void **state)
{
	wl_action a[4];
	size_t n;
	assert_int_equal(wl_plan(10, NEW, NULL, 0, a, 4, &n), 10);
	assert_int_equal(n, 4);
}

/* Kubernetes' default: Always for latest or no tag (and no digest) */
static void test_pull_policy(void **state)
{
	assert_int_equal(wl_pull_policy_of(NULL, "busybox"), WP_ALWAYS);
	assert_int_equal(wl_pull_policy_of(NULL, "busybox:latest"), WP_ALWAYS);
	assert_int_equal(wl_pull_policy_of(NULL, "127.0.0.1:5000/library/busybox"), WP_ALWAYS);
	assert_int_equal(wl_pull_policy_of(NULL, "127.0.0.1:5000/library/busybox:latest"), WP_ALWAYS);
	assert_int_equal(wl_pull_policy_of(NULL, "busybox:latest@sha256:0123"), WP_ALWAYS);
	assert_int_equal(wl_pull_policy_of(NULL, "busybox:1"), WP_IF_NOT_PRESENT);
	assert_int_equal(wl_pull_policy_of(NULL, "127.0.0.1:5000/library/busybox:1"), WP_IF_NOT_PRESENT);
	assert_int_equal(wl_pull_policy_of(NULL, "busybox:latest1"), WP_IF_NOT_PRESENT);
	assert_int_equal(wl_pull_policy_of(NULL, "busybox@sha256:0123"), WP_IF_NOT_PRESENT);
	assert_int_equal(wl_pull_policy_of(NULL, "127.0.0.1:5000/busybox@sha256:0123"), WP_IF_NOT_PRESENT);
	/* as given, whatever the tag */
	assert_int_equal(wl_pull_policy_of("Never", "busybox"), WP_NEVER);
	assert_int_equal(wl_pull_policy_of("IfNotPresent", "busybox:latest"), WP_IF_NOT_PRESENT);
	assert_int_equal(wl_pull_policy_of("Always", "busybox:1"), WP_ALWAYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_converged_needs_nothing), cmocka_unit_test(test_missing_are_made),
		cmocka_unit_test(test_broken_are_replaced),     cmocka_unit_test(test_creating_counts),
		cmocka_unit_test(test_extra_go_least_ready_first), cmocka_unit_test(test_extra_outdated_first),
		cmocka_unit_test(test_rollout_one_at_a_time),   cmocka_unit_test(test_actions_bounded),
		cmocka_unit_test(test_pull_policy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
