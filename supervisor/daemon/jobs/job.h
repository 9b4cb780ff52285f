/* corrald's job queue: run-to-completion tasks, each run as a container
 * through the same methods a peer calls (CreateContainer, Start, Wait,
 * Stop, Remove), as the peer that submitted it. FIFO, at most max-jobs
 * running; a timeout stops the attempt (its stop signal, then SIGKILL);
 * a failed attempt is retried after 1 s, 2 s, 4 s ... (up to 5 min); each
 * result (exit code, attempts, durations, the tail of the output) is kept
 * in <state-dir>/jobs/<id>.json, written atomically on every change, so
 * that a corrald restart finds the queue again.
 *
 * This file: the model, the JobSpec, the table, and their JSON
 * (job_spec.c, job_table.c, job_json.c; nothing here runs anything). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "common/json_get.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/varlink/peer.h"
#include "supervisor/varlink/server.h"

#define JOB_ID_LEN 16
#define JOB_CTR_ID_MAX 64
#define JOB_MAX_RETRIES 100
#define JOB_MAX_TIMEOUT (7u * 86400) /* seconds */
#define JOB_MAX_STOP_TIMEOUT 3600u
#define JOB_MAX_UNFINISHED 10000 /* queued and running: a submit past it is refused */
#define JOB_KEEP_FINISHED 1000   /* results kept; the oldest go first */
#define JOB_BATCH_MAX 1000
#define JOB_PAGE_MAX 1000       /* jobs in a JobList reply */
#define JOB_PAGE_BYTES (1u << 20) /* and their JSON, but for the first (job_methods.c) */
#define JOB_MAX_COMMAND 1024     /* arguments */
#define JOB_MAX_SPEC_BYTES (64u << 10) /* of the command's arguments, in all: each job is kept in memory */
#define JOB_OUTPUT_LINES 100     /* the tail kept of each job's output */
#define JOB_OUTPUT_MAX (64u << 10) /* and at most this many bytes of it */
#define JOB_BACKOFF_MIN_USEC 1000000ull
#define JOB_LABEL "io.corral.job" /* on its containers: the job's id */
#define JOB_FILE_MAX (1u << 20)
#define JOB_DEFAULT_MAX_RUNNING 4

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_SUCCEEDED, JOB_FAILED, JOB_CANCELLED, JOB_STATE_COUNT };
extern const char *const job_state_str[JOB_STATE_COUNT];
/* Where a running job is between its calls; kept, for a restart. */
enum job_phase { JP_NONE, JP_CREATE, JP_START, JP_RUN, JP_REMOVE, JP_BACKOFF, JP_COUNT };
extern const char *const job_phase_str[JP_COUNT];

/* What a submit asks for: the JobSpec. */
typedef struct job_spec {
	char *name, *image;
	char **command;
	unsigned timeout;   /* seconds; 0: none */
	unsigned retries;   /* attempts after the first */
	int stop_timeout;   /* seconds from the stop signal to SIGKILL; -1: the daemon's default */
} job_spec;

struct job_waiter;
struct job_table;

typedef struct job {
	char id[JOB_ID_LEN + 1];
	uint64_t seq; /* FIFO order */
	job_spec spec;
	peer_cred peer; /* who submitted it: its containers are that peer's */
	enum job_state state;
	enum job_phase phase;
	unsigned attempts;
	bool has_exit, timed_out, cancel_wanted;
	int exit_code;
	char *error; /* why the last attempt failed without an exit code */
	char submitted_at[64], started_at[64], finished_at[64];
	char **attempt_starts; /* when each attempt started */
	size_t n_starts;
	uint64_t run_ms; /* the attempts' running time, summed */
	char container[JOB_CTR_ID_MAX + 1]; /* the current attempt's, or "" */
	char *output; /* the tail of the last attempt's output: a JSON array of LogLine */
	/* while corrald runs */
	uint64_t attempt_mono;
	el_source *timer;     /* the timeout, or the backoff */
	vl_local *pending;    /* the call the job waits on */
	vl_local *stopping;   /* a Stop on its way (timeout, cancel) */
	struct job_waiter *waiters;
	struct job_table *t;
	struct job *next;
} job;

typedef struct job_table {
	job *jobs; /* oldest first */
	uint64_t next_seq;
	unsigned max_running;
	char *dir;           /* <state-dir>/jobs */
	struct corrald *d;
	el_source *kick;     /* schedules from the top of the loop */
} job_table;

/* job_spec.c: a JobSpec at path ("job", "jobs[2]"); -errno with *f. */
int job_spec_parse(yajl_val v, const char *path, job_spec *s, json_fault *f);
void job_spec_release(job_spec *s);

/* job_table.c */
job *job_new(void);
void job_free(job *j);
/* j goes last, with the next sequence number unless it has one. */
void job_table_append(job_table *t, job *j);
void job_table_unlink(job_table *t, job *j);
/* Root reaches every job; another peer only those it submitted (owner.h). */
bool job_visible_to(const job *j, const peer_cred *peer);
/* By id or unique id prefix among the jobs peer may see (NULL: corrald,
 * every one); NULL when none or ambiguous (*ambiguous), so that another
 * user's job is never a hit, nor the reason for an ambiguity. */
job *job_find(job_table *t, const char *ref, const peer_cred *peer, bool *ambiguous);
job *job_next_queued(job_table *t);
size_t job_count(const job_table *t, int state /* -1: all */);
static inline bool job_finished(const job *j) { return j->state >= JOB_SUCCEEDED; }
size_t job_count_unfinished(const job_table *t);
/* Queued and running jobs that uid submitted. */
size_t job_count_unfinished_of(const job_table *t, uid_t uid);
/* The oldest finished job beyond keep, to forget; NULL when none. */
job *job_oldest_over(job_table *t, size_t keep);
/* The delay before attempt n + 1, n attempts having failed: 1 s doubling, to 5 min. */
uint64_t job_backoff_usec(unsigned n);
/* Record an attempt's start at wall time now (RFC 3339): -ENOMEM or 0. */
int job_attempt_begin(job *j, const char *now);

/* job_json.c: the Job object; with disk, the keys only the file has
 * (seq, phase, peer groups). */
int job_gen(yajl_gen g, const job *j, bool disk, bool with_output);
int job_load(yajl_val v, job *j, cerr *err);
/* LogLine array text cut to its last JOB_OUTPUT_MAX bytes of lines. */
char *job_output_tail(yajl_val lines);
