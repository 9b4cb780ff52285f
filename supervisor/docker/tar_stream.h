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
	int code;    /* EXIT's; -1 before it */
	bool broken; /* a STDIN frame could not be sent */
} tar_stream;

/* method (params) called upgraded; NULL with r answered when corrald
 * refused it (dk_fail, subject what the client named). */
tar_stream *tar_stream_open(dk_req *r, const char *method, const char *params, const char *subject);
void tar_stream_free(tar_stream *s);
/* Read once and take the whole frames; 0, or -1 when the stream broke. */
int tar_stream_take(tar_stream *s);
/* data as STDIN frames; -1 once the stream broke. */
int tar_stream_feed(tar_stream *s, const char *data, size_t n);
/* CLOSE_STDIN, then the frames up to EXIT: its code, -1 when it broke. */
int tar_stream_end(tar_stream *s);
/* Answer r 200 with what STDOUT brings as the body (s is the answer's);
 * the body is cut short unless EXIT says 0. */
void tar_stream_answer(dk_req *r, tar_stream *s, const char *ctype);
/* The first line STDERR said, or dflt. */
const char *tar_stream_why(tar_stream *s, const char *dflt, int *len);
