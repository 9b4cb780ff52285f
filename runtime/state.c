#include "state.h"
#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

const char *const rt_status_names[] = { "creating", "created", "running", "paused", "stopped" };

void rt_state_free(struct rt_state *s)
{
	if (!s)
		return;
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->owner);
	free(s->cgroup_mount);
	free(s->cgroup_path);
	if (s->annotations)
		yajl_tree_free(s->annotations);
	free(s);
}

int validate_id(const char *id, cerr *err)
{
	size_t n = strlen(id);
	if (n == 0 || n > 1024 || streq(id, ".") || streq(id, ".."))
		return cerr_set(err, EINVAL, "invalid container id \"%s\"", id);
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("_+.-", *p)))
			return cerr_set(err, EINVAL, "invalid container id \"%s\": only [A-Za-z0-9_+.-] are allowed", id);
	return 0;
}

unsigned long long proc_starttime(pid_t pid)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	_cleanup_free_ char *s = NULL;
	if (read_file(p, 4096, &s, NULL, NULL) < 0)
		return 0;
	/* comm may hold spaces and parens: fields resume after the last ')' */
	char *c = strrchr(s, ')');
	if (!c)
		return 0;
	char state = 0;
	unsigned long long start = 0;
	int field = 2;
	for (char *tok = strtok(c + 1, " "); tok; tok = strtok(NULL, " ")) {
		field++;
		if (field == 3)
			state = tok[0];
		if (field == 22) {
			start = strtoull(tok, NULL, 10);
			break;
		}
	}
	if (state == 'Z' || state == 'X')
		return 0; /* a zombie has stopped */
	return start;
}

int state_pidfd(const struct rt_state *s)
{
	if (s->pid <= 0)
		return -ESRCH;
	int fd = (int)syscall(SYS_pidfd_open, s->pid, 0);
	if (fd < 0)
		return -errno;
	/* check after opening: a pidfd pins the process, so a match now holds */
	if (proc_starttime(s->pid) != s->pid_start) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

int state_save(const char *dir, const struct rt_state *s, unsigned flags, cerr *err)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return cerr_set(err, ENOMEM, "out of memory");
	int r = yajl_gen_map_open(g) || jg_key_str(g, "id", s->id) || jg_key_int(g, "pid", s->pid) ||
		jg_key_int(g, "pid_start", (long long)s->pid_start) || jg_key_str(g, "bundle", s->bundle) ||
		jg_key_str(g, "rootfs", s->rootfs) || jg_key_str(g, "created", s->created) ||
		jg_key_str(g, "owner", s->owner) || jg_key_bool(g, "systemd_cgroup", s->systemd_cgroup);
	if (!r && s->cgroup_path)
		r = jg_key_str(g, "cgroup_mount", s->cgroup_mount) || jg_key_str(g, "cgroup_path", s->cgroup_path);
	if (!r && s->annotations)
		r = jg_key(g, "annotations") || jg_value(g, s->annotations);
	if (r || yajl_gen_map_close(g))
		return cerr_set(err, ENOMEM, "state: cannot serialise");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/state.json", dir);
	return jg_write_file(g, path, 0600, flags, err);
}

static int dup_key(yajl_val o, const char *key, char **out)
{
	yajl_val v = json_get(o, key);
	if (!YAJL_IS_STRING(v))
		return -EINVAL;
	*out = strdup(v->u.string);
	return *out ? 0 : -ENOMEM;
}

int state_load(const char *root, const char *id, struct rt_state **out, cerr *err)
{
	int r = validate_id(id, err);
	if (r < 0)
		return r;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", root, id);
	struct stat st;
	if (stat(path, &st) < 0)
		return cerr_set(err, ENOENT, "container \"%s\" does not exist", id);
	snprintf(path, sizeof(path), "%s/%s/state.json", root, id);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (read_file(path, 1 << 20, &text, &len, NULL) < 0 || len == 0) {
		/* the directory exists but create has not saved state yet, or
		 * saved it (unsynced) just before the machine went down */
		_cleanup_state_ struct rt_state *s = calloc(1, sizeof(*s));
		if (!s || !(s->id = strdup(id)))
			return cerr_set(err, ENOMEM, "out of memory");
		*out = TAKE_PTR(s);
		return 0;
	}
	_cleanup_json_ yajl_val v = NULL;
	if ((r = json_parse(text, path, &v, err)) < 0)
		return r;
	_cleanup_state_ struct rt_state *s = calloc(1, sizeof(*s));
	if (!s)
		return cerr_set(err, ENOMEM, "out of memory");
	long long pid = 0, start = 0;
	if (dup_key(v, "id", &s->id) < 0 || dup_key(v, "bundle", &s->bundle) < 0 ||
	    dup_key(v, "rootfs", &s->rootfs) < 0 || dup_key(v, "created", &s->created) < 0 ||
	    dup_key(v, "owner", &s->owner) < 0 || !json_int_in(json_get(v, "pid"), 0, INT_MAX, &pid) ||
	    !json_int_in(json_get(v, "pid_start"), 0, LLONG_MAX, &start))
		return cerr_set(err, EINVAL, "%s: corrupt state file", path);
	s->pid = (pid_t)pid;
	s->pid_start = (unsigned long long)start;
	s->systemd_cgroup = YAJL_IS_TRUE(json_get(v, "systemd_cgroup"));
	if (json_get(v, "cgroup_path") &&
	    (dup_key(v, "cgroup_mount", &s->cgroup_mount) < 0 || dup_key(v, "cgroup_path", &s->cgroup_path) < 0))
		return cerr_set(err, EINVAL, "%s: corrupt state file", path);
	yajl_val ann = json_get(v, "annotations");
	if (YAJL_IS_OBJECT(ann)) {
		/* detach the subtree so it outlives the document */
		for (size_t i = 0; i < v->u.object.len; i++)
			if (v->u.object.values[i] == ann)
				v->u.object.values[i] = NULL;
		s->annotations = ann;
	}
	*out = TAKE_PTR(s);
	return 0;
}

enum rt_status state_status(const char *root, const struct rt_state *s)
{
	if (!s->pid)
		return ST_CREATING;
	if (proc_starttime(s->pid) != s->pid_start)
		return ST_STOPPED;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s/" EXEC_FIFO, root, s->id);
	if (access(path, F_OK) == 0)
		return ST_CREATED;
	if (s->cgroup_path) {
		char f[PATH_MAX];
		snprintf(f, sizeof(f), "%s%s/cgroup.freeze", s->cgroup_mount, s->cgroup_path);
		_cleanup_free_ char *v = NULL;
		if (read_file(f, 64, &v, NULL, NULL) == 0 && v[0] == '1')
			return ST_PAUSED;
	}
	return ST_RUNNING;
}

char *state_to_json(const struct rt_state *s, enum rt_status st, bool pretty)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(pretty);
	if (!g)
		return NULL;
	int r = yajl_gen_map_open(g) || jg_key_str(g, "ociVersion", "1.2.0") || jg_key_str(g, "id", s->id) ||
		jg_key_str(g, "status", rt_status_names[st]);
	if (!r && st != ST_STOPPED && s->pid)
		r = jg_key_int(g, "pid", s->pid);
	else if (!r)
		r = jg_key_int(g, "pid", 0);
	r = r || jg_key_str(g, "bundle", s->bundle ? s->bundle : "") ||
	    jg_key_str(g, "rootfs", s->rootfs ? s->rootfs : "") ||
	    jg_key_str(g, "created", s->created ? s->created : "") ||
	    jg_key_str(g, "owner", s->owner ? s->owner : "");
	if (!r && s->annotations)
		r = jg_key(g, "annotations") || jg_value(g, s->annotations);
	r = r || yajl_gen_map_close(g);
	return r ? NULL : jg_finish(g, NULL);
}

int state_lock(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int state_write_pid_file(const char *path, pid_t pid, cerr *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	int r = write_file_atomic_ex(path, buf, (size_t)n, 0644, WFA_NO_SYNC, err);
	return r < 0 ? cerr_wrap(err, "--pid-file") : 0;
}
