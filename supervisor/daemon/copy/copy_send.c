/* One Streams frame out (copy.h): used by corral-copy, and by corrald to
 * end a copy it could not start, so it stays clear of libarchive. */
#include "supervisor/daemon/copy/copy.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

#include <errno.h>
#include <sys/socket.h>

int copy_send(int sock, enum stream_kind kind, const void *data, size_t len)
{
	_cleanup_strbuf_ strbuf f = STRBUF_INIT;
	if (stream_put(&f, kind, data, len) < 0)
		return -ENOMEM;
	for (size_t at = 0; at < f.len;) {
		ssize_t w = send(sock, f.buf + at, f.len - at, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		at += (size_t)w;
	}
	return 0;
}
