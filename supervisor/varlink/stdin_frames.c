#include "supervisor/varlink/stdin_frames.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

stdin_frames *stdin_frames_new(int sock, uint64_t max)
{
	stdin_frames *in = calloc(1, sizeof(*in));
	if (!in)
		return NULL;
	in->sock = sock;
	in->max = max;
	stream_reader_init(&in->r, STREAM_AT_CONTAINER);
	return in;
}

void stdin_frames_free(stdin_frames *in)
{
	if (!in)
		return;
	stream_reader_release(&in->r);
	free(in);
}

long stdin_frames_next(stdin_frames *in, const void **out, cerr *err)
{
	for (;;) {
		if (in->ended)
			return 0;
		stream_frame f;
		int k = stream_reader_next(&in->r, &f);
		if (k < 0)
			return cerr_set(err, EPROTO, "the client sent something that is not a Streams frame");
		if (k > 0) {
			if (f.kind == STREAM_CLOSE_STDIN)
				in->ended = true;
			if (f.kind != STREAM_STDIN || f.len == 0)
				continue; /* RESIZE and SIGNAL mean nothing here */
			if ((in->bytes += f.len) > in->max)
				return cerr_set(err, EFBIG, "more than %llu bytes", (unsigned long long)in->max);
			memcpy(in->buf, f.data, f.len); /* f.data lives until the next read */
			*out = in->buf;
			return (long)f.len;
		}
		ssize_t n = stream_reader_fill(&in->r, in->sock);
		if (n == -EINTR)
			continue;
		if (n == -ENOMEM)
			return cerr_set(err, ENOMEM, "out of memory");
		if (n <= 0)
			return n < 0 ? cerr_sys(err, (int)-n, "the client")
				     : cerr_set(err, ECONNRESET, "the client hung up before the end of its tar");
	}
}
