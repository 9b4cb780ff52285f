/* Jobs that were running when corrald went: each finds its container
 * again and goes on from where it was.
 *
 * A pair with job_run.c: jobs_init (job_run.c) resumes each
 * such job here, and it goes on through job_run.c's steps. */
#include "supervisor/daemon/jobs/job_run.h"
#include "supervisor/daemon/jobs/job_adopt.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/monotonic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The job's container: by the id it recorded (that id exactly, never a
 * name or a prefix), else by its label (corrald went between its creation
 * and the job's next save); either way only a container of the job's
 * owner, as its peer would reach it: another's container carrying a forged
 * label is not this job's. */
static ctr *find_container(job *j)
{
	corrald *d = j->t->d;
	for (ctr *c = d->ctrs; c && j->container[0]; c = c->next)
		if (streq(c->id, j->container) && ctr_visible_to(c, &j->peer))
			return c;
	for (ctr *c = d->ctrs; c; c = c->next)
		if (ctr_visible_to(c, &j->peer))
			for (char **l = c->spec.labels; l && l[0] && l[1]; l += 2)
				if (streq(l[0], JOB_LABEL) && streq(l[1], j->id))
					return c;
	return NULL;
}

void job_resume(job *j)
{
	/* the attempt's time so far counts against its timeout */
	long long started = 0;
	const char *last = j->n_starts ? j->attempt_starts[j->n_starts - 1] : "";
	if (rfc3339_parse(last, strlen(last), &started) < 0)
		started = 0;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	long long now = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	uint64_t ago = started && now > started ? (uint64_t)(now - started) / 1000 : 0;
	j->attempt_mono = mono_usec() > ago ? mono_usec() - ago : 0;
	ctr *c = find_container(j);
	if (c) {
		snprintf(j->container, sizeof(j->container), "%s", c->id);
		log_info("job %s: picked up again with its container %s", j->id, c->id);
		return c->status == CS_CREATED && !c->has_run ? job_step_start(j) : job_step_wait(j);
	}
	char lost[JOB_CTR_ID_MAX + 1];
	snprintf(lost, sizeof(lost), "%s", j->container[0] ? j->container : "(not recorded)");
	j->container[0] = '\0';
	switch (j->phase) {
	case JP_BACKOFF:
		return job_step_backoff(j);
	case JP_REMOVE: /* removed; the result was kept */
		return job_step_decide(j);
	case JP_CREATE: /* corrald went before the container was made: it never ran */
		if (j->n_starts) {
			free(j->attempt_starts[--j->n_starts]);
			j->attempt_starts[j->n_starts] = NULL;
		}
		j->attempts = j->attempts ? j->attempts - 1 : 0;
		return job_step_attempt(j);
	default:
		free(j->error);
		if (asprintf(&j->error, "its container %s was lost while corrald was down", lost) < 0)
			j->error = NULL;
		return job_step_decide(j);
	}
}
