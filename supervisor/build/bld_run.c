/* RUN (bld.h): a container of the caller's from the step's image, with the
 * stage's environment, ARGs, working directory, user and the build's
 * network; its output streamed as it comes (Logs, followed); committed
 * with the stage's config when it exits 0, removed either way. */
#include "supervisor/build/bld.h"
#include "supervisor/build/bld_run.h"
#include "supervisor/build/bld_step.h"
#include "supervisor/build/bld_call.h"
#include "supervisor/build/bld_stream.h"
#include "supervisor/build/bld_instr.h"
#include "supervisor/api/interface.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/strv.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RUN's flags: --network (default: the build's; none; host, as corrald's
 * policy allows the caller). BuildKit's --mount is refused, as Docker's
 * own builder without BuildKit refuses it. */
static int run_flags(const df_instr *in, const char **network, cerr *err)
{
	*network = NULL;
	for (size_t i = 0; in->flags[i]; i++) {
		const char *f = in->flags[i];
		if (!strncmp(f, "--mount", 7))
			return cerr_set(err, ENOTSUP, "RUN %s: corral's builder mounts nothing into a step (BuildKit's "
						       "cache, secret and bind mounts): COPY what it needs",
					f);
		const char *v = f + strlen("--network=");
		if (strncmp(f, "--network=", 10) || (strcmp(v, "default") && strcmp(v, "none") && strcmp(v, "host")))
			return cerr_set(err, EINVAL, "RUN %s: --network is default, none or host", f);
		*network = strcmp(v, "default") ? v : NULL;
	}
	return 0;
}

/* The process: exec form as given, else the stage's shell and the text. */
static char **command_of(const bld_stage *s, const df_instr *in)
{
	if (in->exec_form)
		return strv_copy(in->args);
	char **argv = strv_copy(s->cfg.shell);
	if (argv && strv_push(&argv, strdup(in->args[0] ? in->args[0] : "")) < 0) {
		strv_free(argv);
		return NULL;
	}
	return argv;
}

/* The ARGs with a value go into RUN's environment (not the image's). */
static char **env_of(const bld_stage *s)
{
	char **env = strv_copy(s->cfg.env);
	for (size_t i = 0; s->args && s->args[i]; i++) {
		const char *eq = strchr(s->args[i], '=');
		_cleanup_free_ char *name = eq ? strndup(s->args[i], (size_t)(eq - s->args[i])) : NULL;
		if (eq && name && !cfg_env_get(&s->cfg, name))
			strv_push(&env, strdup(s->args[i]));
	}
	return env;
}

static char *params_id(const char *id, bool follow)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	jg_object(g, JG_STR("id", id), JG_TRUE_SET("follow", follow), JG_END);
	return jg_finish(g, NULL);
}

/* Whether the client hung up: its end of the stream closed (it sends
 * nothing more after CLOSE_STDIN, and never half-closes). */
bool bld_client_gone(bld *b)
{
	struct pollfd p = { .fd = b->sock, .events = POLLRDHUP };
	if (!b->gone && poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
		b->gone = true;
	return b->gone;
}

static void kill_step(bld *b, const char *id)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	jg_object(g, JG_STR("id", id), JG_STR("signal", "KILL"), JG_END);
	_cleanup_free_ char *p = jg_finish(g, NULL);
	_cleanup_cerr_ cerr err = { 0 };
	vl_reply rep;
	if (p && bld_call(b, "Kill", p, &rep, &err) == 0)
		vl_reply_release(&rep);
}

/* Its output, as it comes, until it ends (on a connection of its own:
 * Logs with "more" holds one till then); a client that hangs up meanwhile
 * ends it (KILL), as Docker's builder is cancelled. */
static void follow(bld *b, const char *id)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_free_ char *p = params_id(id, true);
	if (!p || bld_connect(b, &c, &err) < 0 ||
	    vl_client_send(c, CORRAL_SUPERVISOR_INTERFACE ".Logs", p, true, false, &err) < 0)
		return;
	bool killed = false;
	for (;;) {
		struct pollfd fds[2] = { { .fd = vl_client_fd(c), .events = POLLIN }, { .fd = b->sock, .events = POLLRDHUP } };
		if (!vl_client_buffered(c) && poll(fds, killed ? 1 : 2, -1) < 0 && errno != EINTR)
			return;
		if (!killed && bld_client_gone(b)) {
			kill_step(b, id);
			killed = true;
		}
		if (!vl_client_buffered(c) && !(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		vl_reply rep;
		if (vl_client_recv(c, &rep, &err) < 0)
			return;
		yajl_val lines = json_get(rep.params, "lines");
		for (size_t i = 0; !rep.error && !b->quiet && YAJL_IS_ARRAY(lines) && i < lines->u.array.len; i++) {
			yajl_val l = lines->u.array.values[i];
			const char *text = json_str(l, "line");
			yajl_val partial = json_get(l, "partial");
			if (text)
				bld_say(b, "%s%s", text, YAJL_IS_TRUE(partial) ? "" : "\n");
		}
		bool more = rep.continues && !rep.error;
		vl_reply_release(&rep);
		if (!more)
			return;
	}
}

static int run_it(bld *b, const char *id, long long *code, cerr *err)
{
	_cleanup_free_ char *p = params_id(id, false);
	vl_reply rep;
	if (!p || bld_call(b, "Start", p, &rep, err) < 0)
		return -1;
	vl_reply_release(&rep);
	follow(b, id);
	if (bld_call(b, "Wait", p, &rep, err) < 0)
		return -1;
	yajl_val c = json_get(rep.params, "exitCode");
	*code = YAJL_IS_INTEGER(c) ? YAJL_GET_INTEGER(c) : -1;
	vl_reply_release(&rep);
	return 0;
}

int bld_step_run(bld *b, bld_stage *s, const df_instr *in, cerr *err)
{
	_cleanup_strv_ char **argv = command_of(s, in), **env = env_of(s);
	_cleanup_free_ char *shown = argv ? strv_join(argv, " ") : NULL, *what = NULL;
	_cleanup_free_ char *envs = env ? strv_join(env, "\n") : NULL;
	const char *network;
	if (run_flags(in, &network, err) < 0)
		return -1;
	if (!argv || !shown || !envs ||
	    asprintf(&what, "RUN %s\n%s\n%s\n%s%s%s", shown, envs, s->cfg.workdir, s->cfg.user,
		     network ? "\nnetwork " : "", network ? network : "") < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	bld_key_next(s, what, strlen(what));
	int r = bld_cached(b, s, err);
	if (r != 0)
		return r < 0 ? r : 0;
	char id[80];
	if (bld_create(b, s, argv, env, network, id, sizeof(id), err) < 0)
		return -1;
	bld_say(b, " ---> Running in %.12s\n", id);
	long long code = 0;
	r = run_it(b, id, &code, err);
	if (r == 0 && b->gone)
		r = cerr_set(err, ECANCELED, "the client went away: the build stops");
	else if (r == 0 && code != 0)
		r = cerr_set(err, EINVAL, "The command '%s' returned a non-zero code: %lld", shown, code);
	if (r == 0)
		r = bld_commit_container(b, s, id, shown, err);
	bld_remove(b, id);
	if (r == 0)
		bld_say(b, "Removing intermediate container %.12s\n", id);
	return r;
}
