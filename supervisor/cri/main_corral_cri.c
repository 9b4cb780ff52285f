/* corral-cri (cri.h): one client's CRI connection, served without
 * privileges, through varlink to corrald. */
#include "supervisor/cri/h2.h"
#include "supervisor/cri/links.h"
#include "supervisor/cri/h2_conn.h"
#include "supervisor/cri/cri_store.h"
#include "supervisor/confine/confine.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/log.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
/* as corral-docker's: the leak check cannot run in the sandbox */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_leaks=0"; }
#endif

#define CORRALD_FD 3

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "uid", required_argument, NULL, 'u' },
					      { "gid", required_argument, NULL, 'g' }, { 0 } };
	pid_t parent = getppid(); /* corrald, before it can be lost */
	long uid = -1, gid = -1;
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((o == 'u' && confine_parse_id(optarg, &uid) < 0) || (o == 'g' && confine_parse_id(optarg, &gid) < 0) ||
		    (o != 'u' && o != 'g')) {
			fputs("usage: corral-cri --uid UID --gid GID (fd 3: corrald)\n", stderr);
			return 2;
		}
	}
	log_set_prog("corral-cri");
	signal(SIGPIPE, SIG_IGN);
	/* confined first, as corral-docker: it may be a standby */
	_cleanup_cerr_ cerr err = { 0 };
	if (uid < 0 || gid < 0)
		cerr_set(&err, EINVAL, "--uid and --gid are required");
	if (err.code || confine_helper("corral-cri", (uid_t)uid, (gid_t)gid, parent, CRI_CPU_SECONDS, NULL, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, NULL);
		return 1;
	}
	/* the client's connection, and where more connections to corrald
	 * are asked for */
	struct __attribute__((packed)) { char c; uint32_t uid; } msg;
	int fds[2] = { -1, -1 };
	size_t n = 0;
	ssize_t got = fd_recv(CORRALD_FD, &msg, sizeof(msg), fds, 2, &n, NULL, 0);
	if (got == 0)
		return 0; /* a standby that corrald let go */
	if (got != (ssize_t)sizeof(msg) || n != 2) {
		log_error("no client connection from corrald on fd %d", CORRALD_FD);
		return 1;
	}
	_cleanup_close_ int client = fds[0];
	_cleanup_el_ el_loop *loop = NULL;
	cri_links *links = NULL;
	int r = el_new(&loop, &err);
	if (r == 0)
		r = links_new(loop, CORRALD_FD, fds[1], &links, &err);
	_cleanup_(store_freep) cri_store *store = r == 0 ? store_new(links) : NULL;
	if (r == 0)
		r = cri_serve(loop, client, links, store, cri_services, msg.uid, &err);
	links_free(links);
	if (r < 0) {
		log_cerr(LOG_LVL_ERROR, &err, NULL);
		return 1;
	}
	return 0;
}
