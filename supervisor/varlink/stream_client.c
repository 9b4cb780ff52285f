/* What a client keeps of an upgraded call's frames (stream_client.h). */
#include "supervisor/varlink/stream_client.h"

#include <errno.h>
#include <unistd.h>

void stream_client_init(stream_client *c, int fd)
{
	*c = (stream_client){ .fd = fd, .head = STRBUF_INIT, .msg = STRBUF_INIT, .stat = STRBUF_INIT, .code = -1 };
	stream_reader_init(&c->in, STREAM_AT_CLIENT);
}

void stream_client_release(stream_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	stream_reader_release(&c->in);
	sb_release(&c->head);
	sb_release(&c->msg);
	sb_release(&c->stat);
}

int stream_client_keep(stream_client *c, const stream_frame *f)
{
	switch (f->kind) {
	case STREAM_EXIT: c->code = (int)stream_frame_u32(f); return 0;
	case STREAM_STDERR: return sb_add(&c->msg, f->data, f->len) < 0 ? -ENOMEM : 0;
	case STREAM_STAT: return sb_add(&c->stat, f->data, f->len) < 0 ? -ENOMEM : 0;
	default: return 1; /* STDOUT: the reader lets no other kind through to a client */
	}
}
