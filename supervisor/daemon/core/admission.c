/* Connections admitted per uid (admission.h). */
#include "supervisor/daemon/core/admission.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <stdio.h>

#define REPORT_EVERY_USEC 1000000 /* a uid's refusals, logged and audited at most this often */

const char *admission_check(corrald *d, uid_rates *rates, const peer_cred *peer, const char *where)
{
	if (peer->uid == 0)
		return NULL;
	uint64_t now = el_now_usec();
	uid_rate_slot *s = uid_rates_slot(rates, peer->uid, now);
	if (!s || bucket_take(&s->b, 1, now) == 0)
		return NULL;
	s->refused++;
	metrics_add_refused(d->metrics, 1);
	if (now - s->reported_usec >= REPORT_EVERY_USEC) {
		char detail[160];
		snprintf(detail, sizeof(detail), "%lu connections refused: past %g a second (%sconnect-rate-per-uid)",
			 s->refused, rates->rate, streq(where, "docker") ? "docker-" : "");
		log_warn("%s socket: uid %u: %s", where, (unsigned)peer->uid, detail);
		_cleanup_cerr_ cerr err = { 0 };
		if (audit_write(&d->audit, peer, "connect", where, "RateLimited", detail, &err) < 0)
			log_cerr(LOG_LVL_WARN, &err, NULL);
		s->refused = 0;
		s->reported_usec = now;
	}
	return "connecting faster than its rate";
}

const char *corrald_admit_peer(const peer_cred *peer, void *userdata)
{
	corrald *d = userdata;
	return admission_check(d, &d->connect_rates, peer, "varlink");
}
