#include "bundle/from_image.h"
#include "bundle/caps.h"
#include "common/cleanup.h"
#include "common/safepath.h"
#include "common/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define MAX_ID_FILE (4u << 20)

/* Docker's default capability set. */

/* Read /etc/passwd or /etc/group of the image, never leaving the rootfs. */
static FILE *open_id_file(int rootfs_fd, const char *path)
{
	int fd = open_in_root(rootfs_fd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_ID_FILE) {
		close(fd);
		return NULL;
	}
	FILE *f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

static bool parse_id(const char *s, uint32_t *out)
{
	if (!*s)
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || *s == '-' || v > UINT32_MAX - 1)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Field i (0-based) of a colon-separated line, in place. */
static char *field(char *line, int i)
{
	char *p = line;
	for (int k = 0; k < i; k++) {
		p = strchr(p, ':');
		if (!p)
			return NULL;
		p++;
	}
	char *end = strchr(p, ':');
	size_t n = end ? (size_t)(end - p) : strcspn(p, "\n");
	static __thread char buf[1024];
	if (n >= sizeof(buf))
		return NULL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

static int lookup_passwd(int rootfs_fd, const char *user, bool by_name, uint32_t *uid, uint32_t *gid, char **name)
{
	_cleanup_fclose_ FILE *f = open_id_file(rootfs_fd, "/etc/passwd");
	if (!f)
		return -ENOENT;
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		char *n = field(line, 0);
		if (!n)
			continue;
		_cleanup_free_ char *nm = strdup(n);
		char *u = field(line, 2), *g = NULL;
		uint32_t pu, pg;
		if (!nm || !u || !parse_id(u, &pu))
			continue;
		g = field(line, 3);
		if (!g || !parse_id(g, &pg))
			continue;
		uint32_t want;
		if (by_name ? streq(nm, user) : (parse_id(user, &want) && want == pu)) {
			*uid = pu;
			*gid = pg;
			*name = TAKE_PTR(nm);
			return 0;
		}
	}
	return -ENOENT;
}

static int lookup_group(int rootfs_fd, const char *group, uint32_t *gid)
{
	_cleanup_fclose_ FILE *f = open_id_file(rootfs_fd, "/etc/group");
	if (!f)
		return -ENOENT;
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		char *n = field(line, 0);
		if (!n || !streq(n, group))
			continue;
		char *g = field(line, 2);
		if (g && parse_id(g, gid))
			return 0;
	}
	return -ENOENT;
}

/* Supplementary groups that list the user as a member. */
static void member_groups(int rootfs_fd, const char *user, uint32_t primary, struct oci_user *u)
{
	_cleanup_fclose_ FILE *f = open_id_file(rootfs_fd, "/etc/group");
	if (!f || !user)
		return;
	char line[4096];
	while (fgets(line, sizeof(line), f) && u->n_additional_gids < 64) {
		char *g = field(line, 2);
		uint32_t gid;
		if (!g || !parse_id(g, &gid) || gid == primary)
			continue;
		char *mem = field(line, 3);
		if (!mem)
			continue;
		char *save = NULL;
		for (char *m = strtok_r(mem, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
			if (!streq(m, user))
				continue;
			uint32_t *n = realloc(u->additional_gids, (u->n_additional_gids + 1) * sizeof(*n));
			if (!n)
				return;
			u->additional_gids = n;
			u->additional_gids[u->n_additional_gids++] = gid;
			break;
		}
	}
}

int image_user_resolve(int rootfs_fd, const char *spec, struct oci_user *u, cerr *err)
{
	u->uid = u->gid = 0;
	if (!spec || !*spec)
		return 0;
	_cleanup_free_ char *s = strdup(spec);
	if (!s)
		return cerr_set(err, ENOMEM, "out of memory");
	char *group = strchr(s, ':');
	if (group)
		*group++ = '\0';
	uint32_t uid = 0, gid = 0;
	_cleanup_free_ char *name = NULL;
	bool numeric = parse_id(s, &uid);
	if (lookup_passwd(rootfs_fd, s, !numeric, &uid, &gid, &name) < 0) {
		if (!numeric)
			return cerr_set(err, ENOENT, "User %s: no such user in the image's /etc/passwd", s);
		gid = 0; /* a bare uid not in passwd: group root, as Docker does */
	}
	if (group && *group) {
		if (!parse_id(group, &gid) && lookup_group(rootfs_fd, group, &gid) < 0)
			return cerr_set(err, ENOENT, "User %s: no such group %s in the image's /etc/group", spec, group);
	} else {
		member_groups(rootfs_fd, name, gid, u);
	}
	u->uid = uid;
	u->gid = gid;
	free(u->username);
	u->username = NULL;
	return 0;
}

static int add_annotation(struct oci_spec *sp, const char *k, const char *v)
{
	for (size_t i = 0; i < sp->n_annotations; i++)
		if (streq(sp->annotations[i].key, k)) {
			char *nv = strdup(v);
			if (!nv)
				return -ENOMEM;
			free(sp->annotations[i].value);
			sp->annotations[i].value = nv;
			return 0;
		}
	struct oci_kv *n = realloc(sp->annotations, (sp->n_annotations + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	sp->annotations = n;
	n[sp->n_annotations].key = strdup(k);
	n[sp->n_annotations].value = strdup(v);
	if (!n[sp->n_annotations].key || !n[sp->n_annotations].value) {
		free(n[sp->n_annotations].key);
		free(n[sp->n_annotations].value);
		return -ENOMEM;
	}
	sp->n_annotations++;
	return 0;
}

static int set_caps(struct oci_caps *c)
{
	c->present = true;
	for (int s = 0; s < CAPSET_COUNT; s++) {
		free(c->caps[s]);
		c->caps[s] = NULL;
		c->n[s] = 0;
		c->has[s] = false;
		if (s == CAPSET_INHERITABLE || s == CAPSET_AMBIENT)
			continue;
		c->caps[s] = malloc(caps_docker_default_n * sizeof(int));
		if (!c->caps[s])
			return -ENOMEM;
		memcpy(c->caps[s], caps_docker_default, caps_docker_default_n * sizeof(int));
		c->n[s] = caps_docker_default_n;
		c->has[s] = true;
	}
	return 0;
}

int spec_from_image(const img_config *cfg, int rootfs_fd, char *const *args, struct oci_spec **out, cerr *err)
{
	_cleanup_strv_ char **argv = NULL;
	_cleanup_strv_ char **env = NULL;
	struct oci_spec *sp = NULL;
	int r = spec_default(&sp, err);
	if (r < 0)
		return r;
	struct oci_process *p = &sp->process;
	/* the command: Entrypoint, then the CLI's args or else Cmd */
	for (char **e = cfg->entrypoint; e && *e; e++)
		if (strv_push(&argv, strdup(*e)) < 0)
			goto oom;
	char *const *cmd = args && *args ? args : cfg->cmd;
	for (char *const *c = cmd; c && *c; c++)
		if (strv_push(&argv, strdup(*c)) < 0)
			goto oom;
	if (!argv || !argv[0]) {
		spec_free(sp);
		return cerr_set(err, EINVAL, "the image has no Entrypoint or Cmd: give a command after --");
	}
	strv_free(p->args);
	p->args = TAKE_PTR(argv);
	/* the environment, with a PATH when the image has none */
	bool has_path = false;
	for (char **e = cfg->env; e && *e; e++) {
		has_path |= strncmp(*e, "PATH=", 5) == 0;
		if (strv_push(&env, strdup(*e)) < 0)
			goto oom;
	}
	if (!has_path && strv_push(&env, strdup(DEFAULT_PATH)) < 0)
		goto oom;
	strv_free(p->env);
	p->env = TAKE_PTR(env);
	/* the working directory: the runtime resolves it inside the root, but
	 * a config that names "..", or a relative path, is refused here */
	if (cfg->workdir && *cfg->workdir && !path_is_clean_absolute(cfg->workdir)) {
		spec_free(sp);
		return cerr_set(err, EINVAL, "image config: WorkingDir \"%s\": must be a clean absolute path",
				cfg->workdir);
	}
	char *cwd = strdup(cfg->workdir && *cfg->workdir ? cfg->workdir : "/");
	if (!cwd)
		goto oom;
	free(p->cwd);
	p->cwd = cwd;
	if ((r = image_user_resolve(rootfs_fd, cfg->user, &p->user, err)) < 0) {
		spec_free(sp);
		return r;
	}
	p->terminal = false;
	p->no_new_privileges = true;
	/* as Docker: not the caller's own, so that a runtime started by a
	 * protected service does not hand its protection on */
	p->has_oom_score_adj = true;
	p->oom_score_adj = 0;
	if (set_caps(&p->caps) < 0)
		goto oom;
	sp->root_readonly = false;
	for (size_t i = 0; i < cfg->n_labels; i++)
		if (add_annotation(sp, cfg->labels[i].key, cfg->labels[i].val) < 0)
			goto oom;
	if (cfg->stop_signal && add_annotation(sp, ANNOT_STOP_SIGNAL, cfg->stop_signal) < 0)
		goto oom;
	*out = sp;
	return 0;
oom:
	spec_free(sp);
	return cerr_set(err, ENOMEM, "out of memory");
}
