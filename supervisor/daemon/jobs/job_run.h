/* Running jobs: each attempt is a container, made and ended through the
 * methods a peer calls, as the peer that submitted the job (local calls,
 * supervisor/varlink/server.h), so that whatever CreateContainer checks
 * (the policy) holds for jobs too, and the audit log names that peer. */
#pragma once
#include "supervisor/daemon/jobs/job.h"

struct corrald;

/* The table of d: <state-dir>/jobs loaded, running jobs picked up again
 * (after ctr_adopt_all: their containers are known), the queue started. */
int jobs_init(struct corrald *d, cerr *err);
/* Free every job, answering nothing: before the containers go. */
void jobs_shutdown(struct corrald *d);
/* Start what may start, and forget the oldest results, from the loop. */
void jobs_kick(job_table *t);
/* Cancel: a queued job at once, a running one once its container stopped. */
void job_cancel(job *j);

/* One waiting for j to finish (JobWait's call, the methods' own): told once,
 * by done, that j has finished, or with NULL that corrald stops and nothing
 * is to be said. It is off the list by then, and done's to free. */
typedef struct job_waiter {
	void (*done)(struct job_waiter *w, const job *j);
	void *ctx;
	job *j;
	struct job_waiter *next;
} job_waiter;

/* The steps of an attempt (job_run.c), for job_resume: make its
 * container and go on; Start its container; wait for it to end (with its
 * timeout); wait for the retry; the attempt is over: done, or again. */
void job_step_attempt(job *j);
void job_step_start(job *j);
void job_step_wait(job *j);
void job_step_backoff(job *j);
void job_step_decide(job *j);

