/* Connections admitted per uid (admission.h). */
#include "supervisor/daemon/core/admission.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <stdio.h>

#define REPORT_EVERY_USEC 1000000 /* a uid's refusals, logged and audited at most this often */

/* *count refusals of uid on where since *reported: logged and audited
 * once a second at most, then counted anew */
static void report(corrald *d, const peer_cred *peer, const char *where, const char *result, unsigned long *count,
		   uint64_t *reported, uint64_t now, const char *why)
{
	if (now - *reported < REPORT_EVERY_USEC)
		return;
	char detail[200];
	snprintf(detail, sizeof(detail), "%lu connections refused: %s", *count, why);
	log_warn("%s socket: uid %u: %s", where, (unsigned)peer->uid, detail);
	_cleanup_cerr_ cerr err = { 0 };
	if (audit_write(&d->audit, peer, "connect", where, result, detail, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, NULL);
	*count = 0;
	*reported = now;
}

const char *admission_check(corrald *d, uid_rates *rates, const peer_cred *peer, const char *where)
{
	if (peer->uid == 0)
		return NULL;
	uint64_t now = mono_usec();
	uid_rate_slot *s = uid_rates_slot(rates, peer->uid, now);
	if (!s || bucket_take(&s->b, 1, now) == 0)
		return NULL;
	s->refused++;
	metrics_add_refused(d->metrics, 1);
	char why[96];
	snprintf(why, sizeof(why), "past %g a second (%sconnect-rate-per-uid)", rates->rate,
		 streq(where, "docker") ? "docker-" : "");
	report(d, peer, where, "RateLimited", &s->refused, &s->reported_usec, now, why);
	return "connecting faster than its rate";
}

void admission_capped(corrald *d, uid_rates *rates, const peer_cred *peer, const char *where, const char *why)
{
	metrics_add_refused(d->metrics, 1);
	uint64_t now = mono_usec();
	uid_rate_slot *s = uid_rates_slot(rates, peer->uid, now);
	if (!s) { /* no rate set, so no slot: each is said */
		unsigned long one = 1;
		uint64_t never = 0;
		report(d, peer, where, "TooManyConnections", &one, &never, now, why);
		return;
	}
	s->capped++;
	report(d, peer, where, "TooManyConnections", &s->capped, &s->capped_reported_usec, now, why);
}

const char *corrald_admit_peer(const peer_cred *peer, void *userdata)
{
	corrald *d = userdata;
	return admission_check(d, &d->connect_rates, peer, "varlink");
}
