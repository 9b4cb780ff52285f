#include "supervisor/daemon/core/metrics.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Upper bounds in seconds, as Prometheus's defaults but finer at the low end:
 * most calls answer in well under a millisecond. */
static const double buckets[] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
				  0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define N_BUCKETS ARRAY_SIZE(buckets)

/* The states as ps shows them (ctr_status_str), so that the series add up to ps -a. */
static const char *const states[] = { "created", "running", "paused", "exited", "restarting", "removing" };
#define N_STATES ARRAY_SIZE(states)

struct method_stats {
	char *name;
	uint64_t ok, errors;
	uint64_t bucket[N_BUCKETS]; /* non-cumulative; summed at render time */
	uint64_t count;
	double sum;
};

struct metrics {
	struct method_stats methods[METRICS_MAX_METHODS + 1]; /* last: "other" */
	size_t n_methods;
	uint64_t containers[N_STATES];
	uint64_t store_bytes, images, connections, log_streams, restarts, oom_kills, refused;
	uint64_t pulls_ok, pulls_failed, pull_bytes;
	double start_time;
};

metrics *metrics_new(void)
{
	metrics *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->methods[METRICS_MAX_METHODS].name = (char *)"other";
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	m->start_time = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	return m;
}

void metrics_free(metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_methods; i++)
		free(m->methods[i].name);
	free(m);
}

static struct method_stats *method(metrics *m, const char *name)
{
	for (size_t i = 0; i < m->n_methods; i++)
		if (streq(m->methods[i].name, name))
			return &m->methods[i];
	if (m->n_methods < METRICS_MAX_METHODS) {
		char *d = strdup(name);
		if (d) {
			m->methods[m->n_methods].name = d;
			return &m->methods[m->n_methods++];
		}
	}
	return &m->methods[METRICS_MAX_METHODS];
}

void metrics_rpc(metrics *m, const char *name, const char *error, uint64_t usec)
{
	struct method_stats *s = method(m, name);
	if (error)
		s->errors++;
	else
		s->ok++;
	double sec = (double)usec / 1e6;
	s->count++;
	s->sum += sec;
	for (size_t i = 0; i < N_BUCKETS; i++)
		if (sec <= buckets[i]) {
			s->bucket[i]++;
			break;
		}
}

void metrics_set_containers(metrics *m, const char *state, uint64_t n)
{
	for (size_t i = 0; i < N_STATES; i++)
		if (streq(states[i], state))
			m->containers[i] = n;
}

void metrics_set_store_bytes(metrics *m, uint64_t b) { m->store_bytes = b; }
void metrics_set_images(metrics *m, uint64_t n) { m->images = n; }
void metrics_set_connections(metrics *m, uint64_t n) { m->connections = n; }
void metrics_set_log_streams(metrics *m, uint64_t n) { m->log_streams = n; }
void metrics_add_restarts(metrics *m, uint64_t n) { m->restarts += n; }
void metrics_add_oom_kills(metrics *m, uint64_t n) { m->oom_kills += n; }
void metrics_add_refused(metrics *m, uint64_t n) { m->refused += n; }
void metrics_add_pull(metrics *m, bool ok, uint64_t bytes)
{
	*(ok ? &m->pulls_ok : &m->pulls_failed) += 1;
	m->pull_bytes += bytes;
}

int metrics_label(strbuf *sb, const char *v)
{
	for (const char *p = v; *p; p++) {
		int r = 0;
		if (*p == '\\')
			r = sb_adds(sb, "\\\\");
		else if (*p == '"')
			r = sb_adds(sb, "\\\"");
		else if (*p == '\n')
			r = sb_adds(sb, "\\n");
		else
			r = sb_add(sb, p, 1);
		if (r)
			return r;
	}
	return 0;
}

int metrics_head(strbuf *sb, const char *name, const char *type, const char *help)
{
	return sb_addf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A metric of one value, with its head. */
static int metric(strbuf *sb, const char *name, const char *type, const char *help, unsigned long long v)
{
	return metrics_head(sb, name, type, help) || sb_addf(sb, "%s %llu\n", name, v);
}

int metrics_render(const metrics *m, strbuf *sb)
{
	int r = metrics_head(sb, "corral_containers", "gauge", "Containers by state.");
	for (size_t i = 0; !r && i < N_STATES; i++)
		r = sb_addf(sb, "corral_containers{state=\"%s\"} %llu\n", states[i],
			    (unsigned long long)m->containers[i]);
	r = r || metric(sb, "corral_container_restarts_total", "counter",
		   "Container restarts made by restart policies.", m->restarts) ||
	    metric(sb, "corral_container_oom_kills_total", "counter",
		   "Container processes killed by the OOM killer.", m->oom_kills) ||
	    metric(sb, "corral_store_bytes", "gauge", "Bytes used by the image and container store.", m->store_bytes) ||
	    metric(sb, "corral_images", "gauge", "Images in the store.", m->images) ||
	    metrics_head(sb, "corral_image_pulls_total", "counter", "Image pulls from registries by result.") ||
	    sb_addf(sb, "corral_image_pulls_total{result=\"ok\"} %llu\ncorral_image_pulls_total{result=\"error\"} %llu\n",
		    (unsigned long long)m->pulls_ok, (unsigned long long)m->pulls_failed) ||
	    metric(sb, "corral_image_pull_bytes_total", "counter",
		   "Bytes of blobs fetched from registries.", m->pull_bytes) ||
	    metric(sb, "corral_rpc_connections", "gauge", "Open control socket connections.", m->connections) ||
	    metric(sb, "corral_rpc_connections_refused_total", "counter",
		   "Connections refused by the connection limits.", m->refused) ||
	    metric(sb, "corral_log_streams", "gauge",
		   "Open container log streams (logs being sent or followed).", m->log_streams) ||
	    metrics_head(sb, "corral_rpc_requests_total", "counter", "Control socket calls by method and result.");
	size_t n = m->n_methods;
	const struct method_stats *all[METRICS_MAX_METHODS + 1];
	for (size_t i = 0; i < n; i++)
		all[i] = &m->methods[i];
	if (m->methods[METRICS_MAX_METHODS].count)
		all[n++] = &m->methods[METRICS_MAX_METHODS];
	for (size_t i = 0; !r && i < n; i++) {
		for (int ok = 1; !r && ok >= 0; ok--) {
			r = sb_adds(sb, "corral_rpc_requests_total{method=\"") || metrics_label(sb, all[i]->name) ||
			    sb_addf(sb, "\",result=\"%s\"} %llu\n", ok ? "ok" : "error",
				    (unsigned long long)(ok ? all[i]->ok : all[i]->errors));
		}
	}
	r = r || metrics_head(sb, "corral_rpc_duration_seconds", "histogram",
		      "Control socket call latency, from receipt to the final reply.");
	for (size_t i = 0; !r && i < n; i++) {
		uint64_t cum = 0;
		for (size_t b = 0; !r && b <= N_BUCKETS; b++) {
			cum += b < N_BUCKETS ? all[i]->bucket[b] : 0;
			r = sb_adds(sb, "corral_rpc_duration_seconds_bucket{method=\"") ||
			    metrics_label(sb, all[i]->name);
			if (!r && b < N_BUCKETS)
				r = sb_addf(sb, "\",le=\"%g\"} %llu\n", buckets[b], (unsigned long long)cum);
			else if (!r)
				r = sb_addf(sb, "\",le=\"+Inf\"} %llu\n", (unsigned long long)all[i]->count);
		}
		r = r || sb_adds(sb, "corral_rpc_duration_seconds_sum{method=\"") || metrics_label(sb, all[i]->name) ||
		    sb_addf(sb, "\"} %.9f\n", all[i]->sum) ||
		    sb_adds(sb, "corral_rpc_duration_seconds_count{method=\"") || metrics_label(sb, all[i]->name) ||
		    sb_addf(sb, "\"} %llu\n", (unsigned long long)all[i]->count);
	}
	r = r || metrics_head(sb, "process_start_time_seconds", "gauge", "Start time of corrald since the epoch.") ||
	    sb_addf(sb, "process_start_time_seconds %.3f\n", m->start_time);
	return r ? -ENOMEM : 0;
}
