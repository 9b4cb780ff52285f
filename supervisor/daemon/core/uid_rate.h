/* The control socket's rate limit: a token bucket per peer uid
 * (corrald.conf rate-limit-per-uid, rate-limit-burst). Over it a call
 * fails with io.corral.Supervisor.RateLimited {retryAfter}. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "supervisor/daemon/core/bucket.h"

#define UID_RATE_SLOTS 256 /* uids remembered; the idlest is forgotten first */

typedef struct uid_rate_slot {
	uid_t uid;
	bucket b;
	unsigned long refused;  /* past the rate, since last reported (admission.c) */
	uint64_t reported_usec;
	unsigned long capped;   /* past a cap of open connections, since last reported */
	uint64_t capped_reported_usec;
} uid_rate_slot;

typedef struct uid_rates {
	double rate, burst;
	size_t n;
	uid_rate_slot slot[UID_RATE_SLOTS];
} uid_rates;

/* rate 0: no limit. */
void uid_rates_init(uid_rates *u, double rate, double burst);
/* uid's slot, made (with a full bucket) if it has none; NULL: no limit. */
uid_rate_slot *uid_rates_slot(uid_rates *u, uid_t uid, uint64_t now_usec);
/* 0 when uid may call now, else the seconds until it may. */
double uid_rates_take(uid_rates *u, uid_t uid, uint64_t now_usec);
/* vl_server_config.admit for corrald's control socket; userdata the corrald. */
struct vl_call;
const char *corrald_admit(struct vl_call *call, char *params, size_t n, void *userdata);
