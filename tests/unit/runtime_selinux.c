/* runtime/selinux.c: linux.mountLabel becomes a quoted context= after the
 * mount's own options; a label that cannot be quoted is refused; where
 * SELinux is off, a config or --process-label that names a label gets
 * runc's answer, naming the field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/spec.h"
#include "bundle/spec_parse.h"
#include "common/error.h"
#include "runtime/selinux.h"

static const char *const label = "system_u:object_r:container_file_t:s0:c1,c2";

static void test_mount_data(void **state)
{
	char out[128];
	assert_int_equal(selinux_mount_data(NULL, label, out, sizeof(out)), 0);
	assert_string_equal(out, "context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
	assert_int_equal(selinux_mount_data("", label, out, sizeof(out)), 0);
	assert_string_equal(out, "context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
	assert_int_equal(selinux_mount_data("mode=755,size=65536k", label, out, sizeof(out)), 0);
	assert_string_equal(out, "mode=755,size=65536k,context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
	assert_int_equal(selinux_mount_data("mode=755", label, out, 20), -E2BIG);
}

static void test_unquotable_label_is_refused(void **state)
{
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(selinux_check_label("a:b:c\"d", "linux.mountLabel", &err), -EINVAL);
	assert_string_equal(cerr_msg(&err), "linux.mountLabel: \"a:b:c\"d\" is not an SELinux label");
	cerr_clear(&err);
	assert_int_equal(selinux_check_label("a:b\n:c", "--process-label", &err), -EINVAL);
	cerr_clear(&err);
	assert_int_equal(selinux_check_label("", "process.selinuxLabel", &err), 0);
	assert_int_equal(selinux_check_label(NULL, "process.selinuxLabel", &err), 0);
}

static struct oci_spec *spec_with(const char *process_extra, const char *linux_extra)
{
	char *text = NULL;
	assert_true(asprintf(&text,
			     "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},"
			     "\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"true\"],\"cwd\":\"/\"%s},\"linux\":{%s}}",
			     process_extra, linux_extra) > 0);
	struct oci_spec *s = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (spec_parse(text, &s, &err) < 0)
		fail_msg("%s", cerr_msg(&err));
	free(text);
	return s;
}

/* The labels parse (the runtime decides, by the host); where SELinux is
 * off, create refuses each, as runc refuses a process label. */
static void test_labels_parse_and_need_selinux(void **state)
{
	struct oci_spec *s = spec_with(",\"selinuxLabel\":\"system_u:system_r:container_t:s0:c1,c2\"",
				       "\"mountLabel\":\"system_u:object_r:container_file_t:s0:c1,c2\"");
	assert_string_equal(s->process.selinux_label, "system_u:system_r:container_t:s0:c1,c2");
	assert_string_equal(s->linux_.mount_label, label);
	_cleanup_cerr_ cerr err = { 0 };
	if (selinux_enabled()) {
		assert_int_equal(selinux_check_spec(s, &err), 0);
		spec_free(s);
		skip();
	}
	assert_int_equal(selinux_check_spec(s, &err), -ENOTSUP);
	assert_string_equal(cerr_msg(&err), "process.selinuxLabel: SELinux is disabled or not supported on this host");
	cerr_clear(&err);
	spec_free(s);
	s = spec_with("", "\"mountLabel\":\"system_u:object_r:container_file_t:s0:c1,c2\"");
	assert_int_equal(selinux_check_spec(s, &err), -ENOTSUP);
	assert_string_equal(cerr_msg(&err), "linux.mountLabel: SELinux is disabled or not supported on this host");
	cerr_clear(&err);
	spec_free(s);
	s = spec_with(",\"selinuxLabel\":\"\"", "\"mountLabel\":\"\"");
	assert_int_equal(selinux_check_spec(s, &err), 0);
	spec_free(s);
}

/* No label: nothing is opened, nothing written. */
static void test_no_label_sets_nothing(void **state)
{
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(selinux_open_exec_attr(-1, NULL, 3, &err), -1);
	assert_int_equal(selinux_open_exec_attr(-1, "", 3, &err), -1);
	assert_int_equal(selinux_set_exec_label(-1, "", &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_data),
		cmocka_unit_test(test_unquotable_label_is_refused),
		cmocka_unit_test(test_labels_parse_and_need_selinux),
		cmocka_unit_test(test_no_label_sets_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
