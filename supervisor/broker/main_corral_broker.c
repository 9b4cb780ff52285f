/* corral-broker: publish, subscribe, request, serve and the session's state,
 * for programs inside a session, through corrald's io.corral.Broker. */
#include "supervisor/broker/broker_cli.h"
#include "supervisor/broker/broker_state_cmd.h"
#include "supervisor/broker/broker_serve.h"
#include "supervisor/broker/broker_msg.h"
#include "supervisor/broker/broker_call.h"
#include "common/cleanup.h"
#include "common/version.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} cmds[] = {
	{ "pub", broker_cmd_pub },     { "sub", broker_cmd_sub },     { "req", broker_cmd_req },
	{ "serve", broker_cmd_serve }, { "state", broker_cmd_state }, { "whoami", broker_cmd_whoami },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: corral-broker [--socket PATH] COMMAND [ARGS]\n\n"
		   "Talk to the other containers of this session through corrald's broker.\n\n"
		   "Commands:\n"
		   "  pub TOPIC DATA                      publish; prints how many subscribers it reached\n"
		   "  sub [-n COUNT] TOPIC...             print each message (one JSON line) on the topics\n"
		   "  req [--to MEMBER] [--timeout S] TOPIC DATA\n"
		   "                                      ask, and print the answer's data\n"
		   "  serve [-n COUNT] TOPIC... -- CMD [ARGS]\n"
		   "                                      answer each request with CMD's output, given\n"
		   "                                      the request's data on its stdin\n"
		   "  serve --echo [-n COUNT] TOPIC...    answer each request with its own data\n"
		   "  state get [--json] KEY              print a key's value (--json: with its version)\n"
		   "  state set KEY VALUE [--expect N]    set a key (N: 0, it must not exist; else its\n"
		   "                                      version must be N); prints the new version\n"
		   "  state rm KEY [--expect N]           remove a key\n"
		   "  state ls [PREFIX]                   list the keys, one a line\n"
		   "  state watch [-n COUNT] [PREFIX]     print the keys, then each change (JSON lines)\n"
		   "  whoami                              print this member's session, name and labels\n\n"
		   "DATA and VALUE: JSON text, or else sent as a JSON string; \"-\" reads stdin.\n"
		   "A pattern in sub and serve may end in \"*\". Options:\n"
		   "  --socket PATH   the broker's socket (default %s, or $CORRAL_BROKER_SOCKET)\n"
		   "  -h, --help      this text\n"
		   "  --version       corral-broker's version\n\n"
		   "Exit status: 0, 1 when the broker refused or failed (one line names its\n"
		   "error), 2 for a usage error.\n",
		BROKER_DEFAULT_SOCKET);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "socket", required_argument, NULL, 's' },
					      { "help", no_argument, NULL, 'h' },
					      { "version", no_argument, NULL, 'V' },
					      { NULL, 0, NULL, 0 } };
	broker_sock = getenv("CORRAL_BROKER_SOCKET");
	if (!broker_sock || !*broker_sock)
		broker_sock = BROKER_DEFAULT_SOCKET;
	/* "+": options of the command are the command's */
	for (int o; (o = getopt_long(argc, argv, "+h", opts, NULL)) != -1;) {
		if (o == 's') {
			broker_sock = optarg;
		} else if (o == 'h') {
			usage(stdout);
			return 0;
		} else if (o == 'V') {
			printf("corral-broker version %s (%s)\n", CORRAL_VERSION, corral_commit);
			return 0;
		} else {
			return BROKER_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return BROKER_EXIT_USAGE;
	}
	/* a reader of sub that goes away ends it with an error, not a signal */
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (streq(argv[optind], cmds[i].name)) {
			int sub_argc = argc - optind;
			char **sub_argv = argv + optind;
			optind = 0; /* getopt anew (0 resets glibc's "+" too), for the command's options */
			return cmds[i].run(sub_argc, sub_argv);
		}
	return broker_usage_error("unknown command: %s", argv[optind]);
}
