/* The JobSpec of JobSubmit and of each entry of JobBatch. */
#include "supervisor/daemon/jobs/job.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void job_spec_release(job_spec *s)
{
	free(s->name);
	free(s->image);
	strv_free(s->command);
	*s = (job_spec){ .stop_timeout = -1 };
}

static const char strings[] = "must be a non-empty array of strings";

/* command: what runs, as the image's entrypoint takes it. */
static int get_command(yajl_val v, const char *path, job_spec *s, json_fault *f)
{
	char p[JSON_PATH_MAX];
	json_path(p, path, "command");
	yajl_val a = json_key(v, "command");
	if (!YAJL_IS_ARRAY(a) || a->u.array.len == 0)
		return json_fault_set(f, EINVAL, p, "%s", strings);
	if (a->u.array.len > JOB_MAX_COMMAND)
		return json_fault_set(f, EINVAL, p, "more than %d arguments", JOB_MAX_COMMAND);
	size_t bytes = 0;
	for (size_t i = 0; i < a->u.array.len; i++) {
		if (!YAJL_IS_STRING(a->u.array.values[i]) || strlen(a->u.array.values[i]->u.string) > JSON_STR_MAX)
			return json_fault_set(f, EINVAL, p, "%s (of at most %d bytes each)", strings, JSON_STR_MAX);
		bytes += strlen(a->u.array.values[i]->u.string) + 1;
	}
	if (bytes > JOB_MAX_SPEC_BYTES)
		return json_fault_set(f, EINVAL, p, "%zu bytes; at most %u in all", bytes, JOB_MAX_SPEC_BYTES);
	return json_get_strv(v, path, "command", JSON_REQUIRED, &s->command, NULL, f);
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int job_spec_parse(yajl_val v, const char *path, job_spec *s, json_fault *f)
{
	static const char *const known[] = { "image", "command", "name", "timeout", "retries", "stopTimeout", NULL };
	*s = (job_spec){ .stop_timeout = -1 };
	long long timeout = 0, retries = 0, stop = -1;
	char p[JSON_PATH_MAX];
	if (!YAJL_IS_OBJECT(v))
		return json_fault_set(f, EINVAL, path, "must be an object (a job), not %s", json_type_name(v));
	int r;
	if ((r = json_check_keys(v, path, known, "unknown field", f)) < 0 ||
	    (r = json_dup_str(v, path, "image", JSON_REQUIRED | JSON_NONEMPTY | JSON_REF, &s->image, f)) < 0 ||
	    (r = get_command(v, path, s, f)) < 0 ||
	    (r = json_dup_str(v, path, "name", JSON_NONEMPTY, &s->name, f)) < 0 ||
	    (r = json_get_int_in(v, path, "timeout", 0, 0, JOB_MAX_TIMEOUT, &timeout, NULL, f)) < 0 ||
	    (r = json_get_int_in(v, path, "retries", 0, 0, JOB_MAX_RETRIES, &retries, NULL, f)) < 0 ||
	    (r = json_get_int_in(v, path, "stopTimeout", 0, 0, JOB_MAX_STOP_TIMEOUT, &stop, NULL, f)) < 0)
		goto fail;
	if (s->name && (strlen(s->name) > 128 || !printable(s->name))) {
		r = json_fault_set(f, EINVAL, json_path(p, path, "name"), "must be at most 128 printable bytes");
		goto fail;
	}
	s->timeout = (unsigned)timeout;
	s->retries = (unsigned)retries;
	s->stop_timeout = (int)stop;
	return 0;
fail:
	job_spec_release(s);
	return r;
}
