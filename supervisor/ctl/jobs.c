/* corralctl job: submit, ls, inspect, wait, cancel, logs, batch. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/observe.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/human.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOB_FILE_MAX (16u << 20)

/* A duration option in whole seconds, rounded up. */
static long long seconds(const ctl_args *a, const char *name)
{
	const ctl_optval *v = opt_val(a, name);
	return v->set ? (v->num + 999999999LL) / 1000000000LL : -1;
}

static int v_submit(ctl_args *a)
{
	long long timeout = seconds(a, "timeout"), stop = seconds(a, "stop-timeout");
	_cleanup_json_gen_ yajl_gen g = ctl_params(NULL);
	int r = !g || jg_key(g, "job") || yajl_gen_map_open(g) || jg_key_str(g, "image", a->argv[0]) ||
		jg_key(g, "command") || yajl_gen_array_open(g);
	for (int i = 1; !r && i < a->argc; i++)
		r = jg_str(g, a->argv[i]);
	r = r || yajl_gen_array_close(g) || (opt_str(a, "name") && jg_key_str(g, "name", opt_str(a, "name"))) ||
	    (timeout >= 0 && jg_key_int(g, "timeout", timeout)) || (stop >= 0 && jg_key_int(g, "stopTimeout", stop)) ||
	    (opt_val(a, "retries")->set && jg_key_int(g, "retries", opt_num(a, "retries", 0))) || yajl_gen_map_close(g);
	if (r)
		return ctl_fail("job submit", "out of memory");
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("JobSubmit"), TAKE_PTR(g), false, &rep))
		return EXIT_CTL;
	printf("%s\n", ctl_str(rep.params, "id"));
	vl_reply_release(&rep);
	return 0;
}

/* One row of job ls. */
static int gen_row(yajl_gen g, yajl_val j)
{
	char id[13], ago[64], dur[32] = "";
	snprintf(id, sizeof(id), "%.12s", ctl_str(j, "id"));
	human_ago(ctl_str(j, "submittedAt"), ago, sizeof(ago));
	long long ms = ctl_int(j, "durationMs", -1), code = ctl_int(j, "exitCode", -1);
	if (ms >= 0)
		snprintf(dur, sizeof(dur), "%lld.%llds", ms / 1000, ms % 1000 / 100);
	char exit[16] = "";
	if (code >= 0)
		snprintf(exit, sizeof(exit), "%lld", code);
	return yajl_gen_map_open(g) || jg_key_str(g, "ID", id) || jg_key_str(g, "Name", ctl_str(j, "name")) ||
	       jg_key_str(g, "Image", ctl_str(j, "image")) || jg_key_str(g, "State", ctl_str(j, "state")) ||
	       jg_key_int(g, "Attempts", ctl_int(j, "attempts", 0)) || jg_key_str(g, "Exit", exit) ||
	       jg_key_str(g, "Duration", dur) || jg_key_str(g, "Submitted", ago) || yajl_gen_map_close(g);
}

#define JOB_TABLE "table {{.ID}}\t{{.Name}}\t{{.Image}}\t{{.State}}\t{{.Attempts}}\t{{.Exit}}\t{{.Duration}}\t{{.Submitted}}"

/* Every page of JobList, one after another, gathered in *all (an open
 * array): 0; 1 when a page's cursor was forgotten meanwhile (a finished
 * job dropped): list again; or EXIT_CTL, said. */
static int list_pages(yajl_gen all)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	_cleanup_free_ char *after = NULL;
	do {
		yajl_gen p = ctl_params(NULL);
		if (p && after && jg_key_str(p, "after", after)) {
			yajl_gen_free(p);
			p = NULL;
		}
		vl_reply rep;
		int r = ctl_call_gen_tolerating(&c, M("JobList"), p, after ? "NoSuchJob" : NULL, &rep);
		if (r)
			return r;
		yajl_val jobs = json_get(rep.params, "jobs"), next = json_get(rep.params, "next");
		for (size_t i = 0; !r && YAJL_IS_ARRAY(jobs) && i < jobs->u.array.len; i++)
			r = jg_value(all, jobs->u.array.values[i]);
		bool more = YAJL_IS_STRING(next), empty = !YAJL_IS_ARRAY(jobs) || !jobs->u.array.len;
		free(after);
		after = more ? strdup(next->u.string) : NULL;
		vl_reply_release(&rep);
		if (r || (more && !after))
			return ctl_fail("job ls", "out of memory");
		if (more && empty)
			return ctl_fail("job ls", "corrald gave an empty page with more to come");
	} while (after);
	return 0;
}

static int v_ls(ctl_args *a)
{
	_cleanup_json_gen_ yajl_gen all = NULL;
	int r = 1;
	for (int tries = 0; r == 1 && tries < 3; tries++) {
		if (all)
			yajl_gen_free(all);
		all = json_gen_new(false);
		r = !all || yajl_gen_array_open(all) ? ctl_fail("job ls", "out of memory") : list_pages(all);
	}
	if (r)
		return r == 1 ? ctl_fail("job ls", "the jobs changed under every listing: try again") : r;
	_cleanup_json_ yajl_val jobs = yajl_gen_array_close(all) ? NULL : ctl_gen_tree(all);
	_cleanup_json_gen_ yajl_gen rows = json_gen_new(false);
	r = !jobs || !rows || yajl_gen_array_open(rows);
	for (size_t i = 0; !r && i < jobs->u.array.len; i++)
		r = gen_row(rows, jobs->u.array.values[i]);
	_cleanup_json_ yajl_val rw = r || yajl_gen_array_close(rows) ? NULL : ctl_gen_tree(rows);
	if (opt_on(a, "quiet") && !ctl_format && !ctl_json)
		ctl_format = "{{.ID}}";
	return rw ? ctl_output(jobs, rw, JOB_TABLE, NULL) : ctl_fail("job ls", "out of memory");
}

static int v_inspect(ctl_args *a)
{
	_cleanup_json_ yajl_val list = NULL;
	int rc = ctl_collect(M("JobInspect"), "id", a->argc, a->argv, "job", &list);
	int r = list ? ctl_output(list, NULL, NULL, NULL) : EXIT_CTL;
	return rc ? rc : r;
}

/* JobWait on c: the finished Job in *rep. */
static int wait_job(vl_client **c, const char *id, vl_reply *rep)
{
	ctl_timeout_ms = -1;
	return ctl_call_gen(c, M("JobWait"), ctl_params(id), false, rep);
}

static int v_wait(ctl_args *a)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (wait_job(&c, a->argv[0], &rep))
		return EXIT_CTL;
	yajl_val j = json_get(rep.params, "job");
	long long code = ctl_int(j, "exitCode", -1);
	int r = (int)code;
	if (code >= 0)
		printf("%lld\n", code);
	else /* it never ran to an exit */
		r = ctl_failf("job wait %s: %s%s%s", a->argv[0], ctl_str(j, "state"), *ctl_str(j, "error") ? ": " : "",
			      ctl_str(j, "error"));
	vl_reply_release(&rep);
	return r;
}

static int v_cancel(ctl_args *a)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	int rc = 0;
	for (int i = 0; i < a->argc; i++) {
		vl_reply rep;
		if (ctl_call_gen(&c, M("JobCancel"), ctl_params(a->argv[i]), false, &rep)) {
			rc = EXIT_CTL;
			continue;
		}
		printf("%s\n", ctl_str(json_get(rep.params, "job"), "id"));
		vl_reply_release(&rep);
	}
	return rc;
}

static int v_logs(ctl_args *a)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("JobLogs"), ctl_params(a->argv[0]), false, &rep))
		return EXIT_CTL;
	ctl_print_log_lines(rep.params, opt_on(a, "timestamps"));
	vl_reply_release(&rep);
	return 0;
}

/* JobBatch's InvalidParameter in the file's words: "jobs[2].command" is
 * "jobs.json: [2].command". */
static int batch_call(const char *file, yajl_val jobs, vl_client **c, vl_reply *rep)
{
	_cleanup_json_gen_ yajl_gen g = ctl_params(NULL);
	_cleanup_free_ char *params = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (!g || jg_key(g, "jobs") || jg_value(g, jobs) || yajl_gen_map_close(g) || !(params = jg_finish(g, NULL)))
		return ctl_fail("job batch", "out of memory");
	if (vl_client_connect(ctl_sock, c, &err) < 0 || vl_client_send(*c, M("JobBatch"), params, false, false, &err) < 0 ||
	    vl_client_recv(*c, rep, &err) < 0) {
		ctl_failf("job batch: %s (socket %s)", cerr_msg(&err), ctl_sock);
		return EXIT_CTL;
	}
	if (!rep->error)
		return 0;
	const char *p = ctl_str(rep->params, "parameter");
	if (strstr(rep->error, "InvalidParameter") && !strncmp(p, "jobs", 4))
		ctl_failf("job batch: %s: %s%s%s", file, p[4] == '.' ? p + 5 : p + 4, p[4] ? ": " : "",
			  ctl_str(rep->params, "reason"));
	else
		ctl_print_call_error(M("JobBatch"), rep);
	vl_reply_release(rep);
	return EXIT_CTL;
}

/* --fail-fast: what comes after the first failure is cancelled, the last
 * first: a running job that is cancelled frees its slot, and a queued job
 * after it would start in that slot before its own cancel arrived. */
static void cancel_rest(vl_client **c, yajl_val ids, size_t from)
{
	for (size_t i = ids->u.array.len; i-- > from;) {
		vl_reply rep;
		if (ctl_call_gen_tolerating(c, M("JobCancel"), ctl_params(ids->u.array.values[i]->u.string), "InvalidState",
					    &rep) == 0)
			vl_reply_release(&rep);
	}
}

static int v_batch(ctl_args *a)
{
	const char *file = a->argv[0];
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ yajl_val jobs = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (read_file(file, JOB_FILE_MAX, &text, NULL, &err) < 0 || json_parse(text, file, &jobs, &err) < 0) {
		ctl_failf("job batch: %s", cerr_msg(&err));
		return EXIT_CTL;
	}
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (batch_call(file, jobs, &c, &rep))
		return EXIT_CTL;
	_cleanup_json_ yajl_val ids = NULL;
	_cleanup_free_ char *ids_text = ctl_to_json(json_get(rep.params, "ids"), false);
	vl_reply_release(&rep);
	if (!ids_text || json_parse(ids_text, "ids", &ids, NULL) < 0 || !YAJL_IS_ARRAY(ids))
		return ctl_fail("job batch", "no ids in JobBatch's reply");
	_cleanup_json_gen_ yajl_gen out = json_gen_new(true);
	int r = !out || yajl_gen_array_open(out), rc = 0;
	for (size_t i = 0; !r && i < ids->u.array.len; i++) {
		if (wait_job(&c, ids->u.array.values[i]->u.string, &rep)) {
			rc = EXIT_CTL;
			continue;
		}
		yajl_val j = json_get(rep.params, "job");
		bool ok = streq(ctl_str(j, "state"), "succeeded");
		r = jg_value(out, j);
		vl_reply_release(&rep);
		if (!ok && !rc) {
			rc = 1;
			if (opt_on(a, "fail-fast"))
				cancel_rest(&c, ids, i + 1);
		}
	}
	_cleanup_free_ char *s = r || yajl_gen_array_close(out) ? NULL : jg_finish(out, NULL);
	if (!s)
		return ctl_fail("job batch", "out of memory");
	printf("%s\n", s);
	return rc;
}

static const ctl_opt submit_opts[] = {
	{ "timeout", 0, OPT_DURATION, "DURATION", "stop an attempt that runs longer (90s, 10m, or seconds)" },
	{ "retries", 0, OPT_INT, "N", "attempts after a failed one, with a backoff of 1 s, 2 s, 4 s ..." },
	{ "name", 0, OPT_STR, "NAME", "a name for people (need not be unique)" },
	{ "stop-timeout", 0, OPT_DURATION, "DURATION", "from the stop signal to SIGKILL (default: corrald's)" },
	{ NULL },
};
static const ctl_opt ls_opts[] = {
	{ "quiet", 'q', OPT_FLAG, "", "ids only" },
	CTL_OPT_FORMAT,
	{ NULL },
};
static const ctl_opt logs_opts[] = {
	{ "timestamps", 't', OPT_FLAG, "", "each line with its time" },
	{ NULL },
};
static const ctl_opt batch_opts[] = {
	{ "fail-fast", 0, OPT_FLAG, "", "at the first failure (in the file's order), cancel the jobs after it" },
	{ NULL },
};

const ctl_cmd ctl_job_cmds[] = {
	{ "job submit", "IMAGE COMMAND [ARG...]", "Queue a job: a command run to completion; prints its id", submit_opts, 2,
	  -1, CMD_OPTS_FIRST, COMPLETE_IMAGES, v_submit },
	{ "job ls", "", "List the jobs: queued, running, and the results kept", ls_opts, 0, 0, CMD_FORMAT,
	  COMPLETE_NONE, v_ls },
	{ "job inspect", "JOB...", "Show jobs as JSON, with the tail of their output", NULL, 1, -1, 0, COMPLETE_NONE,
	  v_inspect },
	{ "job wait", "JOB", "Wait for a job to finish; print its exit code and exit with it", NULL, 1, 1, 0,
	  COMPLETE_NONE, v_wait },
	{ "job cancel", "JOB...", "Cancel jobs: queued ones at once, running ones are stopped", NULL, 1, -1, 0,
	  COMPLETE_NONE, v_cancel },
	{ "job logs", "JOB", "Print a job's output (the tail kept of it)", logs_opts, 1, 1, 0, COMPLETE_NONE, v_logs },
	{ "job batch", "FILE.json", "Queue a JSON array of jobs, wait for all; print their results as JSON",
	  batch_opts, 1, 1, 0, COMPLETE_FILES, v_batch },
	{ NULL },
};
