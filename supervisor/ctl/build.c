/* corralctl build [OPTIONS] [DIR], with podman build's options: the
 * directory goes as a tar (tar(1), symlinks as they are) into corrald's
 * Build, and the steps print as they come. A Dockerfile outside DIR (-f)
 * goes into the tar under a name of its own, as the docker CLI sends it.
 * corralctl commit CONTAINER [IMAGE]: the container's changes as an image. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/ctl_spawn.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/ctl_stream.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUTSIDE_NAME ".corral-dockerfile"

enum { B_TAG, B_FILE, B_TARGET, B_ARG, B_NOCACHE, B_PULL, B_LABEL, B_IIDFILE, B_QUIET, B_NETWORK, B_RM, B_FORCE_RM,
       B_LAYERS };

static const ctl_opt build_opts[] = {
	[B_TAG] = { "tag", 't', OPT_LIST, "NAME[:TAG]", "name the image (again for more names)" },
	[B_FILE] = { "file", 'f', OPT_STR, "FILE", "the Dockerfile (default: DIR/Dockerfile, else DIR/Containerfile)" },
	[B_TARGET] = { "target", 0, OPT_STR, "STAGE", "build up to this stage (FROM ... AS STAGE)" },
	[B_ARG] = { "build-arg", 0, OPT_LIST, "NAME[=VALUE]", "an ARG's value (NAME alone: from the environment)" },
	[B_NOCACHE] = { "no-cache", 0, OPT_FLAG, "", "run every step, the cache unused" },
	[B_PULL] = { "pull", 0, OPT_FLAG, "", "pull FROM's images even when they are here" },
	[B_LABEL] = { "label", 0, OPT_LIST, "KEY=VALUE", "a label of the image" },
	[B_IIDFILE] = { "iidfile", 0, OPT_STR, "FILE", "write the image's ID to FILE" },
	[B_QUIET] = { "quiet", 'q', OPT_FLAG, "", "print only the image's ID" },
	[B_NETWORK] = { "network", 0, OPT_STR, "NAME", "the network of RUN's containers (default: corrald's)" },
	[B_RM] = { "rm", 0, OPT_FLAG, "", "remove each step's container (always so)" },
	[B_FORCE_RM] = { "force-rm", 0, OPT_FLAG, "", "remove them after a failure too (always so)" },
	[B_LAYERS] = { "layers", 0, OPT_FLAG, "", "cache each step's image (always so; --no-cache turns it off)" },
	{ NULL },
};

/* KEY=VALUE options as an object ("NAME" alone: from the environment). */
static int gen_pairs(yajl_gen g, const char *key, char *const *list, bool from_env)
{
	jg_key(g, key);
	yajl_gen_map_open(g);
	for (size_t i = 0; list && list[i]; i++) {
		const char *eq = strchr(list[i], '=');
		_cleanup_free_ char *k = eq ? strndup(list[i], (size_t)(eq - list[i])) : strdup(list[i]);
		const char *v = eq ? eq + 1 : from_env ? getenv(list[i]) : "";
		if (!k)
			return ctl_fail("build", "out of memory");
		if (v)
			jg_key_str(g, k, v);
	}
	yajl_gen_map_close(g);
	return 0;
}

typedef struct progress {
	bool quiet;
	char id[80];
} progress;

static void on_line(const char *line, size_t n, void *ctx)
{
	progress *p = ctx;
	_cleanup_json_ yajl_val v = json_parse_line(line, n);
	if (!v)
		return;
	yajl_val s = json_get(v, "stream"), id = json_get(v, "image");
	if (YAJL_IS_STRING(s) && !p->quiet) {
		fputs(s->u.string, stdout);
		fflush(stdout);
	}
	if (YAJL_IS_STRING(id))
		snprintf(p->id, sizeof(p->id), "%s", id->u.string);
}

/* The Dockerfile: -f, else DIR's Dockerfile or Containerfile; *outside
 * when it is not in DIR (it is sent as OUTSIDE_NAME). */
static int dockerfile_of(const char *dir, const char *file, char **path, bool *outside)
{
	char rdir[PATH_MAX], rfile[PATH_MAX];
	if (!realpath(dir, rdir))
		return ctl_failf("build: %s: %s", dir, strerror(errno));
	if (!file) {
		_cleanup_free_ char *df = NULL, *cf = NULL;
		if (asprintf(&df, "%s/Dockerfile", rdir) < 0 || asprintf(&cf, "%s/Containerfile", rdir) < 0)
			return ctl_fail("build", "out of memory");
		file = access(df, F_OK) == 0 || access(cf, F_OK) != 0 ? "Dockerfile" : "Containerfile";
		*outside = false;
		return (*path = strdup(file)) ? 0 : ctl_fail("build", "out of memory");
	}
	if (!realpath(file, rfile))
		return ctl_failf("build: %s: %s", file, strerror(errno));
	size_t n = strlen(rdir);
	*outside = strncmp(rfile, rdir, n) || rfile[n] != '/';
	*path = strdup(*outside ? rfile : rfile + n + 1);
	return *path ? 0 : ctl_fail("build", "out of memory");
}

static int v_build(ctl_args *a)
{
	const ctl_optval *o = a->val;
	const char *dir = a->argc ? a->argv[0] : ".";
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return ctl_failf("build: %s: not a directory", dir);
	_cleanup_free_ char *df = NULL;
	bool outside = false;
	if (dockerfile_of(dir, o[B_FILE].set ? o[B_FILE].str : NULL, &df, &outside))
		return EXIT_CTL;
	yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key_str(g, "dockerfile", outside ? OUTSIDE_NAME : df);
	jg_key_strv(g, "tags", o[B_TAG].list ? o[B_TAG].list : (char *const[]){ NULL });
	if (o[B_TARGET].set)
		jg_key_str(g, "target", o[B_TARGET].str);
	if (o[B_NETWORK].set)
		jg_key_str(g, "network", o[B_NETWORK].str);
	jg_key_bool(g, "noCache", opt_on(a, "no-cache"));
	jg_key_bool(g, "pull", opt_on(a, "pull"));
	if (gen_pairs(g, "buildArgs", o[B_ARG].list, true) || gen_pairs(g, "labels", o[B_LABEL].list, false)) {
		yajl_gen_free(g);
		return EXIT_CTL;
	}
	/* the tar: DIR's content, and an outside Dockerfile under its own name */
	_cleanup_free_ char *transform = NULL;
	const char *slash = outside ? strrchr(df, '/') : NULL;
	if (outside && asprintf(&transform, "--transform=s,^%s$," OUTSIDE_NAME ",", slash + 1) < 0) {
		yajl_gen_free(g);
		return ctl_fail("build", "out of memory");
	}
	_cleanup_free_ char *df_dir = outside ? strndup(df, (size_t)(slash - df)) : NULL;
	char *argv[12] = { "tar", "-c", "-f", "-", "-C", (char *)dir, "." };
	size_t n = 7;
	if (outside) {
		argv[n++] = "-C", argv[n++] = df_dir, argv[n++] = transform, argv[n++] = (char *)slash + 1;
	}
	progress p = { .quiet = opt_on(a, "quiet") };
	_cleanup_ctl_stream_ ctl_stream s;
	ctl_stream_init(&s, "build");
	s.on_line = on_line;
	s.ctx = &p;
	int from = -1, rc;
	pid_t pid = 0;
	rc = ctl_call_upgrade(M("Build"), g, false, &s.sc.fd);
	if (!rc)
		rc = ctl_spawn_piped("build (it needs tar(1) on the host)", argv, false, &from, &pid);
	if (!rc)
		rc = ctl_stream_send(&s, from);
	if (pid) {
		close(from);
		rc = ctl_reap("build: tar", pid, false) || rc ? EXIT_CTL : 0;
	}
	if (!rc && s.sc.code != 0) {
		while (s.sc.msg.len && s.sc.msg.buf[s.sc.msg.len - 1] == '\n')
			s.sc.msg.buf[--s.sc.msg.len] = '\0';
		return ctl_failf("build: %s", s.sc.msg.len ? s.sc.msg.buf : "failed");
	}
	if (rc)
		return rc;
	if (p.quiet)
		puts(p.id);
	if (o[B_IIDFILE].set) {
		_cleanup_cerr_ cerr err = { 0 };
		if (write_file_atomic(o[B_IIDFILE].str, p.id, strlen(p.id), 0644, &err) < 0)
			return ctl_failf("build: --iidfile %s", cerr_msg(&err));
	}
	return 0;
}

enum { C_MESSAGE, C_AUTHOR, C_CHANGE, C_PAUSE, C_QUIET };

static const ctl_opt commit_opts[] = {
	[C_MESSAGE] = { "message", 'm', OPT_STR, "TEXT", "the commit's message (its history's comment)" },
	[C_AUTHOR] = { "author", 'a', OPT_STR, "NAME", "the image's author" },
	[C_CHANGE] = { "change", 'c', OPT_LIST, "INSTRUCTION", "a Dockerfile instruction for the image's config "
							      "(CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR, STOPSIGNAL)" },
	[C_PAUSE] = { "pause", 'p', OPT_FLAG, "", "pause the container while its changes are read (the default; --pause=false: not)" },
	[C_QUIET] = { "quiet", 'q', OPT_FLAG, "", "print only the image's ID (corralctl prints nothing else)" },
	{ NULL },
};

static int v_commit(ctl_args *a)
{
	const ctl_optval *o = a->val;
	yajl_gen g = ctl_params(a->argv[0]);
	if (a->argc > 1)
		jg_key_str(g, "name", a->argv[1]);
	if (o[C_MESSAGE].set)
		jg_key_str(g, "comment", o[C_MESSAGE].str);
	if (o[C_AUTHOR].set)
		jg_key_str(g, "author", o[C_AUTHOR].str);
	jg_key_bool(g, "pause", !o[C_PAUSE].set || opt_on(a, "pause"));
	jg_key_strv(g, "changes", o[C_CHANGE].list ? o[C_CHANGE].list : (char *const[]){ NULL });
	_cleanup_(vl_client_freep) vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("ContainerCommit"), g, false, &rep))
		return EXIT_CTL;
	yajl_val id = json_get(rep.params, "id");
	puts(YAJL_IS_STRING(id) ? id->u.string : "");
	vl_reply_release(&rep);
	return 0;
}

const ctl_cmd ctl_build_cmds[] = {
	{ "build", "[DIR]", "Build an image from a Dockerfile (also: image build)", build_opts, 0, 1, 0, COMPLETE_FILES,
	  v_build },
	{ "commit", "CONTAINER [IMAGE]", "Make an image of a container's changes (also: container commit)", commit_opts, 1,
	  2, 0, COMPLETE_CONTAINERS, v_commit },
	{ NULL },
};
