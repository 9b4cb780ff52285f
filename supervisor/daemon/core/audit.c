#include "supervisor/daemon/core/audit.h"
#include "common/timefmt.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int audit_open(audit_log *a, const char *path, size_t max_size, unsigned keep, cerr *err)
{
	int r = rotfile_open(&a->file, path, max_size ? max_size : AUDIT_DEFAULT_MAX_SIZE,
			     keep ? keep : AUDIT_DEFAULT_KEEP, 0600, err);
	a->open = r == 0;
	return r < 0 ? cerr_wrap(err, "audit log") : 0;
}

void audit_close(audit_log *a)
{
	if (a->open)
		rotfile_close(&a->file);
	a->open = false;
}

const char *audit_format_time(long long ns, char *buf, size_t n)
{
	return rfc3339_ns(ns, buf, n);
}

int audit_write(audit_log *a, const peer_cred *peer, const char *method, const char *target,
		const char *result, const char *detail, cerr *err)
{
	if (!a->open)
		return 0;
	char ts[48];
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return cerr_set(err, ENOMEM, "audit: out of memory");
	int r = yajl_gen_map_open(g) || jg_key_str(g, "time", audit_format_time(0, ts, sizeof(ts))) ||
		jg_key_int(g, "uid", (long long)peer->uid) || jg_key_int(g, "gid", (long long)peer->gid) ||
		jg_key_int(g, "pid", (long long)peer->pid) || jg_key_str(g, "method", method);
	if (!r && target)
		r = jg_key_str(g, "target", target);
	r = r || jg_key_str(g, "result", result ? result : "ok");
	if (!r && detail)
		r = jg_key_str(g, "detail", detail);
	r = r || yajl_gen_map_close(g);
	size_t len;
	_cleanup_free_ char *line = r ? NULL : jg_finish(g, &len);
	if (!line)
		return cerr_set(err, ENOMEM, "audit: out of memory");
	line[len] = '\n'; /* jg_finish left room for its NUL */
	return rotfile_write(&a->file, line, len + 1, err) < 0 ? cerr_wrap(err, "audit log") : 0;
}
