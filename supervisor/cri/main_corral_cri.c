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

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CORRALD_FD 3

int main(int argc, char **argv)
{
	confine_start_spec start = { .who = "corral-cri", .cpu_seconds = CRI_CPU_SECONDS };
	int rc = confine_start(&start, argc, argv);
	if (rc)
		return rc;
	_cleanup_cerr_ cerr err = { 0 };
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
