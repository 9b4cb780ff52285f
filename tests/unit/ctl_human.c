/* supervisor/ctl/human.c: durations, sizes and tables as podman prints them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/ctl/human.h"

static void test_durations(void **state)
{
	char b[48];
	assert_string_equal(human_duration(0, b, sizeof(b)), "Less than a second");
	assert_string_equal(human_duration(1, b, sizeof(b)), "1 second");
	assert_string_equal(human_duration(45, b, sizeof(b)), "45 seconds");
	assert_string_equal(human_duration(90, b, sizeof(b)), "About a minute");
	assert_string_equal(human_duration(120, b, sizeof(b)), "2 minutes");
	assert_string_equal(human_duration(3600, b, sizeof(b)), "About an hour");
	assert_string_equal(human_duration(5 * 3600, b, sizeof(b)), "5 hours");
	assert_string_equal(human_duration(3 * 86400, b, sizeof(b)), "3 days");
	assert_string_equal(human_duration(21 * 86400, b, sizeof(b)), "3 weeks");
	assert_string_equal(human_duration(90 * 86400, b, sizeof(b)), "3 months");
	assert_string_equal(human_duration(3 * 365 * 86400ll, b, sizeof(b)), "3 years");
	/* an image CREATED column: "2 minutes ago", never an RFC 3339 string */
	assert_string_equal(human_ago("", b, sizeof(b)), "-");
	assert_string_equal(human_ago("2001-02-03T04:05:06Z", b, sizeof(b)) + strlen(b) - 9, "years ago");
}

static void test_sizes(void **state)
{
	char b[32];
	assert_string_equal(human_size(0, b, sizeof(b)), "0B");
	assert_string_equal(human_size(999, b, sizeof(b)), "999B");
	assert_string_equal(human_size(4200, b, sizeof(b)), "4.2kB");
	assert_string_equal(human_size(1500000, b, sizeof(b)), "1.5MB");
}

static void test_table_fits_long_names(void **state)
{
	ctl_table t = { 0 };
	assert_int_equal(table_add_line(&t, "ID\tNAME\tSTATUS"), 0);
	assert_int_equal(table_add_line(&t, "abc\ta-really-long-container-name-that-is-long\tUp"), 0);
	assert_int_equal(table_add_line(&t, "d\tshort\tExited (0)"), 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	table_print(f, &t);
	fclose(f);
	/* the column is as wide as its longest name: nothing cut, columns aligned */
	assert_string_equal(buf, "ID   NAME                                       STATUS\n"
				 "abc  a-really-long-container-name-that-is-long  Up\n"
				 "d    short                                      Exited (0)\n");
	free(buf);
	table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_table_fits_long_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
