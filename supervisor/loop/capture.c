#include "supervisor/loop/capture.h"

#include <errno.h>
#include <unistd.h>

int capture_read(int fd, strbuf *sb, size_t max, bool *truncated)
{
	char buf[16384];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return 1;
	size_t room = max > sb->len ? max - sb->len : 0;
	if ((size_t)n > room) {
		if (truncated)
			*truncated = true;
		n = (ssize_t)room;
	}
	sb_add(sb, buf, (size_t)n);
	return 0;
}
