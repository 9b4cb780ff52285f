#include "supervisor/daemon/core/state_format.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/version.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

/* what a corrald from before format.json left there */
static bool holds_state(const char *dir)
{
	static const char *const kept[] = { "containers", "images", "secrets", "workloads", "sessions", "jobs" };
	char p[PATH_MAX];
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, kept[i]);
		if (access(p, F_OK) == 0)
			return true;
	}
	return false;
}

int state_format_check(const char *dir, int *format, cerr *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" STATE_FORMAT_FILE, dir);
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr e2 = { 0 };
	int r = json_parse_file_at(AT_FDCWD, path, 1 << 16, &v, &e2);
	if (r == -ENOENT) {
		*format = holds_state(dir) ? 1 : 0;
		return 0;
	}
	if (r < 0)
		return cerr_set(err, -r, "state directory %s: %s", dir, cerr_msg(&e2));
	long long n;
	if (!json_int_in(json_get(v, "format"), 1, INT_MAX, &n))
		return cerr_set(err, EINVAL, "%s: format: must be a positive integer", path);
	*format = (int)n;
	if (n <= STATE_FORMAT)
		return 0;
	yajl_val by = json_get(v, "writtenBy");
	return cerr_set(err, EPROTONOSUPPORT,
			"state directory %s: its format %lld (written by %s) is newer than this corrald's, %d: run "
			"that corrald or a newer one; nothing was changed",
			dir, n, YAJL_IS_STRING(by) ? by->u.string : "a newer corrald", STATE_FORMAT);
}

int state_format_write(const char *dir, cerr *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" STATE_FORMAT_FILE, dir);
	char by[128];
	snprintf(by, sizeof(by), "corrald %s (%s)", CORRAL_VERSION, corral_commit);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_int(g, "format", STATE_FORMAT) || jg_key_str(g, "writtenBy", by) ||
	    yajl_gen_map_close(g))
		return cerr_set(err, ENOMEM, "out of memory");
	return jg_write_file(g, path, 0644, 0, err);
}
