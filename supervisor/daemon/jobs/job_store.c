/* <state-dir>/jobs/<id>.json: one file a job, written atomically on every
 * change; read back at startup. */
#include "supervisor/daemon/jobs/job_run.h"
#include "supervisor/daemon/jobs/job_store.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define JOB_FILE_MODE 0600
#define JOB_FILES_MAX (JOB_MAX_UNFINISHED + JOB_KEEP_FINISHED + 1000) /* read at startup */

static void job_path(const job_table *t, const job *j, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s.json", t->dir, j->id);
}

int job_save(job_table *t, const job *j, cerr *err)
{
	char path[PATH_MAX];
	job_path(t, j, path, sizeof(path));
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || job_gen(g, j, true, true) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	return jg_write_file(g, path, JOB_FILE_MODE, 0, err);
}

void job_forget_file(job_table *t, const job *j)
{
	char path[PATH_MAX];
	job_path(t, j, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("%s: %s", path, strerror(errno));
}

/* One file: a job, or a warning and NULL. */
static job *load_one(job_table *t, int dfd, const char *name)
{
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	job *j = job_new();
	if (!j || json_parse_file_at(dfd, name, JOB_FILE_MAX, &v, &err) < 0 || job_load(v, j, &err) < 0) {
		log_warn("%s/%s: %s; skipped", t->dir, name, j ? cerr_msg(&err) : "out of memory");
		job_free(j);
		return NULL;
	}
	char want[JOB_ID_LEN + 8];
	snprintf(want, sizeof(want), "%s.json", j->id);
	if (!streq(want, name)) {
		log_warn("%s/%s: its id is %s; skipped", t->dir, name, j->id);
		job_free(j);
		return NULL;
	}
	return j;
}

int jobs_load(job_table *t, cerr *err)
{
	int r = mkdir_p(t->dir, 0700);
	if (r < 0)
		return cerr_sys(err, -r, "%s", t->dir);
	_cleanup_closedir_ DIR *dir = opendir(t->dir);
	if (!dir)
		return cerr_sys(err, errno, "%s", t->dir);
	struct dirent *de;
	size_t n = 0;
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 5 || !streq(de->d_name + len - 5, ".json"))
			continue; /* temporary files of a crash, among others */
		if (++n > JOB_FILES_MAX) {
			log_warn("%s: more than %d job files; the rest are left alone", t->dir, JOB_FILES_MAX);
			break;
		}
		job *j = load_one(t, dirfd(dir), de->d_name);
		if (j)
			job_table_append(t, j);
	}
	return 0;
}
