/* corral exec [options] ID [COMMAND [ARG...]], with runc's options. */
#include "cli.h"
#include "runtime/cli/cmd_exec.h"
#include "runtime/exec.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int push_dup(char ***v, const char *s)
{
	char *d = strdup(s);
	if (!d || strv_push(v, d) < 0) {
		free(d);
		return -1;
	}
	return 0;
}

int cmd_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' }, { "env", required_argument, NULL, 'e' },
		{ "cwd", required_argument, NULL, 'w' }, { "user", required_argument, NULL, 'u' },
		{ "cap", required_argument, NULL, 'c' }, { "no-new-privs", no_argument, NULL, 'N' },
		{ "tty", no_argument, NULL, 't' }, { "console-socket", required_argument, NULL, 'C' },
		{ "detach", no_argument, NULL, 'd' }, { "pid-file", required_argument, NULL, 'P' },
		{ "preserve-fds", required_argument, NULL, 'f' }, { "apparmor", required_argument, NULL, 'A' },
		{ "process-label", required_argument, NULL, 'L' }, { "ignore-paused", no_argument, NULL, 'I' },
		{ NULL, 0, NULL, 0 },
	};
	struct exec_opts o = { .root = cli.root };
	_cleanup_strv_ char **env = NULL;
	_cleanup_strv_ char **caps = NULL;
	int c;
	/* "+": options end at the id, so the command keeps its own */
	while ((c = getopt_long(argc, argv, "+p:e:u:c:tdw:", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o.process_file = optarg; break;
		case 'e':
			if (push_dup(&env, optarg) < 0)
				return 1;
			break;
		case 'w': o.cwd = optarg; break;
		case 'u': o.user = optarg; break;
		case 'c':
			if (push_dup(&caps, optarg) < 0)
				return 1;
			break;
		case 'N': o.no_new_privs = true; break;
		case 't': o.tty = o.tty_set = true; break;
		case 'C': o.console_socket = optarg; break;
		case 'd': o.detach = true; break;
		case 'P': o.pid_file = optarg; break;
		case 'f': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 0 || n > 1024) {
				fprintf(stderr, "corral: exec: --preserve-fds: \"%s\" is not a count\n", optarg);
				return 1;
			}
			o.preserve_fds = (int)n;
			break;
		}
		case 'A': o.apparmor = optarg[0] ? optarg : NULL; break;
		case 'L': o.process_label = optarg; break;
		case 'I': break;
		default: return 1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "corral: exec: missing container id\n");
		return 1;
	}
	o.id = argv[optind];
	o.args = argv + optind + 1;
	if (o.process_file && o.args[0]) {
		fprintf(stderr, "corral: exec %s: give a command or --process, not both\n", o.id);
		return 1;
	}
	o.env = env;
	o.caps = caps;
	cerr err = { 0 };
	int code = 0;
	/* as runc: 255 when exec itself fails, so that no exit code of the
	 * process can be mistaken for it */
	if (container_exec(&o, &code, &err) < 0) {
		cli_fail(&err, "exec %s", o.id);
		return 255;
	}
	return code;
}
