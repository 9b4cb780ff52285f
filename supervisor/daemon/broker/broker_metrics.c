/* The broker's Prometheus series, per session: messages routed, dropped,
 * denied and rate-limited, streams cut off, connections refused, queue
 * depths, open streams and request latency. */
#include "common/cleanup.h"
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/daemon/core/metrics.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/sessions/session.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

static const struct {
	const char *name, *help;
	size_t off;
} counters[] = {
	{ "corral_broker_messages_routed_total", "Broker messages routed (published, requests, replies).",
	  offsetof(broker_session, routed) },
	{ "corral_broker_messages_dropped_total", "Broker messages dropped from full subscriber queues.",
	  offsetof(broker_session, dropped) },
	{ "corral_broker_messages_denied_total", "Broker calls refused by the session's policy.",
	  offsetof(broker_session, denied) },
	{ "corral_broker_messages_rate_limited_total", "Broker calls refused by a member's rate limit.",
	  offsetof(broker_session, rate_limited) },
	{ "corral_broker_streams_disconnected_total", "Broker streams cut off by the circuit breaker.",
	  offsetof(broker_session, disconnected) },
	{ "corral_broker_connections_refused_total",
	  "Connections to members' broker sockets refused: the member's or the session's bound.",
	  offsetof(broker_session, refused) },
};

static int series(strbuf *sb, const char *name, const session *s, const char *extra, unsigned long long v)
{
	return sb_addf(sb, "%s{session=\"", name) || metrics_label(sb, s->name) ||
	       sb_addf(sb, "\"%s} %llu\n", extra, v);
}

int broker_render_metrics(struct corrald *d, strbuf *sb)
{
	int r = 0;
	for (size_t i = 0; !r && i < sizeof(counters) / sizeof(counters[0]); i++) {
		r = metrics_head(sb, counters[i].name, "counter", counters[i].help);
		for (session *s = d->sessions; !r && s; s = s->next)
			if (s->broker)
				r = series(sb, counters[i].name, s, "",
					   *(const uint64_t *)((const char *)s->broker + counters[i].off));
	}
	r = r || metrics_head(sb, "corral_broker_queue_messages", "gauge",
			      "Messages queued in the session's streams, and the deepest stream's.");
	for (session *s = d->sessions; !r && s; s = s->next) {
		if (!s->broker)
			continue;
		unsigned long long sum = 0, max = 0;
		for (bstream *st = s->broker->streams; st; st = st->next) {
			sum += st->q->n;
			max = st->q->n > max ? st->q->n : max;
		}
		r = series(sb, "corral_broker_queue_messages", s, ",of=\"all\"", sum) ||
		    series(sb, "corral_broker_queue_messages", s, ",of=\"deepest\"", max);
	}
	/* open streams by kind: a subscriber is counted once corrald holds it,
	 * so a client (or a test) can tell when a publish will reach it */
	static const char *const kinds[] = { "subscribe", "serve", "watch" };
	r = r || metrics_head(sb, "corral_broker_streams", "gauge", "Open Subscribe, Serve and StateWatch streams.");
	for (session *s = d->sessions; !r && s; s = s->next) {
		if (!s->broker)
			continue;
		unsigned long long n[ARRAY_SIZE(kinds)] = { 0 };
		for (bstream *st = s->broker->streams; st; st = st->next)
			n[st->kind]++;
		for (size_t k = 0; !r && k < ARRAY_SIZE(kinds); k++) {
			char extra[32];
			snprintf(extra, sizeof(extra), ",kind=\"%s\"", kinds[k]);
			r = series(sb, "corral_broker_streams", s, extra, n[k]);
		}
	}
	r = r || metrics_head(sb, "corral_broker_request_duration_seconds", "histogram",
			      "Broker requests, from Request to the server's Reply.");
	for (session *s = d->sessions; !r && s; s = s->next) {
		broker_session *bs = s->broker;
		if (!bs)
			continue;
		unsigned long long cum = 0;
		for (size_t b = 0; !r && b <= BROKER_LAT_BUCKETS; b++) {
			char le[48];
			cum += bs->lat[b];
			if (b < BROKER_LAT_BUCKETS)
				snprintf(le, sizeof(le), ",le=\"%g\"", broker_lat_bounds[b]);
			else
				snprintf(le, sizeof(le), ",le=\"+Inf\"");
			r = sb_addf(sb, "corral_broker_request_duration_seconds_bucket{session=\"") ||
			    metrics_label(sb, s->name) || sb_addf(sb, "\"%s} %llu\n", le, cum);
		}
		r = r || sb_addf(sb, "corral_broker_request_duration_seconds_sum{session=\"") ||
		    metrics_label(sb, s->name) || sb_addf(sb, "\"} %g\n", bs->lat_sum) ||
		    series(sb, "corral_broker_request_duration_seconds_count", s, "", bs->lat_count);
	}
	return r ? -ENOMEM : 0;
}
