/* A tar over an upgraded call of corrald's (CopyFrom, CopyTo, ImageLoad,
 * ImageSave without a path): the Streams frames of
 * supervisor/varlink/streams.h, STDOUT and STDIN the tar, STDERR why it
 * failed, EXIT its end. The upgrade takes this process's varlink
 * connection: each answer made with one closes the HTTP connection, so
 * that the client's next request gets a fresh one. */
#pragma once
#include "supervisor/docker/dk.h"
#include "supervisor/varlink/stream_client.h"

typedef struct tar_stream {
	stream_client sc; /* its head: STDOUT's bytes not yet sent on */
	bool broken;      /* a STDIN frame could not be sent */
} tar_stream;

