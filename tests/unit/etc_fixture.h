/* An image's /etc/passwd and /etc/group for the user-lookup tests, written
 * into a rootfs directory. app (uid 1000) has primary group 1001 and is
 * listed in wheel (10) and audio (29); "other" only in wheel. */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"

#define ETC_PASSWD "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/bin/sh\n"
#define ETC_GROUP "root:x:0:\nwheel:x:10:app,other\napp:x:1001:\naudio:x:29:app\n"

/* rootfs/etc/<name>, holding text (replacing what was there). */
static inline void etc_file(const char *rootfs, const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/etc", rootfs);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/%s", rootfs, name);
	unlink(p);
	assert_int_equal(write_file_atomic(p, text, strlen(text), 0644, NULL), 0);
}

static inline void etc_fixture(const char *rootfs)
{
	etc_file(rootfs, "passwd", ETC_PASSWD);
	etc_file(rootfs, "group", ETC_GROUP);
}
