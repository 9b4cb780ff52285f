/* supervisor/daemon/jobs/job_table.c: the FIFO, lookups, the bound on
 * results kept, and the backoff between attempts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "supervisor/daemon/jobs/job.h"

static job *mk(job_table *t, const char *id, uint64_t seq, enum job_state st)
{
	job *j = job_new();
	assert_non_null(j);
	snprintf(j->id, sizeof(j->id), "%s", id);
	j->seq = seq;
	j->state = st;
	job_table_append(t, j);
	return j;
}

static void free_table(job_table *t)
{
	while (t->jobs) {
		job *j = t->jobs;
		job_table_unlink(t, j);
		job_free(j);
	}
}

static void test_fifo_by_sequence(void **state)
{
	job_table t = { 0 };
	/* loaded from a directory in any order: kept by sequence */
	mk(&t, "cccccccccccccccc", 3, JOB_QUEUED);
	mk(&t, "aaaaaaaaaaaaaaaa", 1, JOB_SUCCEEDED);
	mk(&t, "bbbbbbbbbbbbbbbb", 2, JOB_QUEUED);
	job *d = mk(&t, "dddddddddddddddd", 0, JOB_QUEUED); /* new: after the others */
	assert_int_equal(d->seq, 4);
	assert_string_equal(t.jobs->id, "aaaaaaaaaaaaaaaa");
	assert_string_equal(job_next_queued(&t)->id, "bbbbbbbbbbbbbbbb");
	job_find(&t, "bbbb", NULL, &(bool){ 0 })->state = JOB_RUNNING;
	assert_string_equal(job_next_queued(&t)->id, "cccccccccccccccc");
	assert_int_equal(job_count(&t, JOB_QUEUED), 2);
	assert_int_equal(job_count(&t, -1), 4);
	assert_int_equal(job_count_unfinished(&t), 3);
	free_table(&t);
}

static void test_find_by_prefix(void **state)
{
	job_table t = { 0 };
	mk(&t, "ab12000000000000", 0, JOB_QUEUED);
	mk(&t, "ab34000000000000", 0, JOB_QUEUED);
	bool amb;
	assert_string_equal(job_find(&t, "ab12", NULL, &amb)->id, "ab12000000000000");
	assert_null(job_find(&t, "ab", NULL, &amb));
	assert_true(amb);
	assert_null(job_find(&t, "ff", NULL, &amb));
	assert_false(amb);
	assert_null(job_find(&t, "", NULL, &amb));
	assert_string_equal(job_find(&t, "ab34000000000000", NULL, &amb)->id, "ab34000000000000");
	free_table(&t);
}

/* A member finds only its own jobs: another user's is never a hit, nor
 * makes a prefix ambiguous (which would tell its id, char by char). */
static void test_find_sees_only_the_peers_jobs(void **state)
{
	job_table t = { 0 };
	mk(&t, "ab12000000000000", 0, JOB_QUEUED)->peer.uid = 65534;
	mk(&t, "ab34000000000000", 0, JOB_QUEUED)->peer.uid = 4242;
	peer_cred member = { .uid = 65534 }, root = { .uid = 0 };
	bool amb;
	assert_string_equal(job_find(&t, "ab", &member, &amb)->id, "ab12000000000000");
	assert_false(amb);
	assert_null(job_find(&t, "ab34", &member, &amb));
	assert_false(amb);
	assert_null(job_find(&t, "ab34000000000000", &member, &amb));
	assert_null(job_find(&t, "ab", &root, &amb));
	assert_true(amb);
	assert_string_equal(job_find(&t, "ab34", &root, &amb)->id, "ab34000000000000");
	free_table(&t);
}

static void test_oldest_result_over_the_bound(void **state)
{
	job_table t = { 0 };
	job *a = mk(&t, "aaaaaaaaaaaaaaaa", 0, JOB_FAILED);
	job *b = mk(&t, "bbbbbbbbbbbbbbbb", 0, JOB_SUCCEEDED);
	mk(&t, "cccccccccccccccc", 0, JOB_RUNNING);
	strcpy(a->finished_at, "2026-01-02T00:00:00Z");
	strcpy(b->finished_at, "2026-01-01T00:00:00Z");
	assert_null(job_oldest_over(&t, 2));
	assert_ptr_equal(job_oldest_over(&t, 1), b); /* finished first, though submitted after */
	free_table(&t);
}

static void test_backoff_doubles_to_five_minutes(void **state)
{
	assert_int_equal(job_backoff_usec(1), 1000000);
	assert_int_equal(job_backoff_usec(2), 2000000);
	assert_int_equal(job_backoff_usec(3), 4000000);
	assert_int_equal(job_backoff_usec(9), 256000000);
	assert_int_equal(job_backoff_usec(10), 300000000);
	assert_int_equal(job_backoff_usec(100), 300000000);
}

static void test_attempts_are_recorded(void **state)
{
	job *j = job_new();
	assert_int_equal(job_attempt_begin(j, "2026-01-01T00:00:00Z"), 0);
	assert_int_equal(job_attempt_begin(j, "2026-01-01T00:00:01Z"), 0);
	assert_int_equal(j->attempts, 2);
	assert_int_equal(j->n_starts, 2);
	assert_string_equal(j->attempt_starts[1], "2026-01-01T00:00:01Z");
	assert_null(j->attempt_starts[2]);
	assert_string_equal(j->started_at, "2026-01-01T00:00:00Z"); /* the first */
	job_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_by_sequence),
		cmocka_unit_test(test_find_by_prefix),
		cmocka_unit_test(test_find_sees_only_the_peers_jobs),
		cmocka_unit_test(test_oldest_result_over_the_bound),
		cmocka_unit_test(test_backoff_doubles_to_five_minutes),
		cmocka_unit_test(test_attempts_are_recorded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
