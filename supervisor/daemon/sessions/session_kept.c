/* A session's state that outlives it (rmState false): kept for its owner
 * alone. When such a session ends, its session.json becomes kept.json, the
 * record of whose state it is; a new session of that name gets the state
 * back only when it has the same owner. Another owner's new session starts
 * empty: the kept state is removed first, never opened for it. */
#include "supervisor/daemon/sessions/session_int.h"
#include "supervisor/daemon/sessions/session_kept.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void session_kept_leave(const char *dir)
{
	char rec[PATH_MAX], kept[PATH_MAX];
	snprintf(rec, sizeof(rec), "%s/" SESSION_FILE, dir);
	snprintf(kept, sizeof(kept), "%s/" SESSION_KEPT_FILE, dir);
	if (rename(rec, kept) == 0)
		return;
	/* no record of whose it is: no state either */
	log_warn("%s: keep its state: %s: the state is removed", dir, strerror(errno));
	snprintf(rec, sizeof(rec), "%s/" SESSION_STATE_FILE, dir);
	unlink(rec);
}

long long session_record_owner(const char *dir, const char *file)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	long long owner = -1;
	if (json_parse_file_at(AT_FDCWD, path, 256 * 1024, &v, &err) < 0 ||
	    !json_int_in(json_get(v, "owner"), 0, UINT32_MAX, &owner))
		owner = -1;
	return owner;
}

int session_kept_claim(const session_x *x, cerr *err)
{
	const char *dir = x->s.dir;
	char state[PATH_MAX], kept[PATH_MAX];
	snprintf(state, sizeof(state), "%s/" SESSION_STATE_FILE, dir);
	snprintf(kept, sizeof(kept), "%s/" SESSION_KEPT_FILE, dir);
	long long owner = session_record_owner(dir, SESSION_KEPT_FILE);
	if (access(state, F_OK) == 0 && owner != (long long)x->owner) {
		if (owner < 0)
			log_info("session %s: a state kept for no known owner is removed, not given to uid %u", x->s.name,
				 (unsigned)x->owner);
		else
			log_info("session %s: the state kept for uid %lld is removed, not given to uid %u", x->s.name, owner,
				 (unsigned)x->owner);
		if (unlink(state) < 0 && errno != ENOENT)
			return cerr_sys(err, errno, "session %s: remove another owner's kept state %s", x->s.name, state);
	}
	if (unlink(kept) < 0 && errno != ENOENT)
		return cerr_sys(err, errno, "session %s: %s", x->s.name, kept);
	return 0;
}
