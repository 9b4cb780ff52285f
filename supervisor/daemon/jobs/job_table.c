/* The jobs corrald knows, oldest first: lookups, the FIFO's next job, the
 * bound on results kept, and the backoff between attempts. */
#include "supervisor/daemon/jobs/job.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/spec/restart_policy.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const job_state_str[JOB_STATE_COUNT] = { "queued", "running", "succeeded", "failed", "cancelled" };
const char *const job_phase_str[JP_COUNT] = { "none", "create", "start", "run", "remove", "backoff" };

job *job_new(void)
{
	job *j = calloc(1, sizeof(*j));
	if (j)
		j->spec.stop_timeout = -1;
	return j;
}

void job_free(job *j)
{
	if (!j)
		return;
	job_spec_release(&j->spec);
	free(j->error);
	free(j->output);
	strv_free(j->attempt_starts);
	free(j);
}

void job_table_append(job_table *t, job *j)
{
	if (!j->seq)
		j->seq = ++t->next_seq;
	else if (j->seq > t->next_seq)
		t->next_seq = j->seq;
	j->t = t;
	job **p = &t->jobs;
	while (*p && (*p)->seq < j->seq) /* loaded in any order: kept by seq */
		p = &(*p)->next;
	j->next = *p;
	*p = j;
}

void job_table_unlink(job_table *t, job *j)
{
	for (job **p = &t->jobs; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			j->next = NULL;
			return;
		}
}

bool job_visible_to(const job *j, const peer_cred *peer)
{
	return owner_may(peer, j->peer.uid);
}

job *job_find(job_table *t, const char *ref, const peer_cred *peer, bool *ambiguous)
{
	*ambiguous = false;
	size_t n = ref ? strlen(ref) : 0;
	if (!n)
		return NULL;
	job *hit = NULL;
	for (job *j = t->jobs; j; j = j->next) {
		if (streq(j->id, ref))
			return job_visible_to(j, peer) ? j : NULL;
		if (job_visible_to(j, peer) && !strncmp(j->id, ref, n)) {
			if (hit)
				*ambiguous = true;
			hit = j;
		}
	}
	return *ambiguous ? NULL : hit;
}

job *job_next_queued(job_table *t)
{
	for (job *j = t->jobs; j; j = j->next)
		if (j->state == JOB_QUEUED)
			return j;
	return NULL;
}

size_t job_count(const job_table *t, int state)
{
	size_t n = 0;
	for (const job *j = t->jobs; j; j = j->next)
		n += state < 0 || (int)j->state == state;
	return n;
}

size_t job_count_unfinished(const job_table *t)
{
	return job_count(t, JOB_QUEUED) + job_count(t, JOB_RUNNING);
}

size_t job_count_unfinished_of(const job_table *t, uid_t uid)
{
	size_t n = 0;
	for (const job *j = t->jobs; j; j = j->next)
		n += !job_finished(j) && j->peer.uid == uid;
	return n;
}

job *job_oldest_over(job_table *t, size_t keep)
{
	size_t finished = 0;
	job *oldest = NULL;
	for (job *j = t->jobs; j; j = j->next)
		if (job_finished(j)) {
			finished++;
			if (!oldest || strcmp(j->finished_at, oldest->finished_at) < 0)
				oldest = j;
		}
	return finished > keep ? oldest : NULL;
}

uint64_t job_backoff_usec(unsigned n)
{
	uint64_t d = JOB_BACKOFF_MIN_USEC;
	for (unsigned i = 1; i < n && d < RESTART_BACKOFF_MAX_USEC; i++)
		d *= 2;
	return d < RESTART_BACKOFF_MAX_USEC ? d : RESTART_BACKOFF_MAX_USEC;
}

int job_attempt_begin(job *j, const char *now)
{
	char **v = realloc(j->attempt_starts, (j->n_starts + 2) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	j->attempt_starts = v;
	if (!(v[j->n_starts] = strdup(now)))
		return -ENOMEM;
	v[++j->n_starts] = NULL;
	j->attempts++;
	if (!j->started_at[0])
		snprintf(j->started_at, sizeof(j->started_at), "%s", now);
	return 0;
}
