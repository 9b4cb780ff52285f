/* A fresh temporary directory for each test: tmpdir_setup and
 * tmpdir_teardown are cmocka's setup and teardown, and tmpdir its path. */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "common/rm_rf.h"

static char tmpdir[64];

static inline int tmpdir_setup(void **state)
{
	strcpy(tmpdir, "/tmp/corral-ut-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static inline int tmpdir_teardown(void **state)
{
	rm_rf(tmpdir);
	return 0;
}

/* The whole of a file (up to 16 MiB), or NULL. */
static inline char *slurp(const char *path)
{
	char *s = NULL;
	return read_file(path, 1 << 24, &s, NULL, NULL) < 0 ? NULL : s;
}
