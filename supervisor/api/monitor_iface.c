#include "supervisor/api/monitor_iface.h"

#include <stdio.h>

void monitor_sock_path(int dirfd, char *buf, size_t n)
{
	snprintf(buf, n, "/proc/self/fd/%d/" MONITOR_SOCK, dirfd);
}
