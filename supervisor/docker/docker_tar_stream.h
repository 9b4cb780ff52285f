/* docker_tar_stream.c: tar_stream.h: corrald's Streams frames over an
 * upgraded call, as HTTP bodies in and out. */
#pragma once
#include "supervisor/docker/tar_stream.h"

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
