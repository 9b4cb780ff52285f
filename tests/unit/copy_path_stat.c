/* supervisor/copy/path_stat.c: where the STAT frame says a link leads, in
 * a root of links that climb, loop, chain and lead nowhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/rm_rf.h"
#include "supervisor/copy/path_stat.h"
#include "supervisor/shape/copy_stat.h"

static char root[] = "/tmp/corral-pathstat-XXXXXX";
static int rootfd = -1;

static void link_at(const char *target, const char *name)
{
	assert_int_equal(symlinkat(target, rootfd, name), 0);
}

static int setup(void **state)
{
	strcpy(root, "/tmp/corral-pathstat-XXXXXX");
	assert_non_null(mkdtemp(root));
	rootfd = open(root, O_PATH | O_DIRECTORY);
	assert_true(rootfd >= 0);
	assert_int_equal(mkdirat(rootfd, "a", 0755), 0);
	assert_int_equal(mkdirat(rootfd, "a/b", 0755), 0);
	close(openat(rootfd, "a/b/f", O_CREAT | O_WRONLY, 0644));
	link_at("a/b/f", "rel");
	link_at("/rel", "abs");
	link_at("../../../../a", "climb");
	link_at("/climb/b/../b/f", "through");
	link_at("loop2", "loop1");
	link_at("/loop1", "loop2");
	link_at("/nope/x/../y", "nowhere");
	link_at("nope/../a/b/f", "back");       /* .. after a name that is not there */
	link_at("a/b/f/x", "past-a-file");
	char deep[PATH_MAX] = "a";
	for (int i = 0; i < 600; i++) { /* a/d/d/.../d: a name at a time below its directory */
		strcat(deep, "/d");
		assert_int_equal(mkdirat(rootfd, deep, 0755), 0);
	}
	link_at(deep, "deep");
	char name[16], target[16];
	for (int i = 1; i <= COPY_LINKS_MAX + 1; i++) { /* chainN leads through N links */
		snprintf(name, sizeof(name), "chain%d", i);
		snprintf(target, sizeof(target), i == 1 ? "a/b/f" : "chain%d", i - 1);
		link_at(target, name);
	}
	return 0;
}

static int teardown(void **state)
{
	close(rootfd);
	rm_rf(root);
	return 0;
}

/* The STAT frame's linkTarget for clean (relative to the root), or the
 * error's text */
static void stat_of(const char *clean, char *out, size_t n)
{
	struct stat st;
	assert_int_equal(fstatat(rootfd, clean, &st, AT_SYMLINK_NOFOLLOW), 0);
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cerr err = { 0 };
	if (copy_send_stat(rootfd, clean, &st, sv[0], &err) < 0) {
		snprintf(out, n, "error: %s", cerr_msg(&err));
		cerr_clear(&err);
	} else {
		char buf[8192];
		ssize_t len = read(sv[1], buf, sizeof(buf) - 1);
		assert_true(len > STREAM_HEADER);
		assert_int_equal(buf[0], STREAM_STAT);
		buf[len] = '\0';
		copy_stat cs;
		assert_int_equal(copy_stat_parse(buf + STREAM_HEADER, &cs), 0);
		snprintf(out, n, "%s", cs.link);
		copy_stat_release(&cs);
	}
	close(sv[0]);
	close(sv[1]);
}

static void test_where_links_lead(void **state)
{
	static const struct {
		const char *path, *says;
	} cases[] = {
		{ "a/b/f", "" }, /* no link */
		{ "rel", "/a/b/f" },
		{ "abs", "/a/b/f" },
		{ "climb", "/a" },                                  /* .. stops at the root */
		{ "through", "/a/b/f" },                            /* links inside the target too */
		{ "nowhere", "/nope/y" },                           /* missing names as they are */
		{ "back", "/a/b/f" },
		{ "past-a-file", "/a/b/f/x" },
		{ "chain40", "/a/b/f" },                            /* the kernel's 40 */
		{ "chain41", "error: /chain41: more than 40 links" }, /* and no more */
		{ "loop1", "error: /loop1: more than 40 links" },
	};
	char got[PATH_MAX + 64];
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		stat_of(cases[i].path, got, sizeof(got));
		assert_string_equal(got, cases[i].says);
	}
	stat_of("deep", got, sizeof(got));
	assert_int_equal(strlen(got), 1 + 1 + 600 * 2);
	assert_string_equal(got + strlen(got) - 4, "/d/d");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_where_links_lead, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
