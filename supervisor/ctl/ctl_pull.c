/* corralctl pull (image pull), login and logout, as podman's. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/ctl_pull.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/pull_bars.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define CRED_MAX 4096

/* One progress reply: drawn on a terminal (bars), a line a finished layer
 * else. */
static void show_progress(yajl_val p, void *ctx)
{
	pull_bars *bars = ctx;
	const char *layer = ctl_str(p, "layer");
	long long done = ctl_int(p, "done", 0), total = ctl_int(p, "total", 0);
	if (!*layer)
		return;
	if (bars->started)
		fprintf(bars->in, "layer %s %lld %lld\n", layer, done, total);
	else if (done >= total)
		fprintf(stderr, "Copying blob %.19s done\n", layer);
}

/* ImagePull with its progress on stderr; the last reply in *last. */
static int pull(const char *ref, const char *platform, bool quiet, vl_reply *last)
{
	_cleanup_json_gen_ yajl_gen g = ctl_params(NULL);
	if (!g || jg_key_str(g, "reference", ref) || (platform && jg_key_str(g, "platform", platform)))
		return ctl_fail("pull", "out of memory");
	/* the bars draw nothing until a layer's progress comes */
	pull_bars bars = { 0 };
	if (!quiet && isatty(STDERR_FILENO))
		pull_bars_start(&bars);
	int rc = ctl_call_progress(M("ImagePull"), TAKE_PTR(g), NULL, quiet ? NULL : show_progress, &bars, last);
	pull_bars_end(&bars);
	return rc;
}

static int v_pull(ctl_args *a)
{
	vl_reply rep;
	if (pull(a->argv[0], opt_str(a, "platform"), opt_on(a, "quiet"), &rep))
		return EXIT_CTL;
	yajl_val im = json_get(rep.params, "images");
	yajl_val first = YAJL_IS_ARRAY(im) && im->u.array.len ? im->u.array.values[0] : NULL;
	if (ctl_json)
		ctl_print_json(rep.params);
	else
		printf("%s\n", ctl_str(first, "id") + 7 * !strncmp(ctl_str(first, "id"), "sha256:", 7));
	vl_reply_release(&rep);
	return 0;
}

/* Is image in the store, as the peer sees it? 1 yes, 0 no, else EXIT_CTL. */
static int have_image(const char *image)
{
	_cleanup_json_gen_ yajl_gen g = ctl_params(NULL);
	if (!g || jg_key_str(g, "image", image))
		return ctl_fail("pull", "out of memory");
	return ctl_call_found(M("ImageInspect"), TAKE_PTR(g), "NoSuchImage");
}

int ctl_pull_policy(const char *policy, const char *image, char **use)
{
	*use = NULL;
	bool always = streq(policy, "always"), newer = streq(policy, "newer"), missing = streq(policy, "missing");
	if (!always && !newer && !missing && !streq(policy, "never"))
		return ctl_failf("--pull %s: expected always, missing, newer or never", policy);
	if (image[0] == '/' || streq(policy, "never"))
		return 0;
	int have = always ? 0 : have_image(image);
	if (have == EXIT_CTL || (have == 1 && missing))
		return have == EXIT_CTL ? EXIT_CTL : 0;
	vl_reply rep;
	if (pull(image, NULL, false, &rep)) {
		if (newer && have == 1) { /* what the store has serves when the registry does not answer */
			fprintf(stderr, "corralctl: pull %s failed; using the image in the store\n", image);
			return 0;
		}
		return EXIT_CTL;
	}
	/* the pulled name: a short name that only a search registry made whole
	 * is found by it; by digest alone, the image's id */
	const char *ref = ctl_str(rep.params, "reference");
	yajl_val im = json_get(rep.params, "images");
	yajl_val first = YAJL_IS_ARRAY(im) && im->u.array.len ? im->u.array.values[0] : NULL;
	*use = strdup(strchr(ref, '@') ? ctl_str(first, "id") : ref);
	vl_reply_release(&rep);
	return *use ? 0 : ctl_fail("pull", "out of memory");
}

/* A line from the terminal, without echo when secret. */
static int prompt(const char *what, bool secret, char *buf, size_t n)
{
	struct termios old, t;
	bool tty = isatty(STDIN_FILENO);
	if (!tty)
		return -1;
	fprintf(stderr, "%s: ", what);
	fflush(stderr);
	bool quiet = secret && tcgetattr(STDIN_FILENO, &old) == 0;
	if (quiet) {
		t = old;
		t.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
	}
	char *r = fgets(buf, (int)n, stdin);
	if (quiet) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!r)
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static void wipe(char *p, size_t n) { explicit_bzero(p, n); }

static int v_login(ctl_args *a)
{
	char user[CRED_MAX], pass[CRED_MAX];
	const char *reg = a->argv[0];
	int r = 0;
	if (opt_on(a, "username"))
		snprintf(user, sizeof(user), "%s", opt_str(a, "username"));
	else if (prompt("Username", false, user, sizeof(user)) < 0)
		return ctl_failf("login %s: no user name: give --username", reg);
	if (opt_on(a, "password-stdin")) {
		size_t n = fread(pass, 1, sizeof(pass) - 1, stdin);
		pass[n] = '\0';
		pass[strcspn(pass, "\r\n")] = '\0';
	} else if (opt_on(a, "password")) {
		snprintf(pass, sizeof(pass), "%s", opt_str(a, "password"));
	} else if (prompt("Password", true, pass, sizeof(pass)) < 0) {
		r = ctl_failf("login %s: no password: give --password-stdin", reg);
	}
	_cleanup_json_gen_ yajl_gen g = r ? NULL : ctl_params(NULL);
	if (!r && (!g || jg_key_str(g, "registry", reg) || jg_key_str(g, "username", user) ||
		   jg_key_str(g, "password", pass)))
		r = ctl_fail("login", "out of memory");
	wipe(pass, sizeof(pass));
	if (r)
		return r;
	ctl_timeout_ms = -1;
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("Login"), TAKE_PTR(g), false, &rep))
		return EXIT_CTL;
	vl_reply_release(&rep);
	printf("Login Succeeded!\n");
	return 0;
}

static int v_logout(ctl_args *a)
{
	_cleanup_json_gen_ yajl_gen g = ctl_params(NULL);
	if (!g || jg_key_str(g, "registry", a->argv[0]))
		return ctl_fail("logout", "out of memory");
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen(&c, M("Logout"), TAKE_PTR(g), false, &rep))
		return EXIT_CTL;
	vl_reply_release(&rep);
	printf("Removed login credentials for %s\n", a->argv[0]);
	return 0;
}

static const ctl_opt pull_opts[] = {
	{ "platform", 0, OPT_STR, "OS/ARCH[/VARIANT]", "the platform to pick from a multi-platform image" },
	{ "quiet", 'q', OPT_FLAG, "", "print no progress, only the image id" },
	{ NULL },
};
static const ctl_opt login_opts[] = {
	{ "username", 'u', OPT_STR, "USER", "the user name (else asked on the terminal)" },
	{ "password", 'p', OPT_STR, "PASSWORD", "the password (visible to other users: prefer --password-stdin)" },
	{ "password-stdin", 0, OPT_FLAG, "", "read the password from stdin" },
	{ NULL },
};

const ctl_cmd ctl_pull_cmds[] = {
	{ "pull", "REFERENCE", "Pull an image from a registry: [REGISTRY/]NAME[:TAG][@DIGEST] (also: image pull)",
	  pull_opts, 1, 1, 0, COMPLETE_NONE, v_pull },
	{ "login", "REGISTRY", "Check and keep credentials for a registry, for your pulls only", login_opts, 1, 1, 0,
	  COMPLETE_NONE, v_login },
	{ "logout", "REGISTRY", "Forget your credentials for a registry", NULL, 1, 1, 0, COMPLETE_NONE, v_logout },
	{ NULL },
};
