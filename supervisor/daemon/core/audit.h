/* The audit log: one JSON object per line for every call that changes
 * something or was refused (time, peer uid/gid/pid, method, target, result),
 * in a rotated file. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "common/error.h"
#include "supervisor/varlink/peer.h"
#include "supervisor/logs/rotate.h"

typedef struct audit_log {
	rotfile file;
	bool open;
} audit_log;

#define AUDIT_DEFAULT_MAX_SIZE (10u << 20)
#define AUDIT_DEFAULT_KEEP 5

int audit_open(audit_log *a, const char *path, size_t max_size, unsigned keep, cerr *err);
void audit_close(audit_log *a);
/* result: "ok", or an error name; target may be NULL. realtime_ns 0: now. */
int audit_write(audit_log *a, const peer_cred *peer, const char *method, const char *target,
		const char *result, const char *detail, cerr *err);
/* RFC 3339 UTC with nanoseconds into buf (at least 40 bytes). */
const char *audit_format_time(long long realtime_ns, char *buf, size_t n);
