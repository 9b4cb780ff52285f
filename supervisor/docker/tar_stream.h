/* A tar over an upgraded call of corrald's (CopyFrom, CopyTo, ImageLoad,
 * ImageSave without a path): the Streams frames of
 * supervisor/varlink/streams.h, STDOUT and STDIN the tar, STDERR why it
 * failed, EXIT its end. The upgrade takes this process's varlink
 * connection: each answer made with one closes the HTTP connection, so
 * that the client's next request gets a fresh one. */
#pragma once
#include "supervisor/docker/dk.h"
#include "supervisor/varlink/streams.h"

typedef struct tar_stream {
	int fd;
	stream_reader in;
	strbuf head; /* STDOUT bytes not yet sent on */
	strbuf msg;  /* what STDERR said */
	strbuf stat; /* CopyFrom's STAT, when asked */
	int code;    /* EXIT's; -1 before it */
	bool broken; /* a STDIN frame could not be sent */
} tar_stream;

