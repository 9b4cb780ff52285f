/* What corrald and corral-monitor say to each other, and nothing of how
 * either does it. corrald spawns
 *   corral-monitor --dir DIR --root ROOT --id ID --sync-fd 3 --standby
 *                  --log-max-size N --log-max-files N
 * and talks on the sync fd: it says MONITOR_PREP once the bundle is complete
 * and MONITOR_GO at Start; the monitor reports "ok PID\n" or "err MESSAGE\n".
 * After that, corrald calls io.corral.Monitor on DIR/monitor.sock (Stop, Kill,
 * Exec, Attach); the connection's end tells corrald the monitor is gone.
 *
 * Clients (Streams, varlink/streams.h) reach the monitor as sockets passed
 * with SCM_RIGHTS: with Exec and Attach on monitor.sock, and, for clients
 * attached before the start, with "go" on the sync fd, which then says
 * "go FLAGS\n": one 0 or 1 per socket, 1 when that client sends stdin.
 * The monitor trusts corrald to have checked the client.
 *
 * With --net-hold, the monitor says "created PID\n" once the container
 * exists (its namespaces made, its process not started), and starts it
 * only on "start\n": corrald attaches its network in between. Anything
 * else (or nothing within MONITOR_STANDBY_MS) undoes the create, and the
 * report is "err ...". */
#pragma once
#include <stddef.h>

#define MONITOR_SOCK "monitor.sock"
#define MONITOR_IFACE "io.corral.Monitor"
#define MONITOR_PREP "prep\n"
#define MONITOR_GO "go\n"
#define MONITOR_OK "ok "   /* then the pid */
#define MONITOR_ERR "err " /* then the message */
#define MONITOR_CREATED "created " /* then the pid: --net-hold */
#define MONITOR_START "start\n"
/* Clients attached before the start, at most. */
#define MONITOR_MAX_ATTACH 8
/* A standby monitor told nothing for this long ends on its own. */
#define MONITOR_STANDBY_MS 60000

/* "/proc/self/fd/N/monitor.sock" for a dir fd, so long paths fit sun_path. */
void monitor_sock_path(int dirfd, char *buf, size_t n);
