/* corral-docker (docker.h): one client's Docker API connection, served
 * without privileges, through varlink to corrald. */
#include "supervisor/docker/docker.h"
#include "supervisor/docker/docker_http.h"
#include "supervisor/confine/confine.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CORRALD_FD 3

int main(int argc, char **argv)
{
	confine_start_spec start = {
		.who = "corral-docker", .idle_option = true, .idle = DOCKER_IDLE_TIMEOUT, .cpu_seconds = DOCKER_CPU_SECONDS
	};
	int rc = confine_start(&start, argc, argv);
	if (rc)
		return rc;
	/* the connection this standby is for comes as the first message */
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
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_vl_client_ vl_client *vl = NULL;
	if (vl_client_adopt(CORRALD_FD, "corrald", &vl, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, NULL);
		return 1;
	}
	return docker_serve(http, vl, (unsigned)start.idle) < 0 ? 1 : 0;
}
