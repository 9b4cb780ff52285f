/* supervisor/daemon/jobs/job_spec.c and job_json.c: the JobSpec, with the
 * path of what is wrong; a job's file read back as written; the output's
 * tail cut to its bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/daemon/jobs/job.h"

static yajl_val parse(const char *text)
{
	yajl_val v = NULL;
	cerr err = { 0 };
	if (json_parse(text, "test", &v, &err) < 0)
		fail_msg("%s: %s", text, cerr_msg(&err));
	return v;
}

static void test_spec_good(void **state)
{
	_cleanup_json_ yajl_val v = parse("{\"image\":\"tools/x\",\"command\":[\"sh\",\"-c\",\"exit 3\"],"
					  "\"name\":\"n\",\"timeout\":5,\"retries\":2,\"stopTimeout\":1}");
	job_spec s;
	json_fault f = { 0 };
	assert_int_equal(job_spec_parse(v, "job", &s, &f), 0);
	assert_string_equal(s.image, "tools/x");
	assert_string_equal(s.command[2], "exit 3");
	assert_null(s.command[3]);
	assert_string_equal(s.name, "n");
	assert_int_equal(s.timeout, 5);
	assert_int_equal(s.retries, 2);
	assert_int_equal(s.stop_timeout, 1);
	job_spec_release(&s);
	_cleanup_json_ yajl_val min = parse("{\"image\":\"x\",\"command\":[\"true\"]}");
	assert_int_equal(job_spec_parse(min, "job", &s, &f), 0);
	assert_null(s.name);
	assert_int_equal(s.timeout, 0);
	assert_int_equal(s.stop_timeout, -1);
	job_spec_release(&s);
}

static void test_spec_bad_names_the_field(void **state)
{
	static const struct {
		const char *json, *field, *reason;
	} bad[] = {
		{ "{\"image\":\"x\",\"command\":\"true\"}", "jobs[2].command", "must be a non-empty array of strings" },
		{ "{\"image\":\"x\",\"command\":[]}", "jobs[2].command", "must be a non-empty array of strings" },
		{ "{\"image\":\"x\",\"command\":[1]}", "jobs[2].command", "must be a non-empty array of strings" },
		{ "{\"image\":\"x\"}", "jobs[2].command", "must be a non-empty array of strings" },
		{ "{\"command\":[\"true\"]}", "jobs[2].image", "is required" },
		{ "{\"image\":\"x\",\"command\":[\"true\"],\"imag\":1}", "jobs[2].imag", "unknown field" },
		{ "{\"image\":\"x\",\"command\":[\"true\"],\"retries\":101}", "jobs[2].retries", "out of range" },
		{ "{\"image\":\"x\",\"command\":[\"true\"],\"timeout\":-1}", "jobs[2].timeout", "" },
		{ "{\"image\":\"x\",\"command\":[\"true\"],\"name\":\"a\\nb\"}", "jobs[2].name", "printable" },
		{ "[1]", "jobs[2]", "must be an object (a job), not array" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_json_ yajl_val v = parse(bad[i].json);
		job_spec s;
		json_fault f = { 0 };
		if (job_spec_parse(v, "jobs[2]", &s, &f) == 0)
			fail_msg("accepted %s", bad[i].json);
		assert_string_equal(f.field, bad[i].field);
		if (!strstr(f.reason, bad[i].reason))
			fail_msg("%s: reason [%s] lacks [%s]", bad[i].json, f.reason, bad[i].reason);
		assert_null(s.image); /* nothing left behind */
		assert_null(s.command);
	}
}

static void test_file_round_trip(void **state)
{
	job *j = job_new();
	_cleanup_json_ yajl_val jspec_json = parse("{\"image\":\"x\",\"command\":[\"echo\",\"hi\"],\"retries\":1}");
	json_fault f = { 0 };
	assert_int_equal(job_spec_parse(jspec_json, "job", &j->spec, &f), 0);
	strcpy(j->id, "0123456789abcdef");
	j->seq = 7;
	j->state = JOB_RUNNING;
	j->phase = JP_BACKOFF;
	j->peer = (peer_cred){ .uid = 1000, .gid = 1000, .n_groups = 1, .groups = { 995 } };
	strcpy(j->submitted_at, "2026-01-01T00:00:00Z");
	assert_int_equal(job_attempt_begin(j, "2026-01-01T00:00:01Z"), 0);
	j->has_exit = true;
	j->exit_code = 3;
	j->run_ms = 42;
	strcpy(j->container, "abc");
	j->output = strdup("[{\"time\":\"t\",\"stream\":\"stdout\",\"line\":\"hi\",\"partial\":false}]");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	assert_int_equal(job_gen(g, j, true, true), 0);
	_cleanup_free_ char *text = jg_finish(g, NULL);
	_cleanup_json_ yajl_val v = parse(text);
	job *k = job_new();
	_cleanup_cerr_ cerr err = { 0 };
	if (job_load(v, k, &err) < 0)
		fail_msg("%s", cerr_msg(&err));
	assert_string_equal(k->id, j->id);
	assert_int_equal(k->seq, 7);
	assert_int_equal(k->state, JOB_RUNNING);
	assert_int_equal(k->phase, JP_BACKOFF);
	assert_int_equal(k->peer.uid, 1000);
	assert_int_equal(k->peer.n_groups, 1);
	assert_int_equal(k->peer.groups[0], 995);
	assert_int_equal(k->attempts, 1);
	assert_int_equal(k->n_starts, 1);
	assert_true(k->has_exit);
	assert_int_equal(k->exit_code, 3);
	assert_int_equal(k->run_ms, 42);
	assert_int_equal(k->spec.retries, 1);
	assert_string_equal(k->spec.command[1], "hi");
	assert_string_equal(k->container, "abc");
	assert_non_null(strstr(k->output, "\"hi\""));
	job_free(j);
	job_free(k);
	/* a file with a bad field says which */
	_cleanup_json_ yajl_val bad = parse("{\"id\":\"0123456789abcdef\",\"image\":\"x\",\"command\":[\"a\"],"
					    "\"state\":\"bogus\",\"uid\":0,\"gid\":0,\"seq\":1}");
	k = job_new();
	assert_true(job_load(bad, k, &err) < 0);
	assert_non_null(strstr(cerr_msg(&err), "state"));
	job_free(k);
}

static void test_output_tail_is_bounded(void **state)
{
	/* 100 lines of 1 KiB: the last 64 fit in 64 KiB */
	_cleanup_free_ char *line = malloc(1025);
	memset(line, 'x', 1024);
	line[1024] = '\0';
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_array_open(g);
	for (int i = 0; i < 100; i++) {
		yajl_gen_map_open(g);
		line[0] = (char)('0' + i % 10);
		jg_key_str(g, "line", line);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	_cleanup_free_ char *text = jg_finish(g, NULL);
	_cleanup_json_ yajl_val v = parse(text);
	_cleanup_free_ char *tail = job_output_tail(v);
	_cleanup_json_ yajl_val t = parse(tail);
	assert_int_equal(t->u.array.len, 64);
	assert_int_equal(json_get(t->u.array.values[63], "line")->u.string[0], '9'); /* the last kept */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_good),
		cmocka_unit_test(test_spec_bad_names_the_field),
		cmocka_unit_test(test_file_round_trip),
		cmocka_unit_test(test_output_tail_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
