/* corral-docker (docker.h): one client's Docker API connection, served
 * without privileges, through varlink to corrald. */
#include "supervisor/docker/docker.h"
#include "supervisor/docker/docker_http.h"
#include "supervisor/confine/confine.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/log.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
/* The leak check at exit stops the threads with ptrace from a clone and
 * reads /proc, which the sandbox forbids (no_new_privs, not dumpable, the
 * seccomp allow-list): it would spin there. ASan's other checks stay. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_leaks=0"; }
#endif

#define CORRALD_FD 3

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "uid", required_argument, NULL, 'u' },
					      { "gid", required_argument, NULL, 'g' },
					      { "idle-timeout", required_argument, NULL, 't' }, { 0 } };
	pid_t parent = getppid(); /* corrald, before it can be lost */
	long uid = -1, gid = -1, idle = DOCKER_IDLE_TIMEOUT;
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((o == 'u' && confine_parse_id(optarg, &uid) < 0) || (o == 'g' && confine_parse_id(optarg, &gid) < 0) ||
		    (o == 't' && confine_parse_id(optarg, &idle) < 0) || (o != 'u' && o != 'g' && o != 't')) {
			fputs("usage: corral-docker --uid UID --gid GID [--idle-timeout SECONDS] (fd 3: corrald)\n", stderr);
			return 2;
		}
	}
	log_set_prog("corral-docker");
	signal(SIGPIPE, SIG_IGN);
	/* confined first: corrald may start it ahead of the connection it is
	 * for (a standby), which then comes as the first message on fd 3 */
	_cleanup_cerr_ cerr err = { 0 };
	if (uid < 0 || gid < 0)
		cerr_set(&err, EINVAL, "--uid and --gid are required");
	if (err.code || confine_helper("corral-docker", (uid_t)uid, (gid_t)gid, parent, DOCKER_CPU_SECONDS, NULL, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, NULL);
		return 1;
	}
	char b;
	int http = -1;
	size_t n = 0;
	ssize_t got = fd_recv(CORRALD_FD, &b, 1, &http, 1, &n, NULL, 0);
	if (got == 0)
		return 0; /* a standby that corrald let go */
	if (got != 1 || n != 1) {
		log_error("no client connection from corrald on fd %d", CORRALD_FD);
		return 1;
	}
	_cleanup_vl_client_ vl_client *vl = NULL;
	if (vl_client_adopt(CORRALD_FD, "corrald", &vl, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, NULL);
		return 1;
	}
	return docker_serve(http, vl, (unsigned)idle) < 0 ? 1 : 0;
}
