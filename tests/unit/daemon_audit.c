/* supervisor/daemon/audit.c: one JSON line per call, rotated, private to root. */
#include "tmpdir.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/daemon/core/audit.h"

static void test_audit_lines_and_rotation(void **state)
{
	char p[160];
	snprintf(p, sizeof(p), "%s/audit.log", tmpdir);
	audit_log a = { 0 };
	cerr err = { 0 };
	assert_int_equal(audit_open(&a, p, 400, 2, &err), 0);
	peer_cred peer = { .pid = 42, .uid = 65534, .gid = 65534 };
	assert_int_equal(audit_write(&a, &peer, "io.corral.Supervisor.Remove", "web\"1",
				     "io.corral.Supervisor.PermissionDenied", NULL, &err), 0);
	_cleanup_free_ char *s = slurp(p);
	assert_non_null(strstr(s, "\"uid\":65534,\"gid\":65534,\"pid\":42,"
				  "\"method\":\"io.corral.Supervisor.Remove\",\"target\":\"web\\\"1\","
				  "\"result\":\"io.corral.Supervisor.PermissionDenied\"}\n"));
	yajl_val v = NULL;
	*strchr(s, '\n') = '\0';
	assert_int_equal(json_parse(s, "audit", &v, &err), 0);
	assert_true(YAJL_IS_STRING(json_get(v, "time")));
	yajl_tree_free(v);
	for (int i = 0; i < 10; i++)
		assert_int_equal(audit_write(&a, &peer, "io.corral.Supervisor.Start", "x", "ok", NULL, &err), 0);
	audit_close(&a);
	char p1[170];
	snprintf(p1, sizeof(p1), "%s.1", p);
	assert_int_equal(access(p1, F_OK), 0);
	snprintf(p1, sizeof(p1), "%s.2", p);
	assert_int_equal(access(p1, F_OK), -1);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_true(st.st_size <= 400);
	assert_int_equal(st.st_mode & 0777, 0600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_audit_lines_and_rotation, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
