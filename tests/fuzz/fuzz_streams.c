/* libFuzzer target: what a Streams client sends the container's monitor
 * (varlink/streams.h), and what the monitor sends corralctl. The bytes go
 * through each side's reader in uneven chunks; every frame it lets through
 * has a kind of that side, and the size that kind must have. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/varlink/streams.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(enum stream_side side, const stream_frame *f)
{
	if (f->len > STREAM_MAX_PAYLOAD)
		abort();
	switch (f->kind) {
	case STREAM_STDIN:
		if (side != STREAM_AT_CONTAINER)
			abort();
		break;
	case STREAM_RESIZE:
	case STREAM_SIGNAL:
		if (side != STREAM_AT_CONTAINER || f->len != 4)
			abort();
		break;
	case STREAM_CLOSE_STDIN:
		if (side != STREAM_AT_CONTAINER || f->len != 0)
			abort();
		break;
	case STREAM_STDOUT:
	case STREAM_STDERR:
	case STREAM_STAT:
		if (side != STREAM_AT_CLIENT)
			abort();
		break;
	case STREAM_EXIT:
		if (side != STREAM_AT_CLIENT || f->len != 4)
			abort();
		break;
	default: abort();
	}
}

static void feed(enum stream_side side, const uint8_t *data, size_t size)
{
	stream_reader r;
	stream_reader_init(&r, side);
	size_t off = 0, step = size ? (data[0] % 17) + 1 : 1;
	while (off < size) {
		size_t n = size - off < step ? size - off : step;
		char *p;
		size_t room;
		if (stream_reader_reserve(&r, n, &p, &room) < 0)
			abort();
		memcpy(p, data + off, n);
		stream_reader_commit(&r, n);
		off += n;
		stream_frame f;
		int k;
		while ((k = stream_reader_next(&r, &f)) == 1)
			check(side, &f);
		if (k < 0)
			break; /* garbage: the peer is dropped here */
	}
	stream_reader_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed(STREAM_AT_CONTAINER, data, size);
	feed(STREAM_AT_CLIENT, data, size);
	return 0;
}
