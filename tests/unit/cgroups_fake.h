/* A fake cgroupfs for the cgroup unit tests: a temp directory holding the
 * files a cgroup would have, empty, so that tests read back what was written
 * and a write to a file the kernel would not offer fails (ENOENT). */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "cgroups/resources.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/json.h"

static char fake_root[256];

static inline void fake_write(const char *rel, const char *content)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", fake_root, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static inline char *fake_read(const char *rel)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", fake_root, rel);
	char *s = NULL;
	assert_int_equal(read_file(p, 1 << 16, &s, NULL, NULL), 0);
	return s;
}

static inline void fake_mkdir(const char *rel)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", fake_root, rel);
	assert_int_equal(mkdir_p(p, 0755), 0);
}

static inline bool fake_exists(const char *rel)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", fake_root, rel);
	return access(p, F_OK) == 0;
}

/* The files of a cgroup v2 directory with every controller enabled. */
static const char *const fake_cgroup_files[] = {
	"cgroup.procs", "cgroup.subtree_control", "cgroup.controllers", "cgroup.events", "cgroup.freeze",
	"cgroup.kill", "memory.max", "memory.low", "memory.high", "memory.swap.max", "cpu.weight",
	"cpu.max", "cpu.max.burst", "cpu.idle", "cpuset.cpus", "cpuset.mems", "pids.max", "io.weight",
	"io.max", "hugetlb.2MB.max", "hugetlb.1GB.max", "rdma.max",
};

static inline void fake_cgroup(const char *rel)
{
	fake_mkdir(rel);
	for (size_t i = 0; i < sizeof(fake_cgroup_files) / sizeof(*fake_cgroup_files); i++) {
		char f[256];
		snprintf(f, sizeof(f), "%s/%s", rel, fake_cgroup_files[i]);
		fake_write(f, "");
	}
}

static inline int fake_setup(void **state)
{
	snprintf(fake_root, sizeof(fake_root), "%s/corral-cgtest.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(fake_root));
	cg_set_root(fake_root);
	return 0;
}

static inline int fake_teardown(void **state)
{
	cg_set_root(NULL);
	assert_int_equal(rm_rf(fake_root), 0);
	return 0;
}

static inline struct cg_resources *parse_ok(const char *json)
{
	yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(json_parse(json, "test", &v, &err), 0);
	struct cg_resources *r = NULL;
	int rc = cg_resources_parse(v, &r, &err);
	if (rc < 0)
		fail_msg("parse %s: %s", json, cerr_msg(&err));
	yajl_tree_free(v);
	return r;
}

/* Parse must fail with an error that contains want. */
static inline void parse_fails(const char *json, const char *want)
{
	yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(json_parse(json, "test", &v, &err), 0);
	struct cg_resources *r = NULL;
	int rc = cg_resources_parse(v, &r, &err);
	yajl_tree_free(v);
	if (rc == 0) {
		cg_resources_free(r);
		fail_msg("parse %s: succeeded, expected \"%s\"", json, want);
	}
	assert_null(r);
	if (!strstr(cerr_msg(&err), want))
		fail_msg("parse %s: error \"%s\" lacks \"%s\"", json, cerr_msg(&err), want);
}
