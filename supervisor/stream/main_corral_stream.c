/* corral-stream (serve.h): one connection of the CRI's streaming server,
 * served without privileges; what it may reach, corrald gives it for the
 * token the connection brings. */
#include "supervisor/stream/serve.h"
#include "supervisor/confine/confine.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/libcrypto.h"
#include "common/log.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
/* as corral-cri's: the leak check cannot run in the sandbox */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_leaks=0"; }
#endif

#define CORRALD_FD 3
#define STREAM_CPU_SECONDS (24 * 3600)

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "uid", required_argument, NULL, 'u' },
					      { "gid", required_argument, NULL, 'g' },
					      { "idle-timeout", required_argument, NULL, 'i' }, { 0 } };
	pid_t parent = getppid(); /* corrald, before it can be lost */
	long uid = -1, gid = -1, idle = 0;
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((o == 'u' && confine_parse_id(optarg, &uid) < 0) || (o == 'g' && confine_parse_id(optarg, &gid) < 0) ||
		    (o == 'i' && confine_parse_id(optarg, &idle) < 0) || (o != 'u' && o != 'g' && o != 'i')) {
			fputs("usage: corral-stream --uid UID --gid GID [--idle-timeout SECONDS] (fd 3: corrald)\n", stderr);
			return 2;
		}
	}
	log_set_prog("corral-stream");
	signal(SIGPIPE, SIG_IGN);
	_cleanup_cerr_ cerr err = { 0 };
	/* a WebSocket's accept is SHA-1's: libcrypto is loaded while files
	 * can still be opened */
	if (!libcrypto(&err))
		log_cerr(LOG_LVL_WARN, &err, "WebSocket upgrades will fail");
	if (uid < 0 || gid < 0)
		cerr_set(&err, EINVAL, "--uid and --gid are required");
	if (err.code || confine_helper("corral-stream", (uid_t)uid, (gid_t)gid, parent, STREAM_CPU_SECONDS, NULL, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, NULL);
		return 1;
	}
	char c;
	int fds[1] = { -1 };
	size_t n = 0;
	ssize_t got = fd_recv(CORRALD_FD, &c, 1, fds, 1, &n, NULL, 0);
	if (got == 0)
		return 0; /* a standby that corrald let go */
	if (got != 1 || n != 1 || c != 'C') {
		log_error("no client connection from corrald on fd %d", CORRALD_FD);
		return 1;
	}
	_cleanup_close_ int client = fds[0];
	return serve_connection(client, CORRALD_FD, (size_t)idle) < 0 ? 1 : 0;
}
