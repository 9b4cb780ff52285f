/* Per-uid token buckets for the control socket (uid_rate.h). */
#include "supervisor/daemon/core/uid_rate.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/api/sv_fault.h"
#include "common/monotonic.h"

#include <stdio.h>

void uid_rates_init(uid_rates *u, double rate, double burst)
{
	u->rate = rate;
	u->burst = burst;
	u->n = 0;
}

uid_rate_slot *uid_rates_slot(uid_rates *u, uid_t uid, uint64_t now_usec)
{
	if (u->rate <= 0)
		return NULL;
	size_t i = 0, idlest = 0;
	for (; i < u->n && u->slot[i].uid != uid; i++)
		if (u->slot[i].b.last_usec < u->slot[idlest].b.last_usec)
			idlest = i;
	if (i == u->n) {
		if (u->n == UID_RATE_SLOTS)
			i = idlest; /* forgotten: it starts again with a full bucket */
		else
			u->n++;
		u->slot[i] = (uid_rate_slot){ .uid = uid };
		bucket_init(&u->slot[i].b, u->rate, u->burst, now_usec);
	}
	return &u->slot[i];
}

double uid_rates_take(uid_rates *u, uid_t uid, uint64_t now_usec)
{
	uid_rate_slot *s = uid_rates_slot(u, uid, now_usec);
	return s ? bucket_take(&s->b, 1, now_usec) : 0;
}

const char *corrald_admit(struct vl_call *call, char *params, size_t n, void *userdata)
{
	corrald *d = userdata;
	double wait = uid_rates_take(&d->uid_rates, vl_call_peer(call)->uid, mono_usec());
	if (wait == 0)
		return NULL;
	snprintf(params, n, "{\"retryAfter\":%.6f}", wait);
	return SV_ERR("RateLimited");
}
