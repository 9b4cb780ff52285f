/* The job methods of io.corral.Supervisor: JobSubmit, JobBatch, JobList,
 * JobInspect, JobWait, JobCancel, JobLogs. */
#include "supervisor/daemon/core/random_id.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/jobs/job_methods.h"
#include "supervisor/daemon/jobs/job_run.h"
#include "supervisor/daemon/jobs/job_store.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/containers/record/log_lines.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/logs/crilog.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/timefmt.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* {"job": Job} with its output. */
static int job_reply(vl_call *call, const job *j)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "job") || job_gen(g, j, false, true) || yajl_gen_map_close(g))
		return sv_internal(call, NULL);
	return vl_call_reply_gen(call, g);
}

/* j has finished: the waiting call hears of it; with no j (corrald stops), nothing. */
static void answer_waiter(job_waiter *w, const job *j)
{
	vl_call *call = w->ctx;
	vl_call_set_cancel(call, NULL, NULL);
	if (j)
		job_reply(call, j);
	free(w);
}

static void on_waiter_cancel(vl_call *call, void *data)
{
	job_waiter *w = data;
	for (job_waiter **p = &w->j->waiters; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			break;
		}
	free(w);
}

int job_add_waiter(job *j, vl_call *call)
{
	job_waiter *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	*w = (job_waiter){ .done = answer_waiter, .ctx = call, .j = j, .next = j->waiters };
	j->waiters = w;
	vl_call_set_cancel(call, on_waiter_cancel, w);
	return 0;
}

static int no_such_job(vl_call *call, const char *id, bool ambiguous)
{
	_cleanup_free_ char *p = vl_json_obj1("id", id ? id : "");
	if (ambiguous)
		return sv_invalid(call, "id", "more than one job has an id that starts so: give more of it");
	return vl_call_error(call, SV_ERR("NoSuchJob"), p);
}

/* The job params name, or NULL with *f set (or not: no such job, or not
 * peer's). */
static job *job_of_params(corrald *d, const peer_cred *peer, yajl_val params, const char **id, bool *ambiguous,
			  json_fault *f)
{
	*id = NULL;
	*ambiguous = false;
	if (sp_dispatch(params, SP_PARAMS(SP_NAME("id", true, id)), f) < 0)
		return NULL;
	return job_find(d->jobs, *id, peer, ambiguous);
}

#define JOB_OR_REPLY(j, d, params)                                                   \
	const char *id_;                                                             \
	bool amb_;                                                                   \
	json_fault f_ = { 0 };                                                       \
	job *j = job_of_params(d, vl_call_peer(call), params, &id_, &amb_, &f_);     \
	if (!j)                                                                      \
		return f_.code ? sv_invalid_fault(call, &f_) : no_such_job(call, id_, amb_)

/* Queue j, submitted by peer: known, saved, and on its way. */
static int enqueue(corrald *d, job *j, const peer_cred *peer, cerr *err)
{
	do
		random_hex_id(j->id, JOB_ID_LEN / 2);
	while (job_find(d->jobs, j->id, NULL, &(bool){ false }));
	j->peer = *peer;
	j->peer.pid = 0; /* the peer's process may be long gone when it runs */
	j->state = JOB_QUEUED;
	rfc3339_ns(0, j->submitted_at, sizeof(j->submitted_at));
	job_table_append(d->jobs, j);
	int r = job_save(d->jobs, j, err);
	if (r < 0) {
		job_table_unlink(d->jobs, j);
		return r;
	}
	events_publish(d->events, EV_OWNER(j->peer.uid), "job", "submit", j->id, j->spec.name ? j->spec.name : "",
		       (const char *const[]){ "image", j->spec.image, NULL }, 0);
	jobs_kick(d->jobs);
	return 0;
}

/* A member's quota of unfinished jobs: 0, or POLICY_REFUSED with v. */
static int over_quota(corrald *d, vl_call *call, size_t adding, policy_violation *v)
{
	const peer_cred *peer = vl_call_peer(call);
	return quota_admit(d, peer, QUOTA_JOBS, job_count_unfinished_of(d->jobs, peer->uid), adding, "job", v);
}

static int queue_full(vl_call *call)
{
	char p[64];
	snprintf(p, sizeof(p), "{\"limit\":%d}", JOB_MAX_UNFINISHED);
	return vl_call_error(call, SV_ERR("JobQueueFull"), p);
}

int sv_job_submit(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	if (sp_known(params, SP_PARAMS(SP_KEY("job")), &f) < 0)
		return sv_invalid_fault(call, &f);
	yajl_val v = json_key(params, "job");
	if (!v)
		return sv_invalid(call, "job", "required");
	job *j = job_new();
	if (!j)
		return sv_internal(call, NULL);
	if (job_spec_parse(v, "job", &j->spec, &f) < 0) {
		job_free(j);
		return sv_invalid_fault(call, &f);
	}
	if (job_count_unfinished(d->jobs) >= JOB_MAX_UNFINISHED) {
		job_free(j);
		return queue_full(call);
	}
	policy_violation pv;
	if (over_quota(d, call, 1, &pv)) {
		job_free(j);
		return sv_reply_fault(call, policy_fault(d, vl_call_peer(call), "JobSubmit", &pv, &(sv_fault){ 0 }));
	}
	cerr err = { 0 };
	if (enqueue(d, j, vl_call_peer(call), &err) < 0) {
		job_free(j);
		return sv_internal_err(call, &err);
	}
	char p[64];
	snprintf(p, sizeof(p), "{\"id\":\"%s\"}", j->id);
	return vl_call_reply(call, p);
}

static void free_jobs(job **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		job_free(v[i]);
	free(v);
}

/* Every entry of jobs parsed, or none: *f says where the first bad one is. */
static int parse_batch(yajl_val a, job ***out, json_fault *f)
{
	*out = NULL;
	if (!YAJL_IS_ARRAY(a) || a->u.array.len == 0)
		return json_fault_set(f, EINVAL, "jobs", "must be a non-empty array of jobs");
	if (a->u.array.len > JOB_BATCH_MAX)
		return json_fault_set(f, EINVAL, "jobs", "more than %d jobs", JOB_BATCH_MAX);
	size_t n = a->u.array.len;
	job **v = calloc(n, sizeof(*v));
	if (!v)
		return json_fault_oom(f);
	for (size_t i = 0; i < n; i++) {
		char path[JSON_PATH_MAX];
		if (!(v[i] = job_new())) {
			free_jobs(v, n);
			return json_fault_oom(f);
		}
		if (job_spec_parse(a->u.array.values[i], json_path_idx(path, "jobs", i), &v[i]->spec, f) < 0) {
			free_jobs(v, n);
			return -EINVAL;
		}
	}
	*out = v;
	return 0;
}

int sv_job_batch(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	job **v = NULL;
	if (sp_known(params, SP_PARAMS(SP_KEY("jobs")), &f) < 0 || parse_batch(json_key(params, "jobs"), &v, &f) < 0)
		return sv_invalid_fault(call, &f);
	size_t n = json_key(params, "jobs")->u.array.len;
	if (job_count_unfinished(d->jobs) + n > JOB_MAX_UNFINISHED) {
		free_jobs(v, n);
		return queue_full(call);
	}
	policy_violation pv;
	if (over_quota(d, call, n, &pv)) {
		free_jobs(v, n);
		return sv_reply_fault(call, policy_fault(d, vl_call_peer(call), "JobBatch", &pv, &(sv_fault){ 0 }));
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	int r = !g || yajl_gen_map_open(g) || jg_key(g, "ids") || yajl_gen_array_open(g);
	cerr err = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (err.code || enqueue(d, v[i], vl_call_peer(call), &err) < 0) {
			job_free(v[i]); /* the ones before stay queued: the error says how many */
			continue;
		}
		r = r || jg_str(g, v[i]->id);
	}
	free(v);
	if (err.code)
		return sv_internal_err(call, &err);
	if (r || yajl_gen_array_close(g) || yajl_gen_map_close(g))
		return sv_internal(call, NULL);
	return vl_call_reply_gen(call, g);
}

/* A page's jobs take at most this many bytes of JSON (but for its first
 * job, which is always there: 64 KiB of command, escaped, is under 400
 * KiB): well under what a peer reads, and corrald's own max message size. */
static size_t page_bytes(const corrald *d)
{
	size_t quarter = d->cfg->max_message_size / 4;
	return quarter < JOB_PAGE_BYTES ? quarter : JOB_PAGE_BYTES;
}

/* The page after the job `after` (an id the peer sees; NULL: the first):
 * at most limit jobs and page_bytes(d) of them, and next, the id of its
 * last job, when more remain. */
int sv_job_list(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const peer_cred *peer = vl_call_peer(call);
	json_fault f = { 0 };
	const char *after = NULL;
	long long limit;
	if (sp_dispatch(params,
			SP_PARAMS(SP_INT("limit", 1, JOB_PAGE_MAX, JOB_PAGE_MAX, &limit), SP_NAME("after", false, &after)),
			&f) < 0)
		return sv_invalid_fault(call, &f);
	job *j = d->jobs->jobs;
	if (after) { /* its exact id: a result forgotten since is NoSuchJob, and the peer lists again */
		while (j && !(streq(j->id, after) && job_visible_to(j, peer)))
			j = j->next;
		if (!j)
			return no_such_job(call, after, false);
		j = j->next;
	}
	size_t budget = page_bytes(d);
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	const job *last = NULL;
	long long n = 0;
	int r = sb_adds(&sb, "{\"jobs\":[");
	for (; j && !r; j = j->next) {
		if (!job_visible_to(j, peer))
			continue;
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		const unsigned char *buf;
		size_t len;
		if (!g || job_gen(g, j, false, false) || yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
			r = -ENOMEM;
			break;
		}
		if (n == limit || (n > 0 && sb.len + 1 + len > budget))
			break; /* j is the first of the next page */
		r = (n > 0 && sb_adds(&sb, ",") < 0) || sb_add(&sb, buf, len) < 0;
		n++;
		last = j;
	}
	if (!r)
		r = j ? sb_addf(&sb, "],\"next\":\"%s\"}", last->id) : sb_adds(&sb, "]}");
	if (r)
		return sv_internal(call, "out of memory");
	return vl_call_reply(call, sb.buf);
}

int sv_job_inspect(vl_call *call, yajl_val params, void *ud)
{
	JOB_OR_REPLY(j, ud, params);
	return job_reply(call, j);
}

int sv_job_wait(vl_call *call, yajl_val params, void *ud)
{
	JOB_OR_REPLY(j, ud, params);
	if (job_finished(j))
		return job_reply(call, j);
	return job_add_waiter(j, call) < 0 ? sv_internal(call, "out of memory") : 0;
}

int sv_job_cancel(vl_call *call, yajl_val params, void *ud)
{
	JOB_OR_REPLY(j, ud, params);
	if (job_finished(j))
		return sv_invalid_state(call, j->id, job_state_str[j->state], "it has finished");
	job_cancel(j);
	return job_reply(call, j);
}

int sv_job_logs(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	JOB_OR_REPLY(j, d, params);
	ctr *c = j->container[0] ? ctr_find_for(d, j->container, &j->peer) : NULL; /* its owner's alone */
	if (c) { /* running: what its container has said so far */
		char path[PATH_MAX];
		ctr_dir(d, c, path, sizeof(path));
		strncat(path, "/" CRILOG_FILE, sizeof(path) - strlen(path) - 1);
		crilog_read_opts o = { .tail = JOB_OUTPUT_LINES, .keep = d->cfg->log_max_files };
		_cleanup_free_ char *text = NULL;
		cerr err = { 0 };
		if (logs_read_all(path, &o, &text, &err) < 0)
			return sv_internal_err(call, &err);
		return vl_call_reply(call, text);
	}
	_cleanup_free_ char *p = NULL;
	if (asprintf(&p, "{\"lines\":%s}", j->output ? j->output : "[]") < 0)
		return sv_internal(call, NULL);
	return vl_call_reply(call, p);
}
