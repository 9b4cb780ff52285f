#include "bundle/from_image.h"
#include "bundle/spec_default.h"
#include "bundle/spec_parse.h"
#include "bundle/caps.h"
#include "bundle/command.h"
#include "bundle/image_user.h"
#include "common/cleanup.h"
#include "common/safepath.h"
#include "common/strv.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

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
		c->caps[s] = malloc(caps_default_n * sizeof(int));
		if (!c->caps[s])
			return -ENOMEM;
		memcpy(c->caps[s], caps_default, caps_default_n * sizeof(int));
		c->n[s] = caps_default_n;
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
	if (command_compose(cfg->entrypoint, cfg->cmd, NULL, args && *args ? args : NULL, &argv) < 0)
		goto oom;
	if (!argv[0]) {
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
		return cerr_wrap(err, "image config: User");
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
		if (spec_set_annotation(sp, cfg->labels[i].key, cfg->labels[i].val) < 0)
			goto oom;
	if (cfg->stop_signal && spec_set_annotation(sp, ANNOT_STOP_SIGNAL, cfg->stop_signal) < 0)
		goto oom;
	*out = sp;
	return 0;
oom:
	spec_free(sp);
	return cerr_set(err, ENOMEM, "out of memory");
}
