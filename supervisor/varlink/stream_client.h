/* The client's end of an upgraded call (streams.h), as corralctl's
 * ctl_stream and corral-docker's tar_stream hold it: what it keeps of the
 * other side's frames. */
#pragma once
#include "common/strbuf.h"
#include "supervisor/varlink/streams.h"

typedef struct stream_client {
	int fd;
	stream_reader in;
	strbuf head; /* STDOUT's bytes kept, not yet handed on */
	strbuf msg;  /* what STDERR said */
	strbuf stat; /* CopyFrom's STAT, when asked */
	int code;    /* EXIT's; -1 before it */
} stream_client;

/* Ready for fd's frames (-1: the call is yet to make it) */
void stream_client_init(stream_client *c, int fd);
/* fd closed, what was kept freed */
void stream_client_release(stream_client *c);
/* f kept when it is EXIT, STDERR or STAT: 0, or -ENOMEM; 1 when it is
 * STDOUT, which is the caller's to keep or hand on */
int stream_client_keep(stream_client *c, const stream_frame *f);
