#include "supervisor/daemon/host/cgroup_self.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/strbuf.h"
#include "supervisor/daemon/core/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cgself_parse(const char *text, char **path, cerr *err)
{
	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		if (n >= 3 && !strncmp(l, "0::", 3)) {
			*path = strndup(l + 3, n - 3);
			if (!*path)
				return cerr_set(err, ENOMEM, "out of memory");
			return 0;
		}
		l = nl ? nl + 1 : NULL;
	}
	return cerr_set(err, ENOENT, "/proc/self/cgroup: no cgroup v2 (0::) entry");
}

bool cgself_should_delegate(int mode, const char *own)
{
	/* auto is no: a service that puts its containers under its own unit
	 * cannot be restarted by systemd while they run (the unit's cgroup
	 * then has controllers enabled and takes no new process: 219/CGROUP) */
	return mode == CG_DELEGATE_YES && own && !streq(own, "/");
}

static int move_procs(int from_dfd, int to_dfd, const char *what, cerr *err)
{
	/* new processes may appear while we move; go round until it is empty */
	for (int round = 0; round < 16; round++) {
		_cleanup_free_ char *procs = NULL;
		_cleanup_cerr_ cerr e2 = { 0 };
		if (read_file_at(from_dfd, "cgroup.procs", 1 << 20, &procs, NULL, &e2) < 0)
			return cerr_set(err, e2.code, "%s", cerr_msg(&e2));
		if (!procs[0])
			return 0;
		for (char *save, *tok = strtok_r(procs, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
			int r = write_file_str_at(to_dfd, "cgroup.procs", tok);
			if (r < 0 && r != -ESRCH)
				return cerr_sys(err, -r, "%s: move pid %s", what, tok);
		}
	}
	return cerr_set(err, EBUSY, "%s: processes keep appearing", what);
}

int cgself_enter_leaf(const char *mount, const char *own, const char *leaf, cerr *err)
{
	_cleanup_free_ char *own_path = NULL, *leaf_path = NULL;
	if (asprintf(&own_path, "%s%s", mount, own) < 0 ||
	    asprintf(&leaf_path, "%s%s/%s", mount, streq(own, "/") ? "" : own, leaf) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	if (mkdir(leaf_path, 0755) < 0 && errno != EEXIST)
		return cerr_sys(err, errno, "cgroup %s/%s", own, leaf);
	_cleanup_close_ int own_fd = open(own_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int leaf_fd = open(leaf_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (own_fd < 0 || leaf_fd < 0)
		return cerr_sys(err, errno, "cgroup %s", own_fd < 0 ? own_path : leaf_path);
	int r = move_procs(own_fd, leaf_fd, own, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *ctrl = NULL;
	_cleanup_cerr_ cerr e2 = { 0 };
	if (read_file_at(own_fd, "cgroup.controllers", 4096, &ctrl, NULL, &e2) < 0)
		return 0; /* no controllers to hand down */
	_cleanup_strbuf_ strbuf want = STRBUF_INIT;
	for (char *save, *tok = strtok_r(ctrl, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		sb_addf(&want, "%s+%s", want.len ? " " : "", tok);
	if (want.len && (r = write_file_str_at(own_fd, "cgroup.subtree_control", want.buf)) < 0)
		return cerr_sys(err, -r, "cgroup %s: enable controllers %s", own, want.buf);
	return 0;
}

char *cgself_containers_parent(const char *cgroup_parent, const char *own, bool delegated)
{
	if (cgroup_parent && cgroup_parent[0])
		return strdup(cgroup_parent);
	if (delegated && own)
		return strdup(own);
	return strdup("/corral");
}
