/* corral-stream (serve.h): one connection of the CRI's streaming server,
 * served without privileges; what it may reach, corrald gives it for the
 * token the connection brings. */
#include "supervisor/stream/serve.h"
#include "supervisor/confine/confine.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/libcrypto.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define CORRALD_FD 3
#define STREAM_CPU_SECONDS (24 * 3600)

/* a WebSocket's accept is SHA-1's: libcrypto is loaded while files can
 * still be opened */
static void load_libcrypto(void)
{
	_cleanup_cerr_ cerr err = { 0 };
	if (!libcrypto(&err))
		log_cerr(LOG_LVL_WARN, &err, "WebSocket upgrades will fail");
}

int main(int argc, char **argv)
{
	confine_start_spec start = {
		.who = "corral-stream", .idle_option = true, .cpu_seconds = STREAM_CPU_SECONDS, .before = load_libcrypto
	};
	int rc = confine_start(&start, argc, argv);
	if (rc)
		return rc;
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
	return serve_connection(client, CORRALD_FD, (size_t)start.idle) < 0 ? 1 : 0;
}
