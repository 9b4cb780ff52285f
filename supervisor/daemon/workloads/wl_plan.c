/* The plan: see wl_plan.h. Pure: it reads its arguments only. */
#include "supervisor/daemon/workloads/wl_plan.h"

#include "common/cleanup.h"

#include <stdlib.h>
#include <string.h>

const char *const wl_rstate_str[] = { "pending", "ready", "done", "broken" };

typedef struct plan {
	wl_action *out;
	size_t max, n;
} plan;

static void add(plan *p, enum wl_akind kind, const wl_replica *r, const char *why)
{
	if (p->n < p->max)
		p->out[p->n] = (wl_action){ .kind = kind, .replica = r, .why = why };
	p->n++;
}

/* Which of the kept replicas goes first when there are too many: the
 * outdated, then the pending, then the ready; the last listed among equals. */
static int keep_rank(const wl_replica *r, const char *hash)
{
	int rank = r->st == WR_READY || r->st == WR_DONE ? 2 : 0;
	return rank + (strcmp(r->hash, hash) == 0 ? 4 : 0);
}

static size_t done(const plan *p, size_t *n_out, size_t drift)
{
	*n_out = p->n < p->max ? p->n : p->max;
	return drift;
}

size_t wl_plan(unsigned replicas, const char *hash, const wl_replica *r, size_t n, wl_action *out, size_t max,
	       size_t *n_out)
{
	plan p = { .out = out, .max = max };
	*n_out = 0;
	size_t kept = 0, ready = 0, outdated = 0;
	_cleanup_free_ bool *gone = calloc(n ? n : 1, sizeof(*gone));
	if (!gone)
		return 0; /* no plan this turn; the tick tries again */
	for (size_t i = 0; i < n; i++) {
		gone[i] = r[i].removing || (r[i].st == WR_BROKEN && !r[i].creating);
		if (r[i].removing)
			continue;
		if (gone[i]) {
			add(&p, WA_REMOVE, &r[i], r[i].why);
			continue;
		}
		kept++;
	}
	/* too many: the lowest ranks go */
	for (int rank = 0; kept > replicas && rank < 8; rank++)
		for (size_t i = n; i-- > 0 && kept > replicas;)
			if (!gone[i] && !r[i].creating && keep_rank(&r[i], hash) == rank) {
				gone[i] = true;
				kept--;
				add(&p, WA_REMOVE, &r[i], "extra");
			}
	for (size_t i = kept; i < replicas; i++)
		add(&p, WA_CREATE, NULL, "missing");
	for (size_t i = 0; i < n; i++) {
		if (gone[i])
			continue;
		ready += r[i].st == WR_READY || r[i].st == WR_DONE;
		outdated += strcmp(r[i].hash, hash) != 0;
	}
	if (!outdated || kept < replicas)
		return done(&p, n_out, p.n);
	/* a rollout: one outdated replica goes once all are ready; its
	 * replacement is made by the next plan, as a missing one */
	if (ready == kept) {
		for (size_t i = 0; i < n; i++)
			if (!gone[i] && strcmp(r[i].hash, hash) != 0) {
				add(&p, WA_REMOVE, &r[i], "rollout");
				break;
			}
	}
	/* the rest of the drift: each outdated one still to go, and come */
	return done(&p, n_out, p.n + 2 * outdated - (ready == kept ? 1 : 0));
}

enum wl_pull_policy wl_pull_policy_of(const char *given, const char *image)
{
	if (given)
		return streq(given, "Never") ? WP_NEVER : streq(given, "IfNotPresent") ? WP_IF_NOT_PRESENT : WP_ALWAYS;
	/* the tag is after the last '/' (a registry's port is before it) */
	const char *last = strrchr(image, '/'), *at = strchr(image, '@');
	last = last ? last + 1 : image;
	const char *colon = strchr(last, ':');
	if (colon && (!at || colon < at))
		return strncmp(colon + 1, "latest", 6) == 0 && (colon[7] == '\0' || colon[7] == '@') ? WP_ALWAYS
												     : WP_IF_NOT_PRESENT;
	return at ? WP_IF_NOT_PRESENT : WP_ALWAYS;
}
