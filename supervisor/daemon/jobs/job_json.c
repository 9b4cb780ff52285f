/* A job as JSON: the Job object of the interface, and (with disk) its file
 * under <state-dir>/jobs/, which adds what only corrald needs. */
#include "supervisor/daemon/jobs/job.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/timefmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int gen_times(yajl_gen g, const job *j)
{
	int r = jg_key_str(g, "submittedAt", j->submitted_at);
	if (j->started_at[0])
		r = r || jg_key_str(g, "startedAt", j->started_at);
	if (j->finished_at[0])
		r = r || jg_key_str(g, "finishedAt", j->finished_at);
	long long a, b;
	if (j->started_at[0] && j->finished_at[0] && rfc3339_parse(j->started_at, strlen(j->started_at), &a) == 0 &&
	    rfc3339_parse(j->finished_at, strlen(j->finished_at), &b) == 0 && b >= a)
		r = r || jg_key_int(g, "durationMs", (b - a) / 1000000);
	static char *const none[] = { NULL };
	return r || jg_key_int(g, "runMs", (long long)j->run_ms) ||
	       jg_key_strv(g, "attemptStarts", j->attempt_starts ? j->attempt_starts : none);
}

static int gen_output(yajl_gen g, const job *j)
{
	_cleanup_json_ yajl_val v = NULL;
	if (j->output && json_parse(j->output, "output", &v, NULL) < 0)
		v = NULL;
	if (jg_key(g, "output"))
		return -1;
	return YAJL_IS_ARRAY(v) ? jg_value(g, v) : (yajl_gen_array_open(g) || yajl_gen_array_close(g));
}

static int gen_disk(yajl_gen g, const job *j)
{
	int r = jg_key_int(g, "seq", (long long)j->seq) || jg_key_str(g, "phase", job_phase_str[j->phase]) ||
		jg_key_bool(g, "cancelWanted", j->cancel_wanted) || jg_key(g, "groups") || yajl_gen_array_open(g);
	for (int i = 0; !r && i < j->peer.n_groups; i++)
		r = yajl_gen_integer(g, j->peer.groups[i]) != yajl_gen_status_ok;
	return r || yajl_gen_array_close(g);
}

int job_gen(yajl_gen g, const job *j, bool disk, bool with_output)
{
	const job_spec *s = &j->spec;
	int r = yajl_gen_map_open(g) || jg_key_str(g, "id", j->id) || jg_key_str(g, "image", s->image) ||
		jg_key_strv(g, "command", s->command) || (s->name && jg_key_str(g, "name", s->name)) ||
		jg_key_int(g, "timeout", s->timeout) || jg_key_int(g, "retries", s->retries) ||
		(s->stop_timeout >= 0 && jg_key_int(g, "stopTimeout", s->stop_timeout)) ||
		jg_key_str(g, "state", job_state_str[j->state]) || jg_key_int(g, "attempts", j->attempts) ||
		(j->has_exit && jg_key_int(g, "exitCode", j->exit_code)) || jg_key_bool(g, "timedOut", j->timed_out) ||
		(j->error && jg_key_str(g, "error", j->error)) || (j->container[0] && jg_key_str(g, "container", j->container)) ||
		jg_key_int(g, "uid", j->peer.uid) || jg_key_int(g, "gid", j->peer.gid) || gen_times(g, j) ||
		(with_output && gen_output(g, j)) || (disk && gen_disk(g, j));
	return r || yajl_gen_map_close(g) ? -ENOMEM : 0;
}

char *job_output_tail(yajl_val lines)
{
	size_t n = YAJL_IS_ARRAY(lines) ? lines->u.array.len : 0, from = n, bytes = 0;
	while (from > 0) {
		yajl_val l = json_get(lines->u.array.values[from - 1], "line");
		size_t len = YAJL_IS_STRING(l) ? strlen(l->u.string) : 0;
		if (bytes + len > JOB_OUTPUT_MAX)
			break;
		bytes += len;
		from--;
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_array_open(g))
		return NULL;
	for (size_t i = from; i < n; i++)
		if (jg_value(g, lines->u.array.values[i]))
			return NULL;
	return yajl_gen_array_close(g) ? NULL : jg_finish(g, NULL);
}

/* The JobSpec's members of v, as an object of their own. */
static int load_spec(yajl_val v, job *j, cerr *err)
{
	static const char *const keys[] = { "image", "command", "name", "timeout", "retries", "stopTimeout" };
	const char *k[6];
	yajl_val vals[6];
	size_t n = 0;
	for (size_t i = 0; i < 6; i++)
		if ((vals[n] = json_key(v, keys[i])))
			k[n++] = keys[i];
	struct yajl_val_s sub = { .type = yajl_t_object, .u.object = { .keys = k, .values = vals, .len = n } };
	json_fault f = JSON_FAULT_CHAIN(err);
	return job_spec_parse(&sub, "", &j->spec, &f);
}

static int load_state(yajl_val v, job *j, cerr *err)
{
	const char *st = NULL, *ph = NULL;
	json_fault f = JSON_FAULT_CHAIN(err);
	int r = json_get_str(v, "", "state", JSON_REQUIRED, &st, &f);
	if (r == 0)
		r = json_get_str(v, "", "phase", 0, &ph, &f);
	if (r < 0)
		return r;
	for (int i = 0; i < JOB_STATE_COUNT; i++)
		if (streq(st, job_state_str[i]))
			j->state = (enum job_state)i;
	for (int i = 0; ph && i < JP_COUNT; i++)
		if (streq(ph, job_phase_str[i]))
			j->phase = (enum job_phase)i;
	if (!streq(st, job_state_str[j->state]))
		return cerr_set(err, EINVAL, "state: unknown state %s", st);
	return 0;
}

static int copy_time(yajl_val v, const char *key, char *buf, size_t n, json_fault *f)
{
	const char *s = NULL;
	int r = json_get_str(v, "", key, 0, &s, f);
	if (r == 0 && s)
		snprintf(buf, n, "%s", s);
	return r;
}

static int load_peer(yajl_val v, job *j, json_fault *f)
{
	uint32_t uid = 0, gid = 0;
	yajl_val groups = NULL;
	int r;
	if ((r = json_get_u32(v, "", "uid", JSON_REQUIRED, &uid, NULL, f)) < 0 ||
	    (r = json_get_u32(v, "", "gid", JSON_REQUIRED, &gid, NULL, f)) < 0 ||
	    (r = json_get_array(v, "", "groups", 0, PEER_MAX_GROUPS, &groups, f)) < 0)
		return r;
	j->peer = (peer_cred){ .uid = uid, .gid = gid };
	for (size_t i = 0; groups && i < groups->u.array.len; i++) {
		long long g;
		if (!json_int_in(groups->u.array.values[i], 0, UINT32_MAX, &g))
			return json_fault_set(f, EINVAL, "groups", "must be an array of group ids");
		j->peer.groups[j->peer.n_groups++] = (gid_t)g;
	}
	return 0;
}

int job_load(yajl_val v, job *j, cerr *err)
{
	json_fault f = JSON_FAULT_CHAIN(err);
	const char *id = NULL, *ctr = NULL, *error = NULL;
	long long seq = 0, attempts = 0, code = 0, run_ms = 0;
	bool has_code = false;
	yajl_val out = NULL;
	int r;
	if ((r = json_get_str(v, "", "id", JSON_REQUIRED, &id, &f)) < 0)
		return r;
	if (strlen(id) != JOB_ID_LEN || strspn(id, "0123456789abcdef") != JOB_ID_LEN)
		return cerr_set(err, EINVAL, "id: must be %d hex digits", JOB_ID_LEN);
	memcpy(j->id, id, JOB_ID_LEN + 1);
	if ((r = load_spec(v, j, err)) < 0 || (r = load_state(v, j, err)) < 0 || (r = load_peer(v, j, &f)) < 0 ||
	    (r = json_get_int_in(v, "", "seq", JSON_REQUIRED, 1, INT64_MAX, &seq, NULL, &f)) < 0 ||
	    (r = json_get_int_in(v, "", "attempts", 0, 0, 1000000, &attempts, NULL, &f)) < 0 ||
	    (r = json_get_int_in(v, "", "exitCode", 0, -1, 255, &code, &has_code, &f)) < 0 ||
	    (r = json_get_int_in(v, "", "runMs", 0, 0, INT64_MAX, &run_ms, NULL, &f)) < 0 ||
	    (r = json_get_bool(v, "", "timedOut", 0, &j->timed_out, NULL, &f)) < 0 ||
	    (r = json_get_bool(v, "", "cancelWanted", 0, &j->cancel_wanted, NULL, &f)) < 0 ||
	    (r = json_get_str(v, "", "error", 0, &error, &f)) < 0 ||
	    (r = json_get_str(v, "", "container", 0, &ctr, &f)) < 0 ||
	    (r = json_get_strv(v, "", "attemptStarts", 0, &j->attempt_starts, NULL, &f)) < 0 ||
	    (r = json_get_array(v, "", "output", 0, JOB_OUTPUT_MAX, &out, &f)) < 0 ||
	    (r = copy_time(v, "submittedAt", j->submitted_at, sizeof(j->submitted_at), &f)) < 0 ||
	    (r = copy_time(v, "startedAt", j->started_at, sizeof(j->started_at), &f)) < 0 ||
	    (r = copy_time(v, "finishedAt", j->finished_at, sizeof(j->finished_at), &f)) < 0)
		return r;
	if (ctr && strlen(ctr) > JOB_CTR_ID_MAX)
		return cerr_set(err, EINVAL, "container: longer than %d bytes", JOB_CTR_ID_MAX);
	snprintf(j->container, sizeof(j->container), "%s", ctr ? ctr : "");
	j->seq = (uint64_t)seq;
	j->attempts = (unsigned)attempts;
	j->has_exit = has_code;
	j->exit_code = (int)code;
	j->run_ms = (uint64_t)run_ms;
	for (char **s = j->attempt_starts; s && *s; s++)
		j->n_starts++;
	if ((error && !(j->error = strdup(error))) || (out && !(j->output = job_output_tail(out))))
		return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}
